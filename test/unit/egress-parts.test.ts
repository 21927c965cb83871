// The egress feature's parts that need no engine: what the image is made of, the
// gateway's and the workspace's specs, the decisions log, the configuration keys and the
// CLI's input checks (made before anything is connected to).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { InvalidConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { UsageError, type CommandContext } from '../../src/cli/command.js';
import { parseAllowFlag } from '../../src/cli/commands/workspace-egress.js';
import { workspaceCommand } from '../../src/cli/commands/workspace/index.js';
import { loadConfig } from '../../src/features/config/index.js';
import { parseDecisions } from '../../src/features/egress/decisions.js';
import { applyEgress, checkEgressInput, egressPatch } from '../../src/features/egress/egress.js';
import { gatewaySpec, GATEWAY_LIMITS } from '../../src/features/egress/gateway.js';
import { collectRuntime, parseLoaderTrace, parseMaps } from '../../src/features/egress/runtime.js';

describe('the gateway image is made of this Node', () => {
  it('reads the loader trace (ldd) and the mapped libraries', () => {
    const trace = parseLoaderTrace([
      '\tlinux-vdso.so.1 (0x00007ffbe02e3000)',
      '\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007ffbe02cd000)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007ffbe0000000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007ffbe02e5000)',
      '\tlibgone.so.1 => not found',
    ].join('\n'));
    assert.deepEqual(trace.libraries, [
      { name: 'libdl.so.2', path: '/lib/x86_64-linux-gnu/libdl.so.2' },
      { name: 'libstdc++.so.6', path: '/lib/x86_64-linux-gnu/libstdc++.so.6' },
    ]);
    assert.equal(trace.interpreter, '/lib64/ld-linux-x86-64.so.2');
    assert.deepEqual(trace.missing, ['libgone.so.1']);
    assert.deepEqual(parseLoaderTrace('\tnot a dynamic executable\n'), { libraries: [], interpreter: undefined, missing: [] });
    assert.deepEqual(
      parseMaps([
        '7f00-7f01 r--p 00000000 08:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6',
        '7f01-7f02 r-xp 00001000 08:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6',
        '7f02-7f03 rw-p 00000000 00:00 0 [heap]',
        '7f03-7f04 r--p 00000000 08:01 99 /usr/bin/node',
        '7f04-7f05 r--p 00000000 08:01 98 /tmp/x.so (deleted)',
      ].join('\n')),
      ['/usr/lib/x86_64-linux-gnu/libc.so.6'],
    );
  });

  it('collects the running binary, its interpreter and libraries, at the paths the loader uses', async () => {
    const rt = await collectRuntime();
    const paths = rt.files.map((f) => f.path);
    assert.equal(rt.node, process.execPath);
    assert.ok(paths.includes(process.execPath));
    // The interpreter the binary names (PT_INTERP) is there, whatever the loader said it is.
    const interp = /\/lib\S*\/ld-linux[^\0]*?\.so\.\d/.exec(readFileSync(process.execPath).subarray(0, 4096).toString('latin1'))?.[0];
    if (interp !== undefined) assert.ok(paths.includes(interp), `${interp} in ${paths.join(', ')}`);
    assert.ok(paths.some((p) => /\/libc\.so\.6$/.test(p)), paths.join(', '));
    assert.ok(rt.files.every((f) => f.size > 0 && f.path.startsWith('/')));
  });
});

describe('the gateway container', () => {
  it('is hardened as a workspace is, on the workspace network under the alias, with its allowlist in labels', () => {
    const spec = gatewaySpec({ image: 'sha256:abc', workspaceName: 'ws1', network: 'aicli-egress-ws1', subnet: '10.0.5.0/24', uplink: 'aicli-network', allow: ['a.test', '.b.test'], ports: [443], deny: ['10.0.0.0/24'], labels: { 'aicli.managed': 'true' } }) as {
      User: string;
      Env: string[];
      Labels: Record<string, string>;
      HostConfig: Record<string, unknown>;
      NetworkingConfig: { EndpointsConfig: Record<string, { Aliases: string[] }> };
    };
    assert.equal(spec.User, '65534:65534');
    assert.deepEqual(spec.HostConfig['CapDrop'], ['ALL']);
    assert.equal(spec.HostConfig['ReadonlyRootfs'], true);
    assert.deepEqual(spec.HostConfig['SecurityOpt'], ['no-new-privileges:true']);
    assert.equal(spec.HostConfig['Memory'], 64 * 1024 * 1024);
    assert.equal(spec.HostConfig['MemorySwap'], GATEWAY_LIMITS.memoryBytes);
    assert.equal(spec.HostConfig['PidsLimit'], GATEWAY_LIMITS.pidsLimit);
    assert.deepEqual(spec.HostConfig['Sysctls'], { 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.disable_ipv6': '1' });
    assert.deepEqual(spec.HostConfig['RestartPolicy'], { Name: 'on-failure', MaximumRetryCount: 5 });
    assert.equal(spec.HostConfig['NetworkMode'], 'aicli-egress-ws1');
    assert.deepEqual(spec.NetworkingConfig.EndpointsConfig['aicli-egress-ws1']?.Aliases, ['aicli-egress']);
    assert.ok(spec.Env.includes('AICLI_EGRESS_ALLOW=a.test,.b.test'));
    assert.ok(spec.Env.includes('AICLI_EGRESS_SUBNET=10.0.5.0/24'));
    assert.equal(spec.Labels['aicli.egress.allow'], 'a.test,.b.test');
    assert.equal(spec.Labels['aicli.role'], 'egress-gateway');
    assert.equal(spec.Labels['aicli.workspace.name'], 'ws1');
  });
});

describe('the workspace patch', () => {
  const patch = egressPatch('ws1');

  it('moves the workspace to its own network only, points DNS nowhere, sets the proxy variables, and keeps its hardening', () => {
    const body = {
      Image: 'img',
      Env: ['A=1', 'HTTP_PROXY=http://elsewhere:1', 'no_proxy=*'],
      HostConfig: { NetworkMode: 'aicli-network', ReadonlyRootfs: true, CapDrop: ['ALL'], Dns: ['8.8.8.8'] },
      NetworkingConfig: { EndpointsConfig: { 'aicli-network': { Aliases: ['x'] } } },
    };
    const out = applyEgress(body, patch);
    assert.equal(out.HostConfig.NetworkMode, 'aicli-egress-ws1');
    assert.deepEqual(out.HostConfig.Dns, ['127.0.0.1']);
    assert.equal(out.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(out.HostConfig.CapDrop, ['ALL']);
    assert.deepEqual(out.Labels, { 'aicli.egress.network': 'aicli-egress-ws1' }, 'the workspace is marked as having a gateway');
    assert.deepEqual(out.NetworkingConfig, { EndpointsConfig: { 'aicli-egress-ws1': {} } });
    assert.deepEqual(out.Env, [
      'A=1',
      'HTTP_PROXY=http://aicli-egress:3128',
      'HTTPS_PROXY=http://aicli-egress:3128',
      'http_proxy=http://aicli-egress:3128',
      'https_proxy=http://aicli-egress:3128',
      'NO_PROXY=localhost,127.0.0.1',
      'no_proxy=localhost,127.0.0.1',
      'NODE_USE_ENV_PROXY=1',
    ]);
    assert.equal(body.HostConfig.NetworkMode, 'aicli-network', 'the input is not changed');
  });

  it('checks an allowlist and ports with every problem named', () => {
    assert.deepEqual(checkEgressInput(['A.test', 'a.test', '.z.test'], [443, 443, 80]), { allow: ['a.test', '.z.test'], ports: [443, 80] });
    assert.throws(
      () => checkEgressInput(['ok.test', '1.2.3.4'], [0], '--allow'),
      (e: unknown) => e instanceof InvalidConfigError && e.problems.map((p) => `${p.source} ${p.key}`).join('|') === '--allow egress_allow[1]|--allow egress_ports[0]',
    );
  });
});

describe('the decisions log', () => {
  it('keeps decision lines only (the start line, other text and a line cut by rotation are skipped)', () => {
    const d = { time: '2026-01-01T00:00:00.000Z', decision: 'deny', reason: 'not-allowed', method: 'CONNECT', host: 'x.test', port: 443, client: '10.0.0.2' };
    const text = ['{"event":"start"}', 'a warning', JSON.stringify(d), '{"decision":'].join('\n');
    assert.deepEqual(parseDecisions(text), [d]);
  });
});

describe('configuration', () => {
  it('egress_allow, egress_ports and egress_image load from file, environment and flags', async () => {
    const loaded = await loadConfig({ env: { AICLI_DOCKER_EGRESS_ALLOW: 'Registry.npmjs.org,.githubusercontent.com', AICLI_DOCKER_EGRESS_PORTS: '443, 8443' }, overrides: { egress_image: 'reg.example/egress:1' } });
    assert.deepEqual(loaded.config.egressAllow, ['registry.npmjs.org', '.githubusercontent.com']);
    assert.deepEqual(loaded.config.egressPorts, [443, 8443]);
    assert.equal(loaded.config.egressImage, 'reg.example/egress:1');
  });

  it('bad names and ports name the key; an allowlist with network_internal: true is refused, naming both sources', async () => {
    await assert.rejects(loadConfig({ env: { AICLI_DOCKER_EGRESS_ALLOW: 'a.test,10.0.0.1', AICLI_DOCKER_EGRESS_PORTS: '[]' } }), (e: unknown) => {
      assert.ok(e instanceof InvalidConfigError);
      assert.deepEqual(e.problems.map((p) => p.key), ['egress_allow[1]', 'egress_ports']);
      return true;
    });
    await assert.rejects(loadConfig({ env: { AICLI_DOCKER_EGRESS_ALLOW: 'a.test' }, overrides: { network_internal: 'true' } }), (e: unknown) => {
      assert.ok(e instanceof InvalidConfigError);
      assert.equal(e.problems[0]?.key, 'egress_allow');
      assert.match(e.message, /AICLI_DOCKER_EGRESS_ALLOW: cannot be used with network_internal: true \(set by --set network_internal\)/);
      return true;
    });
  });
});

describe('workspace egress (CLI)', () => {
  const ctx = (args: string[], flags: Record<string, string> = {}): CommandContext => ({
    args,
    flags,
    global: { host: 'unix:///nonexistent/aicli.sock', context: undefined, config: undefined, timeout: undefined, logLevel: undefined, json: false },
    env: { HOME: '/nonexistent' },
    cwd: '/',
    logger: silentLogger,
    stdout: () => undefined,
    stderr: () => undefined,
  });

  it('reads --allow as the configuration reads egress_allow', () => {
    assert.deepEqual(parseAllowFlag('a.test, B.test,'), ['a.test', 'b.test']);
    assert.deepEqual(parseAllowFlag('["a.test"]'), ['a.test']);
    assert.deepEqual(parseAllowFlag(''), []);
    assert.throws(() => parseAllowFlag('["a.test", 1]'), InvalidConfigError);
  });

  it('refuses bad input before connecting to anything (usage: exit 2)', async () => {
    await assert.rejects(workspaceCommand.run(ctx([])), UsageError);
    await assert.rejects(workspaceCommand.run(ctx(['egres', 'x'])), /Did you mean "egress"/);
    await assert.rejects(workspaceCommand.run(ctx(['egress'])), /missing the workspace name/);
    await assert.rejects(workspaceCommand.run(ctx(['egress', 'a', 'b'])), /unexpected argument "b"/);
    await assert.rejects(workspaceCommand.run(ctx(['egress', 'ws1'], { tail: '-1' })), UsageError);
    // The engine address does not exist: an InvalidConfigError (not "engine unavailable") shows the check came first.
    await assert.rejects(workspaceCommand.run(ctx(['egress', 'ws1'], { allow: 'ok.test,1.2.3.4' })), InvalidConfigError);
  });
});

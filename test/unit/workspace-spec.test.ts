import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  applySpecPatch,
  buildWorkspaceSpec,
  checkWorkspacePolicy,
  defaultConfig,
  InvalidArgumentError,
  PolicyViolationError,
  policyViolations,
  Workspaces,
  type ContainerCreateBody,
  type DockerConfig,
  EngineApi,
  type WorkspaceSpecOptions,
} from '../../src/index.js';

const OWNER = { 'aicli.owner.host': 'h', 'aicli.owner.pid': '42', 'aicli.owner.start': '7' };
const base = (over: Partial<WorkspaceSpecOptions> = {}): WorkspaceSpecOptions => ({ id: 'proj', name: 'proj', owner: OWNER, created: new Date('2024-01-02T03:04:05Z'), ...over });

describe('buildWorkspaceSpec', () => {
  const body = buildWorkspaceSpec(defaultConfig(), base({ project: '/home/u/proj', labels: { 'aicli.test': 'true' } }));
  const hc = body.HostConfig;

  it('is hardened from the defaults: limits, no swap, read-only root, tmpfs, nothing privileged', () => {
    assert.equal(body.Image, 'alpine:latest');
    assert.equal(hc.NanoCpus, 1e9);
    assert.equal(hc.Memory, 512 * 1024 * 1024);
    assert.equal(hc.MemorySwap, hc.Memory, 'swap equal to memory: no swap');
    assert.equal(hc.PidsLimit, 512);
    assert.equal(hc.CpuShares, 512);
    assert.equal(hc.ReadonlyRootfs, true);
    assert.deepEqual(hc.Tmpfs, { '/tmp': 'rw,noexec,nosuid,size=64m' });
    assert.deepEqual(hc.CapDrop, ['ALL']);
    assert.deepEqual(hc.CapAdd, []);
    assert.equal(hc.Privileged, false);
    assert.deepEqual(hc.SecurityOpt, ['no-new-privileges:true']);
    assert.deepEqual(hc.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 5 });
    assert.equal(hc.IpcMode, 'private');
    assert.deepEqual(hc.Ulimits, [
      { Name: 'nofile', Soft: 1024, Hard: 4096 },
      { Name: 'nproc', Soft: 4096, Hard: 4096 },
    ]);
  });

  it('mounts the project at /workspace, private propagation; on the aicli network with the id as alias', () => {
    assert.deepEqual(hc.Mounts, [{ Type: 'bind', Source: '/home/u/proj', Target: '/workspace', BindOptions: { Propagation: 'rprivate' } }]);
    assert.equal(body.WorkingDir, '/workspace');
    assert.equal(hc.NetworkMode, 'aicli-network');
    assert.deepEqual(body.NetworkingConfig, { EndpointsConfig: { 'aicli-network': { Aliases: ['proj'] } } });
    assert.equal(body.Hostname, 'proj');
  });

  it('has a health check and a shell that waits, exiting at once on SIGTERM', () => {
    assert.deepEqual(body.Healthcheck?.Test, ['CMD', 'test', '-d', '/workspace']);
    assert.equal(body.Healthcheck.Interval, 30e9);
    assert.deepEqual(body.Entrypoint, ['/bin/sh']);
    assert.equal(body.Cmd?.[0], '-c');
    assert.match(body.Cmd[1] ?? '', /trap 'exit 0' TERM/);
  });

  it('labels: managed, created, workspace id and name, role, owner, extra; ephemeral on request', () => {
    assert.deepEqual(body.Labels, {
      'aicli.test': 'true',
      ...OWNER,
      'aicli.managed': 'true',
      'aicli.workspace.id': 'proj',
      'aicli.workspace.name': 'proj',
      'aicli.created': '2024-01-02T03:04:05Z',
      'aicli.role': 'workspace',
    });
    assert.equal(buildWorkspaceSpec(defaultConfig(), base({ ephemeral: true })).Labels?.['aicli.ephemeral'], 'true');
    assert.throws(() => buildWorkspaceSpec(defaultConfig(), base({ labels: { 'aicli.managed': 'false' } })), /aicli's own/);
  });

  it('without a project, /workspace is an anonymous volume; the user and image follow the configuration', () => {
    const config: DockerConfig = { ...defaultConfig(), user: '1000:1000', defaultShell: ['/bin/bash', '-l'] };
    const b = buildWorkspaceSpec(config, base({ image: 'node:20' }));
    assert.deepEqual(b.HostConfig.Mounts, [{ Type: 'volume', Target: '/workspace' }]);
    assert.equal(b.User, '1000:1000');
    assert.equal(b.Image, 'node:20');
    assert.deepEqual(b.Entrypoint, ['/bin/bash', '-l']);
  });

  it('environment: names checked, values never shown in an error', () => {
    const b = buildWorkspaceSpec(defaultConfig(), base({ env: { B: '2', A: 'x=y' } }));
    assert.deepEqual(b.Env, ['A=x=y', 'B=2']);
    assert.throws(
      () => buildWorkspaceSpec(defaultConfig(), base({ env: { '1BAD': 'sk-secret-value' } })),
      (e: unknown) => e instanceof InvalidArgumentError && !e.message.includes('sk-secret-value'),
    );
    assert.throws(
      () => buildWorkspaceSpec(defaultConfig(), base({ env: { OK: 'sk-secret\0value' } })),
      (e: unknown) => e instanceof InvalidArgumentError && !e.message.includes('sk-secret'),
    );
  });

  it('is pure: the same input gives the same body', () => {
    assert.deepEqual(buildWorkspaceSpec(defaultConfig(), base({ project: '/p' })), buildWorkspaceSpec(defaultConfig(), base({ project: '/p' })));
  });
});

describe('applySpecPatch', () => {
  const body = buildWorkspaceSpec(defaultConfig(), base({ env: { HTTP_PROXY: 'old', KEEP: '1' } }));

  it('merges HostConfig field by field, Env by name, and replaces NetworkingConfig; the body is not changed', () => {
    const before = structuredClone(body);
    const patched = applySpecPatch(body, {
      source: 'egress',
      HostConfig: { NetworkMode: 'ws-egress', Dns: ['127.0.0.1'] },
      NetworkingConfig: { EndpointsConfig: { 'ws-egress': { Aliases: ['proj'] } } },
      Env: ['HTTP_PROXY=http://gw:3128', 'NO_PROXY=localhost'],
    });
    assert.equal(patched.HostConfig.NetworkMode, 'ws-egress');
    assert.deepEqual(patched.HostConfig.Dns, ['127.0.0.1']);
    assert.equal(patched.HostConfig.ReadonlyRootfs, true, 'the hardening stays');
    assert.deepEqual(patched.Env, ['KEEP=1', 'HTTP_PROXY=http://gw:3128', 'NO_PROXY=localhost']);
    assert.deepEqual(patched.NetworkingConfig, { EndpointsConfig: { 'ws-egress': { Aliases: ['proj'] } } });
    assert.deepEqual(body, before);
  });
});

describe('policy on the final body', () => {
  const ok = buildWorkspaceSpec(defaultConfig(), base({ project: '/home/u/proj' }));
  const withHost = (hc: Partial<ContainerCreateBody['HostConfig']>): ContainerCreateBody => ({ ...ok, HostConfig: { ...ok.HostConfig, ...hc } });
  const rules = (b: ContainerCreateBody, engineSocket?: string): string[] => policyViolations(b, { engineSocket }).map((v) => v.rule);

  it('the default workspace passes', () => {
    assert.deepEqual(policyViolations(ok), []);
    checkWorkspacePolicy(ok);
  });

  it('refuses each setting that breaks isolation, by rule', () => {
    const cases: [Partial<ContainerCreateBody['HostConfig']>, string[]][] = [
      [{ Privileged: true }, ['privileged']],
      [{ CapAdd: ['SYS_ADMIN'] }, ['capability']],
      [{ CapAdd: ['cap_sys_module', 'NET_BIND_SERVICE'] }, ['capability']],
      [{ CapAdd: ['ALL'] }, ['capability']],
      [{ CapAdd: ['NET_BIND_SERVICE', 'CHOWN'] }, []],
      [{ SecurityOpt: ['no-new-privileges:true', 'seccomp=unconfined'] }, ['security-opt']],
      [{ SecurityOpt: ['no-new-privileges:true', 'apparmor:unconfined'] }, ['security-opt']],
      [{ SecurityOpt: ['no-new-privileges:true', 'label=disable'] }, ['security-opt']],
      [{ SecurityOpt: ['no-new-privileges:true', 'systempaths=unconfined'] }, ['security-opt']],
      [{ SecurityOpt: ['no-new-privileges:false'] }, ['security-opt']],
      [{ SecurityOpt: [] }, ['security-opt']],
      [{ SecurityOpt: ['no-new-privileges'] }, []],
      [{ NetworkMode: 'host' }, ['host-namespace']],
      [{ PidMode: 'host' }, ['host-namespace']],
      [{ IpcMode: 'host' }, ['host-namespace']],
      [{ UTSMode: 'host' }, ['host-namespace']],
      [{ UsernsMode: 'host' }, ['host-namespace']],
      [{ NetworkMode: 'bridge' }, ['host-resource']],
      [{ NetworkMode: 'none' }, []],
      [{ CgroupParent: '/system.slice' }, ['host-resource']],
      [{ Devices: [{ PathOnHost: '/dev/kvm', PathInContainer: '/dev/kvm' }] }, ['host-resource']],
    ];
    for (const [hc, want] of cases) assert.deepEqual(rules(withHost(hc)), want, JSON.stringify(hc));
  });

  it('refuses sensitive host folders and the engine socket, in Mounts and in Binds', () => {
    const bind = (source: string, propagation?: 'rshared'): ContainerCreateBody =>
      withHost({ Mounts: [{ Type: 'bind', Source: source, Target: '/x', BindOptions: propagation === undefined ? { Propagation: 'rprivate' } : { Propagation: propagation } }] });
    for (const p of ['/', '/etc', '/etc/ssh', '/proc', '/sys/fs', '/dev', '/boot', '/run', '/var/run', '/var', '/usr', '/lib', '/bin', '//etc//']) {
      assert.ok(rules(bind(p)).includes('host-path'), p);
    }
    for (const p of ['/home/u/proj', '/usr/src/app', '/srv/data', '/tmp/x', '/etcetera']) assert.deepEqual(rules(bind(p)), [], p);
    assert.deepEqual(rules(bind('/home/u/proj', 'rshared')), ['host-path'], 'shared propagation');
    assert.deepEqual(rules(bind('/srv/docker.sock')), ['engine-socket']);
    assert.deepEqual(rules(bind('/srv/engine/s.sock'), '/srv/engine/s.sock'), ['engine-socket']);
    assert.deepEqual(rules(bind('/srv/engine'), '/srv/engine/s.sock'), ['engine-socket'], 'a folder that holds the socket');
    assert.deepEqual(rules(bind('/srv/other'), '/srv/engine/s.sock'), []);
    assert.deepEqual(rules(withHost({ Binds: ['/etc:/host-etc:ro'] })), ['host-path']);
    assert.deepEqual(rules(withHost({ Binds: ['named-volume:/data'] })), []);
  });

  it('lifting one rule lifts that rule only; every violation names its origin and the way to lift it', () => {
    const bad = withHost({ Privileged: true, PidMode: 'host' });
    const origins = new Map([['HostConfig.Privileged', { setting: 'privileged', source: '/etc/aicli.yaml' }]]);
    const all = policyViolations(bad, { origins });
    assert.deepEqual(all.map((v) => [v.rule, v.source, v.key]), [
      ['privileged', '/etc/aicli.yaml', 'privileged'],
      ['host-namespace', 'the workspace spec', 'HostConfig.PidMode'],
    ]);
    assert.match(all[0]?.message ?? '', /allow_unsafe: \[privileged\].*AICLI_DOCKER_ALLOW_UNSAFE=privileged.*--allow-unsafe privileged/);
    assert.deepEqual(policyViolations(bad, { allow: ['privileged'] }).map((v) => v.rule), ['host-namespace']);
    assert.throws(() => {
      checkWorkspacePolicy(bad);
    }, (e: unknown) => e instanceof PolicyViolationError && e.code === 'POLICY_VIOLATION' && e.violations.length === 2 && /nothing was created/.test(e.message));
  });
});

describe('Workspaces.plan: host paths resolved through links before the policy', () => {
  let dir: string;
  // plan() never calls the engine: an api that throws proves it.
  const noEngine = new Proxy(Object.create(EngineApi.prototype) as EngineApi, {
    get: () => {
      throw new Error('plan must not call the engine');
    },
  });
  const planner = (): Workspaces => new Workspaces({ api: noEngine, config: defaultConfig(), endpoint: { url: `unix://${join(dir, 'engine', 'docker.sock')}` } });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aicli-plan-'));
    await symlink('/etc', join(dir, 'etc-link'));
    await symlink(join(dir, 'etc-link'), join(dir, 'link-to-link'));
    await symlink('/', join(dir, 'root-link'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a project that is a link (or a link to a link) to /etc is refused as /etc', async () => {
    for (const link of ['etc-link', 'link-to-link']) {
      const plan = await planner().plan({ name: 'p', project: link, cwd: dir, optionNames: { project: '--project' } });
      assert.deepEqual(plan.violations.map((v) => [v.rule, v.source, v.key]), [['host-path', '--project', 'project']]);
      assert.match(plan.violations[0]?.message ?? '', new RegExp(`${link} \\(which resolves to /etc\\)`));
      assert.equal(plan.body.HostConfig.Mounts?.[0]?.Source, '/etc', 'the body mounts the path that was checked');
    }
  });

  it("a folder that holds the engine's socket is refused, and so is / through a link", async () => {
    const plan = await planner().plan({ name: 'p', mounts: [{ source: dir, target: '/x' }], cwd: dir });
    assert.deepEqual(plan.violations.map((v) => [v.rule, v.key]), [['engine-socket', 'mounts[0]']]);
    const root = await planner().plan({ name: 'p', project: join(dir, 'root-link') });
    assert.deepEqual(root.violations.map((v) => v.rule).sort(), ['engine-socket', 'host-path']);
  });

  it('a project that is missing or a file is bad input, naming it', async () => {
    await assert.rejects(planner().plan({ name: 'p', project: join(dir, 'nope') }), (e: unknown) => e instanceof InvalidArgumentError && e.message.includes('nope') && /does not exist/.test(e.message));
    await assert.rejects(planner().plan({ name: 'p', project: '/etc/hostname' }), (e: unknown) => e instanceof InvalidArgumentError && /not a folder/.test(e.message));
  });

  it('patches are checked too, and named by their source', async () => {
    const plan = await planner().plan({ name: 'p', patches: [{ source: 'egress', HostConfig: { NetworkMode: 'host' } }] });
    assert.deepEqual(plan.violations.map((v) => [v.rule, v.source, v.key]), [['host-namespace', 'egress', 'HostConfig.NetworkMode']]);
  });
});

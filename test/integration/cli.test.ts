import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { engineSkip, loadTestEngines, testEngine } from '../support/engines.js';

const skip = engineSkip();
let home: string;
// A HOME of its own: no ~/.docker/config.json or aicli config of the developer leaks in.
const env = (): Record<string, string> => ({ HOME: home });

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aicli-cli-'));
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

for (const engine of skip === false ? loadTestEngines().engines : []) {
  describe(`aicli-docker against ${engine.name}`, () => {
    it('status --json reports endpoint, source, versions, OS and health', async () => {
      const r = await runCli(['status', '--json', '--host', engine.host], env());
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(s['endpoint'], engine.host);
      assert.equal(s['source'], '--host');
      assert.equal(s['apiVersion'], engine.apiVersion);
      assert.equal(s['os'], 'linux');
      assert.equal(s['healthy'], true);
      assert.equal(typeof s['serverVersion'], 'string');
    });

    it('info --json reports versions, kernel, CPUs and memory', async () => {
      const r = await runCli(['--json', 'info'], { ...env(), DOCKER_HOST: engine.host });
      assert.equal(r.code, 0, r.stderr);
      const i = JSON.parse(r.stdout) as Record<string, unknown>;
      assert.equal(i['apiVersion'], engine.apiVersion);
      assert.equal(i['os'], 'linux');
      assert.ok(typeof i['serverVersion'] === 'string' && i['serverVersion'] !== 'unknown');
      assert.ok(typeof i['kernelVersion'] === 'string' && i['kernelVersion'].length > 0);
      assert.ok(typeof i['cpus'] === 'number' && i['cpus'] >= 1);
      assert.ok(typeof i['memoryBytes'] === 'number' && i['memoryBytes'] > 0);
    });
  });
}

describe('aicli-docker flags, output and exit codes', { skip }, () => {
  it('global flags work before and after the command, and DOCKER_HOST is named as the source', async () => {
    const host = testEngine('docker20').host;
    const before = await runCli(['--host', host, '--json', 'status'], env());
    const afterCmd = await runCli(['status', '--host', host, '--json'], env());
    assert.equal(before.code, 0, before.stderr);
    assert.deepEqual(Object.keys(JSON.parse(before.stdout) as object), Object.keys(JSON.parse(afterCmd.stdout) as object));
    const viaEnv = await runCli(['status', '--json'], { ...env(), DOCKER_HOST: host });
    assert.equal((JSON.parse(viaEnv.stdout) as { source: string }).source, 'DOCKER_HOST');
  });

  it('configuration and docker variables rank as documented: flag > AICLI_DOCKER_HOST > DOCKER_HOST > file', async () => {
    const d20 = testEngine('docker20').host;
    const d26 = testEngine('docker26').host;
    const file = join(home, 'ranked.yaml');
    await writeFile(file, `host: ${d20}\n`);
    const source = async (args: string[], extra: Record<string, string>): Promise<string> => {
      const r = await runCli(['status', '--json', '--config', file, ...args], { ...env(), ...extra });
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { source: string; endpoint: string }).source;
    };
    assert.equal(await source([], {}), file);
    assert.equal(await source([], { DOCKER_HOST: d26 }), 'DOCKER_HOST');
    assert.equal(await source([], { DOCKER_HOST: 'unix:///nowhere.sock', AICLI_DOCKER_HOST: d26 }), 'AICLI_DOCKER_HOST');
    assert.equal(await source(['--host', d20], { AICLI_DOCKER_HOST: 'unix:///nowhere.sock' }), '--host');
  });

  it('status in text says where the engine is and which API version was agreed', async () => {
    const r = await runCli(['status', '--host', testEngine('docker26').host], env());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Endpoint\s+unix:\/\//);
    assert.match(r.stdout, /API version\s+1\.45 \(negotiated/);
  });

  it('an unreachable engine exits 69 and says where it looked', async () => {
    const missing = join(home, 'nothing-here.sock');
    const r = await runCli(['status', '--host', `unix://${missing}`], env());
    assert.equal(r.code, 69);
    assert.match(r.stderr, new RegExp(missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    assert.match(r.stderr, /Is the Docker daemon running\?/);
    const j = await runCli(['status', '--json', '--host', `unix://${missing}`], env());
    assert.equal(j.code, 69);
    assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, 'DOCKER_NOT_AVAILABLE');
  });

  // The CLI cannot be pointed at another root, so a machine with a system engine skips this.
  const systemEngine = existsSync('/var/run/docker.sock') ? 'a system engine listens on /var/run/docker.sock' : false;
  it('with nothing configured, the error lists each place tried', { skip: systemEngine }, async () => {
    const r = await runCli(['status'], env());
    assert.equal(r.code, 69);
    assert.match(r.stderr, /DOCKER_HOST: not set/);
    assert.match(r.stderr, /docker\.sock: no such file/);
  });

  it('a wrong TLS certificate exits 69 naming the certificate folder', async () => {
    const e = testEngine('docker26');
    const r = await runCli(['status'], { ...env(), DOCKER_HOST: String(e.tlsHost), DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: String(e.wrongCertPath) });
    assert.equal(r.code, 69);
    assert.ok(r.stderr.includes(String(e.wrongCertPath)), r.stderr);
  });

  it('never shows TLS key material, in logs or in errors', async () => {
    const e = testEngine('docker26');
    const keyLines = (await readFile(join(String(e.certPath), 'key.pem'), 'utf8')).split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    const wrongKey = (await readFile(join(String(e.wrongCertPath), 'key.pem'), 'utf8')).split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    const ok = await runCli(['status', '--json', '--log-level', 'debug'], { ...env(), DOCKER_HOST: String(e.tlsHost), DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: String(e.certPath) });
    const bad = await runCli(['status', '--json', '--log-level', 'debug'], { ...env(), DOCKER_HOST: String(e.tlsHost), DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: String(e.wrongCertPath) });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(bad.code, 69);
    assert.ok(keyLines.length > 3 && wrongKey.length > 3);
    for (const out of [ok.stdout, ok.stderr, bad.stdout, bad.stderr]) {
      for (const line of [...keyLines, ...wrongKey]) assert.ok(!out.includes(line.slice(0, 24)), 'a line of a key file was printed');
      assert.doesNotMatch(out, /PRIVATE KEY/);
    }
  });

  it('--timeout bounds a silent engine, and exits 69', async () => {
    const path = join(home, 'silent.sock');
    const held: Socket[] = [];
    const server: Server = createServer((s) => held.push(s));
    await new Promise<void>((r) => server.listen(path, r));
    try {
      const started = Date.now();
      const r = await runCli(['status', '--host', `unix://${path}`, '--timeout', '700ms'], env());
      const elapsed = Date.now() - started;
      assert.equal(r.code, 69);
      assert.match(r.stderr, /timed out after 700ms/);
      assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    }
  });

  const usage: [string, string[], RegExp][] = [
    ['a host without a scheme', ['status', '--host', '/var/run/docker.sock'], /did you mean "unix:\/\/\/var\/run\/docker\.sock"/],
    ['an ssh host with a password', ['status', '--host', 'ssh://me:pw@box'], /must not hold a password/],
    ['an npipe host', ['status', '--host', 'npipe:////./pipe/docker_engine'], /Windows only/],
    ['an unknown flag', ['status', '--hots', 'x'], /unknown flag --hots\. Did you mean --host\?/],
    ['an unknown command', ['stauts'], /unknown command "stauts"\. Did you mean "status"\?/],
    ['a bad time-out', ['status', '--timeout', 'soon'], /timeout/],
    ['a bad log level', ['status', '--log-level', 'loud', '--host', 'unix:///x.sock'], /--log-level "loud"/],
    ['both --host and --context', ['status', '--host', 'unix:///x.sock', '--context', 'x'], /host|context/],
  ];
  for (const [what, args, re] of usage) {
    it(`${what} exits 2 with a message naming it`, async () => {
      const r = await runCli(args, env());
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
    });
  }

  it('status reports a CPU limit above what the engine has, naming where it was set', async () => {
    const r = await runCli(['status', '--json', '--host', testEngine('docker20').host], { ...env(), AICLI_DOCKER_CPU_LIMIT: '4096' });
    assert.equal(r.code, 0, r.stderr);
    const warnings = (JSON.parse(r.stdout) as { warnings: { source: string; key: string; message: string }[] }).warnings;
    const [warning, ...rest] = warnings;
    assert.ok(warning !== undefined && rest.length === 0, JSON.stringify(warnings));
    assert.equal(warning.key, 'cpu_limit');
    assert.equal(warning.source, 'AICLI_DOCKER_CPU_LIMIT');
    assert.match(warning.message, /more CPUs than the engine has/);
  });

  it('--log-level debug logs to stderr and leaves --json output clean', async () => {
    const r = await runCli(['status', '--json', '--log-level', 'debug', '--host', testEngine('docker20').host], env());
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotThrow(() => JSON.parse(r.stdout));
    assert.match(r.stderr, /docker engine connected/);
  });

  it('is quiet by default: nothing on stderr when all is well', async () => {
    const r = await runCli(['status', '--host', testEngine('docker20').host], env());
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
  });
});

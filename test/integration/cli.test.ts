import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
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
    type Status = { endpoint: string; source: string; apiVersion: string; healthy: boolean };
    for (const r of [before, afterCmd]) {
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout) as Status;
      assert.deepEqual([s.endpoint, s.source, s.apiVersion, s.healthy], [host, '--host', '1.41', true]);
    }
    const viaEnv = await runCli(['status', '--json'], { ...env(), DOCKER_HOST: host });
    const s = JSON.parse(viaEnv.stdout) as Status;
    assert.deepEqual([s.endpoint, s.source], [host, 'DOCKER_HOST']);
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

  it('with no engine anywhere, the error lists each place tried and why it was passed over', async () => {
    // Its own /run (and so /var/run): a system engine on this machine cannot answer it.
    const r = await runCli(['status'], env(), { privateRun: true });
    assert.equal(r.code, 69, r.stderr);
    assert.match(r.stderr, /^aicli-docker: Cannot connect to a Docker engine\. Looked in:\n/);
    assert.match(r.stderr, /\n {2}- DOCKER_HOST: not set\n/);
    assert.match(r.stderr, /\n {2}- DOCKER_CONTEXT: not set\n/);
    assert.match(r.stderr, /\n {2}- default socket unix:\/\/\/var\/run\/docker\.sock: no such file\n/);
    assert.ok(r.stderr.includes(`\n  - default socket unix://${home}/.docker/run/docker.sock: no such file\n`), r.stderr);
    assert.match(r.stderr, /\n {2}- default socket unix:\/\/\/run\/podman\/podman\.sock: no such file\n/);
    assert.match(r.stderr, /Start the Docker daemon/);
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
      assert.ok(r.stderr.includes(`aicli-docker: The Docker engine at unix://${path} did not answer GET /_ping within 700ms (set by --timeout). Check that the engine is running and responsive (\`docker info\`), or raise --timeout.\n`), r.stderr);
      assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    }
  });

  // The whole message: what is wrong, with which input, and what to do, said once.
  const config = (line: string): string => `aicli-docker: Invalid configuration (1 problem):\n  - ${line}\n`;
  const usage: [string, string[], string][] = [
    ['a host without a scheme', ['status', '--host', '/var/run/docker.sock'], config('--host: "/var/run/docker.sock" has no scheme; did you mean "unix:///var/run/docker.sock"?')],
    ['an ssh host with a password, which is not shown', ['status', '--host', 'ssh://me:pw@box'], config('--host: "ssh://***@box" must not hold a password; use an ssh key or agent')],
    ['a host with a password holding an @, of an unknown scheme', ['status', '--host', 'ftp://me:Zq@Xv9@box'], config('--host: "ftp://***@box" has an unknown scheme "ftp://"; expected unix:///path/to/docker.sock, tcp://HOST:PORT, https://HOST:PORT or ssh://[USER@]HOST[:PORT]')],
    ['an npipe host', ['status', '--host', 'npipe:////./pipe/docker_engine'], config('--host: "npipe:////./pipe/docker_engine" is an npipe:// endpoint: those are Windows only. On Linux use unix:///var/run/docker.sock or tcp://HOST:PORT')],
    ['an unknown flag', ['status', '--hots', 'x'], 'aicli-docker: unknown flag --hots. Did you mean --host? See --help.\n'],
    ['an unknown command', ['stauts'], 'aicli-docker: unknown command "stauts". Did you mean "status"? Commands: status, info, config, workspace, monitor, events, doctor, nodes, image, cleanup, network.\n'],
    ['a bad time-out', ['status', '--timeout', 'soon'], config('--timeout: "soon" is not a duration; expected a duration such as 500ms, 30s, 2m, 1m30s, or an integer number of milliseconds')],
    ['a bad log level', ['status', '--log-level', 'loud', '--host', 'unix:///x.sock'], 'aicli-docker: --log-level "loud" is not a level; expected one of debug, info, warn, error, silent.\n'],
    ['both --host and --context', ['status', '--host', 'unix:///x.sock', '--context', 'remote'], config('--host: both --host and --context were given; name either an engine address or a docker context, not both')],
  ];
  for (const [what, args, message] of usage) {
    it(`${what} exits 2 with a message naming it`, async () => {
      const r = await runCli(args, env());
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr, message);
    });
  }

  it('--help names every kind of engine address the CLI takes', async () => {
    const r = await runCli(['--help'], env());
    assert.equal(r.code, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith('--host'));
    assert.ok(line !== undefined, r.stdout);
    for (const scheme of ['unix://', 'tcp://', 'https://', 'ssh://']) assert.ok(line.includes(scheme), `${scheme} missing from: ${line}`);
  });

  it('a pinned API version the engine refuses exits 2, naming the variable that pinned it and what to change', async () => {
    const r = await runCli(['status', '--host', testEngine('docker28').host], { ...env(), DOCKER_API_VERSION: '1.41' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /refuses API 1\.41, which DOCKER_API_VERSION pins: it accepts 1\.44 or newer/);
    assert.match(r.stderr, /Unset DOCKER_API_VERSION to let aicli-docker agree on a version with the engine, or set it to 1\.44 or newer\.\n$/);
    assert.doesNotMatch(r.stderr, /upgrade your client/);
  });

  it('--timeout above 5 s governs the first ping too: a slow engine within it is used', async () => {
    const path = join(home, 'slow.sock');
    let pings = 0;
    const server = createHttpServer((req, res) => {
      const answer = (): void => { res.writeHead(200, { 'api-version': '1.41', 'content-type': req.url === '/_ping' ? 'text/plain' : 'application/json' }).end(req.url === '/_ping' ? 'OK' : '{}'); };
      // The first ping takes 5.5 s: past aicli-docker's own first-ping limit, within --timeout.
      if (req.url === '/_ping' && ++pings === 1) setTimeout(answer, 5500);
      else answer();
    });
    await new Promise<void>((r) => server.listen(path, r));
    try {
      const r = await runCli(['status', '--json', '--host', `unix://${path}`, '--timeout', '10s'], env());
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { endpoint: string }).endpoint, `unix://${path}`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('config validate FILE names the argument, not --config, when FILE is missing', async () => {
    const missing = join(home, 'nowhere.yaml');
    const r = await runCli(['config', 'validate', missing], env());
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, config(`${missing}: (file): the configuration file does not exist (named by the argument of \`config validate\`)`));
  });

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

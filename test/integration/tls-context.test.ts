import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { apiPath, DockerApiError, DockerClient, DockerTlsError, InvalidConfigError } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { engineSkip, loadTestEngines, testEngine } from '../support/engines.js';

const skip = engineSkip();
const run = promisify(execFile);
let home: string;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aicli-tls-'));
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('TLS over tcp (docker 26 with --tlsverify)', { skip }, () => {
  it('connects with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', async () => {
    const e = testEngine('docker26');
    await using client = await DockerClient.connect({ ensureNetwork: false, env: { DOCKER_HOST: e.tlsHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: e.certPath }, homeDir: home });
    assert.equal(client.endpoint.url, e.tlsHost);
    assert.ok(client.endpoint.tls);
    assert.equal(client.apiVersion, '1.45');
    assert.match((await client.info()).serverVersion, /^26\./);
  });

  it('certificates from another CA give a TLS error naming their folder', async () => {
    const e = testEngine('docker26');
    await assert.rejects(
      DockerClient.connect({ ensureNetwork: false, env: { DOCKER_HOST: e.tlsHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: e.wrongCertPath }, homeDir: home }),
      (err: unknown) => err instanceof DockerTlsError && err.code === 'DOCKER_TLS_ERROR' && err.path === e.wrongCertPath && err.message.includes(String(e.wrongCertPath)),
    );
  });

  it('a missing certificate folder gives a TLS error naming the missing file', async () => {
    const e = testEngine('docker26');
    const nowhere = join(home, 'no-certs');
    await assert.rejects(
      DockerClient.connect({ ensureNetwork: false, env: { DOCKER_HOST: e.tlsHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: nowhere }, homeDir: home }),
      (err: unknown) => err instanceof DockerTlsError && err.path === join(nowhere, 'ca.pem') && err.message.includes(join(nowhere, 'ca.pem')),
    );
  });

  it('verifying without a client certificate is refused by the engine, and said so', async () => {
    const e = testEngine('docker26');
    const caOnly = join(home, 'ca-only');
    await run('mkdir', ['-p', caOnly]);
    await run('cp', [join(String(e.certPath), 'ca.pem'), caOnly]);
    await assert.rejects(
      DockerClient.connect({ ensureNetwork: false, env: { DOCKER_HOST: e.tlsHost, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: caOnly }, homeDir: home, retry: { retries: 0 } }),
      (err: unknown) => err instanceof DockerTlsError && err.message.includes(caOnly),
    );
  });

  it('plain HTTP to the TLS port says the engine expects TLS', async () => {
    const e = testEngine('docker26');
    await assert.rejects(DockerClient.connect({ ensureNetwork: false, env: { DOCKER_HOST: e.tlsHost }, homeDir: home }), (err: unknown) => err instanceof DockerTlsError && /expects TLS/.test(err.message) && /DOCKER_TLS_VERIFY/.test(err.message));
  });
});

describe('docker contexts made by `docker context create`', { skip }, () => {
  let configDir: string;
  before(async () => {
    configDir = join(home, 'docker-config');
    const d20 = testEngine('docker20');
    const d26 = testEngine('docker26');
    const env: Record<string, string | undefined> = { ...process.env, DOCKER_CONFIG: configDir };
    delete env['DOCKER_HOST'];
    delete env['DOCKER_CONTEXT'];
    await run('docker', ['context', 'create', 'aicli-d20', '--docker', `host=${d20.host}`], { env });
    await run('docker', ['context', 'create', 'aicli-d26-tls', '--docker', `host=${String(d26.tlsHost)},ca=${String(d26.certPath)}/ca.pem,cert=${String(d26.certPath)}/cert.pem,key=${String(d26.certPath)}/key.pem`], { env });
    await run('docker', ['context', 'use', 'aicli-d26-tls'], { env });
  });

  it('DOCKER_CONTEXT selects a context from the store', async () => {
    await using client = await DockerClient.connect({ ensureNetwork: false, env: { DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'aicli-d20' }, homeDir: home });
    assert.equal(client.endpoint.url, testEngine('docker20').host);
    assert.match(client.endpoint.source, /DOCKER_CONTEXT \(context "aicli-d20"\)/);
    assert.equal(client.apiVersion, '1.41');
  });

  it('currentContext (`docker context use`) is used, with the TLS material stored with it', async () => {
    await using client = await DockerClient.connect({ ensureNetwork: false, env: { DOCKER_CONFIG: configDir }, homeDir: home });
    assert.equal(client.endpoint.url, testEngine('docker26').tlsHost);
    assert.ok(client.endpoint.tls);
    assert.match(client.endpoint.source, /currentContext "aicli-d26-tls"/);
    assert.equal(client.apiVersion, '1.45');
  });

  it('DOCKER_HOST beats the current context, as in the docker CLI', async () => {
    await using client = await DockerClient.connect({ ensureNetwork: false, env: { DOCKER_CONFIG: configDir, DOCKER_HOST: testEngine('docker20').host }, homeDir: home });
    assert.equal(client.endpoint.source, 'DOCKER_HOST');
  });

  it('an explicit context option beats DOCKER_HOST', async () => {
    await using client = await DockerClient.connect({ ensureNetwork: false, context: 'aicli-d20', env: { DOCKER_CONFIG: configDir, DOCKER_HOST: 'unix:///nowhere.sock' }, homeDir: home });
    assert.equal(client.endpoint.url, testEngine('docker20').host);
  });

  it('an unknown context is a configuration error naming it', async () => {
    await assert.rejects(DockerClient.connect({ ensureNetwork: false, env: { DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'nope' }, homeDir: home }), (err: unknown) => err instanceof InvalidConfigError && /context "nope" does not exist/.test(err.message));
  });

  it('host and context together are refused', async () => {
    await assert.rejects(DockerClient.connect({ ensureNetwork: false, host: 'unix:///x.sock', context: 'aicli-d20', env: {}, homeDir: home }), InvalidConfigError);
  });

  it('the CLI (node:http) follows --context and the context TLS material too', async () => {
    const r = await runCli(['status', '--json', '--context', 'aicli-d26-tls'], { HOME: home, DOCKER_CONFIG: configDir });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { endpoint: string; source: string; apiVersion: string };
    assert.equal(s.endpoint, testEngine('docker26').tlsHost);
    assert.match(s.source, /--context \(context "aicli-d26-tls"\)/);
    assert.equal(s.apiVersion, '1.45');
  });

  it('the context "default" means the usual sockets, not the current context', async () => {
    const d20 = testEngine('docker20');
    const runtime = join(d20.host.slice('unix://'.length), '..');
    // currentContext is aicli-d26-tls (see before); "default" must not fall through to it.
    await using client = await DockerClient.connect({ ensureNetwork: false, env: { DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'default', XDG_RUNTIME_DIR: runtime }, homeDir: home, fsRoot: home });
    assert.equal(client.endpoint.url, d20.host);
    assert.equal(client.apiVersion, '1.41');
  });

  it('a context made with skip-tls-verify=true and no certificates speaks TLS, unverified', async () => {
    // A TLS endpoint that asks for no client certificate, whose certificate the client cannot
    // verify (it is signed by the test CA): a relay to the Docker 20.10 engine's socket.
    const tlsDir = join(loadTestEngines().stateDir, 'tls');
    const socketPath = testEngine('docker20').host.slice('unix://'.length);
    const links: Socket[] = [];
    const relay = createTlsServer({ cert: await readFile(join(tlsDir, 'server-cert.pem')), key: await readFile(join(tlsDir, 'server-key.pem')) }, (c) => {
      const u = connect(socketPath);
      links.push(c, u);
      c.pipe(u).pipe(c);
      c.on('error', () => u.destroy());
      u.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as AddressInfo).port;
    try {
      const env: Record<string, string | undefined> = { ...process.env, DOCKER_CONFIG: configDir };
      delete env['DOCKER_HOST'];
      delete env['DOCKER_CONTEXT'];
      await run('docker', ['context', 'create', 'aicli-skip-verify', '--docker', `host=tcp://127.0.0.1:${port},skip-tls-verify=true`], { env });
      await using client = await DockerClient.connect({ ensureNetwork: false, env: { DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'aicli-skip-verify' }, homeDir: home });
      assert.ok(client.endpoint.tls);
      assert.equal(client.endpoint.url, `tcp://127.0.0.1:${port}`);
      assert.match((await client.version()).version, /^20\.10\./);
    } finally {
      links.forEach((l) => l.destroy());
      await new Promise((r) => relay.close(r));
    }
  });

  it('errors from the engine stay typed through a context', async () => {
    await using client = await DockerClient.connect({ ensureNetwork: false, env: { DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'aicli-d20' }, homeDir: home });
    await assert.rejects(client.api.json({ method: 'GET', path: apiPath`/containers/${'aicli-none'}/json`, resource: 'container' }), (err: unknown) => err instanceof DockerApiError && err.code === 'CONTAINER_NOT_FOUND');
  });
});

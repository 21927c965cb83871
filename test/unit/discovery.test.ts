import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerTlsError, InvalidConfigError } from '../../src/errors.js';
import { discoverEngine, type DiscoveryInput } from '../../src/transport/discovery.js';

let dir: string;
const servers: Server[] = [];

async function listen(path: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  const server = createServer((s) => s.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
}

async function writeContext(configDir: string, name: string, host: string, tls?: { skipVerify: boolean; noFiles?: boolean }): Promise<void> {
  const id = createHash('sha256').update(name).digest('hex');
  const metaDir = join(configDir, 'contexts', 'meta', id);
  await mkdir(metaDir, { recursive: true });
  await writeFile(join(metaDir, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: tls?.skipVerify ?? false } } }));
  if (tls !== undefined && tls.noFiles !== true) {
    const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
    await mkdir(tlsDir, { recursive: true });
    await writeFile(join(tlsDir, 'ca.pem'), 'ca');
    await writeFile(join(tlsDir, 'cert.pem'), 'cert');
    await writeFile(join(tlsDir, 'key.pem'), 'key');
  }
}

const base = (over: Partial<DiscoveryInput> = {}): DiscoveryInput => ({ env: {}, homeDir: join(dir, 'home'), fsRoot: join(dir, 'root'), ...over });

describe('engine discovery', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aicli-disc-'));
    await mkdir(join(dir, 'home'), { recursive: true });
    await writeContext(join(dir, 'home', '.docker'), 'remote', 'tcp://10.1.2.3:2376', { skipVerify: false });
    await writeContext(join(dir, 'home', '.docker'), 'local', 'unix:///run/other.sock');
  });
  after(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await rm(dir, { recursive: true, force: true });
  });

  it('an explicit host beats DOCKER_HOST and DOCKER_CONTEXT', async () => {
    const d = await discoverEngine(base({ host: { value: 'unix:///a.sock', source: '--host' }, env: { DOCKER_HOST: 'unix:///b.sock', DOCKER_CONTEXT: 'local' } }));
    assert.deepEqual(d.candidates.map((c) => [c.source, c.endpoint.url, c.explicit]), [['--host', 'unix:///a.sock', true]]);
  });

  it('DOCKER_HOST beats DOCKER_CONTEXT, which beats the file and currentContext', async () => {
    let d = await discoverEngine(base({ env: { DOCKER_HOST: 'tcp://1.2.3.4:5', DOCKER_CONTEXT: 'local' }, fileHost: { value: 'unix:///f.sock', source: '/f.yaml' } }));
    assert.equal(d.candidates[0]?.source, 'DOCKER_HOST');
    d = await discoverEngine(base({ env: { DOCKER_CONTEXT: 'local' }, fileHost: { value: 'unix:///f.sock', source: '/f.yaml' } }));
    const fromContext = d.candidates[0];
    assert.ok(fromContext !== undefined);
    assert.equal(fromContext.endpoint.url, 'unix:///run/other.sock');
    assert.match(fromContext.source, /DOCKER_CONTEXT \(context "local"\)/);
    d = await discoverEngine(base({ fileHost: { value: 'unix:///f.sock', source: '/f.yaml' } }));
    assert.equal(d.candidates[0]?.source, '/f.yaml');
  });

  it('reads currentContext from $DOCKER_CONFIG/config.json, and the context TLS folder', async () => {
    const configDir = join(dir, 'cfg');
    await writeContext(configDir, 'remote', 'tcp://10.1.2.3:2376', { skipVerify: false });
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    const d = await discoverEngine(base({ env: { DOCKER_CONFIG: configDir } }));
    const c = d.candidates[0];
    assert.equal(c?.endpoint.url, 'tcp://10.1.2.3:2376');
    assert.ok(c.endpoint.kind === 'tcp' && c.endpoint.tls);
    assert.equal(c.tls?.verify, true);
    assert.equal(c.tls.ca?.toString(), 'ca');
  });

  it('a missing context is a configuration error that names it and the variable', async () => {
    await assert.rejects(discoverEngine(base({ env: { DOCKER_CONTEXT: 'nope' } })), (e: unknown) => e instanceof InvalidConfigError && e.problems[0]?.source === 'DOCKER_CONTEXT' && /context "nope" does not exist/.test(e.message));
  });

  it('the context "default" ends the search at the usual sockets, as the docker CLI does: no file host, no currentContext', async () => {
    const configDir = join(dir, 'cfg-default');
    await writeContext(configDir, 'remote', 'tcp://10.1.2.3:2376', { skipVerify: false });
    await writeFile(join(configDir, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    const socket = join(dir, 'root-default', 'var', 'run', 'docker.sock');
    await listen(socket);
    const input = { fsRoot: join(dir, 'root-default'), fileHost: { value: 'unix:///from-file.sock', source: '/f.yaml' } };
    const viaEnv = await discoverEngine(base({ ...input, env: { DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'default' } }));
    assert.deepEqual(viaEnv.candidates.map((c) => c.endpoint.url), [`unix://${socket}`]);
    const viaOption = await discoverEngine(base({ ...input, context: { value: 'default', source: '--context' }, env: { DOCKER_CONFIG: configDir } }));
    assert.deepEqual(viaOption.candidates.map((c) => c.endpoint.url), [`unix://${socket}`]);
    // Without "default", the same settings lead to the file's host.
    const without = await discoverEngine(base({ ...input, env: { DOCKER_CONFIG: configDir } }));
    assert.deepEqual(without.candidates.map((c) => c.endpoint.url), ['unix:///from-file.sock']);
  });

  it('the context "default" given as an option takes DOCKER_HOST when it is set, as the docker CLI does', async () => {
    const d = await discoverEngine(base({ context: { value: 'default', source: '--context' }, env: { DOCKER_HOST: 'unix:///env.sock' } }));
    assert.deepEqual(d.candidates.map((c) => [c.endpoint.url, c.explicit]), [['unix:///env.sock', true]]);
  });

  it('a context with SkipTLSVerify and no TLS files speaks TLS without verifying (docker/cli context/docker/load.go)', async () => {
    const configDir = join(dir, 'cfg-skip');
    await writeContext(configDir, 'insecure', 'tcp://10.1.2.3:2376', { skipVerify: true, noFiles: true });
    const d = await discoverEngine(base({ env: { DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'insecure' } }));
    const c = d.candidates[0];
    assert.ok(c !== undefined && c.endpoint.kind === 'tcp');
    assert.equal(c.endpoint.tls, true);
    assert.equal(c.tls?.verify, false);
  });

  it('DOCKER_TLS_VERIFY without certificates names the missing file', async () => {
    await assert.rejects(
      discoverEngine(base({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'nocerts') } })),
      (e: unknown) => e instanceof DockerTlsError && e.path === join(dir, 'nocerts', 'ca.pem') && e.message.includes(join(dir, 'nocerts', 'ca.pem')),
    );
  });

  it('lists every default socket looked at, and offers the ones that exist in order', async () => {
    let d = await discoverEngine(base({ env: { XDG_RUNTIME_DIR: join(dir, 'xdg') } }));
    assert.equal(d.candidates.length, 0);
    const looked = d.skipped.filter((s) => s.source === 'default socket').map((s) => s.endpoint);
    assert.ok(looked.includes(`unix://${join(dir, 'root/var/run/docker.sock')}`));
    assert.ok(looked.includes(`unix://${join(dir, 'xdg/docker.sock')}`));
    assert.ok(looked.includes(`unix://${join(dir, 'home/.docker/run/docker.sock')}`));
    assert.ok(looked.includes(`unix://${join(dir, 'root/run/podman/podman.sock')}`));
    await listen(join(dir, 'xdg', 'docker.sock'));
    await listen(join(dir, 'root', 'run', 'podman', 'podman.sock'));
    await mkdir(join(dir, 'root', 'var', 'run'), { recursive: true });
    await writeFile(join(dir, 'root', 'var', 'run', 'docker.sock'), 'not a socket');
    d = await discoverEngine(base({ env: { XDG_RUNTIME_DIR: join(dir, 'xdg') } }));
    assert.deepEqual(d.candidates.map((c) => c.endpoint.url), [`unix://${join(dir, 'xdg/docker.sock')}`, `unix://${join(dir, 'root/run/podman/podman.sock')}`]);
    assert.ok(d.skipped.some((s) => s.reason === 'exists but is not a socket'));
    assert.ok(d.candidates.every((c) => !c.explicit));
  });
});

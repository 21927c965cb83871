import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { apiPath, ApiVersionTooOldError, ClientClosedError, DockerAbortedError, DockerApiError, DockerClient, DockerNotAvailableError, loadConfig, NetworkNotFoundError, isDockerError } from '../../src/index.js';
import { engineSkip, loadTestEngines, rawRequest, TEST_LABEL, testEngine } from '../support/engines.js';

const skip = engineSkip();
const expected: Record<string, { api: string; server: RegExp }> = {
  docker20: { api: '1.41', server: /^20\.10\./ },
  docker26: { api: '1.45', server: /^26\.1\./ },
  docker28: { api: '1.51', server: /^28\.5\./ },
  podman: { api: '1.41', server: /^4\./ },
};

let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aicli-home-'));
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

for (const engine of skip === false ? loadTestEngines().engines : []) {
  const want = expected[engine.name];
  describe(`connect to ${engine.name}`, () => {
    it('negotiates the lower of the engine and client API versions', async () => {
      await using client = await DockerClient.connect({ host: engine.host, ensureNetwork: false, env: {}, homeDir: home });
      assert.equal(client.apiVersion, want?.api);
      assert.ok(client.apiVersionNegotiated);
      assert.equal(client.endpoint.url, engine.host);
      assert.equal(client.endpoint.source, 'host option');
    });

    it('ping reports the API version and OS type from the engine', async () => {
      await using client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {}, homeDir: home });
      const ping = await client.ping();
      assert.equal(ping.apiVersion, engine.apiVersion);
      // Podman 4 leaves the OSType header out; Docker engines always send it.
      if (engine.name === 'podman') assert.ok(ping.osType === undefined || ping.osType === 'linux');
      else assert.equal(ping.osType, 'linux');
      assert.equal(typeof ping.experimental, 'boolean');
    });

    it('version and info describe the engine', async () => {
      await using client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {}, homeDir: home });
      const [version, info] = await Promise.all([client.version(), client.info()]);
      assert.match(version.version, want?.server ?? /./);
      assert.equal(version.apiVersion, engine.apiVersion);
      assert.equal(version.os, 'linux');
      assert.ok(info.cpus >= 1, `cpus ${info.cpus}`);
      assert.ok(info.memoryBytes > 2 ** 28, `memory ${info.memoryBytes}`);
      assert.ok((info.kernelVersion ?? '').length > 0);
    });

    it('uses DOCKER_HOST from the env it is given, and DOCKER_API_VERSION as a pin', async () => {
      // Docker 28 here refuses versions below 1.44, as Docker 29 does: pin what it accepts.
      const pin = engine.minApiVersion ?? '1.41';
      await using client = await DockerClient.connect({ ensureNetwork: false, env: { DOCKER_HOST: engine.host, DOCKER_API_VERSION: pin }, homeDir: home });
      assert.equal(client.endpoint.source, 'DOCKER_HOST');
      assert.equal(client.apiVersion, pin);
      assert.ok(!client.apiVersionNegotiated);
      assert.match((await client.version()).version, want?.server ?? /./);
    });

    it('close() is safe twice and later calls fail with ClientClosedError', async () => {
      const client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {}, homeDir: home });
      await client.close();
      await client.close();
      await assert.rejects(client.ping(), ClientClosedError);
    });

    it('a redirect from the engine is an error, not an empty success', async () => {
      await using client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {}, homeDir: home });
      // The engine cleans `//` out of the path and answers 301 to where it would have gone.
      await assert.rejects(client.api.json({ method: 'GET', path: apiPath`/containers//json` }), (e: unknown) => {
        assert.ok(e instanceof DockerApiError, String(e));
        assert.equal(e.statusCode, 301);
        assert.match(e.message, new RegExp(`redirected the call to /v${client.apiVersion.replace('.', '\\.')}/containers/json`));
        return true;
      });
    });

    it("a caller's AbortSignal that already fired stops the call before it is sent", async () => {
      await using client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {}, homeDir: home });
      const ac = new AbortController();
      ac.abort(new Error('cancelled'));
      await assert.rejects(client.info({ signal: ac.signal }), DockerAbortedError);
    });
  });
}

describe('discovery against real engines', { skip }, () => {
  it('the first default socket that answers wins, and dead ones are listed', async () => {
    const d20 = testEngine('docker20');
    const runtime = join(d20.host.slice('unix://'.length), '..');
    await using client = await DockerClient.connect({ ensureNetwork: false, env: { XDG_RUNTIME_DIR: runtime }, homeDir: home, fsRoot: home });
    assert.equal(client.endpoint.url, d20.host);
    assert.equal(client.endpoint.source, 'default socket');
  });

  it('a missing socket named by DOCKER_HOST gives DOCKER_NOT_AVAILABLE naming it, without falling back', async () => {
    const missing = join(home, 'missing.sock');
    const d20 = testEngine('docker20');
    const runtime = join(d20.host.slice('unix://'.length), '..');
    await assert.rejects(
      DockerClient.connect({ ensureNetwork: false, env: { DOCKER_HOST: `unix://${missing}`, XDG_RUNTIME_DIR: runtime }, homeDir: home, retry: { retries: 0 } }),
      (e: unknown) => e instanceof DockerNotAvailableError && e.code === 'DOCKER_NOT_AVAILABLE' && e.message.includes(missing) && /DOCKER_HOST/.test(e.message),
    );
  });

  it('reaches an engine over plain tcp://', async () => {
    // dockerd refuses plain TCP without TLS flags these days; a byte-for-byte relay from a
    // loopback port to the real engine's socket gives the client a genuine tcp:// engine.
    const socketPath = testEngine('docker20').host.slice('unix://'.length);
    const links: Socket[] = [];
    const relay = createServer((c) => {
      const u = connect(socketPath);
      links.push(c, u);
      c.pipe(u).pipe(c);
      c.on('error', () => u.destroy());
      u.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as AddressInfo).port;
    try {
      await using client = await DockerClient.connect({ ensureNetwork: false, env: { DOCKER_HOST: `tcp://127.0.0.1:${port}` }, homeDir: home });
      assert.equal(client.endpoint.url, `tcp://127.0.0.1:${port}`);
      assert.ok(!client.endpoint.tls);
      assert.equal(client.apiVersion, '1.41');
      assert.match((await client.version()).version, /^20\.10\./);
    } finally {
      links.forEach((s) => s.destroy());
      await new Promise((r) => relay.close(r));
    }
  });

  for (const [name, httpClient] of [['docker20', 'undici'], ['docker26', 'undici'], ['docker20', 'node']] as const) {
    it(`a stream on ${name} (${httpClient}) outlives the request time-out and ends when the caller aborts`, async () => {
      const engine = testEngine(name);
      const volume = `aicli-test-stream-${process.pid}-${name}-${httpClient}`;
      await using client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {}, homeDir: home, timeoutMs: 1000, httpClient });
      const ac = new AbortController();
      const events = await client.api.stream({ method: 'GET', path: apiPath`/events`, query: { filters: { type: ['volume'], volume: [volume] } }, signal: ac.signal });
      // Longer than the time-out, which an engine the other Node run keeps busy needs room for.
      await new Promise((r) => setTimeout(r, 1500));
      const created = await rawRequest(engine.host, 'POST', '/volumes/create', JSON.stringify({ Name: volume, Labels: { [TEST_LABEL]: 'true' } }));
      assert.equal(created.status, 201, created.body.toString());
      try {
        let text = '';
        for await (const chunk of events.body) {
          text += String(chunk);
          if (text.includes('\n')) break;
        }
        const event = JSON.parse(text.split('\n')[0] ?? '') as { Type: string; Action: string; Actor: { ID: string } };
        assert.equal(event.Type, 'volume');
        assert.equal(event.Action, 'create');
        assert.equal(event.Actor.ID, volume);
      } finally {
        ac.abort();
        await rawRequest(engine.host, 'DELETE', `/volumes/${volume}`);
      }
      assert.ok(events.body.destroyed);
    });
  }

  it('a pinned version is used as given, not negotiated', async () => {
    await using client = await DockerClient.connect({ ensureNetwork: false, host: testEngine('docker26').host, apiVersion: '1.44', env: {}, homeDir: home });
    assert.equal(client.apiVersion, '1.44');
    assert.equal((await client.version()).apiVersion, '1.45');
  });

  describe('a pinned API version below what the engine accepts (Docker 28 started as Docker 29: 1.44 and newer)', () => {
    const refused = (pinnedBy: RegExp, change: RegExp) => (e: unknown): boolean => {
      assert.ok(e instanceof ApiVersionTooOldError && isDockerError(e, 'API_VERSION_TOO_OLD'), String(e));
      assert.equal(e.minimumVersion, '1.44');
      assert.match(e.pinnedBy, pinnedBy);
      assert.match(e.message, change);
      assert.doesNotMatch(e.message, /upgrade your client/);
      return true;
    };

    it('set by DOCKER_API_VERSION: says to unset it, or to set 1.44 or newer', async () => {
      await using client = await DockerClient.connect({ ensureNetwork: false, host: testEngine('docker28').host, env: { DOCKER_API_VERSION: '1.41' }, homeDir: home });
      await assert.rejects(client.info(), refused(/^DOCKER_API_VERSION$/, /refuses API 1\.41, which DOCKER_API_VERSION pins: it accepts 1\.44 or newer .*Unset DOCKER_API_VERSION .* or set it to 1\.44 or newer\.$/));
    });

    it('set by AICLI_DOCKER_VERSION or by `version` in a file: names which, and what to write', async () => {
      const file = join(home, 'pinned.yaml');
      await writeFile(file, 'version: "1.43"\n');
      const fromFile = await loadConfig({ file });
      await using a = await DockerClient.connect({ ensureNetwork: false, host: testEngine('docker28').host, config: fromFile, env: {}, homeDir: home });
      await assert.rejects(a.version(), refused(new RegExp(`^${file}$`), new RegExp(`Set \`version: auto\` in ${file} .* or pin 1\\.44 or newer there\\.$`)));
      const fromEnv = await loadConfig({ env: { AICLI_DOCKER_VERSION: '1.41', DOCKER_API_VERSION: '1.51' } });
      await using b = await DockerClient.connect({ ensureNetwork: false, host: testEngine('docker28').host, config: fromEnv, env: {}, homeDir: home });
      await assert.rejects(b.info(), refused(/^AICLI_DOCKER_VERSION$/, /Unset AICLI_DOCKER_VERSION /));
    });

    it('set by the apiVersion option: names the option', async () => {
      await using client = await DockerClient.connect({ ensureNetwork: false, host: testEngine('docker28').host, apiVersion: '1.43', env: {}, homeDir: home });
      await assert.rejects(client.info(), refused(/apiVersion option/, /Leave out the apiVersion option/));
    });
  });

  it('an unknown path gives a typed API error with status, method and path', async () => {
    await using client = await DockerClient.connect({ ensureNetwork: false, host: testEngine('docker20').host, env: {}, homeDir: home });
    await assert.rejects(client.api.json({ method: 'GET', path: apiPath`/networks/${'aicli-no-such-network'}`, resource: 'network' }), (e: unknown) => {
      assert.ok(isDockerError(e, 'NETWORK_NOT_FOUND') && e instanceof NetworkNotFoundError);
      assert.equal(e.statusCode, 404);
      assert.equal(e.method, 'GET');
      assert.equal(e.path, '/networks/aicli-no-such-network');
      assert.match(e.daemonMessage, /not found/);
      return true;
    });
  });
});

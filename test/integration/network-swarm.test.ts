// network_driver: overlay. On a Swarm manager (a private Docker 26 engine, swarm-initialised
// here on loopback ports of its own): an attachable overlay network of scope swarm. On
// engines that are not managers: a clear refusal, and nothing made (no silent bridge).
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startDockerd, type PrivateEngine } from '../../scripts/dockerd.js';
import { DockerClient, EngineUnsupportedError, InvalidConfigError } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { engineSkip, loadTestEngines, rawRequest } from '../support/engines.js';
import { configFor, rawInspect, rawNetworksNamed, rawRemoveAll, TEST_LABELS, uniqueName } from '../support/networks.js';

const skip = engineSkip();

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

/** A free UDP port that Swarm accepts for VXLAN (1024-49151; the kernel's ephemeral range lies above). */
async function freeUdpPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 29_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(false);
      });
      s.bind(port, '127.0.0.1', () => {
        s.close(() => {
          resolve(true);
        });
      });
    });
    if (free) return port;
  }
}

describe('overlay on a Swarm manager (private Docker 26 engine)', { skip }, () => {
  let engine: PrivateEngine | undefined;
  let base: string;
  before(async () => {
    base = await mkdtemp('/tmp/aicli-network-sw');
    // In a network namespace of its own (unshare --net; loopback up, then exec dockerd, so the
    // PID stays the engine's): Swarm's interfaces (docker_gwbridge, the ingress sandbox) live
    // and die there, and can never meet another engine's on this host.
    engine = await startDockerd({ version: '26', dir: `${base}/e`, prefix: ['unshare', '--net', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"'] });
    const [listen, data] = [await freeTcpPort(), await freeUdpPort()];
    // `docker swarm init --advertise-addr 127.0.0.1`, on ports of its own (loopback only).
    const init = await rawRequest(engine.host, 'POST', '/swarm/init', JSON.stringify({ ListenAddr: `127.0.0.1:${listen}`, AdvertiseAddr: `127.0.0.1:${listen}`, DataPathPort: data }));
    assert.equal(init.status, 200, `swarm init: ${init.body.toString()}`);
  });
  after(async () => {
    await engine?.destroy();
    await rm(base, { recursive: true, force: true });
  });

  it('makes an attachable overlay network of scope swarm, and finds it again', async () => {
    const host = engine?.host ?? assert.fail('no engine');
    const name = uniqueName('overlay');
    try {
      await using client = await DockerClient.connect({ host, env: {}, config: configFor(name, { networkDriver: 'overlay' }), ensureNetwork: { labels: TEST_LABELS } });
      const raw = await rawInspect(host, client.networkId ?? '');
      assert.deepEqual([raw.Name, raw.Driver, raw.Scope, raw.Attachable], [name, 'overlay', 'swarm', true]);
      assert.equal(raw.Labels?.['aicli.managed'], 'true');
      const again = await client.ensureNetwork();
      assert.deepEqual([again.id, again.created, again.driver, again.scope], [client.networkId, false, 'overlay', 'swarm']);
      // The same name configured as a bridge: drift, reported.
      await using bridge = await DockerClient.connect({ host, env: {}, config: configFor(name), ensureNetwork: false });
      assert.deepEqual((await bridge.inspectNetwork()).drift, [{ key: 'network_driver', want: 'bridge', have: 'overlay' }]);
      await client.removeNetwork();
      assert.deepEqual(await rawNetworksNamed(host, name), []);
    } finally {
      await rawRemoveAll(host, name);
    }
  });

  it('a network the manager has only just made is the overlay it is, with no drift (its driver comes with the allocation)', async () => {
    const host = engine?.host ?? assert.fail('no engine');
    const names = Array.from({ length: 8 }, () => uniqueName('fresh'));
    const clients = await Promise.all(names.map((name) => DockerClient.connect({ host, env: {}, config: configFor(name, { networkDriver: 'overlay' }), ensureNetwork: false })));
    try {
      // Made by another process (here: a bare create), and looked up at once.
      const seen = await Promise.all(names.map(async (name, i) => {
        const made = await rawRequest(host, 'POST', '/networks/create', JSON.stringify({ Name: name, Driver: 'overlay', Attachable: true, Labels: { ...TEST_LABELS, 'aicli.managed': 'true' } }));
        assert.equal(made.status, 201, made.body.toString());
        const status = await (clients[i] ?? assert.fail('no client')).inspectNetwork();
        return { present: status.present, drift: status.drift };
      }));
      assert.deepEqual(seen, names.map(() => ({ present: true, drift: [] })));
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      for (const name of names) await rawRemoveAll(host, name);
    }
  });
});

describe('overlay where the engine is not a Swarm manager', { skip }, () => {
  for (const engine of skip === false ? loadTestEngines().engines : []) {
    it(`${engine.name}: refused with what to do, nothing made`, async () => {
      const name = uniqueName('no-swarm');
      try {
        await assert.rejects(DockerClient.connect({ host: engine.host, env: {}, config: configFor(name, { networkDriver: 'overlay' }), ensureNetwork: { labels: TEST_LABELS } }), (e: unknown) => {
          assert.ok(e instanceof InvalidConfigError, String(e));
          assert.equal(e.problems[0]?.key, 'network_driver');
          if (engine.name === 'podman') {
            // Podman has no Swarm to join: said so, naming it (issue 14).
            assert.ok(e instanceof EngineUnsupportedError, String(e));
            assert.match(e.message, /needs overlay networks, and Podman 4\.\S+ .* has none/);
          } else {
            assert.match(e.message, /not in a Swarm/);
            assert.match(e.message, /docker swarm init/);
          }
          assert.match(e.message, /network_driver: bridge/);
          return true;
        });
        assert.deepEqual(await rawNetworksNamed(engine.host, name), []);
      } finally {
        await rawRemoveAll(engine.host, name);
      }
    });
  }

  it('the CLI exits 2 and names the key and where it was set', async () => {
    const engine = loadTestEngines().engines[0] ?? assert.fail('no engines');
    const name = uniqueName('no-swarm-cli');
    const home = await mkdtemp('/tmp/aicli-network-h');
    try {
      const r = await runCli(['network', 'ensure', '--host', engine.host, '--label', 'aicli.test=true'], { HOME: home, AICLI_DOCKER_NETWORK_NAME: name, AICLI_DOCKER_NETWORK_DRIVER: 'overlay' });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /AICLI_DOCKER_NETWORK_DRIVER: "overlay" needs an engine that is a Swarm manager/);
      assert.deepEqual(await rawNetworksNamed(engine.host, name), []);
    } finally {
      await rm(home, { recursive: true, force: true });
      await rawRemoveAll(engine.host, name);
    }
  });
});

// The aicli network against real engines: made on connect, exact names, drift, adopt,
// subnets, removal. Verification reads the engine directly (rawRequest), not through the
// library under test.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import {
  DockerClient,
  InvalidConfigError,
  NetworkInUseError,
  NetworkNotFoundError,
  NetworkNotManagedError,
  ensureNetwork,
  inspectNetwork,
  isDockerError,
  type DockerConfig,
} from '../../src/index.js';
import { engineSkip, loadTestEngines, rawRequest, type TestEngine } from '../support/engines.js';
import { configFor, rawCreate, rawInspect, rawNetworksNamed, rawRemoveAll, removeContainer, startAttached, TEST_LABELS, uniqueName } from '../support/networks.js';

const skip = engineSkip();
/** A name for this test, removed (with anything attached) as soon as the test ends: the engines
 * share the host's address pools, so networks are not left to pile up until the file ends. */
function named(t: TestContext, host: string, what: string): string {
  const name = uniqueName(what);
  t.after(() => rawRemoveAll(host, name));
  return name;
}

// Docker up to 24 makes a fresh network wait out the settle window (5 s by default, see
// converge.ts); these tests are not about races, so they take a short one.
const quick = { labels: TEST_LABELS, settleMs: 300 };

async function connect(engine: TestEngine, config: DockerConfig): Promise<DockerClient> {
  return DockerClient.connect({ host: engine.host, env: {}, config, ensureNetwork: false });
}

for (const engine of skip === false ? loadTestEngines().engines : []) {
  const podman = engine.name === 'podman';
  describe(`the aicli network on ${engine.name}`, () => {
    it('connect() makes it (bridge, attachable, not internal, aicli labels) and holds its id; the next connect reuses it', async (t) => {
      const name = named(t, engine.host, 'connect');
      const config = configFor(name);
      const first = await DockerClient.connect({ host: engine.host, env: {}, config, ensureNetwork: { labels: TEST_LABELS } });
      try {
        const [raw, ...more] = await rawNetworksNamed(engine.host, name);
        assert.ok(raw !== undefined && more.length === 0);
        assert.equal(first.networkId, raw.Id);
        assert.equal(raw.Driver, 'bridge');
        assert.equal(raw.Internal, false);
        // Podman's compatible API ignores Attachable (every Podman network can be joined) and reports false.
        assert.equal(raw.Attachable, !podman);
        const labels = raw.Labels ?? {};
        assert.equal(labels['aicli.managed'], 'true');
        assert.match(labels['aicli.created'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.ok(Math.abs(Date.parse(labels['aicli.created'] ?? '') - Date.now()) < 120_000);
        assert.equal(labels['aicli.owner.pid'], String(process.pid));
        assert.equal(labels['aicli.test'], 'true');
      } finally {
        await first.close();
      }
      await using second = await DockerClient.connect({ host: engine.host, env: {}, config, ensureNetwork: { labels: TEST_LABELS } });
      assert.equal(second.networkId, first.networkId);
      const again = await second.ensureNetwork();
      assert.equal(again.created, false);
      assert.equal(again.id, first.networkId);
      assert.equal((await rawNetworksNamed(engine.host, name)).length, 1);
    });

    it('ensureNetwork: false, status() and inspectNetwork() create nothing', async (t) => {
      const name = named(t, engine.host, 'readonly');
      await using client = await connect(engine, configFor(name));
      assert.equal(client.networkId, undefined);
      const status = await client.status();
      assert.deepEqual({ present: status.network.present, id: status.network.id }, { present: false, id: null });
      assert.equal((await client.inspectNetwork()).present, false);
      assert.deepEqual(await rawNetworksNamed(engine.host, name), []);
    });

    it('matches the exact name only: not a longer name, not an id prefix', async (t) => {
      const name = named(t, engine.host, 'exact');
      const longer = named(t, engine.host, 'exact-longer');
      await rawCreate(engine.host, { Name: longer, Labels: { ...TEST_LABELS, 'aicli.managed': 'true' } });
      const other = named(t, engine.host, 'other');
      const otherId = await rawCreate(engine.host, { Name: other, Labels: { ...TEST_LABELS, 'aicli.managed': 'true' } });
      // A name that is a prefix of the longer name, and a name that is a prefix of another network's id.
      for (const probe of [longer.slice(0, -3), otherId.slice(0, 12)]) {
        t.after(() => rawRemoveAll(engine.host, probe));
        await using client = await connect(engine, configFor(probe));
        assert.equal((await client.inspectNetwork()).present, false, `${probe} was taken for another network`);
      }
      await using client = await connect(engine, configFor(name));
      const made = await client.ensureNetwork(quick);
      assert.equal(made.created, true);
      assert.notEqual(made.id, otherId);
    });

    it('reports drift; --recreate replaces an empty drifted network, and refuses one in use, naming its containers', async (t) => {
      const name = named(t, engine.host, 'drift');
      await using plain = await connect(engine, configFor(name));
      const before = await plain.ensureNetwork(quick);
      await using internal = await connect(engine, configFor(name, { networkInternal: true }));
      const reported = await internal.ensureNetwork(quick);
      assert.equal(reported.id, before.id, 'a drifted network is reported, not replaced, without recreate');
      assert.deepEqual(reported.drift, [{ key: 'network_internal', want: 'true', have: 'false' }]);
      assert.deepEqual((await internal.inspectNetwork()).drift.map((d) => d.key), ['network_internal']);

      const ctr = await startAttached(engine.host, name);
      try {
        await assert.rejects(internal.ensureNetwork({ ...quick, recreate: true }), (e: unknown) => {
          assert.ok(e instanceof NetworkInUseError, String(e));
          assert.deepEqual(e.containers, [ctr.name]);
          assert.match(e.message, new RegExp(`${ctr.name}.*nothing was changed`));
          return true;
        });
        assert.equal((await rawNetworksNamed(engine.host, name))[0]?.Id, before.id, 'still there');
      } finally {
        await removeContainer(engine.host, ctr.id);
      }
      const recreated = await internal.ensureNetwork({ ...quick, recreate: true });
      assert.ok(recreated.recreated && recreated.created);
      assert.notEqual(recreated.id, before.id);
      assert.deepEqual(recreated.drift, []);
      const raws = await rawNetworksNamed(engine.host, name);
      assert.deepEqual(raws.map((r) => [r.Id, r.Internal]), [[recreated.id, true]]);
    });

    it('refuses a same-named network aicli did not make, leaving it exactly as it was; network_adopt uses it', async (t) => {
      const name = named(t, engine.host, 'foreign');
      const id = await rawCreate(engine.host, { Name: name, Labels: { ...TEST_LABELS, owner: 'someone-else' } });
      const before = await rawInspect(engine.host, id);
      await using client = await connect(engine, configFor(name));
      for (const attempt of [() => client.ensureNetwork(quick), () => client.removeNetwork(), () => client.removeNetwork({ force: true })]) {
        await assert.rejects(attempt(), (e: unknown) => {
          assert.ok(e instanceof NetworkNotManagedError && e instanceof InvalidConfigError, String(e));
          assert.equal(e.networkId, id);
          assert.ok(e.message.includes(id.slice(0, 12)) && e.message.includes(name));
          assert.match(e.message, /network_name/);
          assert.match(e.message, /network_adopt: true/);
          return true;
        });
      }
      assert.deepEqual(await rawInspect(engine.host, id), before);
      const status = await client.inspectNetwork();
      assert.deepEqual([status.present, status.managed, status.adopted], [true, false, false]);

      await using adopting = await connect(engine, configFor(name, { networkAdopt: true, networkInternal: true }));
      const adopted = await adopting.ensureNetwork({ ...quick, recreate: true }).catch((e: unknown) => e);
      assert.ok(adopted instanceof NetworkNotManagedError, 'recreate never touches an adopted network');
      const used = await adopting.ensureNetwork(quick);
      assert.deepEqual([used.id, used.adopted, used.created], [id, true, false]);
      assert.deepEqual(used.drift.map((d) => d.key), ['network_internal'], 'used as it is, drift reported');
      assert.deepEqual(await rawInspect(engine.host, id), before);
    });

    // One subnet per engine: they share the host, where a subnet can be on one bridge only; and
    // one per Node.js version (20: +0, 24: +200), as the suite runs on two side by side.
    const n = { docker20: 20, docker26: 26, docker28: 28, podman: 40 }[engine.name] + (Number(process.versions.node.split('.')[0]) % 5) * 50;
    for (const [family, subnet, gateway, prefix] of [
      ['IPv4', `10.213.${n}.0/24`, `10.213.${n}.254`, `10.213.${n}.`],
      ['IPv6', `fd00:a1c1:${n}::/64`, `fd00:a1c1:${n}::fe`, `fd00:a1c1:${n}:`],
    ] as const) {
      it(`a configured ${family} subnet and gateway are in force on the engine`, async (t) => {
        const name = named(t, engine.host, `subnet${family}`);
        await using client = await connect(engine, configFor(name, { networkSubnet: subnet, networkGateway: gateway }));
        const made = await client.ensureNetwork(quick);
        const raw = await rawInspect(engine.host, made.id);
        const pool = (raw.IPAM.Config ?? []).find((p) => p.Subnet === subnet);
        assert.ok(pool !== undefined, JSON.stringify(raw.IPAM));
        assert.equal(pool.Gateway, gateway);
        assert.equal(raw.EnableIPv6, family === 'IPv6');
        assert.deepEqual(made.drift, []);
        // The engine puts a container on it at an address inside the subnet.
        const ctr = await startAttached(engine.host, name);
        try {
          const attached = Object.values((await rawInspect(engine.host, made.id)).Containers ?? {}) as { IPv4Address?: string; IPv6Address?: string }[];
          const address = family === 'IPv4' ? attached[0]?.IPv4Address : attached[0]?.IPv6Address;
          assert.ok(address?.startsWith(prefix), JSON.stringify(attached));
        } finally {
          await removeContainer(engine.host, ctr.id);
        }
      });
    }

    it('a gateway outside the subnet is refused before anything is sent, naming the key', async (t) => {
      const name = named(t, engine.host, 'badgw');
      await using client = await connect(engine, configFor(name));
      const bad = configFor(name, { networkSubnet: '10.213.8.0/24', networkGateway: '10.213.9.1' });
      await assert.rejects(ensureNetwork(client.api, bad, quick), (e: unknown) => e instanceof InvalidConfigError && e.problems[0]?.key === 'network_gateway' && /outside network_subnet/.test(e.message));
      await assert.rejects(inspectNetwork(client.api, bad), InvalidConfigError);
      assert.deepEqual(await rawNetworksNamed(engine.host, name), []);
    });

    it('removeNetwork: refused while a container is attached; force disconnects it (still running) and removes', async (t) => {
      const name = named(t, engine.host, 'rm');
      await using client = await connect(engine, configFor(name));
      await assert.rejects(client.removeNetwork(), (e: unknown) => e instanceof NetworkNotFoundError && isDockerError(e, 'NETWORK_NOT_FOUND') && e.message.includes(name));
      const made = await client.ensureNetwork(quick);
      const ctr = await startAttached(engine.host, name);
      try {
        await assert.rejects(client.removeNetwork(), (e: unknown) => e instanceof NetworkInUseError && e.containers.includes(ctr.name) && e.message.includes('--force'));
        assert.equal((await rawNetworksNamed(engine.host, name)).length, 1);
        const removed = await client.removeNetwork({ force: true });
        assert.deepEqual(removed, { name, removed: [made.id], disconnected: [ctr.name] });
        assert.deepEqual(await rawNetworksNamed(engine.host, name), []);
        assert.equal(client.networkId, undefined);
        const state = await rawRequest(engine.host, 'GET', `/containers/${ctr.id}/json`);
        assert.equal((JSON.parse(state.body.toString()) as { State: { Running: boolean } }).State.Running, true, 'the container keeps running');
      } finally {
        await removeContainer(engine.host, ctr.id);
      }
      const again = await client.ensureNetwork(quick);
      assert.deepEqual(await client.removeNetwork(), { name, removed: [again.id], disconnected: [] });
      assert.deepEqual(await rawNetworksNamed(engine.host, name), []);
    });
  });
}

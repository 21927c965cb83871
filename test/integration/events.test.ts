import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerApiError, DockerClient, watchEvents, type EventStreamItem } from '../../src/index.js';
import { engineSkip, ensureBusyboxImage, loadTestEngines, rawRequest, TEST_LABEL, testEngine } from '../support/engines.js';
import { createContainer, createNetwork, events, isEvent, MANAGED, pullUntil, suffix, UNMANAGED } from '../support/events.js';
import { unixRelay } from '../support/relay.js';

const skip = engineSkip();

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aicli-events-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const engine of skip === false ? loadTestEngines().engines : []) {
  describe(`events on ${engine.name}`, () => {
    it("delivers aicli's containers and networks, typed, and nothing of other objects", async () => {
      const host = engine.host;
      const id = suffix();
      const [m, u, n, un] = [`aicli-test-ev-m-${id}`, `aicli-test-ev-u-${id}`, `aicli-test-ev-n-${id}`, `aicli-test-ev-un-${id}`];
      await ensureBusyboxImage(host);
      await using client = await DockerClient.connect({ host, env: {}, ensureNetwork: false });
      await using watcher = watchEvents(client);
      const items = watcher[Symbol.asyncIterator]();
      const seen: EventStreamItem[] = [];
      await pullUntil(items, seen, (x) => x.kind === 'state' && x.state === 'connected');
      const before = Date.now();
      // Podman 4 emits no network events: its part is left out there.
      const networks = engine.name !== 'podman';
      try {
        let nId: string | undefined;
        if (networks) {
          await createNetwork(host, un, UNMANAGED);
          nId = await createNetwork(host, n, MANAGED);
        }
        const mId = await createContainer(host, m, MANAGED, nId);
        const uId = await createContainer(host, u, UNMANAGED);
        assert.equal((await rawRequest(host, 'POST', `/containers/${mId}/start`)).status, 204);
        await pullUntil(items, seen, isEvent('die', m));
        assert.equal((await rawRequest(host, 'DELETE', `/containers/${mId}?force=1&v=1`)).status, 204);
        assert.equal((await rawRequest(host, 'DELETE', `/containers/${uId}?force=1&v=1`)).status, 204);
        if (networks) {
          await pullUntil(items, seen, (x) => x.kind === 'event' && x.event.type === 'network' && x.event.action === 'disconnect' && x.event.attributes['name'] === n);
          assert.equal((await rawRequest(host, 'DELETE', `/networks/${n}`)).status, 204);
          await pullUntil(items, seen, isEvent('destroy', n));
        } else {
          await pullUntil(items, seen, (x) => x.kind === 'event' && x.event.id === mId && (x.event.action === 'destroy' || x.event.action === 'remove'));
        }
      } finally {
        for (const c of [m, u]) await rawRequest(host, 'DELETE', `/containers/${c}?force=1&v=1`);
        if (networks) for (const x of [n, un]) await rawRequest(host, 'DELETE', `/networks/${x}`);
      }
      const got = events(seen);
      assert.deepEqual(got.filter((e) => e.name === u || e.name === un), [], 'objects without aicli.managed=true are left out');
      const actionsOf = (name: string): string[] => got.filter((e) => e.name === name || e.attributes['name'] === name).map((e) => e.action);
      const mActions = actionsOf(m);
      for (const a of ['create', 'start', 'die']) assert.ok(mActions.includes(a), `${a} missing for the container: ${mActions.join(',')}`);
      if (networks) {
        assert.deepEqual(got.filter((e) => e.type === 'network' && e.attributes['name'] === n).map((e) => e.action), ['create', 'connect', 'disconnect', 'destroy']);
        // Its own network's connect: the same test may run at once on another Node version.
        const connect = got.find((e) => e.type === 'network' && e.action === 'connect' && e.attributes['name'] === n);
        assert.equal(connect?.attributes['container'], got.find((e) => e.name === m)?.id);
      }
      const create = got.find((e) => e.name === m && e.action === 'create');
      assert.ok(create !== undefined);
      assert.equal(create.type, 'container');
      assert.match(create.id, /^[0-9a-f]{64}$/);
      assert.equal(create.labels[TEST_LABEL], 'true');
      assert.equal(create.labels['aicli.managed'], 'true');
      assert.equal(create.labels['name'], undefined, 'engine attributes are not labels');
      assert.match(create.timeNano, /^\d{19}$/);
      assert.equal(create.time.getTime(), Number(BigInt(create.timeNano) / 1_000_000n));
      assert.ok(Math.abs(create.time.getTime() - before) < 60_000, `event time ${create.time.toISOString()}`);
      const die = got.find((e) => e.name === m && e.action === 'die');
      // Podman names it containerExitCode.
      assert.equal(die?.attributes['exitCode'] ?? die?.attributes['containerExitCode'], '0');
    });
  });
}

describe('events', { skip }, () => {
  it("scope 'all' delivers every object's events", async () => {
    const host = testEngine('docker20').host;
    const name = `aicli-test-ev-all-${suffix()}`;
    await using client = await DockerClient.connect({ host, env: {}, ensureNetwork: false });
    await using watcher = watchEvents(client, { scope: 'all' });
    const items = watcher[Symbol.asyncIterator]();
    const seen: EventStreamItem[] = [];
    await pullUntil(items, seen, (x) => x.kind === 'state');
    try {
      await createContainer(host, name, UNMANAGED);
      const got = await pullUntil(items, seen, isEvent('create', name));
      assert.equal(got.kind === 'event' && got.event.labels['aicli.managed'], undefined);
    } finally {
      await rawRequest(host, 'DELETE', `/containers/${name}?force=1&v=1`);
    }
  });

  it('since replays what the engine holds, and until ends the iteration by itself', async () => {
    const host = testEngine('docker26').host;
    const name = `aicli-test-ev-since-${suffix()}`;
    await using client = await DockerClient.connect({ host, env: {}, ensureNetwork: false });
    const since = new Date(Date.now() - 1000);
    try {
      await createContainer(host, name, MANAGED);
      const until = new Date(Date.now() + 1000);
      const got: EventStreamItem[] = [];
      for await (const item of watchEvents(client, { since, until })) got.push(item);
      assert.deepEqual(events(got).filter((e) => e.name === name).map((e) => e.action), ['create']);
    } finally {
      await rawRequest(host, 'DELETE', `/containers/${name}?force=1&v=1`);
    }
  });

  it('a request the engine refuses is thrown, not retried; a bad range is refused before any call', async () => {
    // Docker 28 here refuses API versions below 1.44, as Docker 29 does.
    await using client = await DockerClient.connect({ host: testEngine('docker28').host, apiVersion: '1.41', env: {}, ensureNetwork: false });
    const watcher = watchEvents(client);
    await assert.rejects(
      (async () => {
        for await (const _ of watcher) { /* nothing arrives */ }
      })(),
      (e: unknown) => e instanceof DockerApiError && e.statusCode === 400 && /too old/.test(e.daemonMessage),
    );
    assert.equal(watcher.state, 'closed');
    assert.throws(() => watchEvents(client, { since: new Date(2000), until: new Date(1000) }), /Invalid until: .* is before since/);
  });

  it('a dropped connection is announced, resumed with since, and the replay is not delivered twice', async () => {
    const engine = testEngine('docker20');
    await using relay = await unixRelay(engine.host, join(dir, 'relay.sock'));
    const id = suffix();
    const [a, b, c] = ['a', 'b', 'c'].map((x) => `aicli-test-ev-${x}-${id}`) as [string, string, string];
    await using client = await DockerClient.connect({ host: relay.host, env: {}, ensureNetwork: false });
    await using watcher = watchEvents(client, { reconnect: { minDelayMs: 50, maxDelayMs: 200 } });
    const items = watcher[Symbol.asyncIterator]();
    const seen: EventStreamItem[] = [];
    await pullUntil(items, seen, (x) => x.kind === 'state');
    try {
      await createContainer(engine.host, a, MANAGED);
      await pullUntil(items, seen, isEvent('create', a));
      await createContainer(engine.host, b, MANAGED);
      const bEvent = await pullUntil(items, seen, isEvent('create', b));
      assert.ok(bEvent.kind === 'event');
      // The test has teeth: the engine does replay b's event to a stream resuming from it.
      const ns = BigInt(bEvent.event.timeNano);
      const replay = await rawRequest(engine.host, 'GET', `/events?since=${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}&until=${Math.ceil(Date.now() / 1000) + 1}`);
      assert.match(replay.body.toString(), new RegExp(`"name":"${b}"`));
      relay.cut();
      const waiting = await pullUntil(items, seen, (x) => x.kind === 'state' && x.state === 'waiting');
      assert.ok(waiting.kind === 'state' && waiting.state === 'waiting' && waiting.error.message.length > 0);
      const back = await pullUntil(items, seen, (x) => x.kind === 'state' && x.state === 'connected' && x.reconnects > 0);
      assert.ok(back.kind === 'state' && back.state === 'connected' && back.reconnects === 1 && back.since !== undefined);
      await createContainer(engine.host, c, MANAGED);
      await pullUntil(items, seen, isEvent('create', c));
    } finally {
      for (const x of [a, b, c]) await rawRequest(engine.host, 'DELETE', `/containers/${x}?force=1&v=1`);
    }
    // Only this test's containers: the same test may run at once on another Node version.
    assert.deepEqual(events(seen).filter((e) => e.action === 'create' && e.name?.endsWith(id) === true).map((e) => e.name), [a, b, c]);
  });
});

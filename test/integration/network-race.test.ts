// No duplicates, ever: concurrent calls in one process, aborts, and duplicates made on
// purpose (16 processes at once: network-procs*.test.ts). Counts and ids are read from the engine and from the wire,
// not from the library under test.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerAbortedError, DockerClient, InvalidConfigError, winnerOrder, type EnsureNetworkResult, type EngineNetwork } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { engineSkip, testEngine, type TestEngine } from '../support/engines.js';
import { configFor, rawCreate, rawNetworksNamed, rawRemoveAll, startAttachedById, TEST_LABELS, uniqueName } from '../support/networks.js';

const skip = engineSkip();

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aicli-race-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A relay between the client and the engine's socket that counts request lines by method
 * and path: what the client really sent.
 */
async function countingRelay(engine: TestEngine): Promise<{ host: string; count: (re: RegExp) => number; close: () => Promise<void> }> {
  const target = engine.host.slice('unix://'.length);
  const path = join(dir, `relay-${Math.random().toString(16).slice(2, 8)}.sock`);
  const sent: Buffer[][] = [];
  const links: Socket[] = [];
  const server: Server = createServer((client) => {
    const upstream = netConnect(target);
    const chunks: Buffer[] = [];
    sent.push(chunks);
    links.push(client, upstream);
    client.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    host: `unix://${path}`,
    // Request lines, wherever they start (right after a JSON body, on a kept-alive connection).
    count: (re) => sent.reduce((n, chunks) => n + [...Buffer.concat(chunks).toString('latin1').matchAll(/(GET|POST|DELETE|PUT|HEAD) (\/\S*) HTTP\/1\.1\r\n/g)].filter((m) => re.test(`${m[1] ?? ''} ${m[2] ?? ''}`)).length, 0),
    close: async () => {
      links.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('one network, whatever the concurrency', { skip }, () => {
  for (const name of ['docker20', 'docker26'] as const) {
    it(`50 concurrent ensureNetwork() calls in one process send one create, on ${name}`, async () => {
      const engine = testEngine(name);
      const network = uniqueName('inproc');
      const relay = await countingRelay(engine);
      try {
        await using client = await DockerClient.connect({ host: relay.host, env: {}, config: configFor(network), ensureNetwork: false });
        const results = await Promise.all(Array.from({ length: 50 }, () => client.ensureNetwork({ labels: TEST_LABELS })));
        assert.equal(new Set(results.map((r) => r.id)).size, 1);
        assert.equal(relay.count(/^POST \/v[\d.]+\/networks\/create$/), 1, 'creates on the wire');
        assert.equal(results.filter((r) => r.created).length, 50, 'every caller shares the one run that created it');
        assert.deepEqual((await rawNetworksNamed(engine.host, network)).map((n) => n.Id), [results[0]?.id]);
        // Once it exists, a call is one request: GET /networks/{name}.
        const before = relay.count(/./);
        await client.ensureNetwork({ labels: TEST_LABELS });
        assert.equal(relay.count(/./) - before, 1, 'requests for an existing network');
      } finally {
        await relay.close();
        await rawRemoveAll(engine.host, network);
      }
    });
  }

  it('a caller that aborts leaves the shared run, which goes on for the others; alone, its abort ends the wait at once (Docker 20.10)', async () => {
    const engine = testEngine('docker20');
    const network = uniqueName('abort');
    try {
      await using client = await DockerClient.connect({ host: engine.host, env: {}, config: configFor(network), ensureNetwork: false });
      const options = { labels: TEST_LABELS, settleMs: 2000 };
      const started = performance.now();
      const [leaver, stayer] = await Promise.allSettled([client.ensureNetwork({ ...options, signal: AbortSignal.timeout(300) }), client.ensureNetwork(options)]);
      assert.ok(leaver.status === 'rejected' && leaver.reason instanceof DockerAbortedError, String(leaver.status === 'rejected' ? leaver.reason : 'resolved'));
      assert.ok(stayer.status === 'fulfilled' && stayer.value.created, 'the other caller got the network');
      assert.ok(performance.now() - started >= 1500, 'the run waited out the settle window for the one who stayed');
      await rawRemoveAll(engine.host, network);

      const alone = performance.now();
      await assert.rejects(client.ensureNetwork({ labels: TEST_LABELS, settleMs: 60_000, signal: AbortSignal.timeout(500) }), DockerAbortedError);
      assert.ok(performance.now() - alone < 20_000, 'the abort ended the 60 s settle wait');
    } finally {
      await rawRemoveAll(engine.host, network);
    }
  });

  // Without the host-local lock, these processes act as if on different hosts: the
  // lock-free mechanism alone (converge.ts) must keep it to one network.
  it('a create the engine refuses is no failure when a competing create shows up in time (Docker 20.10)', async () => {
    const engine = testEngine('docker20');
    const network = uniqueName('refused');
    const squatter = uniqueName('squat');
    // A subnet per Node.js version: the suite runs on two side by side, on the same engines.
    const subnet = `10.213.${60 + (Number(process.versions.node.split('.')[0]) % 30)}.0/24`;
    try {
      // The subnet aicli will ask for is taken, so its create fails (403, "Pool overlaps")...
      await rawCreate(engine.host, { Name: squatter, Labels: TEST_LABELS, IPAM: { Config: [{ Subnet: subnet }] } });
      await using client = await DockerClient.connect({ host: engine.host, env: {}, config: configFor(network, { networkSubnet: subnet }), ensureNetwork: false });
      // Settle time to spare: the other Node run may be racing creates on this engine meanwhile.
      const ensuring = client.ensureNetwork({ labels: TEST_LABELS, settleMs: 10_000, hostLock: false });
      // ...while another process's create (of another subnet) lands a moment later.
      await new Promise((resolve) => setTimeout(resolve, 700));
      const other = await rawCreate(engine.host, { Name: network, CheckDuplicate: false, Labels: { ...TEST_LABELS, 'aicli.managed': 'true' } });
      const result = await ensuring;
      assert.deepEqual([result.id, result.created], [other, false]);
      assert.deepEqual(result.drift.map((d) => d.key), ['network_subnet'], 'used, with its subnet reported as drift');
      // With nobody else creating, the refusal is reported, naming the key.
      await rawRemoveAll(engine.host, network);
      await assert.rejects(client.ensureNetwork({ labels: TEST_LABELS, settleMs: 500, hostLock: false }), (e: unknown) => e instanceof InvalidConfigError && e.problems[0]?.key === 'network_subnet' && /overlaps/i.test(e.message));
    } finally {
      await rawRemoveAll(engine.host, network);
      await rawRemoveAll(engine.host, squatter);
    }
  });

  it('duplicates made on purpose (Docker 20.10, CheckDuplicate: false): the same one is chosen every run, empty extras removed, one in use kept', async () => {
    const engine = testEngine('docker20');
    const network = uniqueName('dups');
    const labels = { ...TEST_LABELS, 'aicli.managed': 'true' };
    try {
      const made: string[] = [];
      for (let i = 0; i < 4; i++) made.push(await rawCreate(engine.host, { Name: network, CheckDuplicate: false, Labels: labels }));
      const listed = await rawNetworksNamed(engine.host, network);
      assert.equal(listed.length, 4);
      // The expected winner, computed here from the engine's own list: oldest Created, then lowest id.
      const asEngine = listed.map((n) => ({ id: n.Id, created: n.Created }) as unknown as EngineNetwork);
      const winner = [...asEngine].sort(winnerOrder)[0]?.id;
      const busy = listed.find((n) => n.Id !== winner)?.Id ?? '';
      const ctr = await startAttachedById(engine.host, busy);
      try {
        await using client = await DockerClient.connect({ host: engine.host, env: {}, config: configFor(network), ensureNetwork: false });
        const status = await client.inspectNetwork();
        assert.equal(status.id, winner, 'inspect names the one ensure will choose');
        assert.equal(status.duplicates.length, 3);
        const first = await client.ensureNetwork({ labels: TEST_LABELS });
        assert.equal(first.id, winner);
        assert.equal(first.created, false);
        assert.deepEqual([...first.removedDuplicates].sort(), made.filter((id) => id !== winner && id !== busy).sort());
        assert.deepEqual(first.keptDuplicates, [busy]);
        assert.deepEqual((await rawNetworksNamed(engine.host, network)).map((n) => n.Id).sort(), [winner, busy].sort());
        // Another run, in another process (the CLI), picks the same one.
        const cli = await runCli(['network', 'ensure', '--json', '--host', engine.host], { HOME: dir, AICLI_DOCKER_NETWORK_NAME: network });
        assert.equal(cli.code, 0, cli.stderr);
        const again = JSON.parse(cli.stdout) as EnsureNetworkResult;
        assert.deepEqual([again.id, again.created, again.removedDuplicates, again.keptDuplicates], [winner, false, [], [busy]]);
      } finally {
        await ctr.remove();
      }
      // Once it is empty, the extra goes too.
      await using client = await DockerClient.connect({ host: engine.host, env: {}, config: configFor(network), ensureNetwork: false });
      const last = await client.ensureNetwork({ labels: TEST_LABELS });
      assert.deepEqual([last.id, last.removedDuplicates, last.keptDuplicates], [winner, [busy], []]);
      assert.deepEqual((await rawNetworksNamed(engine.host, network)).map((n) => n.Id), [winner]);
    } finally {
      await rawRemoveAll(engine.host, network);
    }
  });
});

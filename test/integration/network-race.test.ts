// No duplicates, ever: concurrent calls in one process, 16 processes at once, and
// duplicates made on purpose. Counts and ids are read from the engine and from the wire,
// not from the library under test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { DockerAbortedError, DockerClient, winnerOrder, type EnsureNetworkResult, type EngineNetwork } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { engineSkip, testEngine, type TestEngine } from '../support/engines.js';
import { configFor, rawCreate, rawNetworksNamed, rawRemoveAll, startAttachedById, TEST_LABELS, uniqueName } from '../support/networks.js';

const skip = engineSkip();
const CHILD = fileURLToPath(new URL('../support/ensure-child.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

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

type ChildResult = EnsureNetworkResult | { error: string; message: string };

/** N processes that each connect, then all call ensureNetwork() at the same moment. */
async function race(engine: TestEngine, name: string, n: number, options: Record<string, unknown>, intruders: number): Promise<{ results: ChildResult[]; intruded: string[] }> {
  const children = Array.from({ length: n }, () => spawn(process.execPath, [CHILD, engine.host, name, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] }));
  try {
    const outputs = children.map(
      (child) =>
        new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (c: Buffer) => {
            out += c.toString();
          });
          child.once('exit', () => {
            resolve(out);
          });
          child.once('error', reject);
        }),
    );
    // Everyone connected and waiting: then one "go" for all.
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve, reject) => {
            const onData = (c: Buffer): void => {
              if (c.toString().includes('ready')) {
                child.stdout.off('data', onData);
                resolve();
              }
            };
            child.stdout.on('data', onData);
            child.once('exit', (code) => {
              reject(new Error(`a racer exited (${String(code)}) before it was ready`));
            });
          }),
      ),
    );
    for (const child of children) child.stdin.write('go\n');
    // Another tool (or an old aicli elsewhere) creating the same managed network at the same
    // moment, without CheckDuplicate: Docker 20.10 accepts every one of them.
    const intruded = await Promise.all(Array.from({ length: intruders }, () => rawCreate(engine.host, { Name: name, CheckDuplicate: false, Labels: { ...TEST_LABELS, 'aicli.managed': 'true' } })));
    const results = (await Promise.all(outputs)).map((out) => JSON.parse(out.split('\n').filter((l) => l.startsWith('{')).pop() ?? '{"error":"NO_OUTPUT","message":""}') as ChildResult);
    return { results, intruded };
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

describe('one network, whatever the concurrency', { skip }, () => {
  before(() => {
    if (!existsSync(DIST)) throw new Error(`${DIST} missing: run \`npm run build\` first (npm test does)`);
  });

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
  // On Docker 20.10, 4 raw creates join each round, so that every round has duplicates to
  // converge from (aicli's own creates mostly meet CheckDuplicate's 409 once one is visible).
  const runs: [TestEngine['name'], number, Record<string, unknown>, string, number][] = [
    ['docker20', 5, { hostLock: false }, 'without the host lock, 4 foreign creates at the same moment', 4],
    ['docker26', 5, { hostLock: false }, 'without the host lock', 0],
    ['docker20', 1, { lockWaitMs: 60_000 }, 'with the host lock', 0],
    ['docker28', 1, {}, '', 0],
    ['podman', 1, {}, '', 0],
  ];
  for (const [name, rounds, options, how, intruders] of runs) {
    it(`16 processes at once, ${rounds} round(s), on ${name}${how === '' ? '' : ` ${how}`}: exactly one network, and every process returns its id`, async (t) => {
      const engine = testEngine(name);
      for (let round = 1; round <= rounds; round++) {
        const network = uniqueName(`race${round}`);
        try {
          const { results, intruded } = await race(engine, network, 16, options, intruders);
          const failed = results.filter((r): r is { error: string; message: string } => 'error' in r);
          assert.deepEqual(failed, [], 'every process succeeded');
          const ok = results as EnsureNetworkResult[];
          const ids = new Set(ok.map((r) => r.id));
          assert.equal(ids.size, 1, `round ${round}: ids ${[...ids].join(', ')}`);
          const onEngine = await rawNetworksNamed(engine.host, network);
          assert.deepEqual(onEngine.map((n) => n.Id), [...ids], `round ${round}: networks on the engine`);
          // Every extra network (the foreign ones, at least) was removed by exactly one process, which said so.
          const removed = ok.flatMap((r) => r.removedDuplicates);
          assert.equal(new Set(removed).size, removed.length, 'no duplicate removed twice');
          for (const id of intruded) assert.ok(removed.includes(id) || ids.has(id), `foreign duplicate ${id.slice(0, 12)} neither won nor was removed`);
          const winnerWasForeign = intruded.some((id) => ids.has(id));
          t.diagnostic(`${name} round ${round}: ${intruded.length} foreign + ${removed.length - intruded.length + (winnerWasForeign ? 1 : 0)} aicli duplicate(s) removed; winner made by ${winnerWasForeign ? 'a foreign create' : 'aicli'}`);
          if (how === 'with the host lock') assert.equal(removed.length, 0, 'the host lock: no duplicate was made');
        } finally {
          await rawRemoveAll(engine.host, network);
        }
      }
    });
  }

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

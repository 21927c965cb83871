// The settle rule of converge.ts, on the one case a real engine shows only by chance: on
// Docker up to 24, a create that STARTED earlier (older Created) becomes visible LATER than
// the network a process already sees. A small fake engine plays that sequence on demand
// (the race tests in test/integration/network-race.test.ts meet it on a real engine, when
// timing allows).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerClient, defaultConfig } from '../../src/index.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aicli-converge-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NAME = 'aicli-network';
const rfc3339nano = (ms: number): string => new Date(ms).toISOString().replace('Z', '000000Z');

function network(id: string, createdMs: number): Record<string, unknown> {
  return { Name: NAME, Id: id, Created: rfc3339nano(createdMs), Scope: 'local', Driver: 'bridge', Internal: false, Attachable: true, IPAM: { Config: [] }, Labels: { 'aicli.managed': 'true' }, Containers: {} };
}

/** A Docker 20.10-like engine (API 1.41, duplicates allowed) whose list grows an older network late. */
async function fakeEngine(): Promise<{ host: string; requests: string[]; server: Server }> {
  const now = Date.now();
  const seen = network('b'.repeat(64), now - 100);
  const late = network('a'.repeat(64), now - 200); // started first, but not visible to the first look-up
  const requests: string[] = [];
  let lists = 0;
  let removed = false;
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(`${req.method ?? ''} ${url.replace(/\?.*/, '')}`);
    res.setHeader('Api-Version', '1.41');
    res.setHeader('Content-Type', 'application/json');
    if (url === '/_ping') return res.end('OK');
    if (req.method === 'GET' && url.startsWith('/v1.41/networks?')) {
      lists++;
      return res.end(JSON.stringify(removed ? [late] : [late, seen]));
    }
    // Two of one name: Docker answers 400 "ambiguous" by name; while only one is visible, 200.
    if (req.method === 'GET' && url === `/v1.41/networks/${NAME}`) {
      res.statusCode = lists === 0 ? 200 : 400;
      return res.end(JSON.stringify(lists === 0 ? seen : { message: `network ${NAME} is ambiguous (2 matches found on name)` }));
    }
    if (req.method === 'DELETE' && url === `/v1.41/networks/${String(seen['Id'])}`) {
      removed = true;
      res.statusCode = 204;
      return res.end();
    }
    res.statusCode = 404;
    return res.end(JSON.stringify({ message: 'not here' }));
  });
  const path = join(dir, `e${String(Math.random()).slice(2, 8)}.sock`);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { host: `unix://${path}`, requests, server };
}

describe('converge: a network that started earlier but shows up later still wins', () => {
  it('waits out the settle window, then returns the older one and removes the younger', async () => {
    const engine = await fakeEngine();
    try {
      await using client = await DockerClient.connect({ host: engine.host, env: {}, config: { ...defaultConfig(), networkName: NAME }, ensureNetwork: false });
      const started = performance.now();
      const result = await client.ensureNetwork({ settleMs: 1000 });
      assert.equal(result.id, 'a'.repeat(64), 'the older network wins, though it was seen second');
      assert.deepEqual(result.removedDuplicates, ['b'.repeat(64)]);
      assert.equal(result.created, false);
      assert.ok(performance.now() - started >= 900, 'it waited for the winner to settle');
      assert.ok(engine.requests.includes(`DELETE /v1.41/networks/${'b'.repeat(64)}`));
      assert.ok(!engine.requests.some((r) => r.startsWith('POST')), 'nothing was created');
    } finally {
      await new Promise((resolve) => engine.server.close(resolve));
    }
  });
});

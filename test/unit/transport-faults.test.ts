// Faults a real engine cannot be made to show: a socket that accepts and never answers,
// an answer cut off mid-body. Everything else is tested against real engines.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerAbortedError, DockerConnectionLostError, DockerNotAvailableError, DockerTimeoutError, ClientClosedError } from '../../src/errors.js';
import { DockerClient } from '../../src/index.js';
import { HttpTransport } from '../../src/transport/http-transport.js';

let dir: string;
const servers: Server[] = [];
const sockets = new Set<Socket>();

async function fakeEngine(name: string, onData: (s: Socket, hits: number) => void): Promise<{ path: string; hits: () => number }> {
  const path = join(dir, name);
  let hits = 0;
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.once('data', () => {
      hits++;
      onData(s, hits);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, hits: () => hits };
}

const retry = { retries: 2, minDelayMs: 10, maxDelayMs: 20 };

for (const httpClient of ['undici', 'node'] as const) describe(`transport faults (${httpClient})`, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aicli-fault-'));
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await rm(dir, { recursive: true, force: true });
  });

  it('a socket that accepts and never answers times out within 10% of the limit', async () => {
    const silent = await fakeEngine(`${httpClient}-silent.sock`, () => undefined);
    const limit = 1500;
    const started = performance.now();
    await assert.rejects(DockerClient.connect({ ensureNetwork: false, host: `unix://${silent.path}`, timeoutMs: limit, retry, env: {}, httpClient }), (e: unknown) => {
      const elapsed = performance.now() - started;
      assert.ok(e instanceof DockerTimeoutError, String(e));
      assert.ok(elapsed >= limit * 0.95 && elapsed <= limit * 1.1, `timed out after ${elapsed} ms, limit ${limit}`);
      assert.match(e.message, /did not answer GET \/_ping on unix:\/\/.*silent\.sock/);
      assert.equal(e.timeoutMs, limit);
      return true;
    });
    assert.equal(silent.hits(), 1, 'a time-out is not retried');
  });

  it('the ping of connect() is limited to 5 s even with a longer request time-out', async () => {
    const silent = await fakeEngine(`${httpClient}-silent5.sock`, () => undefined);
    const started = performance.now();
    await assert.rejects(DockerClient.connect({ ensureNetwork: false, host: `unix://${silent.path}`, timeoutMs: 60_000, env: {}, httpClient }), DockerTimeoutError);
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 4900 && elapsed <= 5500, `ping gave up after ${elapsed} ms`);
  });

  it('an answer cut off mid-body is retried for GET, then reported as a lost connection', async () => {
    const cut = await fakeEngine(`${httpClient}-cut.sock`, (s) => {
      s.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"Version":');
    });
    const t = new HttpTransport({ httpClient, endpoint: { kind: 'unix', url: `unix://${cut.path}`, socketPath: cut.path }, connectTimeoutMs: 1000, requestTimeoutMs: 5000, retry });
    try {
      await assert.rejects(t.request({ method: 'GET', path: '/v1.41/version' }), (e: unknown) => e instanceof DockerConnectionLostError && /GET \/v1\.41\/version/.test(e.message) && /tried 3 times/.test(e.message));
      assert.equal(cut.hits(), 3);
    } finally {
      await t.close();
    }
  });

  it('a create (POST) is never sent twice after the connection is lost', async () => {
    const cut = await fakeEngine(`${httpClient}-cut-post.sock`, (s) => s.destroy());
    const t = new HttpTransport({ httpClient, endpoint: { kind: 'unix', url: `unix://${cut.path}`, socketPath: cut.path }, connectTimeoutMs: 1000, requestTimeoutMs: 5000, retry });
    try {
      await assert.rejects(t.request({ method: 'POST', path: '/v1.41/networks/create', body: '{}' }), DockerConnectionLostError);
      assert.equal(cut.hits(), 1);
    } finally {
      await t.close();
    }
  });

  it('a refused connection is retried with backoff, then names the socket and what to do', async () => {
    const missing = join(dir, 'missing.sock');
    const t = new HttpTransport({ httpClient, endpoint: { kind: 'unix', url: `unix://${missing}`, socketPath: missing }, connectTimeoutMs: 1000, requestTimeoutMs: 5000, retry });
    try {
      await assert.rejects(t.request({ method: 'POST', path: '/v1.41/containers/create' }), (e: unknown) => e instanceof DockerNotAvailableError && e.message.includes(missing) && /tried 3 times/.test(e.message) && /Is the Docker daemon running\?/.test(e.message));
    } finally {
      await t.close();
    }
  });

  it("the caller's AbortSignal ends a hanging call at once with DockerAbortedError", async () => {
    const silent = await fakeEngine(`${httpClient}-silent-abort.sock`, () => undefined);
    const t = new HttpTransport({ httpClient, endpoint: { kind: 'unix', url: `unix://${silent.path}`, socketPath: silent.path }, connectTimeoutMs: 1000, requestTimeoutMs: 30_000, retry });
    const ac = new AbortController();
    const started = performance.now();
    setTimeout(() => { ac.abort(new Error('user pressed ctrl-c')); }, 100);
    try {
      await assert.rejects(t.request({ method: 'GET', path: '/_ping', signal: ac.signal }), (e: unknown) => e instanceof DockerAbortedError && (e.cause as Error).message === 'user pressed ctrl-c');
      assert.ok(performance.now() - started < 1000);
    } finally {
      await t.close();
    }
  });

  it('close() ends in-flight calls, is safe twice, and leaves no socket or timer', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const timersBefore = timers();
    const path = join(dir, 'silent-close.sock');
    const accepted: Socket[] = [];
    const server = createServer((s) => accepted.push(s));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const t = new HttpTransport({ httpClient, endpoint: { kind: 'unix', url: `unix://${path}`, socketPath: path }, connectTimeoutMs: 1000, requestTimeoutMs: 30_000, retry });
    const pending = t.request({ method: 'GET', path: '/_ping' });
    while (accepted.length === 0) await new Promise((r) => setTimeout(r, 5));
    const serverSide = accepted[0];
    assert.ok(serverSide !== undefined);
    // The server sees the client's end of the connection close: the client let it go.
    const released = new Promise<void>((resolve) => serverSide.once('close', () => { resolve(); }).resume());
    await t.close();
    await t.close();
    await assert.rejects(pending, ClientClosedError);
    await assert.rejects(t.request({ method: 'GET', path: '/_ping' }), ClientClosedError);
    let guard: NodeJS.Timeout | undefined;
    await Promise.race([released, new Promise((_, reject) => { guard = setTimeout(() => { reject(new Error('the client kept its socket open')); }, 1000); })]);
    clearTimeout(guard);
    assert.equal(accepted.length, 1, 'nothing was retried after close()');
    await new Promise((r) => server.close(r));
    assert.ok(timers() <= timersBefore, `timers left: ${timers() - timersBefore}`);
  });

});

// Faults a real engine cannot be made to show: a socket that accepts and never answers,
// an answer cut off mid-body. Everything else is tested against real engines.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerAbortedError, DockerConnectionLostError, DockerNotAvailableError, DockerTimeoutError, ClientClosedError, InvalidArgumentError, isDockerError } from '../../src/errors.js';
import { apiPath, DockerClient } from '../../src/index.js';
import { HttpTransport } from '../../src/transport/http-transport.js';

let dir: string;
const servers: { close(cb: () => void): unknown }[] = [];
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

/** An HTTP/1.1 engine stand-in (keep-alive like the real one) on a unix socket. */
async function httpEngine(name: string, handle: (req: IncomingMessage, res: ServerResponse) => void, path = join(dir, name)): Promise<{ path: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createHttpServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    handle(req, res);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, requests };
}

for (const httpClient of ['undici', 'node'] as const) describe(`transport faults (${httpClient})`, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aicli-fault-'));
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => { r(); }))));
    await rm(dir, { recursive: true, force: true });
  });

  it('a socket that accepts and never answers times out at the limit, naming what set it', async () => {
    const silent = await fakeEngine(`${httpClient}-silent.sock`, () => undefined);
    const limit = 1500;
    const started = performance.now();
    await assert.rejects(DockerClient.connect({ ensureNetwork: false, host: `unix://${silent.path}`, timeoutMs: limit, retry, env: {}, httpClient }), (e: unknown) => {
      const elapsed = performance.now() - started;
      assert.ok(e instanceof DockerTimeoutError, String(e));
      // Not before the limit; the upper bound only proves it did not hang (the machine is shared).
      assert.ok(elapsed >= limit * 0.95 && elapsed <= limit + 5000, `timed out after ${elapsed} ms, limit ${limit}`);
      assert.match(e.message, /^The Docker engine at unix:\/\/.*silent\.sock did not answer GET \/_ping within 1500ms \(set by the timeoutMs option\)\. .*raise the timeoutMs option\.$/);
      assert.equal(e.timeoutMs, limit);
      return true;
    });
    assert.equal(silent.hits(), 1, 'a time-out is not retried');
  });

  // Decided above the HTTP client (connect() and the Deadline): run once, on the library's default.
  if (httpClient === 'undici') it('the first ping: 5 s without a time-out set (also with timeoutMs 0), the time-out set when there is one', async () => {
    const silent = await fakeEngine(`${httpClient}-silent5.sock`, () => undefined);
    // Answers the ping after 5.5 s: too slow for aicli-docker's default, fine for a 10 s time-out.
    const slow = await httpEngine(`${httpClient}-slow.sock`, (req, res) => {
      setTimeout(() => { res.writeHead(200, { 'api-version': '1.41', 'content-type': 'text/plain' }).end('OK'); }, 5500);
    });
    const started = performance.now();
    const timed = (p: Promise<unknown>): Promise<{ ms: number; error: unknown }> =>
      p.then(
        () => ({ ms: performance.now() - started, error: undefined }),
        (error: unknown) => ({ ms: performance.now() - started, error }),
      );
    const guard = new Promise<never>((_, reject) => setTimeout(() => { reject(new Error('the first ping was not bounded')); }, 20_000).unref());
    const [byDefault, noLimit, explicit] = await Promise.race([
      Promise.all([
        timed(DockerClient.connect({ ensureNetwork: false, host: `unix://${silent.path}`, env: {}, httpClient })),
        timed(DockerClient.connect({ ensureNetwork: false, host: `unix://${silent.path}`, timeoutMs: 0, env: {}, httpClient })),
        timed(DockerClient.connect({ ensureNetwork: false, host: `unix://${slow.path}`, timeoutMs: 10_000, env: {}, httpClient }).then((c) => c.close())),
      ]),
      guard,
    ]);
    for (const r of [byDefault, noLimit]) {
      assert.ok(r.error instanceof DockerTimeoutError && r.error.phase === 'ping', String(r.error));
      assert.ok(r.ms >= 4900, `gave up after ${r.ms} ms`);
      assert.match(r.error.message, /within 5s \(aicli-docker's limit for the first ping, which a time-out you set replaces\)/);
    }
    assert.equal(explicit.error, undefined, String(explicit.error));
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

  it('a client that found its engine on a well-known socket retries a dropped GET like any other', async () => {
    const root = join(dir, `${httpClient}-root`);
    await mkdir(join(root, 'var', 'run'), { recursive: true });
    let versions = 0;
    const engine = await httpEngine('', (req, res) => {
      if (req.url === '/_ping') {
        res.writeHead(200, { 'api-version': '1.41', 'content-type': 'text/plain' }).end('OK');
      } else if (++versions === 1) {
        req.socket.destroy();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"Version":"20.10.99","ApiVersion":"1.41"}');
      }
    }, join(root, 'var', 'run', 'docker.sock'));
    await using client = await DockerClient.connect({ ensureNetwork: false, env: {}, homeDir: join(dir, 'nohome'), fsRoot: root, retry, httpClient });
    assert.equal(client.endpoint.source, 'default socket');
    assert.equal((await client.version()).version, '20.10.99');
    assert.deepEqual(engine.requests, ['GET /_ping', 'GET /v1.41/version', 'GET /v1.41/version']);
  });

  it("an error answer to a stream call is read within the time-out, not for ever", async () => {
    const stalled = await httpEngine(`${httpClient}-stall.sock`, (req, res) => {
      if (req.url === '/_ping') {
        res.writeHead(200, { 'api-version': '1.41', 'content-type': 'text/plain' }).end('OK');
        return;
      }
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"message":');
    });
    await using client = await DockerClient.connect({ ensureNetwork: false, host: `unix://${stalled.path}`, env: {}, retry, httpClient });
    const guard = new Promise<never>((_, reject) => setTimeout(() => { reject(new Error('the error body was read without a time-out')); }, 10_000).unref());
    await assert.rejects(
      Promise.race([client.api.stream({ method: 'GET', path: apiPath`/events`, timeoutMs: 500 }), guard]),
      (e: unknown) => e instanceof DockerTimeoutError && /within 500ms \(set by the call's timeoutMs option\)/.test(e.message),
    );
  });

  it('a time-out longer than a Node timer can hold is capped, not turned into an instant one', async () => {
    const slowish = await httpEngine(`${httpClient}-slowish.sock`, (req, res) => {
      setTimeout(() => { res.writeHead(200, { 'api-version': '1.41', 'content-type': 'application/json' }).end('{}'); }, 200);
    });
    for (const timeoutMs of [2 ** 31, 1e12, Number.MAX_SAFE_INTEGER]) {
      await using client = await DockerClient.connect({ ensureNetwork: false, host: `unix://${slowish.path}`, timeoutMs, connectTimeoutMs: timeoutMs, env: {}, httpClient });
      assert.deepEqual(await client.api.json({ method: 'GET', path: apiPath`/info`, timeoutMs }), {});
    }
    for (const timeoutMs of [-1, Number.NaN, Infinity]) {
      await assert.rejects(DockerClient.connect({ ensureNetwork: false, host: `unix://${slowish.path}`, timeoutMs, env: {}, httpClient }), (e: unknown) => e instanceof InvalidArgumentError && /timeoutMs/.test(e.message));
    }
  });

});

describe('an ssh that goes away while the request is written', () => {
  // A stand-in for ssh (the real one's refusal cannot be timed): it closes its stdin at once,
  // so the request's body meets EPIPE, and only then says why, in ssh's words, and exits.
  const endpoint = { kind: 'ssh', url: 'ssh://u@ssh.invalid', user: 'u', hostname: 'ssh.invalid', port: undefined } as const;
  const later = (text: string): Readable => Readable.from((async function* body() {
    await new Promise((r) => setTimeout(r, 150));
    yield text;
  })());

  it("reports ssh's own words, not the broken pipe, and sends nothing again", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aicli-ssh-fault-'));
    const runs = join(dir, 'runs');
    const script = `echo run >> ${runs}; exec 0<&-; sleep 0.4; echo 'ssh: connect to host ssh.invalid port 22: Connection refused' >&2; exit 255`;
    const t = new HttpTransport({ endpoint, connectTimeoutMs: 5000, requestTimeoutMs: 10_000, sshCommand: ['sh', '-c', script, 'ssh'], retry });
    try {
      await assert.rejects(
        t.request({ method: 'POST', path: '/v1.41/volumes/create', headers: { 'content-type': 'application/json' }, body: later('{"Name":"x"}') }),
        (e: unknown) => isDockerError(e) && /ssh exited with code 255: ssh: connect to host ssh\.invalid port 22: Connection refused/.test(e.message) && !/EPIPE/.test(e.message),
      );
      assert.equal((await readFile(runs, 'utf8')).trim().split('\n').length, 1, 'ssh was started once: the body was already read');
    } finally {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an ssh that closes its input and never exits: the write fails within seconds, and close() ends it', async () => {
    const marker = `31.${process.pid}`;
    const t = new HttpTransport({ endpoint, connectTimeoutMs: 5000, requestTimeoutMs: 30_000, sshCommand: ['sh', '-c', `exec sleep ${marker} <&-`, 'ssh'], retry: { ...retry, retries: 0 } });
    const started = performance.now();
    try {
      await assert.rejects(t.request({ method: 'POST', path: '/v1.41/volumes/create', body: later('{}') }), (e: unknown) => isDockerError(e) && /EPIPE/.test(e.message));
      assert.ok(performance.now() - started < 5000, `failed after ${Math.round(performance.now() - started)} ms`);
    } finally {
      await t.close();
    }
    const alive = (): boolean => readdirSync('/proc').some((p) => /^\d+$/.test(p) && (() => { try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker); } catch { return false; } })());
    for (const end = Date.now() + 3000; alive() && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(), false, 'the ssh process was ended');
  });
});

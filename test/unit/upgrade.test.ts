// Hijacked connections (exec, attach) against fake engines, for what a real engine cannot be
// made to show: a 200 answer instead of 101 (old engines, proxies), an answer that never
// comes, an error body sent in chunks. Both HTTP clients take the same path.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClientClosedError, DockerAbortedError, DockerConnectionLostError, DockerNotFoundError, DockerTimeoutError } from '../../src/errors.js';
import { EngineApi } from '../../src/engine/engine-api.js';
import { apiPath } from '../../src/engine/path.js';
import { HttpTransport } from '../../src/transport/http-transport.js';

let dir: string;
const servers: Server[] = [];
const sockets = new Set<Socket>();

/** A fake engine: `onRequest` gets the socket and the request head once it has arrived. */
async function fake(name: string, onRequest: (s: Socket, head: string) => void): Promise<{ path: string; hits: () => number }> {
  const path = join(dir, name);
  let hits = 0;
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.removeListener('data', onData);
      hits++;
      onRequest(s, buf.slice(0, end));
    };
    s.on('data', onData);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, hits: () => hits };
}

const retry = { retries: 2, minDelayMs: 10, maxDelayMs: 20 };
const read = (s: NodeJS.ReadableStream): Promise<string> =>
  new Promise((resolve, reject) => {
    let t = '';
    s.on('data', (d: Buffer) => { t += d.toString(); });
    s.once('end', () => { resolve(t); });
    s.once('error', reject);
  });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aicli-upgrade-'));
});
after(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await rm(dir, { recursive: true, force: true });
});

for (const httpClient of ['undici', 'node'] as const) {
  describe(`upgrade() (${httpClient})`, () => {
    const transport = (path: string, requestTimeoutMs = 5000): HttpTransport => new HttpTransport({ httpClient, endpoint: { kind: 'unix', url: `unix://${path}`, socketPath: path }, connectTimeoutMs: 1000, requestTimeoutMs, retry });

    it('101: asks with Connection: Upgrade / Upgrade: tcp, then a raw duplex; end() is a half-close', async () => {
      let head = '';
      let sawEnd = false;
      const f = await fake(`${httpClient}-101.sock`, (s, h) => {
        head = h;
        s.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nhello ');
        s.on('data', (d: Buffer) => s.write(d));
        s.on('end', () => {
          sawEnd = true;
          s.end(' bye');
        });
      });
      const t = transport(f.path);
      try {
        const r = await t.upgrade({ method: 'POST', path: '/v1.41/exec/x/start', body: '{"Detach":false}', headers: { 'content-type': 'application/json' } });
        assert.ok(r.upgraded);
        assert.equal(r.statusCode, 101);
        assert.match(head, /^POST \/v1\.41\/exec\/x\/start HTTP\/1\.1\r\n/);
        assert.match(head, /\r\nConnection: Upgrade\r\n/i);
        assert.match(head, /\r\nUpgrade: tcp\r\n/i);
        const text = read(r.socket);
        r.socket.end('stdin data');
        assert.equal(await text, 'hello stdin data bye');
        assert.ok(sawEnd, 'the engine saw EOF on stdin');
      } finally {
        await t.close();
      }
    });

    it('200 (old engines, some proxies): the same raw stream', async () => {
      const f = await fake(`${httpClient}-200.sock`, (s) => {
        s.end('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nraw output');
      });
      const t = transport(f.path);
      try {
        const r = await t.upgrade({ method: 'POST', path: '/x', body: '{}' });
        assert.ok(r.upgraded);
        assert.equal(r.statusCode, 200);
        assert.equal(await read(r.socket), 'raw output');
      } finally {
        await t.close();
      }
    });

    it('an error answer (chunked) becomes the typed error of the engine layer', async () => {
      const f = await fake(`${httpClient}-404.sock`, (s) => {
        s.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{"message":"no s\r\nc\r\nuch exec"}\n\r\n0\r\n\r\n');
      });
      const t = transport(f.path);
      try {
        await assert.rejects(new EngineApi(t, '1.41').upgrade({ method: 'POST', path: apiPath`/exec/x/start`, json: {}, resource: 'exec' }), (e: unknown) => e instanceof DockerNotFoundError && e.daemonMessage === 'no such exec' && e.resource === 'exec');
      } finally {
        await t.close();
      }
    });

    it('no answer: a time-out, and the request is not sent again', async () => {
      const f = await fake(`${httpClient}-silent.sock`, () => undefined);
      const t = transport(f.path, 300);
      try {
        await assert.rejects(t.upgrade({ method: 'POST', path: '/x', body: '{}' }), DockerTimeoutError);
        assert.equal(f.hits(), 1);
      } finally {
        await t.close();
      }
    });

    it('a connection cut before the answer is lost, never retried (an exec start must not run twice)', async () => {
      const f = await fake(`${httpClient}-cut.sock`, (s) => s.destroy());
      const t = transport(f.path);
      try {
        await assert.rejects(t.upgrade({ method: 'POST', path: '/x', body: '{}' }), DockerConnectionLostError);
        assert.equal(f.hits(), 1);
      } finally {
        await t.close();
      }
    });

    it('after the answer the time-out is over: a quiet stream stays open; the caller\'s abort and close() end it', async () => {
      const f = await fake(`${httpClient}-quiet.sock`, (s) => {
        s.write('HTTP/1.1 101 UPGRADED\r\n\r\n');
        setTimeout(() => s.write('late'), 600);
      });
      const t = transport(f.path, 200);
      try {
        const ac = new AbortController();
        const r = await t.upgrade({ method: 'POST', path: '/x', body: '{}', signal: ac.signal });
        assert.ok(r.upgraded);
        const first = await new Promise<string>((resolve) => r.socket.once('data', (d: Buffer) => { resolve(d.toString()); }));
        assert.equal(first, 'late');
        const failed = new Promise<unknown>((resolve) => r.socket.once('error', resolve));
        ac.abort(new Error('stop'));
        assert.ok((await failed) instanceof DockerAbortedError);
        const r2 = await t.upgrade({ method: 'POST', path: '/x', body: '{}' });
        assert.ok(r2.upgraded);
        const closed = new Promise<unknown>((resolve) => r2.socket.once('error', resolve));
        await t.close();
        assert.ok((await closed) instanceof ClientClosedError);
        assert.ok(r2.socket.destroyed);
      } finally {
        await t.close();
      }
    });
  });
}

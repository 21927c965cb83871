// A hijacked connection (exec start, attach): `Connection: Upgrade`, `Upgrade: tcp`, then
// the engine answers 101 (or 200, as old engines and some proxies do) and the socket becomes
// a raw duplex: stdin one way, the process's output the other.
//
// Both HTTP clients take this same path, on a socket of its own: a hijacked socket never
// goes back to a pool, so pooling gives nothing, and owning the socket lets it read with
// large buffers (`onread` into a slab: one read takes whatever the engine has queued,
// handed on without a copy), and accept a 101 or a 200 alike (undici's upgrade API refuses
// a 200). unix, tcp, TLS and ssh:// (an SshSocket) all give a Duplex here.
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { tlsSocketOptions } from './tls.js';
import { CONNECT_TIMEOUT_CODE, type ExchangeOptions, type ExchangeRequest, type ExchangeUpgrade, type Headers } from './exchange.js';

const SLAB = 1 << 20;
const MIN_READ = 64 * 1024;
const MAX_HEAD = 64 * 1024;

/**
 * Reads into slabs: each read gets the free tail of the current slab and its bytes are handed
 * on as a view (never copied, never reused); a fresh slab comes when less than 64 KiB is
 * left. Slabs start at 128 KiB and double up to 1 MiB: a 214 MB exec output takes ~4,000
 * reads instead of ~16,000 64 KiB ones, while an exec of `true` does not make the garbage
 * collector free a whole MiB.
 */
function slabReader(deliver: (chunk: Buffer) => void): { buffer: () => Buffer; callback: (n: number, buf: Buffer) => boolean } {
  let size = 2 * MIN_READ;
  let slab = Buffer.allocUnsafe(size);
  let offset = 0;
  return {
    buffer: () => {
      if (slab.length - offset < MIN_READ) {
        size = Math.min(size * 2, SLAB);
        slab = Buffer.allocUnsafe(size);
        offset = 0;
      }
      return slab.subarray(offset);
    },
    callback: (n, buf) => {
      const chunk = buf.subarray(0, n);
      offset += n;
      deliver(chunk);
      return true;
    },
  };
}

/** The raw connection after the answer: a Duplex over the socket, fed by the slab reader. */
class HijackedSocket extends Duplex {
  readonly #socket: Duplex;
  constructor(socket: Duplex) {
    // The socket already buffers; a second buffer of 1 MiB here would only add latency to
    // backpressure (the exec layer pauses the socket when a sink is full).
    super({ readableHighWaterMark: SLAB, allowHalfOpen: true });
    this.#socket = socket;
  }
  /** Called by the reader with each chunk; pauses the socket when the reader is full. */
  feed(chunk: Buffer): void {
    if (!this.push(chunk)) this.#socket.pause();
  }
  override _read(): void {
    this.#socket.resume();
  }
  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    // The engine closed the connection (the process ended): what is left to write is moot.
    if (this.#socket.destroyed) callback();
    else this.#socket.write(chunk, encoding, callback);
  }
  override _final(callback: (err?: Error | null) => void): void {
    // Half-close: the engine passes EOF on to the process's stdin and keeps sending output.
    if (this.#socket.destroyed || this.#socket.writableEnded) callback();
    else this.#socket.end(() => { callback(); });
  }
  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.#socket.destroy();
    callback(err);
  }
}

function hostHeader(options: ExchangeOptions): string {
  const ep = options.endpoint;
  if (ep.kind === 'tcp') return `${ep.hostname.includes(':') ? `[${ep.hostname}]` : ep.hostname}:${ep.port}`;
  return ep.kind === 'ssh' ? ep.hostname : 'localhost';
}

/** A new connection to the engine; `deliver` receives every byte read. */
async function openSocket(options: ExchangeOptions, deliver: (chunk: Buffer) => void): Promise<Duplex> {
  const ep = options.endpoint;
  if (ep.kind === 'ssh') {
    const { SshSocket, sshArgs } = await import('./ssh-socket.js');
    const s = new SshSocket(options.sshCommand, sshArgs(ep, options.connectTimeoutMs));
    s.on('data', deliver);
    return s;
  }
  if (ep.kind === 'tcp' && ep.tls) {
    const tls = await import('node:tls');
    const isIp = ep.hostname.includes(':') || /^[\d.]+$/.test(ep.hostname);
    const s = tls.connect({ host: ep.hostname, port: ep.port, ...(isIp ? {} : { servername: ep.hostname }), ...tlsSocketOptions(options.tls) });
    s.on('data', deliver);
    return s;
  }
  const onread = slabReader(deliver);
  return ep.kind === 'unix' ? netConnect({ path: ep.socketPath, onread }) : netConnect({ host: ep.hostname, port: ep.port, onread });
}

interface ParsedHead {
  readonly statusCode: number;
  readonly headers: Headers;
}

function parseHead(text: string): ParsedHead {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (status === null) throw Object.assign(new Error(`not an HTTP answer: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`), { code: 'EPROTO' });
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { statusCode: Number(status[1]), headers };
}

/** The body of a non-upgrade answer: Content-Length, chunked, or until the engine closes. */
function bodyComplete(head: ParsedHead, body: Buffer): Buffer | undefined {
  const length = head.headers['content-length'];
  if (typeof length === 'string') {
    const n = Number(length);
    return body.length >= n ? body.subarray(0, n) : undefined;
  }
  if (head.headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = body.indexOf('\r\n', at);
      if (eol < 0) return undefined;
      const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
      if (!Number.isFinite(size)) return Buffer.concat(parts);
      if (size === 0) return Buffer.concat(parts);
      if (body.length < eol + 2 + size + 2) return undefined;
      parts.push(body.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
  return head.statusCode === 204 || head.statusCode === 304 ? Buffer.alloc(0) : undefined;
}

/** What has arrived on a connection before its answer is complete. */
class Incoming {
  chunks: Buffer[] = [];
  bytes = 0;
  failure: Error | undefined = undefined;
  /** The engine ended its side ('end'), or the socket closed ('close'). */
  gotEnd = false;
  closed = false;
  #wake: (() => void) | undefined;

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.#wake?.();
  }
  fail(err: Error): void {
    this.failure ??= err;
    this.#wake?.();
  }
  end(): void {
    this.gotEnd = true;
    this.closed = true;
    this.#wake?.();
  }
  close(): void {
    this.closed = true;
    this.#wake?.();
  }
  /** All bytes so far as one buffer. */
  joined(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }
  /** Waits until `done()` holds, the connection fails, or it closes. */
  async until(done: () => boolean): Promise<void> {
    while (!done() && this.failure === undefined && !this.closed) await new Promise<void>((resolve) => { this.#wake = resolve; });
    this.#wake = undefined;
  }
}

function protocolError(message: string, code = 'EPROTO'): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Sends one upgrade request on a new connection and waits for the answer. The request's
 * Deadline aborts it until then; after a 101/200 the caller owns the socket (http-transport.ts
 * keeps following the caller's signal). Never retried: an exec start must not run twice.
 */
export async function openUpgrade(options: ExchangeOptions, req: ExchangeRequest): Promise<ExchangeUpgrade> {
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(req.body) ? req.body : typeof req.body === 'string' ? Buffer.from(req.body) : undefined;
  if (body === undefined) throw new TypeError('an upgrade request body must be a string or a Buffer');
  const incoming = new Incoming();
  let hijacked: HijackedSocket | undefined;
  const socket = await openSocket(options, (chunk) => {
    if (hijacked === undefined) incoming.add(chunk);
    else hijacked.feed(chunk);
  });
  const onError = (err: Error): void => { incoming.fail(err); };
  const onEnd = (): void => { incoming.end(); };
  const onClose = (): void => { incoming.close(); };
  socket.on('error', onError);
  socket.on('end', onEnd);
  socket.on('close', onClose);
  const onAbort = (): void => {
    socket.destroy();
    incoming.fail(req.signal.reason instanceof Error ? req.signal.reason : new Error('aborted'));
  };
  req.signal.once('abort', onAbort);
  // ssh has its own ConnectTimeout; sockets and TLS get ours.
  const connecting = 'connecting' in socket && socket.connecting === true;
  const connectTimer = connecting
    ? setTimeout(() => {
        socket.destroy();
        incoming.fail(protocolError(`connect timed out after ${options.connectTimeoutMs} ms`, CONNECT_TIMEOUT_CODE));
      }, options.connectTimeoutMs)
    : undefined;
  socket.once('connect', () => { clearTimeout(connectTimer); });
  try {
    const lines = [`${req.method} ${req.path} HTTP/1.1`, `Host: ${hostHeader(options)}`, 'Connection: Upgrade', 'Upgrade: tcp', `Content-Length: ${body.length}`];
    for (const [k, v] of Object.entries(req.headers ?? {})) lines.push(`${k}: ${v}`);
    socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body]));

    let headEnd = -1;
    await incoming.until(() => {
      headEnd = incoming.joined().indexOf('\r\n\r\n');
      return headEnd >= 0 || incoming.bytes > MAX_HEAD;
    });
    if (headEnd < 0) {
      if (incoming.failure !== undefined) throw incoming.failure;
      throw incoming.bytes > MAX_HEAD ? protocolError(`the answer's headers exceed ${MAX_HEAD} bytes`) : protocolError('the connection closed before the engine answered', 'ECONNRESET');
    }
    const all = incoming.joined();
    const head = parseHead(all.subarray(0, headEnd).toString('latin1'));
    const rest = all.subarray(headEnd + 4);

    if (head.statusCode === 101 || head.statusCode === 200) {
      const h = new HijackedSocket(socket);
      hijacked = h;
      socket.removeListener('end', onEnd);
      socket.removeListener('close', onClose);
      socket.removeListener('error', onError);
      let eof = false;
      const finish = (): void => {
        if (eof) return;
        eof = true;
        h.push(null);
      };
      const cut = (): Error => protocolError('the connection closed in the middle of the stream', 'ECONNRESET');
      socket.on('end', finish);
      socket.on('error', (err) => h.destroy(err));
      socket.on('close', () => {
        if (h.destroyed) return;
        // A close without an end is a cut connection, not the end of the output.
        if (!eof) h.destroy(cut());
        // Closed after the end: once the reader has the rest, the duplex closes too.
        else if (!h.writableEnded) h.end();
      });
      if (rest.length > 0) h.feed(rest);
      if (incoming.gotEnd) finish();
      else if (incoming.closed) h.destroy(cut());
      return { upgraded: true, statusCode: head.statusCode, headers: head.headers, socket: h };
    }
    // An error answer: read its body, then let the connection go.
    incoming.chunks = [rest];
    let answer: Buffer | undefined;
    await incoming.until(() => {
      answer = bodyComplete(head, incoming.joined());
      return answer !== undefined;
    });
    answer ??= bodyComplete(head, incoming.joined());
    if (answer === undefined && incoming.failure !== undefined) throw incoming.failure;
    socket.destroy();
    return { upgraded: false, statusCode: head.statusCode, headers: head.headers, body: answer ?? incoming.joined() };
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    clearTimeout(connectTimer);
    req.signal.removeListener('abort', onAbort);
  }
}

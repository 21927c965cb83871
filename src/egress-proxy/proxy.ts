/**
 * The egress gateway's proxy: CONNECT tunnels and absolute-form HTTP requests, and
 * nothing else. Per request, in this order:
 *   1. the port and the exact name are checked against the allowlist, from the text alone
 *      (IP literals never match), so a refused name is never looked up;
 *   2. the name is resolved here (A records only: IPv6 is refused);
 *   3. every address is checked against the refused ranges;
 *   4. the connection goes to an address that was checked: sockets get a lookup function
 *      that refuses, so nothing can resolve the name a second time.
 * Each request gives one JSON decision line. Anything unexpected closes the sockets.
 */
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { allowEntries, matchHost, type Allowlist } from './allowlist.js';
import { refusedBy, type Cidr } from './addresses.js';

export interface Decision {
  readonly time: string;
  readonly decision: 'allow' | 'deny' | 'error';
  /** Why a request was refused or failed: not-allowed, port, ip-literal, bad-name, bad-request, address, resolve-failed, connect-failed. */
  readonly reason?: string;
  readonly method: string;
  readonly host: string;
  readonly port: number;
  /** The address connected to (allow) or refused (deny, reason `address`). */
  readonly address?: string;
  /** For reason `address`: the range that refused it. */
  readonly range?: string;
  /** For resolve-failed and connect-failed: the error code. */
  readonly detail?: string;
  /** The workspace side of the request. */
  readonly client: string;
}

export interface ProxyOptions {
  readonly allow: Allowlist;
  /** Refused ranges besides the fixed ones: the engine host and the workspace side. */
  readonly deny: readonly Cidr[];
  /** The workspace's name, for the refusal text. */
  readonly workspace: string;
  /** A records for a name (called only for names the allowlist allows). */
  readonly resolve4: (host: string) => Promise<string[]>;
  readonly log: (decision: Decision) => void;
  readonly connectTimeoutMs?: number;
}

/** Hop-by-hop headers (RFC 9110 7.6.1) and the proxy's own: never forwarded. */
const HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/** A lookup that always fails: handed to every outgoing socket, so no second resolution can happen. */
const noLookup = (hostname: string, _options: unknown, callback: (err: Error) => void): void => {
  callback(Object.assign(new Error(`the egress gateway connects only to checked addresses, not to names (${hostname})`), { code: 'ENOLOOKUP' }));
};

/** Printable, bounded: a requested name goes into a text answer. */
function shown(text: string): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 97)}...` : clean;
}

type Target = { readonly host: string; readonly port: number } | { readonly problem: string };

/** `host:port` of a CONNECT request. */
export function parseAuthority(authority: string): Target {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    const port = Number(authority.slice(end + 2));
    return { host: authority.slice(0, end + 1), port: Number.isInteger(port) ? port : 0 };
  }
  const colon = authority.lastIndexOf(':');
  if (colon <= 0) return { problem: 'CONNECT needs HOST:PORT' };
  const portText = authority.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portText)) return { problem: 'CONNECT needs HOST:PORT' };
  return { host: authority.slice(0, colon), port: Number(portText) };
}

/** `http://host[:port]/path` of a proxied request; https and origin-form requests are refused. */
export function parseAbsolute(url: string): { readonly host: string; readonly port: number; readonly path: string } | { readonly problem: string } {
  if (!/^http:\/\//i.test(url)) {
    return /^https:\/\//i.test(url)
      ? { problem: 'https:// URLs go through CONNECT (set HTTPS_PROXY); this gateway does not inspect TLS' }
      : { problem: 'this is aicli\'s egress gateway: use it as an HTTP proxy (HTTP_PROXY / HTTPS_PROXY), with absolute URLs or CONNECT' };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: 'the request URL does not parse' };
  }
  if (parsed.username !== '' || parsed.password !== '') return { problem: 'URLs with credentials are refused' };
  const port = parsed.port === '' ? 80 : Number(parsed.port);
  return { host: parsed.hostname, port, path: `${parsed.pathname}${parsed.search}` };
}

/**
 * Bytes read at once from an upstream, per tunnel: libuv's own read size to begin with,
 * growing (never shrinking: that would make garbage at every turn) while reads fill the
 * buffer. A bulk download then takes fewer, larger reads and writes. Measured here with
 * one 100 MB transfer (gateway CPU per GB, peak anonymous RSS): 64 KiB fixed 1.04 s and
 * 7.7 MiB; up to 256 KiB 0.80 s and 8.7 MiB; up to 1 MiB 0.44-0.54 s but 13.5-15 MiB,
 * too near the 16 MiB budget with a second busy tunnel.
 */
export const PUMP_MIN = 64 * 1024;
export const PUMP_MAX = 256 * 1024;

/** An `onread` for a socket whose data goes to `sink`: a reused buffer, reading paused until a pending write drains. */
function pumpInto(sink: Duplex, source: () => net.Socket): net.OnReadOpts {
  let buffer = Buffer.allocUnsafe(PUMP_MIN);
  return {
    // Asked for before each read; a read only happens while no write is pending.
    buffer: () => buffer,
    callback(n: number, chunk: Uint8Array): boolean {
      sink.write(chunk.subarray(0, n));
      // A queued write keeps pointing into `chunk`: a new buffer leaves it be, and the old one stays unread until drain.
      if (n === buffer.length && buffer.length < PUMP_MAX) buffer = Buffer.allocUnsafe(buffer.length * 4);
      // Written at once (the usual case): the buffer is free for the next read.
      if (sink.writableLength === 0) return true;
      // Queued: nothing is read until it drains.
      sink.once('drain', () => source().resume());
      return false;
    },
  };
}

export function createProxy(options: ProxyOptions): http.Server {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const allowed = allowEntries(options.allow);
  const ports = [...options.allow.ports].sort((a, b) => a - b);

  const record = (method: string, host: string, port: number, client: string, rest: Omit<Decision, 'time' | 'method' | 'host' | 'port' | 'client'>): void => {
    options.log({ time: new Date().toISOString(), ...rest, method, host: shown(host), port, client });
  };

  const refusal = (method: string, host: string, port: number, reason: string, extra = ''): string => {
    const name = shown(host);
    const what = `aicli egress gateway: refused ${method} ${name}:${port} for workspace "${options.workspace}"`;
    const now = `Allowed now: ${allowed.length === 0 ? '(nothing)' : allowed.join(', ')} on ports ${ports.join(', ')}.`;
    switch (reason) {
      case 'not-allowed':
        return `${what}: ${name} is not on its egress allowlist.\nTo allow it: aicli-docker workspace egress ${options.workspace} --allow ${[...allowed, name].join(',')}\n(or add it to egress_allow). ${now}\n`;
      case 'port':
        return `${what}: port ${port} is not allowed.\nTo allow it, add ${port} to egress_ports and re-create the workspace. ${now}\n`;
      case 'ip-literal':
        return `${what}: ${name} is an IP address; the egress allowlist matches host names only.\nConnect by the host's name, and allow that name: aicli-docker workspace egress ${options.workspace} --allow ${[...allowed, 'NAME'].join(',')}\n`;
      case 'address':
        return `${what}: ${name} resolves to ${extra}. The gateway never connects to loopback, link-local, CGNAT, multicast or reserved addresses, IPv6, the engine host or the workspace side, whatever the name.\n`;
      default:
        return `${what}: ${extra}\n`;
    }
  };

  /** Steps 1-3; resolves to the checked addresses or a refusal already answered. */
  const decide = async (
    method: string,
    host: string,
    port: number,
    client: string,
    refuse: (status: number, text: string) => void,
  ): Promise<{ name: string; addresses: string[] } | undefined> => {
    const match = matchHost(options.allow, host, port);
    if (!match.ok) {
      record(method, host, port, client, { decision: 'deny', reason: match.reason });
      refuse(match.reason === 'bad-name' ? 400 : 403, refusal(method, host, port, match.reason, match.reason === 'bad-name' ? `${JSON.stringify(shown(host))} is not a host name` : ''));
      return undefined;
    }
    let addresses: string[];
    try {
      addresses = await options.resolve4(match.host);
      if (addresses.length === 0) throw Object.assign(new Error('no A record'), { code: 'ENODATA' });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      const why = typeof code === 'string' ? code : 'lookup failed';
      record(method, match.host, port, client, { decision: 'error', reason: 'resolve-failed', detail: why });
      refuse(502, refusal(method, match.host, port, 'resolve-failed', `${match.host} could not be resolved (${why}).`));
      return undefined;
    }
    for (const address of addresses) {
      const range = refusedBy(address, options.deny);
      if (range !== undefined) {
        record(method, match.host, port, client, { decision: 'deny', reason: 'address', address, range });
        refuse(403, refusal(method, match.host, port, 'address', `${address} (${range})`));
        return undefined;
      }
    }
    return { name: match.host, addresses };
  };

  /** Step 4: the first checked address that accepts, tried in order. */
  /**
   * Step 4: the first checked address that accepts, tried in order. With a `sink` (a
   * tunnel), what the upstream sends is read into one buffer per tunnel and written
   * straight to the sink, reading paused while a write is pending: no allocation per
   * chunk, so the gateway's memory stays flat under load.
   */
  const connectChecked = (
    addresses: readonly string[],
    port: number,
    done: (err: Error | undefined, socket?: net.Socket, address?: string) => void,
    sink?: Duplex,
  ): (() => void) => {
    let current: net.Socket | undefined;
    let cancelled = false;
    const attempt = (i: number, lastErr?: Error): void => {
      const address = addresses[i];
      if (cancelled) return;
      if (address === undefined) {
        done(lastErr ?? new Error('no address'));
        return;
      }
      const socket: net.Socket = net.connect({
        host: address,
        port,
        family: 4,
        lookup: noLookup as unknown as net.LookupFunction,
        ...(sink === undefined ? {} : { onread: pumpInto(sink, () => socket) }),
      });
      current = socket;
      socket.setTimeout(connectTimeoutMs, () => socket.destroy(Object.assign(new Error(`connect to ${address}:${port} timed out`), { code: 'ETIMEDOUT' })));
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.removeAllListeners('error');
        done(undefined, socket, address);
      });
      socket.once('error', (err) => {
        socket.destroy();
        attempt(i + 1, err);
      });
    };
    attempt(0);
    return () => {
      cancelled = true;
      current?.destroy();
    };
  };

  const server = http.createServer({ requireHostHeader: false });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  // A client may send its request and half-close (nc does): answer it before closing,
  // rather than drop the answer (node:http's default for a server).
  (server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;

  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    const from = req.socket.remoteAddress ?? '?';
    client.on('error', () => client.destroy());
    const answer = (status: number, text: string): void => {
      client.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
    };
    const target = parseAuthority(req.url ?? '');
    if ('problem' in target) {
      record('CONNECT', req.url ?? '', 0, from, { decision: 'deny', reason: 'bad-request' });
      answer(400, `aicli egress gateway: ${target.problem}.\n`);
      return;
    }
    void decide('CONNECT', target.host, target.port, from, answer).then((ok) => {
      if (ok === undefined || client.destroyed) return;
      const cancel = connectChecked(ok.addresses, target.port, (err, upstream, address) => {
        if (err !== undefined || upstream === undefined) {
          const code = (err as { code?: unknown } | undefined)?.code;
          record('CONNECT', ok.name, target.port, from, { decision: 'error', reason: 'connect-failed', ...(typeof code === 'string' ? { detail: code } : {}) });
          answer(502, `aicli egress gateway: ${ok.name}:${target.port} is allowed, but the connection failed (${err?.message ?? 'unknown'}).\n`);
          return;
        }
        if (client.destroyed) {
          upstream.destroy();
          return;
        }
        record('CONNECT', ok.name, target.port, from, { decision: 'allow', ...(address === undefined ? {} : { address }) });
        upstream.setNoDelay(true);
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.once('end', () => client.end());
        client.pipe(upstream);
      }, client);
      client.once('close', cancel);
    });
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const from = req.socket.remoteAddress ?? '?';
    const method = req.method ?? 'GET';
    const answer = (status: number, text: string): void => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), connection: 'close' });
      res.end(text);
      req.resume();
    };
    const target = parseAbsolute(req.url ?? '');
    if ('problem' in target) {
      record(method, req.url ?? '', 0, from, { decision: 'deny', reason: 'bad-request' });
      answer(400, `aicli egress gateway: ${target.problem}.\n`);
      return;
    }
    void decide(method, target.host, target.port, from, answer).then((ok) => {
      if (ok === undefined) return;
      const headers: string[] = [];
      const raw = req.rawHeaders;
      const named = new Set((req.headers.connection ?? '').split(',').map((s) => s.trim().toLowerCase()));
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const key = raw[i] ?? '';
        const lower = key.toLowerCase();
        if (!HOP.has(lower) && !named.has(lower)) headers.push(key, raw[i + 1] ?? '');
      }
      // The Host header names what was checked, never what the client wrote: no fronting.
      headers.push('Host', target.port === 80 ? ok.name : `${ok.name}:${target.port}`, 'Connection', 'close');
      const cancel = connectChecked(ok.addresses, target.port, (err, upstream, address) => {
        if (err !== undefined || upstream === undefined) {
          const code = (err as { code?: unknown } | undefined)?.code;
          record(method, ok.name, target.port, from, { decision: 'error', reason: 'connect-failed', ...(typeof code === 'string' ? { detail: code } : {}) });
          answer(502, `aicli egress gateway: ${ok.name}:${target.port} is allowed, but the connection failed (${err?.message ?? 'unknown'}).\n`);
          return;
        }
        record(method, ok.name, target.port, from, { decision: 'allow', ...(address === undefined ? {} : { address }) });
        const out = http.request({
          createConnection: () => upstream,
          method,
          path: target.path,
          headers,
          setHost: false,
        });
        out.on('response', (up) => {
          const back: string[] = [];
          for (let i = 0; i + 1 < up.rawHeaders.length; i += 2) {
            const key = up.rawHeaders[i] ?? '';
            if (!HOP.has(key.toLowerCase())) back.push(key, up.rawHeaders[i + 1] ?? '');
          }
          res.writeHead(up.statusCode ?? 502, up.statusMessage, back);
          up.pipe(res);
          up.on('error', () => res.destroy());
        });
        out.on('error', (e) => {
          answer(502, `aicli egress gateway: ${ok.name}:${target.port}: ${e.message}.\n`);
        });
        res.on('close', () => out.destroy());
        req.pipe(out);
      });
      res.once('close', cancel);
    });
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    record(req.method ?? 'GET', req.url ?? '', 0, req.socket.remoteAddress ?? '?', { decision: 'deny', reason: 'bad-request' });
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });

  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  return server;
}

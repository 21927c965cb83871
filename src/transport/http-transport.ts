import { Readable, type Duplex } from 'node:stream';
import {
  ClientClosedError,
  DockerAbortedError,
  DockerConnectionLostError,
  DockerNotAvailableError,
  DockerTimeoutError,
  DockerTlsError,
  type RequestTarget,
} from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Endpoint } from './endpoint.js';
import { checkTimeoutMs, Deadline } from './deadline.js';
import { CONNECT_TIMEOUT_CODE, SSH_FAILED_CODE, type Exchange, type ExchangeOptions, type ExchangeResponse, type Headers, type HttpClientKind } from './exchange.js';
import { backoffDelay, DEFAULT_RETRY, isIdempotentMethod, sleep, type RetryPolicy } from './retry.js';
import { isTlsFailure, type TlsOptions } from './tls.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
export type { Headers, HttpClientKind };

export interface TransportRequest {
  readonly method: HttpMethod;
  /** Path with query, already encoded (see engine/path.ts). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A stream body is sent once at most: it is never retried, whatever failed. */
  readonly body?: string | Buffer | Readable;
  readonly signal?: AbortSignal | undefined;
  /** Overrides the transport's request time-out; 0 means none. */
  readonly timeoutMs?: number | undefined;
  /** What set `timeoutMs`, for the time-out message (`--timeout`, `the timeoutMs option`); undefined: aicli-docker's default. */
  readonly timeoutSetBy?: string | undefined;
  /** Marks a non-GET call safe to send twice (a DELETE, a PUT). */
  readonly idempotent?: boolean;
  /** Further attempts after the first, instead of the transport's policy (connect() probes with 0). */
  readonly retries?: number;
  /** The first ping of connect(): its time-out is reported as such. */
  readonly firstPing?: boolean;
}

export interface TransportResponse {
  readonly statusCode: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export interface TransportStream {
  readonly statusCode: number;
  readonly headers: Headers;
  /** Ends when the engine ends it or the caller's signal aborts; no time-out applies. */
  readonly body: Readable;
}

/** A hijacked connection (exec, attach): the raw duplex, or the engine's error answer. */
export type TransportUpgrade =
  | { readonly upgraded: true; readonly statusCode: number; readonly headers: Headers; readonly socket: Duplex }
  | { readonly upgraded: false; readonly statusCode: number; readonly headers: Headers; readonly body: Buffer };

export interface TransportOptions {
  readonly endpoint: Endpoint;
  readonly tls?: TlsOptions | undefined;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** What set each limit, for time-out messages (`--timeout`, `AICLI_DOCKER_TIMEOUT`); undefined: the default. */
  readonly connectTimeoutSetBy?: string | undefined;
  readonly requestTimeoutSetBy?: string | undefined;
  readonly retry?: RetryPolicy;
  readonly logger?: Logger;
  /** Upper bound on sockets to the engine; unbounded by default, like undici's Pool. */
  readonly maxConnections?: number;
  /** `undici` (default: highest throughput) or `node` (node:http: fastest start-up). */
  readonly httpClient?: HttpClientKind;
  /** For ssh:// endpoints: the ssh client and its own options (default `['ssh']`). */
  readonly sshCommand?: readonly string[];
}

/** Loads only the chosen client: the CLI must not pay for undici. */
async function createExchange(kind: HttpClientKind, options: ExchangeOptions): Promise<Exchange> {
  // ssh:// needs a socket of its own making, which node:http takes and undici's Pool does not.
  if (kind === 'node' || options.endpoint.kind === 'ssh') return (await import('./node-exchange.js')).createNodeExchange(options);
  return (await import('./undici-exchange.js')).createUndiciExchange(options);
}

type FailureKind = 'connect' | 'lost' | 'tls' | 'closed' | 'other';

const CONNECT_CODES = new Set([SSH_FAILED_CODE, 'ENOENT', 'ECONNREFUSED', 'EACCES', 'EPERM', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTSOCK', 'EADDRNOTAVAIL']);
const LOST_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

function errCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function classify(err: unknown): FailureKind {
  const code = errCode(err);
  if (isTlsFailure(err)) return 'tls';
  if (CONNECT_CODES.has(code)) return 'connect';
  if (LOST_CODES.has(code)) return 'lost';
  if (code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_CLOSED') return 'closed';
  return 'other';
}


/**
 * HTTP/1.1 to one engine over a pooled set of keep-alive sockets (unix, tcp or TLS).
 * Owns time-outs, the caller's AbortSignal, retry, and the mapping of socket failures
 * to typed errors; status codes are left to the engine layer.
 */
export class HttpTransport {
  readonly endpoint: Endpoint;
  readonly #exchange: Promise<Exchange>;
  readonly #tls: TlsOptions | undefined;
  readonly #requestTimeoutMs: number;
  readonly #requestTimeoutSetBy: string | undefined;
  readonly #connectTimeoutMs: number;
  readonly #connectTimeoutSetBy: string | undefined;
  readonly #retry: RetryPolicy;
  readonly #logger: Logger;
  #closed = false;

  constructor(options: TransportOptions) {
    this.endpoint = options.endpoint;
    this.#tls = options.tls;
    this.#requestTimeoutMs = checkTimeoutMs(options.requestTimeoutMs, 'requestTimeoutMs');
    this.#requestTimeoutSetBy = options.requestTimeoutSetBy;
    this.#connectTimeoutMs = checkTimeoutMs(options.connectTimeoutMs, 'connectTimeoutMs');
    this.#connectTimeoutSetBy = options.connectTimeoutSetBy;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#logger = options.logger ?? silentLogger;
    // Created on first use, so the constructor stays synchronous and cheap.
    this.#exchange = createExchange(options.httpClient ?? 'undici', {
      endpoint: options.endpoint,
      tls: options.tls,
      connectTimeoutMs: this.#connectTimeoutMs,
      maxConnections: options.maxConnections,
      sshCommand: options.sshCommand ?? ['ssh'],
    });
    // Until the first request awaits it, a failure to load is not unhandled.
    this.#exchange.catch(() => undefined);
  }

  /** Sends a request and reads the whole answer, all within the request time-out. */
  async request(req: TransportRequest): Promise<TransportResponse> {
    return this.#send(req, async (res, ex) => ({ statusCode: res.statusCode, headers: res.headers, body: await ex.readAll(res.body) }));
  }

  /**
   * Sends a request and hands back the body as a stream once headers arrive. An answer
   * that is not a success (3xx and above) is an error message, not a stream: it is read
   * whole within the time-out, like any answer, and handed back in memory.
   */
  async stream(req: TransportRequest): Promise<TransportStream> {
    return this.#send(req, async (res, ex, deadline, handOver) => {
      if (res.statusCode >= 300) return { statusCode: res.statusCode, headers: res.headers, body: Readable.from([await ex.readAll(res.body)]) };
      // The time-out ends with the headers; the caller's signal follows the body.
      deadline.stopTimer();
      res.body.once('close', () => { deadline.dispose(); });
      handOver();
      return { statusCode: res.statusCode, headers: res.headers, body: res.body };
    });
  }

  async #send<T>(req: TransportRequest, read: (res: ExchangeResponse, ex: Exchange, deadline: Deadline, handOver: () => void) => Promise<T>): Promise<T> {
    const target: RequestTarget = { method: req.method, path: req.path, endpoint: this.endpoint.url };
    if (this.#closed) throw new ClientClosedError(`${req.method} ${req.path}`);
    const caller = req.signal;
    if (caller?.aborted === true) throw new DockerAbortedError(target, caller.reason);
    const timeoutMs = req.timeoutMs === undefined ? this.#requestTimeoutMs : checkTimeoutMs(req.timeoutMs, 'timeoutMs');
    const limit = { ms: timeoutMs, setBy: req.timeoutMs === undefined ? this.#requestTimeoutSetBy : req.timeoutSetBy, firstPing: req.firstPing === true };
    const deadline = new Deadline(timeoutMs, caller);
    // A stream body is consumed by the first attempt (even one that never connected):
    // sent again, it would be empty. Nothing else is ever read twice.
    const streamBody = isStream(req.body);
    const resendable = (req.idempotent ?? isIdempotentMethod(req.method)) && !streamBody;
    const retries = req.retries ?? this.#retry.retries;
    // Set when a stream's body (and so the deadline, which follows the caller) is handed over.
    const handed = { over: false };
    try {
      const exchange = await this.#exchange;
      for (let attempt = 0; ; attempt++) {
        // After undici's retry-handler: an attempt that may have reached the engine is
        // tried again only when the call is safe to repeat.
        const progress = { sent: false };
        try {
          const res = await exchange.request({ method: req.method, path: req.path, headers: req.headers, body: req.body, signal: deadline, progress });
          return await read(res, exchange, deadline, () => { handed.over = true; });
        } catch (err) {
          const kind = deadline.aborted ? 'aborted' : classify(err);
          const retryable = !this.closed && !streamBody && (kind === 'connect' || kind === 'lost') && (!progress.sent || resendable);
          if (!retryable || attempt >= retries) {
            throw this.#mapError(err, target, deadline, caller, limit, { attempts: attempt + 1, unsure: progress.sent && !resendable });
          }
          const delay = backoffDelay(this.#retry, attempt);
          this.#logger.info({ method: req.method, path: req.path, endpoint: this.endpoint.url, attempt: attempt + 1, delayMs: delay, code: errCode(err) }, 'retrying engine call');
          try {
            await sleep(delay, deadline);
          } catch {
            throw this.#mapError(err, target, deadline, caller, limit, { attempts: attempt + 1, unsure: progress.sent && !resendable });
          }
        }
      }
    } finally {
      if (!handed.over) deadline.dispose();
    }
  }

  #mapError(
    err: unknown,
    target: RequestTarget,
    deadline: Deadline,
    caller: AbortSignal | undefined,
    limit: { ms: number; setBy: string | undefined; firstPing: boolean },
    outcome: { attempts: number; unsure: boolean },
  ): Error {
    if (this.closed) return new ClientClosedError(`${target.method} ${target.path}`);
    if (deadline.timedOut) return new DockerTimeoutError(target, limit.firstPing ? 'ping' : 'request', limit.ms, { cause: err, setBy: limit.setBy });
    if (caller?.aborted === true) return new DockerAbortedError(target, caller.reason);
    const code = errCode(err);
    const tried = outcome.attempts > 1 ? ` (tried ${outcome.attempts} times)` : '';
    const kind = classify(err);
    // A call that must not run twice, failed after it may have reached the engine (an ssh
    // that ended after reading it): whatever the code says, the connection was made.
    if (outcome.unsure && (kind === 'connect' || kind === 'lost')) {
      return new DockerConnectionLostError(target, `${(err as Error).message}${tried}`, { cause: err, mayHaveTakenEffect: true });
    }
    switch (kind) {
      case 'tls':
        return new DockerTlsError(
          `TLS handshake with the Docker engine at ${target.endpoint} failed: ${(err as Error).message}. ` +
            (this.#tls?.certPath === undefined
              ? 'Check the engine certificate and the CA you trust.'
              : `Check the certificates in ${this.#tls.certPath} (ca.pem must sign the engine's certificate; cert.pem and key.pem must be a client certificate the engine trusts).`),
          { endpoint: target.endpoint, ...(this.#tls?.certPath === undefined ? {} : { path: this.#tls.certPath }), cause: err },
        );
      case 'connect':
        return new DockerNotAvailableError(`Cannot connect to the Docker engine at ${target.endpoint}${tried}: ${connectHint(code, this.endpoint, err)}`, {
          endpoint: target.endpoint,
          attempts: [{ source: 'connect', endpoint: target.endpoint, reason: code }],
          cause: err,
        });
      case 'lost':
        return new DockerConnectionLostError(target, `${(err as Error).message}${tried}`, { cause: err });
      case 'closed':
        return new ClientClosedError(`${target.method} ${target.path}`);
      default:
        if (code === CONNECT_TIMEOUT_CODE) return new DockerTimeoutError(target, 'connect', this.#connectTimeoutMs, { cause: err, setBy: this.#connectTimeoutSetBy });
        return err instanceof Error ? err : new Error(String(err));
    }
  }

  // --- hijacked connections (exec, attach) ------------------------------------------
  readonly #hijacked = new Set<Duplex>();

  /**
   * Sends an upgrade request (`Connection: Upgrade`, `Upgrade: tcp`) on a connection of its
   * own and hands back the raw duplex once the engine answers 101 or 200. Like a stream: the
   * time-out covers only the wait for the answer, then the caller's signal ends the socket.
   * Never retried, not even a refused connection: one exec start, one process.
   */
  async upgrade(req: TransportRequest): Promise<TransportUpgrade> {
    const target: RequestTarget = { method: req.method, path: req.path, endpoint: this.endpoint.url };
    if (this.#closed) throw new ClientClosedError(`${req.method} ${req.path}`);
    const caller = req.signal;
    if (caller?.aborted === true) throw new DockerAbortedError(target, caller.reason);
    const timeoutMs = req.timeoutMs === undefined ? this.#requestTimeoutMs : checkTimeoutMs(req.timeoutMs, 'timeoutMs');
    const limit = { ms: timeoutMs, setBy: req.timeoutMs === undefined ? this.#requestTimeoutSetBy : req.timeoutSetBy, firstPing: false };
    const deadline = new Deadline(timeoutMs, caller);
    let res: TransportUpgrade;
    try {
      const exchange = await this.#exchange;
      // Never retried, so whether it was sent does not matter: an error says it may have been.
      res = await exchange.upgrade({ method: req.method, path: req.path, headers: req.headers, body: req.body, signal: deadline, progress: { sent: true } });
    } catch (err) {
      deadline.dispose();
      throw this.#mapError(err, target, deadline, caller, limit, { attempts: 1, unsure: true });
    }
    if (!res.upgraded) {
      deadline.dispose();
      return res;
    }
    deadline.stopTimer();
    const socket = res.socket;
    const onAbort = (): void => {
      socket.destroy(new DockerAbortedError(target, deadline.reason));
    };
    deadline.once('abort', onAbort);
    this.#hijacked.add(socket);
    socket.once('close', () => {
      deadline.removeListener('abort', onAbort);
      deadline.dispose();
      this.#hijacked.delete(socket);
    });
    // close() may have run while the answer was awaited.
    if (this.closed) socket.destroy(new ClientClosedError(`${req.method} ${req.path}`));
    return res;
  }

  /** Whether close() was called (a getter: it changes while a call is under way). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Ends every socket and in-flight call now; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const hijacked = [...this.#hijacked].map((s) => new Promise((resolve) => { s.once('close', resolve); s.destroy(new ClientClosedError(`a hijacked connection to ${this.endpoint.url}`)); }));
    await Promise.all([(await this.#exchange).close(), ...hijacked]);
  }
}

function isStream(body: TransportRequest['body']): boolean {
  return body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body);
}

function connectHint(code: string, ep: Endpoint, err: unknown): string {
  if (ep.kind === 'ssh') {
    return `${(err as Error).message}. Check that \`ssh ${ep.user === undefined ? '' : `${ep.user}@`}${ep.hostname}${ep.port === undefined ? '' : ` -p ${ep.port}`} docker version\` works without a prompt (keys or an ssh agent; the remote user may use docker).`;
  }
  const where = ep.kind === 'unix' ? ep.socketPath : `${ep.hostname}:${ep.port}`;
  switch (code) {
    case 'ENOENT':
      return `no socket at ${where}. Is the Docker daemon running? Start it (\`sudo systemctl start docker\` or \`sudo dockerd\`), or point DOCKER_HOST / --host at a running engine.`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied on ${where}. Add your user to the docker group (\`sudo usermod -aG docker $USER\`, then log in again), or use a rootless engine.`;
    case 'ECONNREFUSED':
      return `connection refused at ${where}. No engine is listening there; start the daemon or check DOCKER_HOST / --host.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host name of ${where}. Check DOCKER_HOST / --host.`;
    case 'ENOTSOCK':
      return `${where} is not a socket. Check DOCKER_HOST / --host.`;
    default:
      return `${code} at ${where}. Check that the engine is running and reachable.`;
  }
}


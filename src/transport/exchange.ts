import type { Duplex, Readable } from 'node:stream';
import type { Deadline } from './deadline.js';
import type { Endpoint } from './endpoint.js';
import type { TlsOptions } from './tls.js';

export type Headers = Record<string, string | string[] | undefined>;

/** One HTTP exchange, below retry, time-outs and error mapping (http-transport.ts). */
export interface ExchangeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly body: string | Buffer | Readable | undefined;
  /** Aborts the exchange, before or after the headers. */
  readonly signal: Deadline;
  /**
   * Set to true by the exchange as soon as a byte of the request may have left for the
   * engine (a socket was connected and handed the request, or an ssh process was given
   * it). While it is false, a failure provably sent nothing, so any call may go again.
   */
  readonly progress: { sent: boolean };
}

export interface ExchangeResponse {
  readonly statusCode: number;
  readonly headers: Headers;
  readonly body: Readable;
}

/**
 * The HTTP client under the transport. Two are measured and kept (see `npm run bench`):
 * undici's Pool, the fastest for a long-lived client (~2x node:http's throughput), and
 * node:http, the fastest to start (no 40 ms import, no WebAssembly parser), for the CLI.
 */
export interface Exchange {
  request(req: ExchangeRequest): Promise<ExchangeResponse>;
  readAll(body: Readable): Promise<Buffer>;
  /** A hijacked connection (exec, attach) on a socket of its own: see upgrade.ts. */
  upgrade(req: ExchangeRequest): Promise<ExchangeUpgrade>;
  /** Ends every socket now. */
  close(): Promise<void>;
}

/** What `upgrade()` gives: a raw duplex on 101/200, else the status and whole body. */
export type ExchangeUpgrade =
  | { readonly upgraded: true; readonly statusCode: number; readonly headers: Headers; readonly socket: Duplex }
  | { readonly upgraded: false; readonly statusCode: number; readonly headers: Headers; readonly body: Buffer };

export type HttpClientKind = 'undici' | 'node';

export interface ExchangeOptions {
  readonly endpoint: Endpoint;
  readonly tls: TlsOptions | undefined;
  readonly connectTimeoutMs: number;
  readonly maxConnections: number | undefined;
  /** The ssh client and its own options, for ssh:// endpoints (default `['ssh']`). */
  readonly sshCommand: readonly string[];
}

/** Code given to a connect that outlived connectTimeoutMs, by either client. */
export const CONNECT_TIMEOUT_CODE = 'UND_ERR_CONNECT_TIMEOUT';

/** Code given when ssh itself fails (not found, refused, host key, authentication). */
export const SSH_FAILED_CODE = 'ESSH';

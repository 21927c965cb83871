// Only undici's Pool and its request handler are loaded, not its index (fetch,
// websockets, caches…): ~45 ms of start-up instead of ~120 ms. These are undici's
// internal files: package.json pins undici's exact version.
import { RequestHandler, type RequestCallback, type RequestHandlerOptions } from 'undici/lib/api/api-request.js';
import Pool from 'undici/lib/dispatcher/pool.js';
import type { Readable } from 'node:stream';
import { tlsSocketOptions } from './tls.js';
import type { Exchange, ExchangeOptions, ExchangeRequest, ExchangeResponse, ExchangeUpgrade } from './exchange.js';
import { openUpgradeLazily } from './lazy-upgrade.js';

type BodyMixin = Readable & { arrayBuffer(): Promise<ArrayBuffer> };

/**
 * undici calls a request's onConnect once a connected socket is about to be written
 * to, and never before: until then, a failure provably sent nothing.
 */
class TrackedHandler extends RequestHandler {
  readonly #progress: { sent: boolean };
  constructor(opts: RequestHandlerOptions, callback: RequestCallback, progress: { sent: boolean }) {
    super(opts, callback);
    this.#progress = progress;
  }
  override onConnect(abort: (err?: Error) => void, context?: unknown): void {
    this.#progress.sent = true;
    super.onConnect(abort, context);
  }
}

export function createUndiciExchange(options: ExchangeOptions): Exchange {
  const ep = options.endpoint;
  const tls = ep.kind === 'tcp' && ep.tls;
  const origin = ep.kind === 'unix' ? 'http://localhost' : `${tls ? 'https' : 'http'}://${ep.hostname.includes(':') ? `[${ep.hostname}]` : ep.hostname}:${ep.port}`;
  const pool = new Pool(origin, {
    ...(options.maxConnections === undefined ? {} : { connections: options.maxConnections }),
    // Time-outs are the transport's (a Deadline per call), so undici's own are off: a
    // log follow or an event stream may stay quiet for hours.
    headersTimeout: 0,
    bodyTimeout: 0,
    connect: {
      timeout: options.connectTimeoutMs,
      ...(ep.kind === 'unix' ? { socketPath: ep.socketPath } : {}),
      ...(tls ? tlsSocketOptions(options.tls) : {}),
    },
  });
  return {
    request(req: ExchangeRequest): Promise<ExchangeResponse> {
      // undici's request() in full, with a handler that notes when undici starts writing.
      return new Promise((resolve, reject) => {
        const opts = {
          method: req.method,
          path: req.path,
          signal: req.signal,
          ...(req.headers === undefined ? {} : { headers: req.headers }),
          ...(req.body === undefined ? {} : { body: req.body }),
        };
        try {
          const handler = new TrackedHandler(opts, (err, data) => {
            if (err !== null) reject(err);
            else resolve({ statusCode: data.statusCode, headers: data.headers, body: data.body });
          }, req.progress);
          pool.dispatch(opts, handler);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    },
    async readAll(body: Readable): Promise<Buffer> {
      return Buffer.from(await (body as BodyMixin).arrayBuffer());
    },
    async upgrade(req: ExchangeRequest): Promise<ExchangeUpgrade> {
      return openUpgradeLazily(options, req);
    },
    async close(): Promise<void> {
      await pool.destroy();
    },
  };
}

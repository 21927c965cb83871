// Types for the two undici internals the transport loads instead of undici's index
// (see transport/undici-exchange.ts for why). package.json pins undici's exact version.
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';
  const PoolClass: typeof Pool;
  export default PoolClass;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Readable } from 'node:stream';
  import type { Dispatcher } from 'undici';
  export type RequestHandlerOptions = Dispatcher.RequestOptions;
  export type RequestCallback = (
    err: Error | null,
    data: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: Readable },
  ) => void;
  /** The handler undici's request() dispatches; onConnect runs just before the request is written. */
  export class RequestHandler {
    constructor(opts: RequestHandlerOptions, callback: RequestCallback);
    onConnect(abort: (err?: Error) => void, context?: unknown): void;
  }
}

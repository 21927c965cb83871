// Types for the two undici internals the transport loads instead of undici's index
// (see transport/http-transport.ts for why). Both are stable since undici 6.
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';
  const PoolClass: typeof Pool;
  export default PoolClass;
}

declare module 'undici/lib/api/index.js' {
  import type { Dispatcher } from 'undici';
  const api: { request: Dispatcher['request'] };
  export default api;
}

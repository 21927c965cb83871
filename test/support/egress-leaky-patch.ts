// The leak itself (see egress-leaky-proxy.ts): every requested name is looked up before
// the proxy sees the request, so before it is checked.
import { promises as dns } from 'node:dns';
import http from 'node:http';

const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
const emit = Reflect.get(http.Server.prototype, 'emit') as (this: http.Server, event: string, ...args: unknown[]) => boolean;
http.Server.prototype.emit = function leakyEmit(this: http.Server, event: string, ...args: unknown[]): boolean {
  const req = args[0] as http.IncomingMessage | undefined;
  if ((event === 'connect' || event === 'request') && typeof req?.url === 'string') {
    const host = event === 'connect' ? req.url.replace(/:\d+$/, '') : URL.canParse(req.url) ? new URL(req.url).hostname : '';
    if (host !== '') resolver.resolve4(host).catch(() => undefined);
  }
  return emit.call(this, event, ...args);
} as typeof http.Server.prototype.emit;

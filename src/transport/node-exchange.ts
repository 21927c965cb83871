import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { tlsSocketOptions } from './tls.js';
import { CONNECT_TIMEOUT_CODE, type Exchange, type ExchangeOptions, type ExchangeRequest, type ExchangeResponse, type ExchangeUpgrade } from './exchange.js';
import { openUpgradeLazily } from './lazy-upgrade.js';

type HttpModule = { Agent: typeof Agent; request: (o: RequestOptions, cb: (res: IncomingMessage) => void) => ClientRequest };

/** node:http with a keep-alive agent; node:https (and so tls, crypto) is loaded only for TLS. */
export async function createNodeExchange(options: ExchangeOptions): Promise<Exchange> {
  const ep = options.endpoint;
  const tls = ep.kind === 'tcp' && ep.tls;
  const mod = (tls ? await import('node:https') : await import('node:http')) as unknown as HttpModule;
  const agent = new mod.Agent({
    keepAlive: true,
    ...(options.maxConnections === undefined ? {} : { maxSockets: options.maxConnections }),
    ...(tls ? tlsSocketOptions(options.tls) : {}),
  });
  // servername is given so node:http does not work it out per request: that runs its
  // IPv6 regex, whose first use costs ~12 ms of CLI start-up. No SNI for IP addresses.
  let target: RequestOptions & { servername?: string };
  if (ep.kind === 'unix') {
    target = { socketPath: ep.socketPath, servername: '' };
  } else if (ep.kind === 'tcp') {
    const isIpLiteral = ep.hostname.includes(':') || /^[\d.]+$/.test(ep.hostname);
    target = { host: ep.hostname, port: ep.port, servername: isIpLiteral ? '' : ep.hostname };
  } else {
    // node:child_process and the ssh code load only for ssh:// endpoints.
    const { SshSocket, sshArgs } = await import('./ssh-socket.js');
    const args = sshArgs(ep, options.connectTimeoutMs);
    agent.createConnection = () => new SshSocket(options.sshCommand, args);
    target = { host: ep.hostname, servername: '' };
  }
  // Requests under way, so close() can end them too (the agent only knows its sockets).
  const active = new Set<ClientRequest>();
  let closed = false;

  return {
    request(req: ExchangeRequest): Promise<ExchangeResponse> {
      return new Promise((resolve, reject) => {
        if (closed) {
          reject(Object.assign(new Error('the client is closed'), { code: 'UND_ERR_DESTROYED' }));
          return;
        }
        const r = mod.request({ ...target, agent, method: req.method, path: req.path, ...(req.headers === undefined ? {} : { headers: req.headers }) }, (res) => {
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res });
          res.once('close', stop);
        });
        const onAbort = (): void => {
          r.destroy(req.signal.reason instanceof Error ? req.signal.reason : new Error('aborted'));
        };
        const stop = (): void => {
          req.signal.removeListener('abort', onAbort);
          active.delete(r);
        };
        active.add(r);
        req.signal.once('abort', onAbort);
        r.once('error', (err) => {
          stop();
          reject(err);
        });
        // A connected socket (new or reused) carries the request from here on: from then
        // on, a failure may come after the engine read it. (An SshSocket connects when
        // its ssh process has started and so may read what it is given.)
        r.once('socket', (socket: Socket) => {
          if (!socket.connecting) {
            req.progress.sent = true;
            return;
          }
          const timer = setTimeout(() => {
            r.destroy(Object.assign(new Error(`connect timed out after ${options.connectTimeoutMs} ms`), { code: CONNECT_TIMEOUT_CODE }));
          }, options.connectTimeoutMs);
          socket.once('connect', () => {
            clearTimeout(timer);
            req.progress.sent = true;
          });
          socket.once('close', () => { clearTimeout(timer); });
        });
        if (req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body)) r.end(req.body);
        else req.body.pipe(r);
      });
    },
    readAll(body: Readable): Promise<Buffer> {
      // Events, not `for await`: a stream's async iterator costs a CLI run ~0.7 ms on first use.
      return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        const cutShort = (): Error => Object.assign(new Error('the connection closed before the whole answer arrived'), { code: 'ECONNRESET' });
        if (body.destroyed) {
          reject(cutShort());
          return;
        }
        let settled = false;
        body.on('data', (chunk: Buffer) => chunks.push(chunk));
        body.once('error', (err) => {
          settled = true;
          reject(err);
        });
        body.once('end', () => {
          settled = true;
          // A body cut short ends without error in node:http; `complete` tells.
          if ((body as Readable & { complete?: boolean }).complete === false) reject(cutShort());
          else resolve(Buffer.concat(chunks));
        });
        // Destroyed before its end (an abort): no 'end' will come.
        body.once('close', () => {
          if (!settled) reject(cutShort());
        });
      });
    },
    async upgrade(req: ExchangeRequest): Promise<ExchangeUpgrade> {
      if (closed) throw Object.assign(new Error('the client is closed'), { code: 'UND_ERR_DESTROYED' });
      return openUpgradeLazily(options, req);
    },
    async close(): Promise<void> {
      closed = true;
      // Like undici's destroy(): resolves once every socket is really closed.
      const sockets = new Set<Socket>();
      for (const r of active) if (r.socket !== null) sockets.add(r.socket);
      for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)]) for (const sock of list ?? []) sockets.add(sock);
      const closing = [...sockets].filter((sock) => !sock.closed).map((sock) => new Promise((resolve) => sock.once('close', resolve)));
      for (const r of active) r.destroy();
      active.clear();
      agent.destroy();
      await Promise.all(closing);
    },
  };
}

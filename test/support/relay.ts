// A unix-socket relay in front of a real engine, for the one fault a real engine cannot
// show on demand: a socket that accepts and never answers. `silent = true` cuts every
// relayed connection and leaves new ones accepted but unanswered; `cut()` drops the
// relayed connections (a network blip) while the engine keeps running.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Relay extends AsyncDisposable {
  readonly host: string;
  silent: boolean;
  cut(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
}

export async function unixRelay(targetHost: string, path: string): Promise<Relay> {
  const target = targetHost.replace(/^unix:\/\//, '');
  const links = new Set<Socket>();
  let accepted = 0;
  const state = { silent: false };
  const server: Server = createServer((client) => {
    accepted++;
    links.add(client);
    client.on('close', () => links.delete(client));
    client.on('error', () => undefined);
    if (state.silent) {
      client.resume(); // read and never answer
      return;
    }
    const upstream = connect(target);
    links.add(upstream);
    upstream.on('close', () => { links.delete(upstream); client.destroy(); });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const cut = (): void => {
    for (const s of links) s.destroy();
  };
  return {
    host: `unix://${path}`,
    get silent() {
      return state.silent;
    },
    set silent(v: boolean) {
      state.silent = v;
      if (v) cut();
    },
    cut,
    get accepted() {
      return accepted;
    },
    async [Symbol.asyncDispose]() {
      cut();
      await new Promise((r) => server.close(r));
    },
  };
}

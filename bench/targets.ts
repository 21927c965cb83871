// The two things being compared: this client's ping() and a bare undici Pool
// doing GET /_ping on the same engine socket.
import { Pool } from 'undici';
import { DockerClient } from '../src/index.js';
import type { Shared } from './part.js';

export interface Target {
  readonly name: 'ours' | 'bare';
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function ours(host: string): Promise<Target> {
  // env: {} so that no DOCKER_* variable of the developer's shell changes the path taken.
  const client = await DockerClient.connect({ ensureNetwork: false, host, env: {} });
  return {
    name: 'ours',
    async ping() {
      await client.ping();
    },
    close: () => client.close(),
  };
}

/** unix:///path or tcp://host:port (plain HTTP only: the bare pool gets no TLS options). */
function bareOrigin(host: string): { origin: string; socketPath?: string } {
  const url = new URL(host);
  if (url.protocol === 'unix:') return { origin: 'http://localhost', socketPath: url.pathname };
  if (url.protocol === 'tcp:' || url.protocol === 'http:') return { origin: `http://${url.host}` };
  throw new Error(`bench: unsupported host ${host} (use unix:// or plain tcp://)`);
}

export function bare(host: string): Target {
  const { origin, socketPath } = bareOrigin(host);
  const pool = new Pool(origin, socketPath === undefined ? {} : { connect: { socketPath } });
  return {
    name: 'bare',
    async ping() {
      const { statusCode, body } = await pool.request({ method: 'GET', path: '/_ping' });
      await body.text();
      if (statusCode !== 200) throw new Error(`bare ping: HTTP ${statusCode}`);
    },
    close: () => pool.close(),
  };
}

/** This client and the bare pool, made once for `latency` and `throughput`. */
export const pingTargets: Shared<{ readonly ours: Target; readonly bare: Target }> = {
  name: 'ping targets',
  async open(ctx) {
    const a = await ours(ctx.host);
    return { ours: a, bare: bare(ctx.host) };
  },
  async close({ ours: a, bare: b }) {
    await Promise.all([a.close(), b.close()]);
  },
};

// Helpers for the Swarm tests and bench: the spec the Workspaces facade hands its backend (for
// a backend call of one's own, such as a create that does not wait), and a counting proxy that
// sees every HTTP request a client sends to an engine, independently of the client under test.
import fs from 'node:fs';
import net from 'node:net';
import type { CreateWorkspaceOptions, DockerConfig, Workspaces, WorkspaceSpec } from '../../src/index.js';

/** The WorkspaceSpec that `ws.create(options)` would hand its backend: planned and checked the same way. */
export async function workspaceSpecOf(ws: Workspaces, config: DockerConfig, options: CreateWorkspaceOptions): Promise<WorkspaceSpec> {
  const p = await ws.plan(options);
  if (p.violations.length > 0) throw new Error(`workspaceSpecOf: the policy refuses ${options.name}: ${p.violations.map((v) => v.message).join('; ')}`);
  return { id: p.id, name: p.name, containerName: p.containerName, body: p.body, config, labels: options.labels ?? {}, constraints: p.constraints };
}

export interface CountingProxy extends AsyncDisposable {
  /** unix:// host to connect a client to. */
  readonly host: string;
  /** `METHOD /path` of every request seen, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * A unix socket that forwards to `targetSocket` and records each request line a client
 * sends (Docker clients do not pipeline, so each request head starts a chunk).
 */
export async function countingProxy(socketPath: string, targetSocket: string): Promise<CountingProxy> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(targetSocket);
    sockets.add(down).add(up);
    down.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(/^(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.[01]\r$/gm)) requests.push(`${m[1] ?? ''} ${m[2] ?? ''}`);
    });
    down.pipe(up).pipe(down);
    const drop = (): void => {
      down.destroy();
      up.destroy();
      sockets.delete(down);
      sockets.delete(up);
    };
    down.on('error', drop).on('close', drop);
    up.on('error', drop).on('close', drop);
  });
  fs.rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    fs.rmSync(socketPath, { force: true });
  };
  return { host: `unix://${socketPath}`, requests, close, [Symbol.asyncDispose]: close };
}

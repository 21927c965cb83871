// Helpers for the Swarm tests and bench: a raw exec through any connected client (no exec
// feature of the library is used: it arrives with issue 10), and a counting proxy that sees
// every HTTP request a client sends to an engine, independently of the client under test.
import fs from 'node:fs';
import net from 'node:net';
import type { DockerClient } from '../../src/index.js';
import { apiPath } from '../../src/index.js';

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Splits Docker's multiplexed stream (8-byte headers: stream, 0, 0, 0, big-endian size). */
export function demux(raw: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const kind = raw[at];
    const size = raw.readUInt32BE(at + 4);
    const frame = raw.subarray(at + 8, at + 8 + size);
    (kind === 2 ? err : out).push(frame);
    at += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** POST /containers/{id}/exec, then start it attached (Detach false) and read the raw stream to its end, then the exit code. */
export async function execRaw(client: DockerClient, containerId: string, cmd: readonly string[], user?: string): Promise<ExecResult> {
  const made = await client.api.json<{ Id: string }>({
    method: 'POST',
    path: apiPath`/containers/${containerId}/exec`,
    json: { Cmd: cmd, AttachStdout: true, AttachStderr: true, ...(user === undefined ? {} : { User: user }) },
  });
  const res = await client.api.stream({ method: 'POST', path: apiPath`/exec/${made.Id}/start`, json: { Detach: false, Tty: false } });
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk as Buffer);
  const inspect = await client.api.json<{ ExitCode: number | null; Running: boolean }>({ method: 'GET', path: apiPath`/exec/${made.Id}/json` });
  return { exitCode: inspect.ExitCode ?? -1, ...demux(Buffer.concat(chunks)) };
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

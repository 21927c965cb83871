/** The gateway's decisions, read back from its log (one JSON line each on stdout). */
import type { Decision } from '../../egress-proxy/proxy.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';

export type { Decision };

// STAND-IN until issue 10 lands: its log demultiplexer (engine/, frames split across
// chunks handled) replaces this whole-buffer reader of Docker's 8-byte frame headers.
/** The stdout payload of a non-TTY log answer: frames of [stream, 0, 0, 0, size (4 bytes BE)] + data. */
export function stdoutOfFrames(buf: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const stream = buf[at];
    const size = buf.readUInt32BE(at + 4);
    if (stream === 1) parts.push(buf.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Decision lines of a log text; other lines (the start line, anything else) are skipped. */
export function parseDecisions(text: string): Decision[] {
  const out: Decision[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const d = JSON.parse(line) as Partial<Decision>;
      if (typeof d.decision === 'string' && typeof d.host === 'string' && typeof d.time === 'string') out.push(d as Decision);
    } catch {
      // A line cut by log rotation.
    }
  }
  return out;
}

/** The last `tail` decisions of a gateway, oldest first. */
export async function recentDecisions(api: EngineApi, containerId: string, tail: number, options: CallOptions = {}): Promise<Decision[]> {
  if (tail <= 0) return [];
  // Not followed: the engine ends the answer after the last line (a log limited to ~2 MiB).
  const res = await api.stream({
    method: 'GET',
    path: apiPath`/containers/${containerId}/logs`,
    query: { stdout: true, stderr: false, tail: tail + 1 },
    resource: 'container',
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) chunks.push(chunk as Buffer);
  return parseDecisions(stdoutOfFrames(Buffer.concat(chunks))).slice(-tail);
}

/** The gateway's decisions, read back from its log (one JSON line each on stdout). */
import type { Decision } from '../../egress-proxy/proxy.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { logs } from '../logs/logs.js';

export type { Decision };

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

/** The last `tail` decisions of a gateway, oldest first (read by the logs feature: demultiplexed, long lines joined). */
export async function recentDecisions(api: EngineApi, containerId: string, tail: number, options: CallOptions = {}): Promise<Decision[]> {
  if (tail <= 0) return [];
  const bounds = [options.signal, options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs)].filter((s): s is AbortSignal => s !== undefined);
  const lines: string[] = [];
  // Not followed: the log ends after its last line (it is kept to ~2 MiB). One more line than
  // asked: the proxy's start line is not a decision.
  for await (const l of logs(api, containerId, { tail: tail + 1, ...(bounds.length === 0 ? {} : { signal: AbortSignal.any(bounds) }) })) {
    if (l.stream === 'stdout') lines.push(l.line);
  }
  return parseDecisions(lines.join('\n')).slice(-tail);
}

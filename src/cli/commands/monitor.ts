import { HEALTH_DEFAULTS, HealthChecker, type HealthReport } from '../../index.js';
import type { Command, CommandContext } from '../command.js';
import { loadCliConfig } from '../connect.js';
import { onInterrupt } from '../interrupt.js';
import { errorJson, firstSentence } from '../short-error.js';
import { durationFlag } from '../time-flags.js';
import { connectWhenUp } from '../wait-connect.js';

/** What one output line needs; a failed connect at start is reported in the same shape. */
type Line = Pick<HealthReport, 'time' | 'status' | 'latencyMs' | 'error'> & Partial<Pick<HealthReport, 'transition' | 'unhealthyForMs' | 'latency'>>;

const ms = (n: number | undefined): string => (n === undefined ? '-' : `${n.toFixed(2)} ms`);

/** One line per check. Text: the whole error when the state changes, its first sentence while it lasts. */
export function formatLine(r: Line, json: boolean, repeated = false): string {
  if (json) {
    const out: Record<string, unknown> = { time: r.time.toISOString(), status: r.status, latencyMs: r.latencyMs };
    if (r.latency !== undefined) Object.assign(out, { p50Ms: r.latency.p50Ms ?? null, p95Ms: r.latency.p95Ms ?? null });
    if (r.transition !== undefined) out['transition'] = r.transition;
    if (r.unhealthyForMs !== undefined) out['unhealthyForMs'] = r.unhealthyForMs;
    if (r.error !== undefined) out['error'] = errorJson(r.error);
    return `${JSON.stringify(out)}\n`;
  }
  const head = `${r.time.toISOString()}  ${r.status.padEnd(9)}`;
  const change = r.transition === 'recovered' ? `  recovered${r.unhealthyForMs === undefined ? '' : ` after ${(r.unhealthyForMs / 1000).toFixed(1)}s`}` : r.transition === 'lost' ? '  lost' : '';
  if (r.error !== undefined) return `${head}  ${errorJson(r.error).code}: ${repeated ? firstSentence(r.error.message) : r.error.message}${change}\n`;
  const pct = r.latency === undefined ? '' : `  (p50 ${ms(r.latency.p50Ms)}, p95 ${ms(r.latency.p95Ms)})`;
  return `${head}  ${ms(r.latencyMs)}${pct}${change}\n`;
}

async function run(ctx: CommandContext): Promise<number> {
  const intervalMs = durationFlag(ctx, 'interval', HEALTH_DEFAULTS.cliIntervalMs, HEALTH_DEFAULTS.minIntervalMs);
  const loaded = await loadCliConfig(ctx);
  // The global --timeout is the time-out of each check here; without it, a short one.
  const timeoutMs = loaded.sources.timeout.layer === 'flag' ? loaded.config.timeoutMs : HEALTH_DEFAULTS.cliTimeoutMs;
  const json = ctx.global.json;
  using interrupt = onInterrupt();
  const signal = interrupt.signal;
  let downSince: Date | undefined;
  const client = await connectWhenUp(ctx, loaded, { signal, everyMs: intervalMs, pingTimeoutMs: timeoutMs }, (error, attemptMs) => {
    const time = new Date();
    ctx.stdout(formatLine({ time, status: 'unhealthy', latencyMs: Math.round(attemptMs * 1000) / 1000, error }, json, downSince !== undefined));
    downSince ??= time;
  });
  if (client === undefined) return 0;
  try {
    // Each check is a line of output already: the monitor's own log lines would repeat it
    // (they are there with an explicit --log-level).
    const checker = new HealthChecker(client, { intervalMs, timeoutMs, ...(ctx.global.logLevel === undefined ? {} : { logger: ctx.logger }) });
    await using monitor = checker.monitor(downSince === undefined ? {} : { unhealthySince: downSince });
    const stop = (): void => {
      void monitor.stop();
    };
    signal.addEventListener('abort', stop, { once: true });
    if (!json) ctx.stderr(`monitor: checking ${client.endpoint.url} every ${intervalMs / 1000}s (time-out ${timeoutMs / 1000}s); Ctrl-C to stop\n`);
    for await (const report of monitor) ctx.stdout(formatLine(report, json, !report.healthy && report.consecutiveFailures > 1));
    signal.removeEventListener('abort', stop);
  } finally {
    await client.close();
  }
  return 0;
}

export const monitorCommand: Command = {
  name: 'monitor',
  summary: 'Check the engine at an interval until interrupted; one line per check (never exits because the engine went away).',
  usage: 'aicli-docker monitor [--interval 5s] [--timeout 2s] [--json]\n\n--timeout is the time-out of each check (default 2s).',
  flags: [{ name: 'interval', type: 'string', valueName: 'DURATION', description: 'Between the starts of two checks (default 5s, at least 100ms)' }],
  run,
};

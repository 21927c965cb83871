// Part `startup`: wall time of `aicli-docker status` against `node -e 0` (bench/startup.ts).
import { part, ratioAtMost, row } from '../part.js';
import { startup, type StartupResult } from '../startup.js';
import { round } from '../stats.js';

export const startupPart = part<StartupResult>({
  name: 'startup',
  inDefault: true,
  goals: [ratioAtMost('startup', 2.5, (r) => [r.cliMedianMs, r.nodeMedianMs])],
  measure: (ctx) => Promise.resolve(startup(ctx.host)),
  title: (r) => `CLI start-up, wall time, median of ${r.runs} runs each (interleaved), env = PATH + empty HOME`,
  rows: (r) => [row('', 'status', 'node -e 0', 'ratio'), row('  median (ms)', round(r.cliMedianMs, 1), round(r.nodeMedianMs, 1), round(r.cliMedianMs / r.nodeMedianMs, 3))],
  jsonKey: 'startup',
  json: (r) => ({ runs: r.runs, cliMedianMs: round(r.cliMedianMs, 1), nodeMedianMs: round(r.nodeMedianMs, 1) }),
});

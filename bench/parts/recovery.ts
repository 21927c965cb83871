// Part `recovery` (issue 8): engine answering again → `healthy` reported, over stop/start
// rounds of the private engine it shares with `events`, against a bare /_ping poller (bench/recovery.ts).
import { part, row } from '../part.js';
import { privateEngine } from '../private-engine.js';
import { recovery, type RecoveryResult } from '../recovery.js';
import { round } from '../stats.js';

const ROUNDS = 8;
const INTERVAL_MS = 500;
/** `healthy` at most this long after the engine answers, beyond one interval. */
const OVER_INTERVAL_MAX_MS = 250;

export const recoveryPart = part<RecoveryResult>({
  name: 'recovery',
  inDefault: true,
  goals: [
    {
      name: 'recovery',
      goal: `<= ${INTERVAL_MS + OVER_INTERVAL_MAX_MS} ms`,
      verdict: (r) => ({ value: round(r.oursMaxMs, 1), pass: r.oursMaxMs <= r.intervalMs + OVER_INTERVAL_MAX_MS }),
    },
  ],
  shares: [privateEngine],
  async measure(ctx) {
    return recovery((await ctx.use(privateEngine)).engine, ROUNDS, INTERVAL_MS);
  },
  title: (r) => `engine answering again -> healthy reported, ${r.rounds} stop/start rounds of a private docker20, interval ${r.intervalMs} ms (vs a bare /_ping poller at the same interval)`,
  rows: (r) => [
    row('', 'ours', 'bare'),
    row('  median (ms)', round(r.oursMedianMs, 1), round(r.bareMedianMs, 1)),
    row('  max (ms)', round(r.oursMaxMs, 1), round(r.bareMaxMs, 1)),
    row('  each round (ms)', r.oursMs.map((x) => Math.round(x)).join('/')),
    row('', r.bareMs.map((x) => Math.round(x)).join('/')),
    row('  SIGTERM -> unhealthy (median)', round(r.downMedianMs, 1)),
  ],
  jsonKey: 'recovery',
  json: (r) => ({
    ...r,
    oursMs: r.oursMs.map((x) => round(x, 1)),
    bareMs: r.bareMs.map((x) => round(x, 1)),
    downMs: r.downMs.map((x) => round(x, 1)),
    oursMedianMs: round(r.oursMedianMs, 1),
    oursMaxMs: round(r.oursMaxMs, 1),
    bareMedianMs: round(r.bareMedianMs, 1),
    bareMaxMs: round(r.bareMaxMs, 1),
    downMedianMs: round(r.downMedianMs, 1),
  }),
});

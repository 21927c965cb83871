// Part `events` (issue 8): container start → its event delivered, watchEvents() against a
// bare GET /events reader, on the private engine it shares with `recovery` (bench/events.ts).
import { eventLatency, type EventsResult } from '../events.js';
import { part, row } from '../part.js';
import { privateEngine } from '../private-engine.js';
import { round } from '../stats.js';

const OVERHEAD_MAX_MS = 5;

export const eventsPart = part<EventsResult>({
  name: 'events',
  inDefault: true,
  goals: [
    {
      name: 'events',
      goal: `<= +${OVERHEAD_MAX_MS} ms`,
      verdict: (r) => ({ value: round(r.oursMedianMs - r.bareMedianMs, 2), pass: r.oursMedianMs - r.bareMedianMs <= OVERHEAD_MAX_MS }),
    },
  ],
  shares: [privateEngine],
  async measure(ctx) {
    return eventLatency((await ctx.use(privateEngine)).engine);
  },
  title: (r) => `container start -> its event delivered, ${r.starts} starts on a private docker20 (watchEvents, managed scope, vs a bare GET /events)`,
  rows: (r) => [
    row('', 'ours', 'bare', 'ours-bare'),
    row('  median (ms)', round(r.oursMedianMs, 2), round(r.bareMedianMs, 2), round(r.oursMedianMs - r.bareMedianMs, 2)),
    row('  p95 (ms)', round(r.oursP95Ms, 2), round(r.bareP95Ms, 2), round(r.oursP95Ms - r.bareP95Ms, 2)),
  ],
  jsonKey: 'events',
  json: (r) => ({ starts: r.starts, oursMedianMs: round(r.oursMedianMs, 2), oursP95Ms: round(r.oursP95Ms, 2), bareMedianMs: round(r.bareMedianMs, 2), bareP95Ms: round(r.bareP95Ms, 2) }),
});

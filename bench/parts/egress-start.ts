// Part `egress-start` (issue 12): what an egress allowlist adds to create+start of a hardened
// workspace (the gateway starts while the workspace is made). Goal: at most +300 ms.
import { part, row } from '../part.js';
import { round } from '../stats.js';
import { egressRun, need } from './egress-run.js';

const MAX_EXTRA_MS = 300;

export const egressStartPart = part({
  name: 'egress-start',
  inDefault: true,
  goals: [{ name: 'egress-start', goal: `<= +${MAX_EXTRA_MS} ms`, verdict: (r: ReturnType<typeof need<'start'>>) => ({ value: round(r.start.deltaMs, 1), pass: r.start.deltaMs <= MAX_EXTRA_MS }) }],
  shares: [egressRun],
  measure: async (ctx) => need(await ctx.use(egressRun), 'start'),
  title: (r) => `egress, in a lab of its own (${r.engine}): create+start of a hardened workspace, ${r.start.rounds} interleaved rounds`,
  rows: ({ start: s }) => [
    row('', 'with egress', 'without', 'extra'),
    row('  median (ms)', round(s.withMedianMs, 1), round(s.withoutMedianMs, 1), `+${round(s.deltaMs, 1)}`),
    `  each round, with egress (ms): ${s.withMs.map((x) => Math.round(x)).join(' ')}`,
    `  each round, without (ms):     ${s.withoutMs.map((x) => Math.round(x)).join(' ')}`,
  ],
  jsonKey: 'egress',
  json: (r) => ({ engine: r.engine, start: r.start }),
});

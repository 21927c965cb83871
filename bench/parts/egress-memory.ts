// Part `egress-memory` (issue 12): the gateway's anonymous memory, idle and at its peak
// during the CONNECT transfers, read from /proc. Goal: at most 16 MiB.
import { part, row } from '../part.js';
import { round } from '../stats.js';
import { egressRun, need } from './egress-run.js';

const MAX_ANON_MIB = 16;

export const egressMemoryPart = part({
  name: 'egress-memory',
  inDefault: true,
  goals: [{ name: 'egress-memory', goal: `<= ${MAX_ANON_MIB} MiB`, verdict: (r: ReturnType<typeof need<'memory'>>) => ({ value: round(r.memory.peakAnonKiB / 1024, 2), pass: r.memory.peakAnonKiB / 1024 <= MAX_ANON_MIB }) }],
  shares: [egressRun],
  measure: async (ctx) => need(await ctx.use(egressRun), 'memory'),
  title: (r) => `egress (${r.engine}): the gateway's memory (node ${r.memory.flags.join(' ')}), from /proc, peak over ${r.memory.samples} samples during the transfers`,
  rows: ({ memory: m }) => [
    row('', 'anonymous', 'all (RSS)'),
    row('  idle (MiB)', round(m.idleAnonKiB / 1024, 2), round(m.idleRssKiB / 1024, 2)),
    row('  peak (MiB)', round(m.peakAnonKiB / 1024, 2), round(m.peakRssKiB / 1024, 2)),
  ],
  jsonKey: 'egress',
  json: (r) => ({ engine: r.engine, memory: r.memory }),
});

// Part `throughput`: 64 concurrent ping loops, this client against a bare undici Pool (bench/throughput.ts).
import { part, ratioAtLeast, row } from '../part.js';
import { round } from '../stats.js';
import { pingTargets } from '../targets.js';
import { throughput, type ThroughputResult } from '../throughput.js';

export const throughputPart = part<ThroughputResult>({
  name: 'throughput',
  inDefault: true,
  goals: [ratioAtLeast('throughput', 0.85, (r) => [r.oursRps, r.bareRps])],
  shares: [pingTargets],
  async measure(ctx) {
    const { ours, bare } = await ctx.use(pingTargets);
    return throughput(ours, bare);
  },
  title: (r) => `throughput, ${r.concurrency} concurrent loops, ${r.seconds} s per round after 0.5 s warm-up; rounds bare, ours, bare, ours; best round counts`,
  rows: (r) => [
    row('', 'ours', 'bare', 'ours/bare'),
    row('  requests/s (best)', Math.round(r.oursRps), Math.round(r.bareRps), round(r.oursRps / r.bareRps, 3)),
    row('  requests/s (each round)', r.oursRounds.map(Math.round).join('/'), r.bareRounds.map(Math.round).join('/')),
  ],
  jsonKey: 'throughput',
  json: (r) => ({ ...r, oursRps: Math.round(r.oursRps), bareRps: Math.round(r.bareRps), oursRounds: r.oursRounds.map(Math.round), bareRounds: r.bareRounds.map(Math.round), pick: 'best' }),
});

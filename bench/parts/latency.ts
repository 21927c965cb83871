// Part `latency`: sequential GET /_ping, this client against a bare undici Pool (bench/latency.ts).
import { latency, type LatencyResult } from '../latency.js';
import { part, ratioAtMost, row } from '../part.js';
import { round } from '../stats.js';
import { pingTargets } from '../targets.js';

export const latencyPart = part<LatencyResult>({
  name: 'latency',
  inDefault: true,
  goals: [ratioAtMost('latency', 1.15, (r) => [r.oursMedianUs, r.bareMedianUs])],
  shares: [pingTargets],
  async measure(ctx) {
    const { ours, bare } = await ctx.use(pingTargets);
    return latency(ours, bare);
  },
  title: (r) => `ping latency, sequential, ${r.samples} samples each (interleaved, after warm-up)`,
  rows: (r) => [
    row('', 'ours', 'bare', 'ours/bare'),
    row('  median (µs)', round(r.oursMedianUs, 1), round(r.bareMedianUs, 1), round(r.oursMedianUs / r.bareMedianUs, 3)),
    row('  p99 (µs)', round(r.oursP99Us, 1), round(r.bareP99Us, 1), round(r.oursP99Us / r.bareP99Us, 3)),
  ],
  jsonKey: 'latency',
  json: (r) => ({ samples: r.samples, oursMedianUs: round(r.oursMedianUs, 1), oursP99Us: round(r.oursP99Us, 1), bareMedianUs: round(r.bareMedianUs, 1), bareP99Us: round(r.bareP99Us, 1) }),
});

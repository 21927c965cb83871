// Part `network` (issue 7): ensureNetwork() of the built library on an existing network,
// against a bare exact-name lookup (bench/network.ts).
import { ensureExisting, sharedNetwork, type EnsureResult } from '../network.js';
import { part, ratioAtMost, row } from '../part.js';
import { round } from '../stats.js';

export const networkPart = part<EnsureResult>({
  name: 'network',
  inDefault: true,
  goals: [ratioAtMost('network', 1.15, (r) => [r.oursMedianUs, r.bareMedianUs])],
  shares: [sharedNetwork],
  async measure(ctx) {
    return ensureExisting(ctx.host, await ctx.use(sharedNetwork));
  },
  title: (r) => `ensureNetwork() (built library) on an existing network vs a bare exact-name lookup (GET /networks/{name}, parse, check), ${r.samples} samples each, interleaved`,
  rows: (r) => [
    row('', 'ours', 'bare', 'ours/bare'),
    row('  median (µs)', round(r.oursMedianUs, 1), round(r.bareMedianUs, 1), round(r.oursMedianUs / r.bareMedianUs, 3)),
    row('  p99 (µs)', round(r.oursP99Us, 1), round(r.bareP99Us, 1), round(r.oursP99Us / r.bareP99Us, 3)),
  ],
  jsonKey: 'network',
  json: (r) => ({ samples: r.samples, oursMedianUs: round(r.oursMedianUs, 1), oursP99Us: round(r.oursP99Us, 1), bareMedianUs: round(r.bareMedianUs, 1), bareP99Us: round(r.bareP99Us, 1) }),
});

// The one egress lab `egress-start`, `egress-throughput` and `egress-memory` share: an engine
// alone in a network namespace with an outside to talk to (not <host>), with whichever of the
// three were selected measured in it (bench/egress.ts).
import type { Shared } from '../part.js';
import { egressBench, type EgressBenchResult } from '../egress.js';

export const egressRun: Shared<EgressBenchResult> = {
  name: 'egress lab',
  // egressBench stops its lab itself once it has measured.
  open: (ctx) => egressBench(ctx.selected),
  close: () => Promise.resolve(),
};

/** A part's result: the lab's run with the piece it shows known to be there. */
export function need<K extends 'start' | 'transfer' | 'memory'>(r: EgressBenchResult, key: K): EgressBenchResult & { readonly [P in K]-?: NonNullable<EgressBenchResult[P]> } {
  if (r[key] === undefined) throw new Error(`bench: the egress lab made no ${key} measure`);
  return r as EgressBenchResult & { readonly [P in K]-?: NonNullable<EgressBenchResult[P]> };
}

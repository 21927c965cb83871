// The one Swarm run `swarm-create` and `swarm-ls` share: a 3-node cluster formed once, with
// whichever of the two were selected measured on it (bench/swarm.ts).
import type { Shared } from '../part.js';
import { swarmBench, type SwarmBenchResult } from '../swarm.js';

export const swarmRun: Shared<SwarmBenchResult> = {
  name: 'swarm cluster',
  open(ctx) {
    const which = new Set<'create' | 'ls'>([...(ctx.selected.has('swarm-create') ? (['create'] as const) : []), ...(ctx.selected.has('swarm-ls') ? (['ls'] as const) : [])]);
    const version = process.env['AICLI_BENCH_SWARM_VERSION'] === '28' ? '28' : '26';
    // swarmBench removes its cluster itself once it has measured.
    return swarmBench(which, { version, log: (l) => { ctx.log(l); } });
  },
  close: () => Promise.resolve(),
};

/** What the cluster was: the first line of each Swarm section. */
export function clusterLine(r: SwarmBenchResult): string {
  return `a 3-node cluster (1 drained manager + 2 workers, each a dockerd in its own network namespace) formed in ${r.cluster.formMs} ms (${r.cluster.totalMs} ms with engines and image)`;
}

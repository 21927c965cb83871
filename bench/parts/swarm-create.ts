// Part `swarm-create` (issue 13; not in the default set: it forms a 3-node cluster, ~80 s):
// create → running of a swarm workspace against the same spec sent bare and against
// `docker service create` (bench/swarm.ts).
import { part, ratioAtMost, row } from '../part.js';
import { median, round } from '../stats.js';
import type { SwarmBenchResult, SwarmCreateResult } from '../swarm.js';
import { clusterLine, swarmRun } from './swarm-run.js';

type Result = SwarmBenchResult & { readonly create: SwarmCreateResult };

/** Median of the docker CLI's times; undefined when no docker CLI was on PATH. */
const medianOf = (xs: readonly number[]): number | undefined => (xs.length > 0 ? median(xs) : undefined);

export const swarmCreatePart = part<Result>({
  name: 'swarm-create',
  inDefault: false,
  goals: [
    ratioAtMost('swarm-create-vs-docker', 1, (r) => [median(r.create.oursMs), medianOf(r.create.cliMs)]),
    ratioAtMost('swarm-create-vs-docker-d', 1, (r) => [median(r.create.oursMs), medianOf(r.create.cliDetachMs)]),
  ],
  shares: [swarmRun],
  async measure(ctx) {
    const r = await ctx.use(swarmRun);
    if (r.create === undefined) throw new Error('bench: the swarm run made no create measure');
    return { ...r, create: r.create };
  },
  title: (r) => `Swarm (Docker ${r.version}) create → running, ${r.create.rounds} rounds interleaved, on ${clusterLine(r)}`,
  rows(r) {
    const c = r.create;
    const na = (x: number | undefined, digits = 0): string | number => (x === undefined ? 'n/a' : round(x, digits));
    const ours = median(c.oursMs);
    const cli = medianOf(c.cliMs);
    const cliD = medianOf(c.cliDetachMs);
    return [
      '  ours (create through the library, the container read back from its node), the same spec bare',
      '  (POST /services/create + GET /tasks every 50 ms), docker service create with the same settings (it waits until converged,',
      '  which includes its 5 s stability check), and docker service create --detach + the bare wait',
      row('', 'ours', 'bare', 'docker', 'docker -d', 'ours/bare', 'ours/docker', 'ours/docker -d'),
      row('  median (ms)', round(ours, 0), round(median(c.bareMs), 0), na(cli), na(cliD), round(ours / median(c.bareMs), 3), na(cli === undefined ? undefined : ours / cli, 3), na(cliD === undefined ? undefined : ours / cliD, 3)),
      ...([['ours', c.oursMs], ['bare', c.bareMs], ['docker', c.cliMs], ['docker -d', c.cliDetachMs]] as const).map(([label, xs]) => `  each, ${label} (ms): ${xs.map((x) => Math.round(x)).join(' ')}`),
    ];
  },
  // The whole run, as before the parts were split: swarm-ls gives the same object.
  jsonKey: 'swarm',
  json: (r) => r,
});

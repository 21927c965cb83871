// Part `swarm-ls` (issue 13; not in the default set): the API calls and time of
// `workspace ls` with 1 and with 50 swarm workspaces, counted by a proxy (bench/swarm.ts).
import { part, row } from '../part.js';
import { round } from '../stats.js';
import type { SwarmBenchResult, SwarmLsResult } from '../swarm.js';
import { clusterLine, swarmRun } from './swarm-run.js';

type Result = SwarmBenchResult & { readonly ls: SwarmLsResult };

export const swarmLsPart = part<Result>({
  name: 'swarm-ls',
  inDefault: false,
  goals: [
    {
      name: 'swarm-ls-calls',
      goal: '= 1 (same calls)',
      verdict: (r) => ({ value: r.ls.callsFifty.length / r.ls.callsOne.length, pass: r.ls.callsFifty.length === r.ls.callsOne.length }),
    },
  ],
  shares: [swarmRun],
  async measure(ctx) {
    const r = await ctx.use(swarmRun);
    if (r.ls === undefined) throw new Error('bench: the swarm run made no ls measure');
    return { ...r, ls: r.ls };
  },
  title: (r) => `Swarm (Docker ${r.version}) workspace ls: API calls seen by a proxy in front of the manager, and median time of 15, on ${clusterLine(r)}`,
  rows: (r) => [
    row('', '1 workspace', '50 workspaces'),
    row('  API calls', r.ls.callsOne.length, r.ls.callsFifty.length),
    row('  median (ms)', round(r.ls.oneMedianMs, 1), round(r.ls.fiftyMedianMs, 1)),
    `  calls: ${r.ls.callsFifty.map((c) => c.replace(/\?.*$/, '')).join(', ')}`,
  ],
  jsonKey: 'swarm',
  json: (r) => r,
});

// Part `egress-throughput` (issue 12): 100 MB read in a workspace through its gateway
// (CONNECT) against the same read straight from the aicli network. Goal: at least 0.8x.
import { part, ratioAtLeast, row } from '../part.js';
import { round } from '../stats.js';
import { egressRun, need } from './egress-run.js';

export const egressThroughputPart = part({
  name: 'egress-throughput',
  inDefault: true,
  goals: [ratioAtLeast('egress-throughput', 0.8, (r: ReturnType<typeof need<'transfer'>>) => [r.transfer.proxyBest, r.transfer.directBest])],
  shares: [egressRun],
  measure: async (ctx) => need(await ctx.use(egressRun), 'transfer'),
  title: (r) => `egress (${r.engine}): ${r.transfer.bytes / 2 ** 20} MB read in a workspace, through the gateway (CONNECT) vs straight; best round counts`,
  rows: ({ transfer: t }) => [
    row('', 'CONNECT', 'direct', 'ratio'),
    row('  MB/s (best)', Math.round(t.proxyBest), Math.round(t.directBest), round(t.ratio, 3)),
    `  each round, CONNECT (MB/s): ${t.proxyMBps.map(Math.round).join(' ')}`,
    `  each round, direct (MB/s):  ${t.directMBps.map(Math.round).join(' ')}`,
  ],
  jsonKey: 'egress',
  json: (r) => ({ engine: r.engine, transfer: r.transfer }),
});

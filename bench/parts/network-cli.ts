// Part `network-cli` (issue 7): `aicli-docker network ensure` against `docker network inspect`
// (and `node -e 0`), whole processes; skipped without a docker CLI on PATH (bench/network.ts).
import { ensureCli, sharedNetwork, type EnsureCliResult } from '../network.js';
import { part, ratioAtMost, row } from '../part.js';
import { round } from '../stats.js';

export const networkCliPart = part<EnsureCliResult | undefined>({
  name: 'network-cli',
  inDefault: true,
  goals: [ratioAtMost('network-cli', 1.0, (r) => (r === undefined ? undefined : [r.cliMedianMs, r.dockerMedianMs]))],
  shares: [sharedNetwork],
  async measure(ctx) {
    return ensureCli(ctx.host, await ctx.use(sharedNetwork));
  },
  title: (r) =>
    r === undefined
      ? '`network ensure` vs `docker network inspect`: SKIPPED (no docker CLI on PATH)'
      : `\`aicli-docker network ensure\` vs \`docker network inspect\` (${r.docker}), wall time, median of ${r.runs} runs each (interleaved)`,
  rows: (r) =>
    r === undefined
      ? []
      : [row('', 'ensure', 'docker', 'node -e 0', 'ensure/docker'), row('  median (ms)', round(r.cliMedianMs, 1), round(r.dockerMedianMs, 1), round(r.nodeMedianMs, 1), round(r.cliMedianMs / r.dockerMedianMs, 3))],
  jsonKey: 'networkCli',
  json: (r) => (r === undefined ? undefined : { ...r, cliMedianMs: round(r.cliMedianMs, 1), dockerMedianMs: round(r.dockerMedianMs, 1), nodeMedianMs: round(r.nodeMedianMs, 1) }),
});

// Part `cleanup` (issue 10): `aicli-docker cleanup` of 200 stopped managed containers against
// a bare 32-way removal and one `docker rm -f` (bench/inside.ts).
import { cleanupBench, type CleanupResult } from '../inside.js';
import { part, ratioAtMost, row } from '../part.js';
import { round } from '../stats.js';

export const cleanupPart = part<CleanupResult>({
  name: 'cleanup',
  inDefault: true,
  goals: [ratioAtMost('cleanup vs bare', 1.15, (r) => [r.oursMs, r.bareMs]), ratioAtMost('cleanup vs docker rm -f', 1.0, (r) => [r.oursMs, r.dockerMs])],
  measure: (ctx) => cleanupBench(ctx.host),
  title: (r) => `removal of ${r.containers} stopped managed containers, whole processes, median of ${r.rounds}`,
  rows: (r) => [row('', 'cleanup', 'bare 32-way', 'docker rm -f'), row('  wall (ms)', round(r.oursMs, 1), round(r.bareMs, 1), r.dockerMs === undefined ? 'n/a' : round(r.dockerMs, 1))],
  jsonKey: 'cleanup',
  json: (r) => r,
});

// Part `exec-cat` (issue 10): `workspace exec NAME -- cat` of a 214 MB file, whole processes,
// against a bare hijacked exec and `docker exec` (bench/inside.ts).
import { execCat, type ExecCatResult } from '../inside.js';
import { part, ratioAtMost, row } from '../part.js';
import { round } from '../stats.js';

export const execCatPart = part<ExecCatResult>({
  name: 'exec-cat',
  inDefault: true,
  goals: [ratioAtMost('exec-cat vs bare', 1.25, (r) => [r.oursMs, r.bareMs]), ratioAtMost('exec-cat vs docker', 1.0, (r) => [r.oursMs, r.dockerMs])],
  measure: (ctx) => execCat(ctx.host),
  title: (r) => `workspace exec NAME -- cat of a ${r.bytes / 1e6} MB file, whole processes, stdout to /dev/null, median of ${r.runs} (interleaved)`,
  rows: (r) => [row('', 'ours', 'bare', 'docker exec'), row('  wall (ms)', round(r.oursMs, 1), round(r.bareMs, 1), r.dockerMs === undefined ? 'n/a' : round(r.dockerMs, 1))],
  jsonKey: 'execCat',
  json: (r) => r,
});

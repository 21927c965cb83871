// Part `exec-true` (issue 10): exec of `true` in-process against the bare API calls; `docker
// exec` per call for reference (bench/inside.ts).
import { execTrue, type ExecTrueResult } from '../inside.js';
import { part, ratioAtMost, row } from '../part.js';
import { round } from '../stats.js';

export const execTruePart = part<ExecTrueResult>({
  name: 'exec-true',
  inDefault: true,
  goals: [ratioAtMost('exec-true vs bare', 1.1, (r) => [r.oursP50Ms, r.bareP50Ms])],
  measure: (ctx) => execTrue(ctx.host),
  title: (r) => `exec of true, in-process, p50 of ${r.samples} each (interleaved); docker exec per call for reference`,
  rows: (r) => [row('', 'ours', 'bare', 'docker exec'), row('  p50 (ms)', round(r.oursP50Ms, 1), round(r.bareP50Ms, 1), r.dockerP50Ms === undefined ? 'n/a' : round(r.dockerP50Ms, 1))],
  jsonKey: 'execTrue',
  json: (r) => r,
});

// Part `workspace` (issue 9): create + start + remove through the library, against bare API
// calls and against the docker CLI doing the same (bench/workspace.ts). Our own CLI is shown
// too: two node start-ups cost more than three Go ones, whatever the library does.
import { part, ratioAtMost, ratioBelow, row } from '../part.js';
import { round } from '../stats.js';
import { workspaceBench, type WorkspaceBenchResult } from '../workspace.js';

export const workspacePart = part<WorkspaceBenchResult>({
  name: 'workspace',
  inDefault: true,
  goals: [ratioAtMost('workspace-vs-bare', 1.15, (r) => [r.libraryMs, r.bareMs]), ratioBelow('workspace-vs-docker-cli', 1, (r) => [r.libraryMs, r.dockerCliMs])],
  measure: (ctx) => workspaceBench(ctx.host),
  title: (r) => `workspace create + start + remove, median of ${r.rounds} rounds each (interleaved, after warm-up), same engine`,
  rows: (r) => [
    row('', 'ms', 'vs bare', 'vs docker CLI'),
    row('  library (in-process)', round(r.libraryMs, 1), round(r.libraryMs / r.bareMs, 3), round(r.libraryMs / r.dockerCliMs, 3)),
    row('  bare API calls', round(r.bareMs, 1), 1, round(r.bareMs / r.dockerCliMs, 3)),
    row('  aicli-docker CLI (2 runs)', round(r.oursCliMs, 1), round(r.oursCliMs / r.bareMs, 3), round(r.oursCliMs / r.dockerCliMs, 3)),
    row(`  docker CLI (3 runs)`, round(r.dockerCliMs, 1), round(r.dockerCliMs / r.bareMs, 3), 1),
  ],
  jsonKey: 'workspace',
  json: (r) => ({ rounds: r.rounds, libraryMs: round(r.libraryMs, 1), bareMs: round(r.bareMs, 1), oursCliMs: round(r.oursCliMs, 1), dockerCliMs: round(r.dockerCliMs, 1), dockerCli: r.dockerCli }),
});

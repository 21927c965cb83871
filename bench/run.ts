// `npm run bench` (scripts/bench.sh) runs: node --import tsx bench/run.ts <host> [--only latency,throughput,startup]
// Prints a table, PASS/MISS per goal, and one final `BENCH_JSON {...}` line.
// Exit code: 0 = measured (goals may be missed), 1 = the bench itself failed.
import { latency, type LatencyResult } from './latency.js';
import { round } from './stats.js';
import { startup, type StartupResult } from './startup.js';
import { bare, ours } from './targets.js';
import { throughput, type ThroughputResult } from './throughput.js';
import { workspaceBench, type WorkspaceBenchResult } from './workspace.js';

const GOALS = { latencyRatioMax: 1.15, throughputRatioMin: 0.85, startupRatioMax: 2.5 };
// Workspaces (issue 9): create+start+remove through the library, against bare API calls and
// against the docker CLI doing the same. Our own CLI is shown too: two node start-ups cost
// more than three Go ones, whatever the library does.
const WORKSPACE_GOALS = { libraryRatioMax: 1.15, dockerCliRatioMax: 1 };

const [host, flag, onlyArg] = process.argv.slice(2);
if (host === undefined || host.startsWith('-') || (flag !== undefined && (flag !== '--only' || onlyArg === undefined))) {
  process.stderr.write('usage: node --import tsx bench/run.ts <host> [--only latency,throughput,startup,workspace]\n');
  process.exit(2);
}
const parts = new Set((onlyArg ?? 'latency,throughput,startup,workspace').split(','));

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
const row = (...cells: (string | number)[]): string => cells.map((c, i) => String(c).padEnd(i === 0 ? 30 : 12)).join('').trimEnd();

const goals: Record<string, { ratio: number; goal: string; pass: boolean }> = {};
let lat: LatencyResult | undefined;
let thr: ThroughputResult | undefined;
let cli: StartupResult | undefined;
let wsb: WorkspaceBenchResult | undefined;

out(`aicli-docker bench: ${host} (node ${process.version})`);
if (parts.has('latency') || parts.has('throughput')) {
  const a = await ours(host);
  const b = bare(host);
  try {
    if (parts.has('latency')) {
      lat = await latency(a, b);
      const ratio = lat.oursMedianUs / lat.bareMedianUs;
      goals['latency'] = { ratio: round(ratio, 3), goal: `<= ${GOALS.latencyRatioMax}`, pass: ratio <= GOALS.latencyRatioMax };
      out('');
      out(`1. ping latency, sequential, ${lat.samples} samples each (interleaved, after warm-up)`);
      out(row('', 'ours', 'bare', 'ours/bare'));
      out(row('  median (µs)', round(lat.oursMedianUs, 1), round(lat.bareMedianUs, 1), round(ratio, 3)));
      out(row('  p99 (µs)', round(lat.oursP99Us, 1), round(lat.bareP99Us, 1), round(lat.oursP99Us / lat.bareP99Us, 3)));
    }
    if (parts.has('throughput')) {
      thr = await throughput(a, b);
      const ratio = thr.oursRps / thr.bareRps;
      goals['throughput'] = { ratio: round(ratio, 3), goal: `>= ${GOALS.throughputRatioMin}`, pass: ratio >= GOALS.throughputRatioMin };
      out('');
      out(`2. throughput, ${thr.concurrency} concurrent loops, ${thr.seconds} s per round after 0.5 s warm-up; rounds bare, ours, bare, ours; best round counts`);
      out(row('', 'ours', 'bare', 'ours/bare'));
      out(row('  requests/s (best)', Math.round(thr.oursRps), Math.round(thr.bareRps), round(ratio, 3)));
      out(row('  requests/s (each round)', thr.oursRounds.map(Math.round).join('/'), thr.bareRounds.map(Math.round).join('/')));
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
if (parts.has('startup')) {
  cli = startup(host);
  const ratio = cli.cliMedianMs / cli.nodeMedianMs;
  goals['startup'] = { ratio: round(ratio, 3), goal: `<= ${GOALS.startupRatioMax}`, pass: ratio <= GOALS.startupRatioMax };
  out('');
  out(`3. CLI start-up, wall time, median of ${cli.runs} runs each (interleaved), env = PATH + empty HOME`);
  out(row('', 'status', 'node -e 0', 'ratio'));
  out(row('  median (ms)', round(cli.cliMedianMs, 1), round(cli.nodeMedianMs, 1), round(ratio, 3)));
}

if (parts.has('workspace')) {
  wsb = await workspaceBench(host);
  const lib = wsb.libraryMs / wsb.bareMs;
  const vsDocker = wsb.libraryMs / wsb.dockerCliMs;
  const viaCli = wsb.oursCliMs / wsb.dockerCliMs;
  goals['workspace-vs-bare'] = { ratio: round(lib, 3), goal: `<= ${WORKSPACE_GOALS.libraryRatioMax}`, pass: lib <= WORKSPACE_GOALS.libraryRatioMax };
  goals['workspace-vs-docker-cli'] = { ratio: round(vsDocker, 3), goal: `< ${WORKSPACE_GOALS.dockerCliRatioMax}`, pass: vsDocker < WORKSPACE_GOALS.dockerCliRatioMax };
  out('');
  out(`4. workspace create + start + remove, median of ${wsb.rounds} rounds each (interleaved, after warm-up), same engine`);
  out(row('', 'ms', 'vs bare', 'vs docker CLI'));
  out(row('  library (in-process)', round(wsb.libraryMs, 1), round(lib, 3), round(wsb.libraryMs / wsb.dockerCliMs, 3)));
  out(row('  bare API calls', round(wsb.bareMs, 1), 1, round(wsb.bareMs / wsb.dockerCliMs, 3)));
  out(row('  aicli-docker CLI (2 runs)', round(wsb.oursCliMs, 1), round(wsb.oursCliMs / wsb.bareMs, 3), round(viaCli, 3)));
  out(row(`  docker CLI (3 runs)`, round(wsb.dockerCliMs, 1), round(wsb.dockerCliMs / wsb.bareMs, 3), 1));
}

out('');
out('goals');
for (const [name, g] of Object.entries(goals)) out(row(`  ${name}`, `${g.ratio}`, g.goal, verdict(g.pass)));
out(`BENCH_JSON ${JSON.stringify({
  host,
  node: process.version,
  latency: lat === undefined ? undefined : { samples: lat.samples, oursMedianUs: round(lat.oursMedianUs, 1), oursP99Us: round(lat.oursP99Us, 1), bareMedianUs: round(lat.bareMedianUs, 1), bareP99Us: round(lat.bareP99Us, 1) },
  throughput: thr === undefined ? undefined : { ...thr, oursRps: Math.round(thr.oursRps), bareRps: Math.round(thr.bareRps), oursRounds: thr.oursRounds.map(Math.round), bareRounds: thr.bareRounds.map(Math.round), pick: 'best' },
  startup: cli === undefined ? undefined : { runs: cli.runs, cliMedianMs: round(cli.cliMedianMs, 1), nodeMedianMs: round(cli.nodeMedianMs, 1) },
  workspace: wsb === undefined ? undefined : { rounds: wsb.rounds, libraryMs: round(wsb.libraryMs, 1), bareMs: round(wsb.bareMs, 1), oursCliMs: round(wsb.oursCliMs, 1), dockerCliMs: round(wsb.dockerCliMs, 1), dockerCli: wsb.dockerCli },
  goals,
})}`);

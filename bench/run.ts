// `npm run bench` (scripts/bench.sh) runs: node --import tsx bench/run.ts <host> [--only latency,throughput,startup,exec-cat,exec-true,cleanup]
// Prints a table, PASS/MISS per goal, and one final `BENCH_JSON {...}` line.
// Exit code: 0 = measured (goals may be missed), 1 = the bench itself failed.
import { latency, type LatencyResult } from './latency.js';
import { round } from './stats.js';
import { startup, type StartupResult } from './startup.js';
import { bare, ours } from './targets.js';
import { throughput, type ThroughputResult } from './throughput.js';
import { cleanupBench, execCat, execTrue, type CleanupResult, type ExecCatResult, type ExecTrueResult } from './inside.js';

const GOALS = { latencyRatioMax: 1.15, throughputRatioMin: 0.85, startupRatioMax: 2.5 };

const [host, flag, onlyArg] = process.argv.slice(2);
if (host === undefined || host.startsWith('-') || (flag !== undefined && (flag !== '--only' || onlyArg === undefined))) {
  process.stderr.write('usage: node --import tsx bench/run.ts <host> [--only latency,throughput,startup,exec-cat,exec-true,cleanup]\n');
  process.exit(2);
}
const parts = new Set((onlyArg ?? 'latency,throughput,startup,exec-cat,exec-true,cleanup').split(','));

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
const row = (...cells: (string | number)[]): string => cells.map((c, i) => String(c).padEnd(i === 0 ? 30 : 12)).join('').trimEnd();

const goals: Record<string, { ratio: number; goal: string; pass: boolean }> = {};
let lat: LatencyResult | undefined;
let thr: ThroughputResult | undefined;
let cli: StartupResult | undefined;

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

// --- inside a workspace (issue 10): exec of a 214 MB cat, exec of true, cleanup of 200 ---
const INSIDE_GOALS = { catVsBareMax: 1.25, catVsDockerMax: 1.0, trueVsBareMax: 1.1, cleanupVsBareMax: 1.15, cleanupVsDockerMax: 1.0 };
let cat: ExecCatResult | undefined;
let tru: ExecTrueResult | undefined;
let clean: CleanupResult | undefined;
const ratioGoal = (name: string, a: number, b: number | undefined, max: number): void => {
  if (b === undefined) return;
  goals[name] = { ratio: round(a / b, 3), goal: `<= ${max}`, pass: a / b <= max };
};
if (parts.has('exec-cat')) {
  cat = await execCat(host);
  ratioGoal('exec-cat vs bare', cat.oursMs, cat.bareMs, INSIDE_GOALS.catVsBareMax);
  ratioGoal('exec-cat vs docker', cat.oursMs, cat.dockerMs, INSIDE_GOALS.catVsDockerMax);
  out('');
  out(`4. workspace exec NAME -- cat of a ${cat.bytes / 1e6} MB file, whole processes, stdout to /dev/null, median of ${cat.runs} (interleaved)`);
  out(row('', 'ours', 'bare', 'docker exec'));
  out(row('  wall (ms)', round(cat.oursMs, 1), round(cat.bareMs, 1), cat.dockerMs === undefined ? 'n/a' : round(cat.dockerMs, 1)));
}
if (parts.has('exec-true')) {
  tru = await execTrue(host);
  ratioGoal('exec-true vs bare', tru.oursP50Ms, tru.bareP50Ms, INSIDE_GOALS.trueVsBareMax);
  out('');
  out(`5. exec of true, in-process, p50 of ${tru.samples} each (interleaved); docker exec per call for reference`);
  out(row('', 'ours', 'bare', 'docker exec'));
  out(row('  p50 (ms)', round(tru.oursP50Ms, 1), round(tru.bareP50Ms, 1), tru.dockerP50Ms === undefined ? 'n/a' : round(tru.dockerP50Ms, 1)));
}
if (parts.has('cleanup')) {
  clean = await cleanupBench(host);
  ratioGoal('cleanup vs bare', clean.oursMs, clean.bareMs, INSIDE_GOALS.cleanupVsBareMax);
  ratioGoal('cleanup vs docker rm -f', clean.oursMs, clean.dockerMs, INSIDE_GOALS.cleanupVsDockerMax);
  out('');
  out(`6. removal of ${clean.containers} stopped managed containers, whole processes, median of ${clean.rounds}`);
  out(row('', 'cleanup', 'bare 32-way', 'docker rm -f'));
  out(row('  wall (ms)', round(clean.oursMs, 1), round(clean.bareMs, 1), clean.dockerMs === undefined ? 'n/a' : round(clean.dockerMs, 1)));
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
  execCat: cat,
  execTrue: tru,
  cleanup: clean,
  goals,
})}`);

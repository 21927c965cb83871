// `npm run bench` (scripts/bench.sh) runs: node --import tsx bench/run.ts <host> [--only latency,throughput,startup,egress-start,egress-throughput,egress-memory]
// Prints a table, PASS/MISS per goal, and one final `BENCH_JSON {...}` line.
// Exit code: 0 = measured (goals may be missed), 1 = the bench itself failed.
import { latency, type LatencyResult } from './latency.js';
import { round } from './stats.js';
import { startup, type StartupResult } from './startup.js';
import { bare, ours } from './targets.js';
import { throughput, type ThroughputResult } from './throughput.js';
import { egressBench, type EgressBenchResult } from './egress.js';

const GOALS = { latencyRatioMax: 1.15, throughputRatioMin: 0.85, startupRatioMax: 2.5 };
// Egress (issue 12): extra ms for create+start with egress, CONNECT vs direct, gateway anonymous RSS.
const EGRESS_GOALS = { startDeltaMaxMs: 300, throughputRatioMin: 0.8, anonMaxMiB: 16 };
const EGRESS_PARTS = ['egress-start', 'egress-throughput', 'egress-memory'];

const [host, flag, onlyArg] = process.argv.slice(2);
if (host === undefined || host.startsWith('-') || (flag !== undefined && (flag !== '--only' || onlyArg === undefined))) {
  process.stderr.write(`usage: node --import tsx bench/run.ts <host> [--only latency,throughput,startup,${EGRESS_PARTS.join(',')}]\n`);
  process.exit(2);
}
const parts = new Set((onlyArg ?? ['latency', 'throughput', 'startup', ...EGRESS_PARTS].join(',')).split(','));

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

let egress: EgressBenchResult | undefined;
if (EGRESS_PARTS.some((p) => parts.has(p))) {
  // These need an outside to talk to: they run in an egress lab of their own (not <host>).
  egress = await egressBench(parts);
  out('');
  out(`4. egress, in a lab of its own: ${egress.engine}`);
  if (egress.start !== undefined) {
    const s = egress.start;
    goals['egress-start'] = { ratio: round(s.deltaMs, 1), goal: `<= +${EGRESS_GOALS.startDeltaMaxMs} ms`, pass: s.deltaMs <= EGRESS_GOALS.startDeltaMaxMs };
    out(`  create+start of a hardened workspace, ${s.rounds} interleaved rounds (medians, ms)`);
    out(row('', 'with egress', 'without', 'extra'));
    out(row('    median (ms)', round(s.withMedianMs, 1), round(s.withoutMedianMs, 1), `+${round(s.deltaMs, 1)}`));
    out(row('    each round (ms)', s.withMs.map((x) => Math.round(x)).join('/'), s.withoutMs.map((x) => Math.round(x)).join('/')));
  }
  if (egress.transfer !== undefined) {
    const t = egress.transfer;
    goals['egress-throughput'] = { ratio: round(t.ratio, 3), goal: `>= ${EGRESS_GOALS.throughputRatioMin}`, pass: t.ratio >= EGRESS_GOALS.throughputRatioMin };
    out(`  ${t.bytes / 2 ** 20} MB read in a workspace: through the gateway (CONNECT) vs straight from the aicli network; best round counts`);
    out(row('', 'CONNECT', 'direct', 'ratio'));
    out(row('    MB/s (best)', Math.round(t.proxyBest), Math.round(t.directBest), round(t.ratio, 3)));
    out(row('    MB/s (each round)', t.proxyMBps.map(Math.round).join('/'), t.directMBps.map(Math.round).join('/')));
  }
  if (egress.memory !== undefined) {
    const m = egress.memory;
    goals['egress-memory'] = { ratio: round(m.peakAnonKiB / 1024, 2), goal: `<= ${EGRESS_GOALS.anonMaxMiB} MiB`, pass: m.peakAnonKiB / 1024 <= EGRESS_GOALS.anonMaxMiB };
    out(`  the gateway's memory (node ${m.flags.join(' ')}), from /proc; peak over ${m.samples} samples during the CONNECT transfers`);
    out(row('', 'anonymous', 'all (RSS)'));
    out(row('    idle (MiB)', round(m.idleAnonKiB / 1024, 2), round(m.idleRssKiB / 1024, 2)));
    out(row('    peak (MiB)', round(m.peakAnonKiB / 1024, 2), round(m.peakRssKiB / 1024, 2)));
  }
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
  egress,
  goals,
})}`);

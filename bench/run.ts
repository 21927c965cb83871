// `npm run bench` (scripts/bench.sh) runs: node --import tsx bench/run.ts <host> [--only latency,throughput,startup,network,network-cli]
// Prints a table, PASS/MISS per goal, and one final `BENCH_JSON {...}` line.
// Exit code: 0 = measured (goals may be missed), 1 = the bench itself failed.
import { latency, type LatencyResult } from './latency.js';
import { round } from './stats.js';
import { startup, type StartupResult } from './startup.js';
import { bare, ours } from './targets.js';
import { throughput, type ThroughputResult } from './throughput.js';
// network feature
import { benchNetwork, ensureCli, ensureExisting, type EnsureCliResult, type EnsureResult } from './network.js';

const GOALS = { latencyRatioMax: 1.15, throughputRatioMin: 0.85, startupRatioMax: 2.5 };
// network feature: ensureNetwork() on an existing network within 1.15x a bare exact-name lookup;
// `network ensure` no slower than `docker network inspect`.
const NETWORK_GOALS = { ensureRatioMax: 1.15, ensureCliRatioMax: 1.0 };

const [host, flag, onlyArg] = process.argv.slice(2);
if (host === undefined || host.startsWith('-') || (flag !== undefined && (flag !== '--only' || onlyArg === undefined))) {
  process.stderr.write('usage: node --import tsx bench/run.ts <host> [--only latency,throughput,startup,network,network-cli]\n');
  process.exit(2);
}
const parts = new Set((onlyArg ?? 'latency,throughput,startup,network,network-cli').split(','));

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
const row = (...cells: (string | number)[]): string => cells.map((c, i) => String(c).padEnd(i === 0 ? 30 : 12)).join('').trimEnd();

const goals: Record<string, { ratio: number; goal: string; pass: boolean }> = {};
let lat: LatencyResult | undefined;
let thr: ThroughputResult | undefined;
let cli: StartupResult | undefined;
let ensure: EnsureResult | undefined;
let ensureCliResult: EnsureCliResult | undefined;

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

// network feature
if (parts.has('network') || parts.has('network-cli')) {
  const net = await benchNetwork(host);
  try {
    if (parts.has('network')) {
      ensure = await ensureExisting(host, net);
      const ratio = ensure.oursMedianUs / ensure.bareMedianUs;
      goals['network'] = { ratio: round(ratio, 3), goal: `<= ${NETWORK_GOALS.ensureRatioMax}`, pass: ratio <= NETWORK_GOALS.ensureRatioMax };
      out('');
      out(`4. ensureNetwork() (built library) on an existing network vs a bare exact-name lookup (GET /networks/{name}, parse, check), ${ensure.samples} samples each, interleaved`);
      out(row('', 'ours', 'bare', 'ours/bare'));
      out(row('  median (µs)', round(ensure.oursMedianUs, 1), round(ensure.bareMedianUs, 1), round(ratio, 3)));
      out(row('  p99 (µs)', round(ensure.oursP99Us, 1), round(ensure.bareP99Us, 1), round(ensure.oursP99Us / ensure.bareP99Us, 3)));
    }
    if (parts.has('network-cli')) {
      ensureCliResult = ensureCli(host, net);
      out('');
      if (ensureCliResult === undefined) {
        out('5. `network ensure` vs `docker network inspect`: SKIPPED (no docker CLI on PATH)');
      } else {
        const c = ensureCliResult;
        const ratio = c.cliMedianMs / c.dockerMedianMs;
        goals['network-cli'] = { ratio: round(ratio, 3), goal: `<= ${NETWORK_GOALS.ensureCliRatioMax}`, pass: ratio <= NETWORK_GOALS.ensureCliRatioMax };
        out(`5. \`aicli-docker network ensure\` vs \`docker network inspect\` (${c.docker}), wall time, median of ${c.runs} runs each (interleaved)`);
        out(row('', 'ensure', 'docker', 'node -e 0', 'ensure/docker'));
        out(row('  median (ms)', round(c.cliMedianMs, 1), round(c.dockerMedianMs, 1), round(c.nodeMedianMs, 1), round(ratio, 3)));
      }
    }
  } finally {
    await net.close();
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
  network: ensure === undefined ? undefined : { samples: ensure.samples, oursMedianUs: round(ensure.oursMedianUs, 1), oursP99Us: round(ensure.oursP99Us, 1), bareMedianUs: round(ensure.bareMedianUs, 1), bareP99Us: round(ensure.bareP99Us, 1) },
  networkCli: ensureCliResult === undefined ? undefined : { ...ensureCliResult, cliMedianMs: round(ensureCliResult.cliMedianMs, 1), dockerMedianMs: round(ensureCliResult.dockerMedianMs, 1), nodeMedianMs: round(ensureCliResult.nodeMedianMs, 1) },
  goals,
})}`);

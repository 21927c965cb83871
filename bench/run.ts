// `npm run bench` (scripts/bench.sh) runs: node --import tsx bench/run.ts <host> [--only latency,throughput,startup,egress-start,egress-throughput,egress-memory,network,network-cli,workspace,recovery,events,exec-cat,exec-true,cleanup,swarm-create,swarm-ls]
// Prints a table, PASS/MISS per goal, and one final `BENCH_JSON {...}` line.
// Exit code: 0 = measured (goals may be missed), 1 = the bench itself failed.
import { latency, type LatencyResult } from './latency.js';
import { median, round } from './stats.js';
import { startup, type StartupResult } from './startup.js';
import { bare, ours } from './targets.js';
import { throughput, type ThroughputResult } from './throughput.js';
import { workspaceBench, type WorkspaceBenchResult } from './workspace.js';
// Health (issue 8): recovery and event latency, on a private engine of their own.
import { eventLatency, type EventsResult } from './events.js';
import { benchEngine } from './private-engine.js';
import { recovery, type RecoveryResult } from './recovery.js';
// Swarm workspaces (issue 13): not in the default set (they form a 3-node cluster); --only swarm-create,swarm-ls.
import { swarmBench, type SwarmBenchResult } from './swarm.js';
// The aicli network (issue 7)
import { benchNetwork, ensureCli, ensureExisting, type EnsureCliResult, type EnsureResult } from './network.js';
// Egress (issue 12)
import { egressBench, type EgressBenchResult } from './egress.js';
import { cleanupBench, execCat, execTrue, type CleanupResult, type ExecCatResult, type ExecTrueResult } from './inside.js';

const GOALS = { latencyRatioMax: 1.15, throughputRatioMin: 0.85, startupRatioMax: 2.5 };
// Workspaces (issue 9): create+start+remove through the library, against bare API calls and
// against the docker CLI doing the same. Our own CLI is shown too: two node start-ups cost
// more than three Go ones, whatever the library does.
const WORKSPACE_GOALS = { libraryRatioMax: 1.15, dockerCliRatioMax: 1 };
// The aicli network: ensureNetwork() on an existing network within 1.15x a bare exact-name lookup;
// `network ensure` no slower than `docker network inspect`.
const NETWORK_GOALS = { ensureRatioMax: 1.15, ensureCliRatioMax: 1.0 };
// Egress (issue 12): extra ms for create+start with egress, CONNECT vs direct, gateway anonymous RSS.
const EGRESS_GOALS = { startDeltaMaxMs: 300, throughputRatioMin: 0.8, anonMaxMiB: 16 };
const EGRESS_PARTS = ['egress-start', 'egress-throughput', 'egress-memory'];

const [host, flag, onlyArg] = process.argv.slice(2);
if (host === undefined || host.startsWith('-') || (flag !== undefined && (flag !== '--only' || onlyArg === undefined))) {
  process.stderr.write('usage: node --import tsx bench/run.ts <host> [--only latency,throughput,startup,egress-start,egress-throughput,egress-memory,network,network-cli,workspace,recovery,events,exec-cat,exec-true,cleanup,swarm-create,swarm-ls]\n');
  process.exit(2);
}
const parts = new Set((onlyArg ?? 'latency,throughput,startup,egress-start,egress-throughput,egress-memory,network,network-cli,workspace,recovery,events,exec-cat,exec-true,cleanup').split(','));

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
// Health (issue 8): both parts stop and start their engine, so it is a private one.
const HEALTH_GOALS = { recoveryMaxOverIntervalMs: 250, eventOverheadMsMax: 5 };
let rec: RecoveryResult | undefined;
let evl: EventsResult | undefined;
if (parts.has('recovery') || parts.has('events')) {
  const priv = await benchEngine();
  try {
    if (parts.has('events')) {
      evl = await eventLatency(priv.engine);
      const overhead = evl.oursMedianMs - evl.bareMedianMs;
      goals['events'] = { ratio: round(overhead, 2), goal: `<= +${HEALTH_GOALS.eventOverheadMsMax} ms`, pass: overhead <= HEALTH_GOALS.eventOverheadMsMax };
      out('');
      out(`5. container start -> its event delivered, ${evl.starts} starts on a private docker20 (watchEvents, managed scope, vs a bare GET /events)`);
      out(row('', 'ours', 'bare', 'ours-bare'));
      out(row('  median (ms)', round(evl.oursMedianMs, 2), round(evl.bareMedianMs, 2), round(overhead, 2)));
      out(row('  p95 (ms)', round(evl.oursP95Ms, 2), round(evl.bareP95Ms, 2), round(evl.oursP95Ms - evl.bareP95Ms, 2)));
    }
    if (parts.has('recovery')) {
      rec = await recovery(priv.engine);
      const bound = rec.intervalMs + HEALTH_GOALS.recoveryMaxOverIntervalMs;
      goals['recovery'] = { ratio: round(rec.oursMaxMs, 1), goal: `<= ${bound} ms`, pass: rec.oursMaxMs <= bound };
      out('');
      out(`6. engine answering again -> healthy reported, ${rec.rounds} stop/start rounds of a private docker20, interval ${rec.intervalMs} ms (vs a bare /_ping poller at the same interval)`);
      out(row('', 'ours', 'bare'));
      out(row('  median (ms)', round(rec.oursMedianMs, 1), round(rec.bareMedianMs, 1)));
      out(row('  max (ms)', round(rec.oursMaxMs, 1), round(rec.bareMaxMs, 1)));
      out(row('  each round (ms)', rec.oursMs.map((x) => Math.round(x)).join('/')));
      out(row('', rec.bareMs.map((x) => Math.round(x)).join('/')));
      out(row('  SIGTERM -> unhealthy (median)', round(rec.downMedianMs, 1)));
    }
  } finally {
    await priv.destroy();
  }
}
// Swarm workspaces (issue 13)
let swarm: SwarmBenchResult | undefined;
if (parts.has('swarm-create') || parts.has('swarm-ls')) {
  const which = new Set<'create' | 'ls'>([...(parts.has('swarm-create') ? (['create'] as const) : []), ...(parts.has('swarm-ls') ? (['ls'] as const) : [])]);
  const version = process.env['AICLI_BENCH_SWARM_VERSION'] === '28' ? '28' : '26';
  swarm = await swarmBench(which, { version, log: (l) => process.stderr.write(`bench: ${l}\n`) });
  out('');
  out(`7. Swarm (Docker ${version}): a 3-node cluster (1 drained manager + 2 workers, each a dockerd in its own network namespace) formed in ${swarm.cluster.formMs} ms (${swarm.cluster.totalMs} ms with engines and image)`);
  if (swarm.create !== undefined) {
    const c = swarm.create;
    const cli = c.cliMs.length > 0 ? median(c.cliMs) : Number.NaN;
    const cliD = c.cliDetachMs.length > 0 ? median(c.cliDetachMs) : Number.NaN;
    const na = (x: number, digits = 0): string | number => (Number.isNaN(x) ? 'n/a' : round(x, digits));
    out(`  create → running, ${c.rounds} rounds interleaved: ours (SwarmBackend.create, container read back from its node), the same spec bare`);
    out('  (POST /services/create + GET /tasks every 50 ms), docker service create with the same settings (it waits until converged,');
    out('  which includes its 5 s stability check), and docker service create --detach + the bare wait');
    out(row('', 'ours', 'bare', 'docker', 'docker -d', 'ours/bare', 'ours/docker', 'ours/docker -d'));
    out(row('  median (ms)', round(median(c.oursMs), 0), round(median(c.bareMs), 0), na(cli), na(cliD), round(median(c.oursMs) / median(c.bareMs), 3), na(median(c.oursMs) / cli, 3), na(median(c.oursMs) / cliD, 3)));
    for (const [label, xs] of [['ours', c.oursMs], ['bare', c.bareMs], ['docker', c.cliMs], ['docker -d', c.cliDetachMs]] as const) {
      out(`  each, ${label} (ms): ${xs.map((x) => Math.round(x)).join(' ')}`);
    }
    if (!Number.isNaN(cli)) goals['swarm-create-vs-docker'] = { ratio: round(median(c.oursMs) / cli, 3), goal: '<= 1', pass: median(c.oursMs) <= cli };
    if (!Number.isNaN(cliD)) goals['swarm-create-vs-docker-d'] = { ratio: round(median(c.oursMs) / cliD, 3), goal: '<= 1', pass: median(c.oursMs) <= cliD };
  }
  if (swarm.ls !== undefined) {
    const l = swarm.ls;
    out(`  workspace ls: API calls seen by a proxy in front of the manager, and median time of 15`);
    out(row('', '1 workspace', '50 workspaces'));
    out(row('  API calls', l.callsOne.length, l.callsFifty.length));
    out(row('  median (ms)', round(l.oneMedianMs, 1), round(l.fiftyMedianMs, 1)));
    out(`  calls: ${l.callsFifty.map((c) => c.replace(/\?.*$/, '')).join(', ')}`);
    goals['swarm-ls-calls'] = { ratio: l.callsFifty.length / l.callsOne.length, goal: '= 1 (same calls)', pass: l.callsFifty.length === l.callsOne.length };
  }
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
  workspace: wsb === undefined ? undefined : { rounds: wsb.rounds, libraryMs: round(wsb.libraryMs, 1), bareMs: round(wsb.bareMs, 1), oursCliMs: round(wsb.oursCliMs, 1), dockerCliMs: round(wsb.dockerCliMs, 1), dockerCli: wsb.dockerCli },
  recovery: rec === undefined ? undefined : { ...rec, oursMs: rec.oursMs.map((x) => round(x, 1)), bareMs: rec.bareMs.map((x) => round(x, 1)), downMs: rec.downMs.map((x) => round(x, 1)), oursMedianMs: round(rec.oursMedianMs, 1), oursMaxMs: round(rec.oursMaxMs, 1), bareMedianMs: round(rec.bareMedianMs, 1), bareMaxMs: round(rec.bareMaxMs, 1), downMedianMs: round(rec.downMedianMs, 1) },
  events: evl === undefined ? undefined : { starts: evl.starts, oursMedianMs: round(evl.oursMedianMs, 2), oursP95Ms: round(evl.oursP95Ms, 2), bareMedianMs: round(evl.bareMedianMs, 2), bareP95Ms: round(evl.bareP95Ms, 2) },
  swarm,
  execCat: cat,
  execTrue: tru,
  cleanup: clean,
  network: ensure === undefined ? undefined : { samples: ensure.samples, oursMedianUs: round(ensure.oursMedianUs, 1), oursP99Us: round(ensure.oursP99Us, 1), bareMedianUs: round(ensure.bareMedianUs, 1), bareP99Us: round(ensure.bareP99Us, 1) },
  networkCli: ensureCliResult === undefined ? undefined : { ...ensureCliResult, cliMedianMs: round(ensureCliResult.cliMedianMs, 1), dockerMedianMs: round(ensureCliResult.dockerMedianMs, 1), nodeMedianMs: round(ensureCliResult.nodeMedianMs, 1) },
  egress,
  goals,
})}`);

// Swarm parts of `npm run bench` (--only swarm-create,swarm-ls): a real 3-node cluster
// (scripts/swarm-cluster.js), formed once.
//   swarm-create: create → running of a swarm workspace (ours: Workspaces.create with
//     orchestrator swarm: the plan and policy, then SwarmBackend.create, which also reads the
//     container back from its node), against the same ServiceSpec sent bare (POST
//     /services/create, then GET /tasks every 50 ms until running) and `docker service create`
//     with the same settings as flags (it waits until the service converged), interleaved.
//   swarm-ls: API calls and time of `workspace ls` with 1 and with 50 workspaces, counted by a
//     proxy in front of the manager's socket (not by the client under test).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSwarmCluster, unixRequest, WORKSPACE_UID, type SwarmCluster } from '../scripts/swarm-cluster.js';
import { DockerClient, loadConfig, SwarmBackend, Workspaces, workspaceServiceSpec, type LoadedConfig, type WorkspaceSpec } from '../src/index.js';
import { countingProxy, workspaceSpecOf } from '../test/support/swarm.js';
import { median } from './stats.js';

export interface SwarmCreateResult {
  readonly rounds: number;
  readonly oursMs: number[];
  readonly bareMs: number[];
  /** Empty when no docker CLI is on PATH. */
  readonly cliMs: number[];
  /** `docker service create --detach`, then GET /tasks every 50 ms until running (the CLI's own wait left out). */
  readonly cliDetachMs: number[];
}

export interface SwarmLsResult {
  readonly callsOne: readonly string[];
  readonly callsFifty: readonly string[];
  readonly oneMedianMs: number;
  readonly fiftyMedianMs: number;
}

export interface SwarmBenchResult {
  readonly version: string;
  readonly cluster: SwarmCluster['timings'];
  readonly create?: SwarmCreateResult;
  readonly ls?: SwarmLsResult;
}

const BENCH_LABELS = { 'aicli.bench': 'true' };

function run(cmd: string, args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

async function hasDockerCli(): Promise<boolean> {
  return (await run('docker', ['--version'], { PATH: process.env['PATH'] ?? '/usr/bin:/bin' })).code === 0;
}

/** The `docker service create` flags for the spec SwarmBackend makes of `spec` (no-new-privileges has no flag). */
function cliArgs(spec: WorkspaceSpec, config: LoadedConfig['config'], image: string): string[] {
  const name = spec.name;
  const mem = String(config.memoryLimitBytes);
  const health = spec.body.Healthcheck;
  const seconds = (ns: number | undefined): string => `${(ns ?? 0) / 1e9}s`;
  return [
    'service', 'create', '--quiet', '--name', `workspace-${name}`, '--no-resolve-image',
    ...Object.entries(spec.body.Labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`, '--container-label', `${k}=${v}`]),
    '--user', config.user ?? '', '--read-only', '--cap-drop', 'ALL', '--init', '--stop-grace-period', '2s',
    '--hostname', name, '--workdir', '/workspace', '--entrypoint', config.defaultShell.join(' '),
    '--limit-cpu', String(config.cpuLimit), '--reserve-cpu', String(config.cpuLimit), '--limit-memory', mem, '--reserve-memory', mem,
    '--limit-pids', String(config.pidsLimit),
    '--ulimit', `nofile=${config.ulimitNofile.soft}:${config.ulimitNofile.hard}`, '--ulimit', `nproc=${config.ulimitNproc.soft}:${config.ulimitNproc.hard}`,
    '--health-cmd', (health?.Test ?? []).slice(1).join(' '), '--health-interval', seconds(health?.Interval), '--health-timeout', seconds(health?.Timeout),
    '--health-retries', String(health?.Retries ?? 3), '--health-start-period', seconds(health?.StartPeriod), '--health-start-interval', '1s',
    '--mount', 'type=tmpfs,dst=/tmp,tmpfs-size=67108864', '--mount', `type=volume,src=workspace-${name}-data,dst=/workspace`,
    '--network', `name=${config.networkName},alias=${name}`, '--endpoint-mode', 'dnsrr',
    '--restart-condition', 'on-failure', '--restart-max-attempts', '5', '--restart-delay', '1s',
    image, ...(spec.body.Cmd ?? []),
  ];
}

async function waitRunning(cluster: SwarmCluster, serviceId: string): Promise<void> {
  for (;;) {
    const r = await unixRequest(cluster.manager.socketPath, 'GET', `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [serviceId] }))}`);
    const tasks = JSON.parse(r.body) as { Status: { State: string }; DesiredState: string }[];
    if (tasks.some((t) => t.Status.State === 'running' && t.DesiredState === 'running')) return;
    if (tasks.some((t) => t.Status.State === 'failed' || t.Status.State === 'rejected')) throw new Error(`bench: service ${serviceId} failed: ${r.body.slice(0, 400)}`);
    await sleep(50);
  }
}

export async function swarmBench(parts: ReadonlySet<'create' | 'ls'>, options: { version?: '26' | '28'; rounds?: number; log?: (l: string) => void } = {}): Promise<SwarmBenchResult> {
  const version = options.version ?? '26';
  const log = options.log ?? (() => undefined);
  const cluster = await startSwarmCluster({ version, log });
  const home = await mkdtemp(join(tmpdir(), 'aicli-bench-swarm-'));
  try {
    const endpoints = Object.fromEntries(cluster.workers.map((w) => [w.hostname, w.host]));
    const config = await loadConfig({
      env: {
        AICLI_DOCKER_USER: `${WORKSPACE_UID}:${WORKSPACE_UID}`,
        AICLI_DOCKER_DEFAULT_IMAGE: cluster.image,
        AICLI_DOCKER_SWARM_NODE_ENDPOINTS: JSON.stringify(endpoints),
        AICLI_DOCKER_NETWORK_NAME: 'aicli-bench',
        AICLI_DOCKER_ORCHESTRATOR: 'swarm',
      },
    });
    await using client = await DockerClient.connect({ host: cluster.manager.host, env: {}, config, ensureNetwork: false });
    // As users make workspaces: the facade, with the backend `orchestrator: swarm` chooses.
    await using ws = new Workspaces(client, { env: {} });
    const backend = await ws.backend();
    if (!(backend instanceof SwarmBackend)) throw new Error(`bench: orchestrator swarm chose ${backend.kind}`);
    const result: { version: string; cluster: SwarmCluster['timings']; create?: SwarmCreateResult; ls?: SwarmLsResult } = { version, cluster: cluster.timings };

    if (parts.has('create')) {
      const rounds = options.rounds ?? 5;
      const cli = await hasDockerCli();
      const cliEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, DOCKER_HOST: cluster.manager.host };
      // Warm-up (unmeasured): the network is made, every worker has pulled the image once.
      await Promise.all(['w1', 'w2'].map((n) => ws.create({ name: `warm-${n}`, labels: BENCH_LABELS })));
      await Promise.all(['w1', 'w2'].map((n) => backend.removeWorkspace(`warm-${n}`)));
      const ours: number[] = [];
      const bare: number[] = [];
      const viaCli: number[] = [];
      const viaCliDetach: number[] = [];
      for (let i = 0; i < rounds; i++) {
        const made: string[] = [];
        const measure = {
          ours: async () => {
            const name = `o${i}`;
            made.push(name);
            const t0 = performance.now();
            const { info: w } = await ws.create({ name, labels: BENCH_LABELS });
            ours.push(performance.now() - t0);
            if (w.state !== 'running') throw new Error(`bench: ${name} is ${w.state}: ${w.message ?? ''}`);
          },
          bare: async () => {
            const name = `b${i}`;
            made.push(name);
            const { spec } = workspaceServiceSpec(await workspaceSpecOf(ws, config.config, { name, labels: BENCH_LABELS }), client.apiVersion);
            const t0 = performance.now();
            const r = await unixRequest(cluster.manager.socketPath, 'POST', `/v${client.apiVersion}/services/create`, spec);
            if (r.status !== 201) throw new Error(`bench: bare create: HTTP ${r.status} ${r.body}`);
            await waitRunning(cluster, (JSON.parse(r.body) as { ID: string }).ID);
            bare.push(performance.now() - t0);
          },
          cli: async () => {
            if (!cli) return;
            const name = `c${i}`;
            made.push(name);
            const t0 = performance.now();
            const r = await run('docker', cliArgs(await workspaceSpecOf(ws, config.config, { name, labels: BENCH_LABELS }), config.config, cluster.image), cliEnv);
            viaCli.push(performance.now() - t0);
            if (r.code !== 0) throw new Error(`bench: docker service create: ${r.stderr}`);
          },
          cliDetach: async () => {
            if (!cli) return;
            const name = `d${i}`;
            made.push(name);
            const args = cliArgs(await workspaceSpecOf(ws, config.config, { name, labels: BENCH_LABELS }), config.config, cluster.image);
            args.splice(2, 0, '--detach');
            const t0 = performance.now();
            const r = await run('docker', args, cliEnv);
            if (r.code !== 0) throw new Error(`bench: docker service create --detach: ${r.stderr}`);
            await waitRunning(cluster, r.stdout.trim());
            viaCliDetach.push(performance.now() - t0);
          },
        };
        // Interleaved, and the order turns each round.
        const order = (['ours', 'bare', 'cli', 'cliDetach'] as const).map((_, k, all) => all[(k + i) % all.length] ?? 'ours');
        for (const which of order) await measure[which]();
        await Promise.all(made.map((name) => backend.removeWorkspace(name)));
        log(`swarm-create round ${i + 1}/${rounds}: ours ${Math.round(ours.at(-1) ?? 0)} ms, bare ${Math.round(bare.at(-1) ?? 0)} ms, cli ${Math.round(viaCli.at(-1) ?? 0)} ms, cli --detach + poll ${Math.round(viaCliDetach.at(-1) ?? 0)} ms`);
      }
      result.create = { rounds, oursMs: ours, bareMs: bare, cliMs: viaCli, cliDetachMs: viaCliDetach };
    }

    if (parts.has('ls')) {
      await using proxy = await countingProxy(join(home, 'count.sock'), cluster.manager.socketPath);
      await using counted = await DockerClient.connect({ host: proxy.host, env: {}, config, ensureNetwork: false });
      await using b = await SwarmBackend.open(counted, { env: {} });
      // Workspaces that no node may take: they stay pending, cost no container, and list like any other.
      const park = ['node.labels.aicli-bench-nowhere==true'];
      const names = Array.from({ length: 50 }, (_, i) => `ls${i}`);
      const measureLs = async (expected: number): Promise<{ calls: string[]; ms: number }> => {
        proxy.requests.length = 0;
        const n = (await b.list()).length;
        if (n !== expected) throw new Error(`bench: ls listed ${n} workspaces, expected ${expected}`);
        const calls = [...proxy.requests];
        const times: number[] = [];
        for (let i = 0; i < 15; i++) {
          const t0 = performance.now();
          await b.list();
          times.push(performance.now() - t0);
        }
        return { calls, ms: median(times) };
      };
      const quick = async (name: string): Promise<void> => {
        await backend.create(await workspaceSpecOf(ws, config.config, { name, labels: BENCH_LABELS, constraints: park }), { wait: false });
      };
      await quick(names[0] ?? 'ls0');
      const one = await measureLs(1);
      for (let i = 1; i < names.length; i += 10) {
        await Promise.all(names.slice(i, i + 10).map(quick));
      }
      const fifty = await measureLs(50);
      for (let i = 0; i < names.length; i += 10) await Promise.all(names.slice(i, i + 10).map((name) => backend.removeWorkspace(name)));
      result.ls = { callsOne: one.calls, callsFifty: fifty.calls, oneMedianMs: one.ms, fiftyMedianMs: fifty.ms };
    }
    return result;
  } finally {
    await cluster.destroy();
    await rm(home, { recursive: true, force: true });
  }
}

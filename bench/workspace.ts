// Part 4: one workspace's whole life, create + start + remove, four ways on the same
// engine, rounds interleaved (the order rotates each round):
//   library   Workspaces.create({ start: true }) + remove(), in this process
//   bare      the same body as three bare undici calls: create, start, delete
//   ours CLI  `aicli-docker workspace create --start` + `workspace rm` (2 processes)
//   docker    `docker create` with the same flags, `docker start`, `docker rm -f` (3 processes)
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Pool } from 'undici';
import { DockerClient, Workspaces, defaultConfig, type ContainerCreateBody } from '../src/index.js';
import { ensureBusyboxImage } from '../test/support/engines.js';
import { median } from './stats.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/aicli-docker.js', import.meta.url));
const LABELS = { 'aicli.test': 'true', 'aicli.bench': 'true' };

export interface WorkspaceBenchResult {
  readonly rounds: number;
  readonly libraryMs: number;
  readonly bareMs: number;
  readonly oursCliMs: number;
  readonly dockerCliMs: number;
  readonly dockerCli: string;
}

/** The docker CLI flags that make the same container as `body` (the health check as CMD-SHELL). */
export function dockerCreateArgs(name: string, body: ContainerCreateBody): string[] {
  const hc = body.HostConfig;
  const ns = (n: number | undefined): string => `${(n ?? 0) / 1e6}ms`;
  const args = ['create', '--name', name];
  for (const [k, v] of Object.entries(body.Labels ?? {})) args.push('--label', `${k}=${v}`);
  if (body.User !== undefined) args.push('--user', body.User);
  for (const e of body.Env ?? []) args.push('--env', e);
  args.push('--hostname', body.Hostname ?? name, '--workdir', body.WorkingDir ?? '/');
  args.push('--cpus', String((hc.NanoCpus ?? 0) / 1e9), '--cpu-shares', String(hc.CpuShares), '--memory', String(hc.Memory), '--memory-swap', String(hc.MemorySwap));
  args.push('--pids-limit', String(hc.PidsLimit));
  for (const u of hc.Ulimits ?? []) args.push('--ulimit', `${u.Name}=${u.Soft}:${u.Hard}`);
  if (hc.ReadonlyRootfs === true) args.push('--read-only');
  for (const [p, o] of Object.entries(hc.Tmpfs ?? {})) args.push('--tmpfs', o === '' ? p : `${p}:${o}`);
  for (const o of hc.SecurityOpt ?? []) args.push('--security-opt', o);
  for (const c of hc.CapDrop ?? []) args.push('--cap-drop', c);
  for (const c of hc.CapAdd ?? []) args.push('--cap-add', c);
  args.push('--restart', `${hc.RestartPolicy?.Name ?? 'no'}:${hc.RestartPolicy?.MaximumRetryCount ?? 0}`);
  for (const m of hc.Mounts ?? []) {
    args.push('--mount', m.Type === 'bind' ? `type=bind,src=${m.Source ?? ''},dst=${m.Target},bind-propagation=${m.BindOptions?.Propagation ?? 'rprivate'}` : `type=volume,dst=${m.Target}`);
  }
  args.push('--network', hc.NetworkMode ?? 'none', '--ipc', hc.IpcMode ?? 'private');
  for (const alias of Object.values(body.NetworkingConfig?.EndpointsConfig ?? {}).flatMap((e) => e.Aliases ?? [])) args.push('--network-alias', alias);
  const h = body.Healthcheck;
  if (h !== undefined) {
    const test = h.Test[0] === 'CMD' ? h.Test.slice(1).map((a) => (/^[\w/.-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ') : (h.Test[1] ?? '');
    args.push('--health-cmd', test, '--health-interval', ns(h.Interval), '--health-timeout', ns(h.Timeout), '--health-retries', String(h.Retries), '--health-start-period', ns(h.StartPeriod));
  }
  args.push('--entrypoint', body.Entrypoint?.[0] ?? '/bin/sh', body.Image, ...(body.Entrypoint ?? []).slice(1), ...(body.Cmd ?? []));
  return args;
}

function dockerCli(): string {
  const found = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => existsSync(p));
  if (found === undefined) throw new Error('bench: no docker CLI (/usr/local/bin/docker or /usr/bin/docker)');
  return found;
}

export async function workspaceBench(host: string, rounds = 12, warmup = 2): Promise<WorkspaceBenchResult> {
  const image = await ensureBusyboxImage(host);
  const project = await mkdtemp(path.join(tmpdir(), 'aicli-bench-ws-'));
  const home = await mkdtemp(path.join(tmpdir(), 'aicli-bench-home-'));
  const network = `aicli-bench-${process.pid}`;
  const config = { ...defaultConfig(), networkName: network, defaultImage: image };
  const client = await DockerClient.connect({ ensureNetwork: false, host, env: {}, config });
  const ws = new Workspaces(client);
  const socketPath = new URL(host).pathname;
  const pool = new Pool('http://localhost', { connect: { socketPath } });
  const v = `/v${client.apiVersion}`;
  const docker = dockerCli();
  const cliEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, DOCKER_HOST: host, AICLI_DOCKER_NETWORK_NAME: network, AICLI_DOCKER_DEFAULT_IMAGE: image };
  let n = 0;
  const names: string[] = [];
  const fresh = (): string => {
    const name = `bench-${process.pid}-${n++}`;
    names.push(name);
    return name;
  };
  const bareCall = async (method: 'POST' | 'DELETE', p: string, body?: unknown): Promise<string> => {
    const res = await pool.request({ method, path: `${v}${p}`, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw new Error(`bench bare ${method} ${p}: HTTP ${res.statusCode} ${text}`);
    return text;
  };
  // Each way returns the milliseconds it took; `bare` and `dockerCli` time only the engine
  // calls, not the plan() that gives them the body.
  const ways: Record<'library' | 'bare' | 'oursCli' | 'dockerCli', () => Promise<number>> = {
    async library() {
      const name = fresh();
      const t0 = performance.now();
      await ws.create({ name, project, labels: LABELS, start: true });
      await ws.remove(name);
      return performance.now() - t0;
    },
    async bare() {
      const name = fresh();
      const { body, containerName } = await ws.plan({ name, project, labels: LABELS });
      const t0 = performance.now();
      const { Id } = JSON.parse(await bareCall('POST', `/containers/create?name=${containerName}`, body)) as { Id: string };
      await bareCall('POST', `/containers/${Id}/start`);
      await bareCall('DELETE', `/containers/${Id}?force=true&v=true`);
      return performance.now() - t0;
    },
    async oursCli() {
      const name = fresh();
      const t0 = performance.now();
      await run(process.execPath, [BIN, 'workspace', 'create', name, '--project', project, '--label', 'aicli.test=true', '--label', 'aicli.bench=true', '--start'], { env: cliEnv });
      await run(process.execPath, [BIN, 'workspace', 'rm', name], { env: cliEnv });
      return performance.now() - t0;
    },
    async dockerCli() {
      const name = fresh();
      const { body, containerName } = await ws.plan({ name, project, labels: LABELS });
      const t0 = performance.now();
      await run(docker, dockerCreateArgs(containerName, body), { env: cliEnv });
      await run(docker, ['start', containerName], { env: cliEnv });
      await run(docker, ['rm', '-f', containerName], { env: cliEnv });
      return performance.now() - t0;
    },
  };
  const times: Record<keyof typeof ways, number[]> = { library: [], bare: [], oursCli: [], dockerCli: [] };
  const order = Object.keys(ways) as (keyof typeof ways)[];
  try {
    for (let r = 0; r < rounds + warmup; r++) {
      for (let i = 0; i < order.length; i++) {
        const way = order[(r + i) % order.length] as keyof typeof ways;
        const ms = await ways[way]();
        if (r >= warmup) times[way].push(ms);
      }
    }
  } finally {
    for (const name of names) await ws.remove(name).catch(() => undefined);
    await pool.request({ method: 'DELETE', path: `${v}/networks/${network}` }).then((r) => r.body.dump()).catch(() => undefined);
    await Promise.all([client.close(), pool.close()]);
    await rm(project, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }
  return {
    rounds,
    libraryMs: median(times.library),
    bareMs: median(times.bare),
    oursCliMs: median(times.oursCli),
    dockerCliMs: median(times.dockerCli),
    dockerCli: docker,
  };
}

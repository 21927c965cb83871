// Parts `network` and `network-cli`: ensuring a network that exists.
//   network      client.ensureNetwork() against a bare exact-name lookup (an undici Pool doing
//                GET /networks/{name}, parsing the answer and checking the name), interleaved.
//   network-cli  `aicli-docker network ensure` against `docker network inspect NAME`, wall time,
//                interleaved (and `node -e 0`, the floor any Node CLI stands on).
// Both use one network of their own, made first and removed at the end, and both run what
// users run: the built library (dist/) and the bundled CLI. (Through tsx, the source costs
// ours ~4% more: its per-function wrappers; the bare lookup is plain undici either way.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type * as Library from '../src/index.js';
import type { DockerClient } from '../src/index.js';
import type { Shared } from './part.js';
import { median, percentile } from './stats.js';

const BIN = fileURLToPath(new URL('../bin/aicli-docker.js', import.meta.url));
const DIST = new URL('../dist/index.js', import.meta.url);
const LABELS = { 'aicli.bench': 'true' };

/** The built library, typed as its source (bench.sh builds first). */
async function built(): Promise<typeof Library> {
  if (!existsSync(fileURLToPath(DIST))) throw new Error('bench: dist/ is missing: run `npm run build` first (npm run bench does)');
  return (await import(DIST.href)) as typeof Library;
}

export interface NetworkBench {
  readonly name: string;
  readonly client: DockerClient;
  close(): Promise<void>;
}

/** A network for the bench, made (and settled) before anything is timed. */
export async function benchNetwork(host: string): Promise<NetworkBench> {
  const name = `aicli-bench-${process.pid}`;
  const { DockerClient, defaultConfig } = await built();
  const client = await DockerClient.connect({ host, env: {}, config: Object.freeze({ ...defaultConfig(), networkName: name }), ensureNetwork: { labels: LABELS } });
  return {
    name,
    client,
    async close() {
      await client.removeNetwork({ force: true }).catch(() => undefined);
      await client.close();
    },
  };
}

/** The network `network` and `network-cli` share. */
export const sharedNetwork: Shared<NetworkBench> = {
  name: 'bench network',
  open: (ctx) => benchNetwork(ctx.host),
  close: (net) => net.close(),
};

export interface EnsureResult {
  readonly samples: number;
  readonly oursMedianUs: number;
  readonly oursP99Us: number;
  readonly bareMedianUs: number;
  readonly bareP99Us: number;
}

function bareLookup(host: string, apiVersion: string, name: string): { lookup: () => Promise<void>; close: () => Promise<void> } {
  const url = new URL(host);
  if (url.protocol !== 'unix:') throw new Error(`bench: the network part needs a unix:// host, got ${host}`);
  const pool = new Pool('http://localhost', { connect: { socketPath: url.pathname } });
  const p = `/v${apiVersion}/networks/${encodeURIComponent(name)}`;
  return {
    async lookup() {
      const { statusCode, body } = await pool.request({ method: 'GET', path: p });
      const n = (await body.json()) as { Name?: string; Id?: string };
      if (statusCode !== 200 || n.Name !== name) throw new Error(`bare lookup: HTTP ${statusCode}, ${String(n.Name)}`);
    },
    close: () => pool.close(),
  };
}

export async function ensureExisting(host: string, net: NetworkBench, samples = 2000, warmup = 300): Promise<EnsureResult> {
  const bare = bareLookup(host, net.client.apiVersion, net.name);
  const ours = async (): Promise<void> => {
    const r = await net.client.ensureNetwork();
    if (r.created) throw new Error('bench: the network was made again');
  };
  try {
    for (let i = 0; i < warmup; i++) {
      await ours();
      await bare.lookup();
    }
    const times = { ours: [] as number[], bare: [] as number[] };
    const time = async (which: 'ours' | 'bare'): Promise<void> => {
      const t0 = performance.now();
      await (which === 'ours' ? ours() : bare.lookup());
      times[which].push((performance.now() - t0) * 1000);
    };
    for (let i = 0; i < samples; i++) {
      const [x, y] = i % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const);
      await time(x);
      await time(y);
    }
    return { samples, oursMedianUs: median(times.ours), oursP99Us: percentile(times.ours, 99), bareMedianUs: median(times.bare), bareP99Us: percentile(times.bare, 99) };
  } finally {
    await bare.close();
  }
}

export interface EnsureCliResult {
  readonly runs: number;
  readonly cliMedianMs: number;
  readonly dockerMedianMs: number;
  readonly nodeMedianMs: number;
  readonly docker: string;
}

/** The docker CLI on PATH, or undefined. */
function dockerCli(): string | undefined {
  const r = spawnSync('docker', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function ensureCli(host: string, net: NetworkBench, runs = 15): EnsureCliResult | undefined {
  const docker = dockerCli();
  if (docker === undefined) return undefined;
  const home = mkdtempSync(path.join(tmpdir(), 'aicli-bench-home-'));
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, AICLI_DOCKER_NETWORK_NAME: net.name };
  const run = (cmd: string, args: string[]): number => {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { env, cwd: home, encoding: 'utf8', timeout: 30_000 });
    const ms = performance.now() - t0;
    if (r.error !== undefined) throw r.error;
    if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} exited ${String(r.status)}\n${r.stderr}${r.stdout}`);
    return ms;
  };
  const ours = (): number => run(process.execPath, [BIN, 'network', 'ensure', '--host', host]);
  const theirs = (): number => run('docker', ['-H', host, 'network', 'inspect', net.name]);
  const floor = (): number => run(process.execPath, ['-e', '0']);
  try {
    ours();
    theirs();
    floor();
    const t = { ours: [] as number[], docker: [] as number[], node: [] as number[] };
    for (let i = 0; i < runs; i++) {
      t.ours.push(ours());
      t.docker.push(theirs());
      t.node.push(floor());
    }
    return { runs, cliMedianMs: median(t.ours), dockerMedianMs: median(t.docker), nodeMedianMs: median(t.node), docker };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

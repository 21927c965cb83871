// Issue 10's three measures, each against bare baselines and the docker CLI in the same run
// on the same engine (samples interleaved, medians):
//   exec-cat   `workspace exec NAME -- cat FILE` of a 214 MB file in the project folder, whole
//              processes, stdout to /dev/null: ours vs a bare hijacked exec (bench/bare-exec.js)
//              vs `docker exec`
//   exec-true  exec of `true` in-process: exec() vs bare API calls (create, hijacked start,
//              inspect); `docker exec` per call for reference
//   cleanup    200 stopped managed containers: `aicli-docker cleanup` vs a bare 32-way removal
//              (list by label, 32 concurrent force-removes) vs one `docker rm -f` with all ids
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { DockerClient, exec } from '../src/index.js';
import { ensureBusyboxImage } from '../test/support/engines.js';
import { median } from './stats.js';

const BIN = fileURLToPath(new URL('../bin/aicli-docker.js', import.meta.url));
const BARE_EXEC = fileURLToPath(new URL('./bare-exec.js', import.meta.url));
const DOCKER = ['/usr/bin/docker', '/usr/local/bin/docker'].find((p) => spawnSync(p, ['--version']).status === 0);

function socketOf(host: string): string {
  if (!host.startsWith('unix://')) throw new Error(`bench: exec and cleanup parts need a unix:// host, got ${host}`);
  return host.slice('unix://'.length);
}

/** A plain HTTP call to the engine's socket (setup and the bare baselines). */
function call(socketPath: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ socketPath, method, path: p, headers: { 'content-type': 'application/json' } }, (res) => {
      let b = '';
      res.on('data', (c: Buffer) => { b += c.toString(); });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: b }); });
    });
    r.on('error', reject);
    r.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function timeProcess(cmd: string, args: string[], stdoutFd: number | 'pipe'): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', stdoutFd, 'pipe'], encoding: 'utf8', timeout: 120_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir() } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench: ${cmd} ${args.join(' ')} exited ${String(r.status)}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

async function workspace(host: string, name: string, binds: string[] = []): Promise<string> {
  const sock = socketOf(host);
  const image = await ensureBusyboxImage(host);
  const made = await call(sock, 'POST', `/containers/create?name=${name}`, {
    Image: image,
    Cmd: ['sleep', '100000'],
    // The labels a workspace's container carries (aicli's lookup reads role and name).
    Labels: { 'aicli.managed': 'true', 'aicli.role': 'workspace', 'aicli.workspace.id': name, 'aicli.workspace.name': name, 'aicli.bench': 'true' },
    HostConfig: { Binds: binds },
  });
  if (made.status !== 201) throw new Error(`bench: create ${name}: ${made.body}`);
  await call(sock, 'POST', `/containers/${name}/start`);
  return name;
}

export interface ExecCatResult {
  readonly runs: number;
  readonly bytes: number;
  readonly oursMs: number;
  readonly bareMs: number;
  readonly dockerMs: number | undefined;
}

export async function execCat(host: string, runs = 11): Promise<ExecCatResult> {
  const sock = socketOf(host);
  const dir = mkdtempSync(path.join(tmpdir(), 'aicli-bench-cat-'));
  const name = `aicli-bench-cat-${randomBytes(3).toString('hex')}`;
  const bytes = 214_000_000;
  const mb = randomBytes(1_000_000);
  writeFileSync(path.join(dir, 'big'), '');
  for (let i = 0; i < bytes / mb.length; i++) appendFileSync(path.join(dir, 'big'), mb);
  const devnull = openSync('/dev/null', 'w');
  try {
    await workspace(host, name, [`${dir}:/workspace:ro`]);
    const ours = (): number => timeProcess(process.execPath, [BIN, 'workspace', 'exec', name, '--host', host, '--', 'cat', '/workspace/big'], devnull).ms;
    const bare = (): number => {
      const r = timeProcess(process.execPath, [BARE_EXEC, sock, name, '/workspace/big'], 'pipe');
      if (Number(r.stdout.trim()) !== bytes) throw new Error(`bench: the bare exec read ${r.stdout.trim()} bytes, not ${bytes}`);
      return r.ms;
    };
    const docker = DOCKER === undefined ? undefined : (): number => timeProcess(DOCKER, ['-H', host, 'exec', name, 'cat', '/workspace/big'], devnull).ms;
    const all = { ours: [] as number[], bare: [] as number[], docker: [] as number[] };
    const order = [['ours', ours], ['bare', bare], ...(docker === undefined ? [] : [['docker', docker]])] as [keyof typeof all, () => number][];
    for (const [, f] of order) f(); // warm the page cache and the engine once, unmeasured
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < order.length; k++) {
        const entry = order[(i + k) % order.length];
        if (entry !== undefined) all[entry[0]].push(entry[1]());
      }
    }
    return { runs, bytes, oursMs: median(all.ours), bareMs: median(all.bare), dockerMs: docker === undefined ? undefined : median(all.docker) };
  } finally {
    closeSync(devnull);
    await call(sock, 'DELETE', `/containers/${name}?force=1`);
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ExecTrueResult {
  readonly samples: number;
  readonly oursP50Ms: number;
  readonly bareP50Ms: number;
  readonly dockerP50Ms: number | undefined;
}

/** The bare limit of one exec: create (undici), start on a raw hijacked socket read to its end, inspect until it reports the exit. */
async function bareExecTrue(pool: Pool, sock: string, container: string): Promise<number> {
  const created = await pool.request({ method: 'POST', path: `/containers/${container}/exec`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Cmd: ['true'], AttachStdout: true, AttachStderr: true }) });
  const { Id } = (await created.body.json()) as { Id: string };
  const body = '{"Detach":false,"Tty":false}';
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(sock);
    s.on('error', reject);
    s.write(`POST /exec/${Id}/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    s.resume();
    s.on('end', () => {
      s.end();
      resolve();
    });
  });
  for (;;) {
    const r = await pool.request({ method: 'GET', path: `/exec/${Id}/json` });
    const info = (await r.body.json()) as { Running: boolean; ExitCode: number | null };
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
  }
}

export async function execTrue(host: string, samples = 40, warmup = 5): Promise<ExecTrueResult> {
  const sock = socketOf(host);
  const name = await workspace(host, `aicli-bench-true-${randomBytes(3).toString('hex')}`);
  const client = await DockerClient.connect({ ensureNetwork: false, host, env: {} });
  const pool = new Pool('http://localhost', { connect: { socketPath: sock } });
  try {
    const ours = async (): Promise<void> => {
      const r = await exec(client.api, name, ['true']);
      if (r.exitCode !== 0) throw new Error(`bench: true exited ${r.exitCode}`);
    };
    const bare = async (): Promise<void> => {
      if ((await bareExecTrue(pool, sock, name)) !== 0) throw new Error('bench: bare true failed');
    };
    for (let i = 0; i < warmup; i++) {
      await ours();
      await bare();
    }
    const t = { ours: [] as number[], bare: [] as number[] };
    for (let i = 0; i < samples; i++) {
      for (const [who, f] of (i % 2 === 0 ? [['ours', ours], ['bare', bare]] : [['bare', bare], ['ours', ours]]) as ['ours' | 'bare', () => Promise<void>][]) {
        const t0 = performance.now();
        await f();
        t[who].push(performance.now() - t0);
      }
    }
    const docker = DOCKER === undefined ? undefined : Array.from({ length: 10 }, () => timeProcess(DOCKER, ['-H', host, 'exec', name, 'true'], 'pipe').ms);
    return { samples, oursP50Ms: median(t.ours), bareP50Ms: median(t.bare), dockerP50Ms: docker === undefined ? undefined : median(docker) };
  } finally {
    await pool.close();
    await client.close();
    await call(sock, 'DELETE', `/containers/${name}?force=1`);
  }
}

export interface CleanupResult {
  readonly rounds: number;
  readonly containers: number;
  readonly oursMs: number;
  readonly bareMs: number;
  readonly dockerMs: number | undefined;
}

/** 200 stopped (created, never started) managed containers with a run label; returns their ids. */
async function managedContainers(sock: string, image: string, run: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < n) {
      next++;
      const r = await call(sock, 'POST', '/containers/create', { Image: image, Cmd: ['true'], Labels: { 'aicli.managed': 'true', 'aicli.bench': 'true', 'aicli.bench.run': run } });
      ids.push((JSON.parse(r.body) as { Id: string }).Id);
    }
  }));
  return ids;
}

/** The bare 32-way removal, in a process of its own like the other two: list by label, then force-removes. */
const BARE_CLEANUP = `
import http from 'node:http';
const [sock, label] = process.argv.slice(1);
const call = (method, p) => new Promise((res, rej) => { const r = http.request({ socketPath: sock, method, path: p, agent: agent }, (x) => { let b = ''; x.on('data', (c) => { b += c; }); x.on('end', () => res(b)); }); r.on('error', rej); r.end(); });
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const list = JSON.parse(await call('GET', '/containers/json?all=1&filters=' + encodeURIComponent(JSON.stringify({ label: [label] }))));
let next = 0;
await Promise.all(Array.from({ length: 32 }, async () => { while (next < list.length) { const c = list[next++]; await call('DELETE', '/containers/' + c.Id + '?force=1&v=1'); } }));
agent.destroy();
`;

export async function cleanupBench(host: string, rounds = 5, n = 200): Promise<CleanupResult> {
  const sock = socketOf(host);
  const image = await ensureBusyboxImage(host);
  const all = { ours: [] as number[], bare: [] as number[], docker: [] as number[] };
  const methods: (keyof typeof all)[] = DOCKER === undefined ? ['ours', 'bare'] : ['ours', 'bare', 'docker'];
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < methods.length; k++) {
      const who = methods[(i + k) % methods.length] ?? 'ours';
      const run = randomBytes(4).toString('hex');
      const ids = await managedContainers(sock, image, run, n);
      const label = `aicli.bench.run=${run}`;
      if (who === 'ours') all.ours.push(timeProcess(process.execPath, [BIN, 'cleanup', '--label', label, '--host', host], 'pipe').ms);
      else if (who === 'bare') all.bare.push(timeProcess(process.execPath, ['--input-type=module', '-e', BARE_CLEANUP, sock, label], 'pipe').ms);
      else if (DOCKER !== undefined) all.docker.push(timeProcess(DOCKER, ['-H', host, 'rm', '-f', ...ids], 'pipe').ms);
      const left = await call(sock, 'GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: [label] }))}`);
      if ((JSON.parse(left.body) as unknown[]).length !== 0) throw new Error(`bench: ${who} left containers behind`);
    }
  }
  return { rounds, containers: n, oursMs: median(all.ours), bareMs: median(all.bare), dockerMs: DOCKER === undefined ? undefined : median(all.docker) };
}

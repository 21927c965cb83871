// One way to start a private Docker engine, for scripts/engines.js, the tests that stop,
// restart or reconfigure an engine, and the bench. Plain Node, no dependencies.
//
//   const e = await startDockerd({ version: '26', dir: '/tmp/aicli-x/health' });
//   e.host            unix:///tmp/aicli-x/health/docker.sock
//   await e.stop()    SIGTERM (then SIGKILL), by its own PID only
//   await e.restart() same folders, same socket: containers and networks survive
//
// Every engine started here: its own data, exec root, pid file and socket under `dir`
// (which must not exist: a stale folder would lie); no iptables unless asked; `--dns`
// 127.0.0.1 unless given, so a container's lookups never reach the host's resolver (the
// embedded DNS forwards only inside the container's own namespace, where nothing answers);
// `--bridge none`, so only networks the tests make exist. Docker 28 is started with
// DOCKER_MIN_API_VERSION=1.44: it refuses old clients as Docker 29 does.
import { spawn } from 'node:child_process';
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

export const DOCKERD = Object.freeze({
  20: '/usr/sbin/dockerd',
  26: process.env.AICLI_DOCKERD26 ?? '/opt/aicli-engines/docker-26/usr/sbin/dockerd',
  28: process.env.AICLI_DOCKERD28 ?? '/opt/aicli-engines/docker-28/usr/sbin/dockerd',
});

/** API versions each engine speaks at most (what GET /version reports). */
export const API_VERSION = Object.freeze({ 20: '1.41', 26: '1.45', 28: '1.51' });

const READY_MS = 60_000;

/** GET on a unix socket; resolves { status, body } or rejects. */
export function unixGet(socketPath, urlPath, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: urlPath, method: 'GET', timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Spawns a detached process with its output in `<logFile>`; resolves nothing, returns a handle. */
export function launch(logFile, cmd, args, { cwd, env = {} } = {}) {
  const fd = fs.openSync(logFile, 'a');
  // detached: own session, so a Ctrl-C aimed at the test run does not kill engines mid-run.
  const child = spawn(cmd, args, {
    detached: true, stdio: ['ignore', fd, fd], cwd,
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: cwd ?? '/', ...env },
  });
  fs.closeSync(fd);
  child.unref();
  const exited = new Promise((res) => child.once('exit', (code, sig) => res(`exited (code ${code}, signal ${sig})`)));
  child.once('error', (e) => fs.appendFileSync(logFile, `spawn error: ${e.message}\n`));
  return { pid: child.pid, exited };
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/**
 * The dockerd arguments for an engine whose folders live under `dir`. `dir` is kept
 * short on purpose: containerd puts sockets under the exec root (108-byte limit).
 */
export function dockerdArgs(dir, { version = '26', dns = ['127.0.0.1'], iptables = false, extraArgs = [], daemonJson = {} } = {}) {
  const conf = path.join(dir, 'daemon.json');
  // Own daemon.json: never read /etc/docker/daemon.json; keep 20.10's key.json out of /etc/docker.
  const json = String(version) === '20' ? { 'deprecated-key-path': path.join(dir, 'key.json'), ...daemonJson } : daemonJson;
  fs.writeFileSync(conf, JSON.stringify(json));
  return ['--config-file', conf, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'x'),
    '--pidfile', path.join(dir, 'docker.pid'), '-H', `unix://${path.join(dir, 'docker.sock')}`,
    '--bridge', 'none', `--iptables=${iptables}`, '--ip6tables=false',
    ...dns.flatMap((d) => ['--dns', d]),
    // Containers left running get 2 s (not 10) to stop when the engine shuts down.
    '--shutdown-timeout', '2', ...extraArgs];
}

/**
 * Starts a private dockerd and waits until it answers /_ping.
 *   version    '20' | '26' | '28'
 *   dir        a folder that must not exist yet (created here, mode 0700)
 *   dns        --dns values (default ['127.0.0.1'])
 *   iptables   let the engine manage iptables (default false: two such engines on one host
 *              overwrite each other's chains; a test that needs it must be alone)
 *   extraArgs  more dockerd flags (e.g. ['-H', 'tcp://127.0.0.1:PORT'])
 *   prefix     a command to run dockerd under, e.g. ['nsenter', '--net=/run/netns/n1', 'unshare', '--mount', '--uts', '--']
 *              (it must exec dockerd, so the PID stays the engine's)
 *   env        more environment for dockerd
 */
export async function startDockerd(options) {
  const { version = '26', dir, prefix = [], env = {} } = options;
  const bin = DOCKERD[version];
  if (bin === undefined) throw new Error(`startDockerd: unknown version ${version}; expected one of ${Object.keys(DOCKERD).join(', ')}`);
  if (!fs.existsSync(bin)) throw new Error(`${bin} missing: run 'bash scripts/install-engines.sh' as root`);
  if (!dir) throw new Error('startDockerd: dir is required');
  const abs = path.resolve(dir);
  fs.mkdirSync(abs, { mode: 0o700 }); // EEXIST for a stale folder, on purpose
  const longest = path.join(abs, 'x/containerd/containerd.sock.ttrpc');
  if (Buffer.byteLength(longest) > 100) throw new Error(`startDockerd: ${abs} is too long for unix sockets; use a shorter folder`);
  const args = dockerdArgs(abs, { ...options, version });
  const socketPath = path.join(abs, 'docker.sock');
  const log = path.join(abs, 'dockerd.log');
  const fullEnv = { ...(String(version) === '28' ? { DOCKER_MIN_API_VERSION: '1.44' } : {}), ...env };
  const cmd = prefix.length > 0 ? prefix[0] : bin;
  const cmdArgs = prefix.length > 0 ? [...prefix.slice(1), bin, ...args] : args;

  const engine = {
    name: options.name ?? `docker${version}`,
    version: String(version),
    dir: abs,
    socketPath,
    host: `unix://${socketPath}`,
    log,
    pid: 0,
    exited: Promise.resolve(''),
    /** Starts (again) with the same folders; waits for /_ping. */
    async start() {
      // A socket left by a killed engine would make the next ping lie.
      fs.rmSync(socketPath, { force: true });
      const p = launch(log, cmd, cmdArgs, { cwd: abs, env: fullEnv });
      engine.pid = p.pid;
      engine.exited = p.exited;
      await waitPing(engine);
      return engine;
    },
    /** SIGTERM, then SIGKILL after `graceMs`; only this engine's own PID. Safe twice. */
    async stop(graceMs = 15_000) {
      const pid = engine.pid;
      if (!pid || !alive(pid)) return;
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
      const end = Date.now() + graceMs;
      while (alive(pid) && Date.now() < end) await sleep(50);
      if (alive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
      await engine.exited;
    },
    /** SIGKILL now: an engine that dies without cleaning up. */
    async kill() {
      const pid = engine.pid;
      if (!pid || !alive(pid)) return;
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      await engine.exited;
    },
    async restart() {
      await engine.stop();
      return engine.start();
    },
    /** Stops the engine, its containerd and shims, unmounts and removes `dir`. */
    async destroy() {
      await engine.stop();
      await removeTree(abs);
    },
    async [Symbol.asyncDispose]() { await engine.destroy(); },
  };
  try {
    await engine.start();
  } catch (err) {
    await engine.destroy().catch(() => undefined);
    throw err;
  }
  return engine;
}

async function waitPing(engine) {
  const end = Date.now() + READY_MS;
  let dead = null;
  void engine.exited.then((why) => { dead = why; });
  let last = 'no answer';
  while (Date.now() < end && dead === null) {
    try {
      const r = await unixGet(engine.socketPath, '/_ping');
      if (r.status === 200) return;
      last = `HTTP ${r.status}`;
    } catch (e) { last = e.message; }
    await sleep(100);
  }
  const tail = fs.existsSync(engine.log) ? fs.readFileSync(engine.log, 'utf8').split('\n').slice(-30).join('\n') : '';
  throw new Error(`${engine.name} (pid ${engine.pid}) on ${engine.socketPath}: ${dead ?? `no answer within ${READY_MS / 1000}s (${last})`}`
    + `\n--- tail of ${engine.log} ---\n${tail}`);
}

/** Processes whose command line names `dir` (containerd, shims) and their descendants. */
export function processesUnder(dir) {
  const rows = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (fields[0] !== 'Z') rows.push({ pid: Number(e), ppid: Number(fields[1]), cmd });
    } catch { /* went away */ }
  }
  const ours = new Set(rows.filter((r) => r.pid !== process.pid && r.cmd.includes(`${dir}/`)).map((r) => r.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) if (!ours.has(r.pid) && ours.has(r.ppid)) { ours.add(r.pid); grew = true; }
  }
  return [...ours];
}

/** Ends what is left of ours under `dir`, unmounts below it, deepest first, and removes it. */
export async function removeTree(dir) {
  let rest = processesUnder(dir);
  if (rest.length > 0) {
    for (const pid of rest) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } }
    const end = Date.now() + 3000;
    while (Date.now() < end && rest.some(alive)) await sleep(50);
    for (const pid of rest.filter(alive)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    rest = processesUnder(dir);
    const end2 = Date.now() + 5000;
    while (Date.now() < end2 && rest.some(alive)) await sleep(50);
  }
  const { execFileSync } = await import('node:child_process');
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' ')).filter((m) => m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try { execFileSync('umount', ['-l', m], { stdio: 'ignore' }); } catch { /* gone with its parent */ }
  }
  fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

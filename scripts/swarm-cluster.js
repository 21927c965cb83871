// A real Docker Swarm cluster on this one machine, for the swarm tests and the bench.
// Plain Node, no dependencies (besides iproute2, nftables, util-linux and docker-registry).
//
//   const c = await startSwarmCluster({ version: '26', workers: 2 });
//   c.manager.host            unix:///tmp/aicli-swarm-xxxxxx/n1/docker.sock
//   c.workers[0].host         each node's engine socket (reachable from here: a unix path)
//   c.image                   10.250.N.1:5000/aicli-test-busybox:latest, served to every node
//   await c.killNode(c.workers[0])   SIGKILL that node's dockerd, by its PID
//   await c.destroy()         every process by PID, namespaces, mounts, folders, cgroups
//
// What each node is: a dockerd (scripts/dockerd.js) started through
//   nsenter --net=<its netns> unshare --mount --uts -- sh -c '<bind mounts; hostname; exec dockerd>'
// with its own /run (a bind-mounted folder that survives a restart of the engine), hostname,
// /etc/resolv.conf, cgroup parent, data and exec roots. The node namespaces are joined by a
// bridge in a hub namespace that has no other link: nothing can leave the subnet. `--dns` and
// resolv.conf name an address of the subnet that nobody answers on, so neither the engines nor
// their containers ever fall back to a public resolver. A docker-registry in the hub namespace
// serves the busybox test image to every node. Swarm: 1 s dispatcher heartbeat, manager drained.
//
// Namespaces are files under the cluster's folder (bind mounts of nsfs, not /run/netns), and
// every interface lives inside them: unmounting the files and ending the processes removes
// namespaces, veths, the bridge and the nft counters with them. Nothing is made in the host's
// own network namespace.
//
// CLI: node scripts/swarm-cluster.js start [--version 26] [--workers 2] [DIR]  (prints a JSON line)
//      node scripts/swarm-cluster.js stop DIR
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { URL, URLSearchParams } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { launch, removeTree, startDockerd } from './dockerd.js';

const REGISTRY_PORT = 5000;
const IMAGE_NAME = 'aicli-test-busybox';
const FORM_DEADLINE_MS = 60_000;

/** A request on a unix socket: resolves { status, body } (body as text). */
export function unixRequest(socketPath, method, urlPath, body, headers = {}, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const hdrs = { ...headers };
    if (payload !== undefined) {
      hdrs['content-length'] = payload.length;
      hdrs['content-type'] ??= 'application/json';
    }
    const req = http.request({ socketPath, method, path: urlPath, headers: hdrs, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function api(node, method, urlPath, body, headers) {
  const r = await unixRequest(node.socketPath, method, urlPath, body, headers);
  if (r.status >= 400) throw new Error(`${node.name}: ${method} ${urlPath}: HTTP ${r.status} ${r.body.slice(0, 500)}`);
  return r.body === '' ? undefined : r.body;
}

const json = async (node, method, urlPath, body) => {
  const text = await api(node, method, urlPath, body);
  return text === undefined ? undefined : JSON.parse(text);
};

function run(cmd, args, input) {
  return execFileSync(cmd, args, { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] }).toString();
}

/** Runs a command inside a network namespace file. */
function inNs(nsFile, cmd, ...args) {
  return run('nsenter', [`--net=${nsFile}`, cmd, ...args]);
}

/** nft in a namespace, script on stdin. */
function nftIn(nsFile, script) {
  return execFileSync('nsenter', [`--net=${nsFile}`, 'nft', '-f', '-'], { input: script, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

/** A netns kept alive by a bind mount of its nsfs file at `file` (no process needed). */
function makeNetns(file) {
  fs.writeFileSync(file, '');
  run('unshare', [`--net=${file}`, 'true']);
  inNs(file, 'ip', 'link', 'set', 'lo', 'up');
  // No IPv6 at all: no link-local chatter, no second family to watch.
  inNs(file, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
}

/** UID and GID that own /workspace in the test image (Docker copies that into a new volume). */
export const WORKSPACE_UID = 1000;

/**
 * The busybox test image as a tar stream of a root file system (busybox-static and its
 * applets), with /workspace owned by WORKSPACE_UID so a non-root workspace can write its volume.
 */
function busyboxRootfsTar(workDir) {
  const root = fs.mkdtempSync(path.join(workDir, 'rootfs-'));
  try {
    fs.mkdirSync(path.join(root, 'bin'));
    fs.mkdirSync(path.join(root, 'tmp'));
    fs.chmodSync(path.join(root, 'tmp'), 0o1777);
    fs.mkdirSync(path.join(root, 'workspace'));
    fs.chownSync(path.join(root, 'workspace'), WORKSPACE_UID, WORKSPACE_UID);
    fs.copyFileSync('/bin/busybox', path.join(root, 'bin/busybox'));
    fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
    for (const applet of run('/bin/busybox', ['--list']).split('\n')) {
      if (applet && applet !== 'busybox' && !applet.includes('/')) fs.symlinkSync('busybox', path.join(root, 'bin', applet));
    }
    return execFileSync('tar', ['-C', root, '--numeric-owner', '-cf', '-', '.'], { maxBuffer: 64 * 1024 * 1024 });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function streamError(text) {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const m = JSON.parse(line);
      if (m.error || m.errorDetail) return m.error ?? m.errorDetail.message;
    } catch { /* partial line */ }
  }
  return undefined;
}

/** Imports the busybox image into `node` under `ref` and pushes it to the registry. */
async function publishImage(node, ref, tar) {
  const [repo, tag] = [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)];
  const q = new URLSearchParams({ fromSrc: '-', repo, tag });
  q.append('changes', 'CMD ["/bin/sh"]');
  q.append('changes', 'ENV PATH=/bin');
  const imported = await unixRequest(node.socketPath, 'POST', `/images/create?${q}`, tar, { 'content-type': 'application/x-tar' }, 120_000);
  if (imported.status !== 200 || streamError(imported.body)) throw new Error(`image import on ${node.name}: HTTP ${imported.status} ${imported.body.slice(0, 300)}`);
  const auth = Buffer.from('{}').toString('base64');
  for (let attempt = 0; ; attempt++) {
    const pushed = await unixRequest(node.socketPath, 'POST', `/images/${encodeURIComponent(repo)}/push?tag=${tag}`, undefined, { 'x-registry-auth': auth }, 120_000);
    const err = pushed.status !== 200 ? `HTTP ${pushed.status} ${pushed.body.slice(0, 300)}` : streamError(pushed.body);
    if (err === undefined) return;
    // The registry may still be binding its port: a refused connection did nothing.
    if (attempt < 20 && /connection refused/i.test(err)) { await sleep(250); continue; }
    throw new Error(`image push from ${node.name} to ${repo}: ${err}`);
  }
}

/** Counters in a node's namespace: packets leaving its only link for outside the subnet, and DNS to the dead resolver. */
function egressCounters(nsFile, subnet, deadDns) {
  nftIn(nsFile, `table inet aicli_egress {
  counter leaked {}
  counter dns {}
  chain post {
    type filter hook postrouting priority 0; policy accept;
    oifname "eth0" ip daddr != ${subnet} counter name leaked
    oifname "eth0" meta nfproto ipv6 counter name leaked
    oifname "eth0" ip daddr ${deadDns} udp dport 53 counter name dns
  }
}
`);
}

function readCounters(nsFile) {
  const out = JSON.parse(inNs(nsFile, 'nft', '-j', 'list', 'counters', 'table', 'inet', 'aicli_egress'));
  const counters = {};
  for (const item of out.nftables ?? []) if (item.counter) counters[item.counter.name] = item.counter.packets;
  return counters;
}

/** cgroup folders named `name` directly under every v1 controller (or under the v2 root). */
function cgroupDirs(name) {
  const base = '/sys/fs/cgroup';
  const dirs = [];
  if (fs.existsSync(path.join(base, 'cgroup.controllers'))) dirs.push(path.join(base, name));
  else for (const c of fs.readdirSync(base)) dirs.push(path.join(base, c, name));
  return dirs.filter((d) => fs.existsSync(d));
}

/** rmdir every (empty) cgroup below `dir`, deepest first. */
function removeCgroupTree(dir) {
  let entries = [];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) if (e.isDirectory()) removeCgroupTree(path.join(dir, e.name));
  try { fs.rmdirSync(dir); } catch { /* busy: a process still in it */ }
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

async function stopPid(pid, graceMs = 5000) {
  if (!pid || !alive(pid)) return;
  try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  const end = Date.now() + graceMs;
  while (alive(pid) && Date.now() < end) await sleep(50);
  if (alive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

/** Where a run's folders go: beside the suite's engines (so `engines.js stop` also sweeps them), else /tmp. */
function defaultRoot() {
  const engines = process.env.AICLI_TEST_ENGINES;
  return engines ? path.dirname(engines) : os.tmpdir();
}

/**
 * Starts a cluster: 1 manager (drained) + `workers` workers, Docker `version` (20, 26 or 28).
 *   dir         a folder that must not exist (default: a fresh one; short, for unix sockets)
 *   egress      nft counters in every node namespace (see readEgress)
 *   log         (line) => void, progress lines
 */
export async function startSwarmCluster(options = {}) {
  const version = String(options.version ?? '26');
  // A number, or one entry per worker: { version, availability } (e.g. an older engine kept drained).
  const workerSpecs = Array.isArray(options.workers) ? options.workers : Array.from({ length: options.workers ?? 2 }, () => ({}));
  const log = options.log ?? (() => undefined);
  const id = crypto.randomBytes(3).toString('hex');
  const dir = path.resolve(options.dir ?? path.join(defaultRoot(), `aicli-swarm-${id}`));
  fs.mkdirSync(dir, { mode: 0o700 }); // EEXIST for a stale folder, on purpose
  const third = crypto.randomInt(1, 250);
  const net = `10.250.${third}`;
  const subnet = `${net}.0/24`;
  const hubIp = `${net}.1`;
  const deadDns = `${net}.254`;
  const registry = `${hubIp}:${REGISTRY_PORT}`;
  const image = `${registry}/${IMAGE_NAME}:latest`;
  const t0 = Date.now();
  const cluster = {
    id, dir, version, subnet, hubIp, deadDns, registry, image,
    nodes: [], manager: undefined, workers: [],
    registryPid: 0, formedMs: 0, timings: {},
    /**
     * SIGKILL a node's dockerd by its PID (its containerd and containers keep running, as on a
     * real crash). Polls until it is gone: the launched child is unref'd, so awaiting its exit
     * alone would leave the event loop empty.
     */
    async killNode(node) {
      const pid = node.engine.pid;
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      while (alive(pid)) await sleep(20);
      await Promise.race([node.engine.exited, sleep(1000)]);
    },
    /** Packets that left each node for outside the subnet, and DNS packets to the dead resolver. */
    readEgress() { return Object.fromEntries(cluster.nodes.map((n) => [n.hostname, readCounters(n.netns)])); },
    /** Routes in each node's namespace, as `ip route` prints them. */
    routes() { return Object.fromEntries(cluster.nodes.map((n) => [n.hostname, inNs(n.netns, 'ip', '-4', 'route').trim().split('\n')])); },
    destroy: () => destroyCluster(cluster),
    async [Symbol.asyncDispose]() { await cluster.destroy(); },
  };
  try {
    fs.mkdirSync(path.join(dir, 'ns'));
    // The hub: a bridge and the registry, nothing else.
    const hubNs = path.join(dir, 'ns/hub');
    makeNetns(hubNs);
    inNs(hubNs, 'ip', 'link', 'add', 'br0', 'type', 'bridge');
    inNs(hubNs, 'ip', 'addr', 'add', `${hubIp}/24`, 'dev', 'br0');
    inNs(hubNs, 'ip', 'link', 'set', 'br0', 'up');
    const regDir = path.join(dir, 'registry');
    fs.mkdirSync(path.join(regDir, 'data'), { recursive: true });
    fs.writeFileSync(path.join(regDir, 'config.yml'), `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${regDir}/data\n`
      + `http:\n  addr: ${registry}\n`);
    const reg = launch(path.join(dir, 'registry.log'), 'nsenter', [`--net=${hubNs}`, '/usr/bin/docker-registry', 'serve', path.join(regDir, 'config.yml')], { cwd: dir });
    cluster.registryPid = reg.pid;
    fs.writeFileSync(path.join(dir, 'pids.json'), JSON.stringify({ id, registry: reg.pid, nodes: [] }));

    const specs = [{}, ...workerSpecs];
    for (const [i, spec] of specs.entries()) {
      const name = `n${i + 1}`;
      const ns = path.join(dir, `ns/${name}`);
      makeNetns(ns);
      inNs(hubNs, 'ip', 'link', 'add', `h-${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      inNs(hubNs, 'ip', 'link', 'set', `h-${name}`, 'master', 'br0', 'up');
      const ip = `${net}.${10 + i}`;
      inNs(ns, 'ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0');
      inNs(ns, 'ip', 'link', 'set', 'eth0', 'up');
      if (options.egress !== false) egressCounters(ns, subnet, deadDns);
      const etc = path.join(dir, `${name}-etc`);
      fs.mkdirSync(path.join(etc, 'run'), { recursive: true });
      fs.writeFileSync(path.join(etc, 'resolv.conf'), `nameserver ${deadDns}\noptions timeout:1 attempts:1\n`);
      cluster.nodes.push({ name, hostname: `${id}-${name}`, ip, netns: ns, etc, dir: path.join(dir, name), role: i === 0 ? 'manager' : 'worker',
        version: String(spec.version ?? version), availability: i === 0 ? 'drain' : spec.availability ?? 'active' });
    }
    // Mounts, hostname, then exec: the PID launched is the engine's own.
    const script = 'set -e; mount --bind "$1" /run; mount --bind "$2" /etc/resolv.conf; hostname "$3"; shift 3; exec "$@"';
    const t1 = Date.now();
    await Promise.all(cluster.nodes.map(async (node) => {
      node.engine = await startDockerd({
        version: node.version, dir: node.dir, name: `${node.hostname}`,
        dns: [deadDns],
        prefix: ['nsenter', `--net=${node.netns}`, 'unshare', '--mount', '--uts', '--', 'sh', '-c', script, 'sh',
          path.join(node.etc, 'run'), path.join(node.etc, 'resolv.conf'), node.hostname],
        extraArgs: ['--cgroup-parent', `/aicli-swarm-${id}-${node.name}`, '--insecure-registry', subnet,
          // Local networks (docker_gwbridge) and swarm overlays in ranges of their own.
          '--default-address-pool', 'base=10.252.0.0/16,size=24'],
      });
      node.socketPath = node.engine.socketPath;
      node.host = node.engine.host;
      node.pid = node.engine.pid;
      fs.writeFileSync(path.join(dir, 'pids.json'), JSON.stringify({ id, registry: reg.pid, nodes: cluster.nodes.map((n) => n.engine?.pid).filter(Boolean) }));
    }));
    cluster.timings.enginesMs = Date.now() - t1;
    const [manager, ...rest] = cluster.nodes;
    cluster.manager = manager;
    cluster.workers = rest;
    log(`engines up in ${cluster.timings.enginesMs} ms`);

    // The image first (the registry starts meanwhile), so every node can pull it.
    const t2 = Date.now();
    await publishImage(manager, image, busyboxRootfsTar(dir));
    cluster.timings.imageMs = Date.now() - t2;

    const t3 = Date.now();
    await json(manager, 'POST', '/swarm/init', {
      ListenAddr: `${manager.ip}:2377`, AdvertiseAddr: manager.ip,
      DefaultAddrPool: ['10.251.0.0/16'], SubnetSize: 24,
      Spec: { Dispatcher: { HeartbeatPeriod: 1_000_000_000 }, Orchestration: { TaskHistoryRetentionLimit: 5 } },
    });
    const swarm = await json(manager, 'GET', '/swarm');
    await Promise.all(rest.map((w) => json(w, 'POST', '/swarm/join', {
      ListenAddr: `${w.ip}:2377`, AdvertiseAddr: w.ip, RemoteAddrs: [`${manager.ip}:2377`], JoinToken: swarm.JoinTokens.Worker,
    })));
    // Every node ready, then the manager drained: workspaces land on workers only.
    const end = Date.now() + FORM_DEADLINE_MS;
    let nodes = [];
    for (;;) {
      nodes = await json(manager, 'GET', '/nodes');
      if (nodes.length === cluster.nodes.length && nodes.every((n) => n.Status?.State === 'ready')) break;
      if (Date.now() > end) throw new Error(`swarm did not form within ${FORM_DEADLINE_MS / 1000}s: ${JSON.stringify(nodes.map((n) => [n.Description?.Hostname, n.Status?.State]))}`);
      await sleep(100);
    }
    for (const n of nodes) {
      const node = cluster.nodes.find((x) => x.hostname === n.Description.Hostname);
      if (node) node.nodeId = n.ID;
    }
    // The manager, and any worker asked so, drained.
    for (const node of cluster.nodes.filter((x) => x.availability !== 'active')) {
      const n = nodes.find((x) => x.ID === node.nodeId);
      await json(manager, 'POST', `/nodes/${n.ID}/update?version=${n.Version.Index}`, { ...n.Spec, Availability: node.availability });
    }
    cluster.formedMs = Date.now() - t3;
    cluster.timings.formMs = cluster.formedMs;
    cluster.timings.totalMs = Date.now() - t0;
    log(`swarm of ${cluster.nodes.length} formed in ${cluster.formedMs} ms (total ${cluster.timings.totalMs} ms)`);
    return cluster;
  } catch (err) {
    if (process.env.AICLI_KEEP_SWARM !== '1') await destroyCluster(cluster).catch(() => undefined);
    throw err;
  }
}

/** Ends every process of the cluster (by PID), unmounts, removes folders and cgroups. Safe twice. */
async function destroyCluster(cluster) {
  if (cluster.destroyed) return;
  cluster.destroyed = true;
  // Engines first (SIGTERM lets each stop its containers), all at once.
  await Promise.all(cluster.nodes.map((n) => n.engine?.stop(10_000)));
  await stopPid(cluster.registryPid);
  await sweep(cluster.dir, cluster.id);
}

/** Whatever is left under `dir` (containerd, shims, containers), its mounts (the namespace files), the folder, the cgroups. */
async function sweep(dir, id) {
  await removeTree(dir);
  for (let i = 1; i <= 9; i++) for (const d of cgroupDirs(`aicli-swarm-${id}-n${i}`)) removeCgroupTree(d);
}

/** For `stop DIR` after a crashed run: the recorded PIDs (checked to still be ours), then the sweep. */
export async function stopSwarmCluster(dirArg) {
  const dir = path.resolve(dirArg);
  if (!fs.existsSync(dir)) return;
  let pids = { id: 'none', registry: 0, nodes: [] };
  try { pids = JSON.parse(fs.readFileSync(path.join(dir, 'pids.json'), 'utf8')); } catch { /* partial start */ }
  const ours = (pid) => { try { return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${dir}/`); } catch { return false; } };
  await Promise.all([...pids.nodes, pids.registry].filter((pid) => pid && ours(pid)).map((pid) => stopPid(pid, 10_000)));
  await sweep(dir, pids.id);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [cmd, ...args] = process.argv.slice(2);
  try {
    if (cmd === 'start') {
      const opt = { log: (l) => process.stderr.write(`swarm-cluster: ${l}\n`) };
      for (let i = 0; i < args.length; i++) {
        if (args[i] === '--version') opt.version = args[++i];
        else if (args[i] === '--workers') opt.workers = Number(args[++i]);
        else if (args[i] === '--worker') (opt.workers = Array.isArray(opt.workers) ? opt.workers : []).push({ version: args[++i] });
        else opt.dir = args[i];
      }
      const c = await startSwarmCluster(opt);
      process.stdout.write(`${JSON.stringify({ dir: c.dir, image: c.image, subnet: c.subnet, timings: c.timings,
        nodes: c.nodes.map((n) => ({ name: n.name, hostname: n.hostname, ip: n.ip, host: n.host, pid: n.pid, nodeId: n.nodeId, role: n.role })) })}\n`);
    } else if (cmd === 'stop' && args[0]) {
      await stopSwarmCluster(args[0]);
    } else {
      process.stderr.write('usage: swarm-cluster.js start [--version 26] [--workers 2 | --worker VERSION...] [DIR] | stop DIR\n');
      process.exit(2);
    }
  } catch (e) {
    process.stderr.write(`swarm-cluster: ${e.stack ?? e.message}\n`);
    process.exit(1);
  }
}

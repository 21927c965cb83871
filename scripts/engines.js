#!/usr/bin/env node
// Starts / stops the real container engines the integration tests use, all
// isolated under one fresh state dir (nothing global is used or changed):
//   node scripts/engines.js start [stateDir]   -> prints stateDir; writes <stateDir>/engines.json
//   node scripts/engines.js stop  <stateDir>   -> kills our processes, unmounts, removes the dir
// The binaries come from scripts/install-engines.sh. Plain Node, no dependencies.
// (.js, not .mjs: the package is ESM, and eslint's config only knows *.js scripts.)
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_VERSION, DOCKERD, launch as launchProcess, startDockerd } from './dockerd.js';

const PING_DEADLINE_MS = 60_000;
const log = (msg) => process.stderr.write(`engines: ${msg}\n`);

// A port below the kernel's ephemeral range, free when checked: the ports are chosen, released,
// then bound by the engines a moment later, and a :0 port from inside that range was once
// taken meanwhile as some connection's own port (docker26: "bind: address already in use").
// Below the range only a process that binds that very port on purpose could take it.
const givenPorts = new Set();
function ephemeralLow() {
  try {
    return Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}
async function freePort() {
  const low = Math.max(ephemeralLow(), 20_001);
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * (low - 20_000));
    if (givenPorts.has(port)) continue;
    const srv = net.createServer();
    const free = await new Promise((res) => srv.once('error', () => res(false)).listen(port, '127.0.0.1', () => res(true)));
    if (!free) continue;
    await new Promise((res) => srv.close(res));
    givenPorts.add(port);
    return port;
  }
}

function openssl(...args) {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

// A CA, a server cert for 127.0.0.1/localhost, and a client cert; plus a
// second, unrelated CA + client cert ("wrong") for negative tests.
function makeTls(dir) {
  const c = path.join(dir, 'client');
  const w = path.join(dir, 'wrong');
  for (const d of [dir, c, w]) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const ext = (name, text) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };
  const serverExt = ext('server.ext', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n');
  const clientExt = ext('client.ext', 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n');
  const ca = (d, cn) => openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`,
    '-keyout', path.join(d, 'ca-key.pem'), '-out', path.join(d, 'ca.pem'));
  const leaf = (caDir, key, cert, cn, extFile) => {
    const csr = `${cert}.csr`;
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', key, '-out', csr);
    openssl('x509', '-req', '-in', csr, '-CA', path.join(caDir, 'ca.pem'), '-CAkey', path.join(caDir, 'ca-key.pem'),
      '-CAcreateserial', '-days', '2', '-extfile', extFile, '-out', cert);
    fs.rmSync(csr);
  };
  ca(dir, 'aicli-test-ca');
  leaf(dir, path.join(dir, 'server-key.pem'), path.join(dir, 'server-cert.pem'), 'localhost', serverExt);
  leaf(dir, path.join(c, 'key.pem'), path.join(c, 'cert.pem'), 'aicli-test-client', clientExt);
  fs.copyFileSync(path.join(dir, 'ca.pem'), path.join(c, 'ca.pem')); // DOCKER_CERT_PATH layout
  ca(w, 'aicli-wrong-ca');
  leaf(w, path.join(w, 'key.pem'), path.join(w, 'cert.pem'), 'aicli-wrong-client', clientExt);
  fs.rmSync(path.join(w, 'ca-key.pem'));
}

function launch(state, name, cmd, args, env = {}) {
  const logFile = path.join(state, `${name}.log`);
  const p = launchProcess(logFile, cmd, args, { cwd: state, env });
  return { name, pid: p.pid, logFile, exited: p.exited };
}

function get(opts, tls) {
  return new Promise((resolve, reject) => {
    const req = (tls ? https : http).request({ method: 'GET', timeout: 3000, ...opts }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

// Polls until the engine answers 200 on `opts.path`, its process exits, or the deadline passes.
// sshd answers with its banner, not HTTP.
function sshBanner(port) {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    c.setTimeout(2000, () => c.destroy(new Error('no banner')));
    c.once('data', (d) => { c.destroy(); resolve({ status: String(d).startsWith('SSH-') ? 200 : 500 }); });
    c.once('error', reject);
  });
}

// An sshd on loopback whose sessions reach `target` (a unix:// engine): ssh:// tests run
// `ssh -F <state>/ssh/ssh_config root@127.0.0.1 -p PORT -- docker system dial-stdio`.
function startSshd(state, port, target) {
  const d = path.join(state, 'ssh');
  fs.mkdirSync(d, { mode: 0o700 });
  // sshd insists on its privilege-separation directory; the package makes it at boot only.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const keygen = (name) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path.join(d, name)]);
  keygen('host_key');
  keygen('client_key');
  fs.copyFileSync(path.join(d, 'client_key.pub'), path.join(d, 'authorized_keys'));
  fs.writeFileSync(path.join(d, 'known_hosts'), `[127.0.0.1]:${port} ${fs.readFileSync(path.join(d, 'host_key.pub'), 'utf8')}`);
  fs.writeFileSync(path.join(d, 'sshd_config'), [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${d}/host_key`,
    `PidFile ${d}/sshd.pid`, `AuthorizedKeysFile ${d}/authorized_keys`, 'StrictModes no', 'UsePAM no',
    'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    `SetEnv DOCKER_HOST=${target}`, ''].join('\n'));
  fs.writeFileSync(path.join(d, 'ssh_config'), ['Host *', `  IdentityFile ${d}/client_key`, '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${d}/known_hosts`, '  StrictHostKeyChecking yes', '  BatchMode yes', ''].join('\n'));
  return launch(state, 'sshd', '/usr/sbin/sshd', ['-D', '-e', '-f', path.join(d, 'sshd_config')]);
}

async function waitReady(proc, opts, tls) {
  const deadline = Date.now() + PING_DEADLINE_MS;
  let dead = null;
  void proc.exited.then((why) => { dead = why; });
  let lastErr = 'no answer';
  while (Date.now() < deadline && !dead) {
    try {
      const r = opts.probe ? await opts.probe() : await get(opts, tls);
      if (r.status === 200) return;
      lastErr = `HTTP ${r.status}`;
    } catch (e) { lastErr = e.message; }
    await sleep(200);
  }
  const tail = fs.existsSync(proc.logFile) ? fs.readFileSync(proc.logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
  const why = dead ? `${dead} before answering` : `no answer within ${PING_DEADLINE_MS / 1000}s (${lastErr})`;
  throw new Error(`${proc.name} (pid ${proc.pid}) on ${opts.socketPath ?? `${opts.host}:${opts.port}`}${opts.path}: ${why}`
    + `\n--- tail of ${proc.logFile} ---\n${tail}`);
}

async function apiVersion(socketPath, want, name) {
  const r = await get({ socketPath, path: '/version' });
  const v = JSON.parse(r.body).ApiVersion;
  if (want && v !== want) throw new Error(`${name}: API version ${v}, expected ${want}`);
  return v;
}

// --- registryAuth: a second registry that wants basic auth (issue 10: pulls with credentials) ---
// bcrypt entries (`htpasswd -B`): the registry refuses other hashes. A fresh password per run.
function startAuthRegistry(state, port) {
  const dir = path.join(state, 'registry-auth');
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const username = 'aicli';
  const password = randomBytes(12).toString('hex');
  fs.writeFileSync(path.join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', username, password]));
  const conf = path.join(dir, 'config.yml');
  fs.writeFileSync(conf, `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\n`
    + `  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`
    + `auth:\n  htpasswd:\n    realm: aicli-test\n    path: ${dir}/htpasswd\n`);
  const proc = launch(state, 'registry-auth', '/usr/bin/docker-registry', ['serve', conf]);
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const probe = () => get({ host: '127.0.0.1', port, path: '/v2/', headers: { authorization: basic } });
  return { proc, username, password, probe, url: `127.0.0.1:${port}` };
}

let created = null; // the state dir this process made, for clean-up of a failed start

async function start(stateArg) {
  let state;
  if (stateArg) {
    state = path.resolve(stateArg);
    // Never reuse a stale dir: its sockets, pid files or data would lie to us.
    fs.mkdirSync(state, { mode: 0o700 }); // throws EEXIST if it exists
  } else {
    state = fs.mkdtempSync('/tmp/aicli-');
  }
  created = state;
  const longest = path.join(state, 'd26/x/containerd/containerd.sock.ttrpc'); // the longest socket path
  if (Buffer.byteLength(longest) > 100) throw new Error(`state dir path too long for unix sockets: ${state}`);
  const t0 = Date.now();
  for (const bin of [DOCKERD[20], DOCKERD[26], DOCKERD[28], '/usr/bin/podman', '/usr/bin/docker-registry', '/usr/sbin/sshd']) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} missing: run 'bash scripts/install-engines.sh' as root`);
  }
  makeTls(path.join(state, 'tls'));
  const tls = path.join(state, 'tls');
  const [tlsPort, regPort, sshPort, regAuthPort] = [await freePort(), await freePort(), await freePort(), await freePort()];

  // Each engine its own address pool of 256 /24s. Docker's default pools (31 subnets in
  // 172.17-31/16 and 192.168/20s) are shared by every engine on the host, since each skips
  // the subnets the host already routes: the suite's two side-by-side runs reached 24 of
  // them at once. 10.230-232 are clear of the egress labs (10.16-215), the tests' fixed
  // subnets (10.213), Podman's (10.88-89) and the Swarm clusters' (10.250-252).
  const pool = (octet) => ['--default-address-pool', `base=10.${octet}.0.0/16,size=24`];
  // The Docker engines start in parallel with the rest (scripts/dockerd.js waits for each ping).
  const dockers = Promise.all([
    startDockerd({ version: '20', dir: path.join(state, 'd20'), name: 'docker20', extraArgs: pool(230) }),
    startDockerd({ version: '26', dir: path.join(state, 'd26'), name: 'docker26', extraArgs: [...pool(231),
      '-H', `tcp://127.0.0.1:${tlsPort}`, '--tlsverify', '--tlscacert', path.join(tls, 'ca.pem'),
      '--tlscert', path.join(tls, 'server-cert.pem'), '--tlskey', path.join(tls, 'server-key.pem')] }),
    startDockerd({ version: '28', dir: path.join(state, 'd28'), name: 'docker28', extraArgs: pool(232) }),
  ]);
  dockers.catch(() => undefined);
  const p = path.join(state, 'podman');
  for (const d of ['root', 'run', 'tmp', 'net']) fs.mkdirSync(path.join(p, d), { recursive: true });
  // Every path podman would otherwise take from /var/lib/containers, /run or
  // /etc/containers/networks is pointed into the state dir. vfs + cgroupfs +
  // file events: no overlay/systemd/journald needed.
  // Own containers.conf (CONTAINERS_CONF: the only one read), as stock as it can be (issue 14):
  // Podman's own default ulimits are kept (above this host's hard limits: a container
  // without explicit nofile/nproc ulimits does not start here, as on a user's machine like
  // this one), and containers get no resolver of the host's (the loopback, as --dns for
  // the Docker engines). Own registries.conf (CONTAINERS_REGISTRIES_CONF): no short-name
  // search (nothing is ever looked up on a public registry), and the test registries on
  // 127.0.0.1 plain HTTP (Docker takes loopback registries as insecure; Podman does not).
  const podConf = path.join(p, 'containers.conf');
  fs.writeFileSync(podConf, '[containers]\ndns_servers = ["127.0.0.1"]\n');
  const podRegistries = path.join(p, 'registries.conf');
  fs.writeFileSync(podRegistries, ['unqualified-search-registries = []', ...[regPort, regAuthPort].flatMap((port) =>
    ['[[registry]]', `location = "127.0.0.1:${port}"`, 'insecure = true'])].join('\n') + '\n');
  const pod = launch(state, 'podman', '/usr/bin/podman', ['--root', path.join(p, 'root'), '--runroot', path.join(p, 'run'),
    '--tmpdir', path.join(p, 'tmp'), '--network-config-dir', path.join(p, 'net'), '--storage-driver', 'vfs',
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', 'system', 'service', '--time=0',
    `unix://${path.join(p, 'podman.sock')}`], { CONTAINERS_CONF: podConf, CONTAINERS_REGISTRIES_CONF: podRegistries });
  const regDir = path.join(state, 'registry');
  fs.mkdirSync(path.join(regDir, 'data'), { recursive: true });
  const regConf = path.join(regDir, 'config.yml');
  fs.writeFileSync(regConf, `version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: ${regDir}/data\n`
    + `  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${regPort}\n`);
  const reg = launch(state, 'registry', '/usr/bin/docker-registry', ['serve', regConf]);
  const regAuth = startAuthRegistry(state, regAuthPort);

  const sshd = startSshd(state, sshPort, `unix://${path.join(state, 'd20/docker.sock')}`);

  const procs = [pod, reg, sshd, regAuth.proc];
  // Record pids first: if anything below fails, `stop` can still find them (and the
  // engines by their folder, below the state dir).
  fs.writeFileSync(path.join(state, 'pids.json'), JSON.stringify(procs.map((x) => ({ name: x.name, pid: x.pid }))));
  const sock = (x) => path.join(state, x);
  const clientTls = { ca: fs.readFileSync(path.join(tls, 'client/ca.pem')), cert: fs.readFileSync(path.join(tls, 'client/cert.pem')),
    key: fs.readFileSync(path.join(tls, 'client/key.pem')) };
  const [d20, d26, d28] = await dockers;
  fs.writeFileSync(path.join(state, 'pids.json'), JSON.stringify([d20, d26, d28, ...procs].map((x) => ({ name: x.name, pid: x.pid }))));
  await Promise.all([
    waitReady({ ...d26, logFile: d26.log, exited: d26.exited }, { host: '127.0.0.1', port: tlsPort, path: '/_ping', ...clientTls }, true),
    waitReady(pod, { socketPath: sock('podman/podman.sock'), path: '/_ping' }),
    waitReady(reg, { host: '127.0.0.1', port: regPort, path: '/v2/' }),
    waitReady(regAuth.proc, { host: '127.0.0.1', port: 0, path: '/v2/', probe: regAuth.probe }),
    waitReady(sshd, { host: '127.0.0.1', port: sshPort, path: '', probe: () => sshBanner(sshPort) }),
  ]);
  const info = {
    stateDir: state,
    engines: [
      { name: 'docker20', host: d20.host, apiVersion: await apiVersion(d20.socketPath, API_VERSION[20], 'docker20'), pid: d20.pid, log: d20.log },
      { name: 'docker26', host: d26.host, tlsHost: `tcp://127.0.0.1:${tlsPort}`,
        certPath: path.join(tls, 'client'), wrongCertPath: path.join(tls, 'wrong'),
        apiVersion: await apiVersion(d26.socketPath, API_VERSION[26], 'docker26'), pid: d26.pid, log: d26.log },
      { name: 'docker28', host: d28.host, apiVersion: await apiVersion(d28.socketPath, API_VERSION[28], 'docker28'), minApiVersion: '1.44', pid: d28.pid, log: d28.log },
      { name: 'podman', host: `unix://${sock('podman/podman.sock')}`, apiVersion: await apiVersion(sock('podman/podman.sock'), null, 'podman'), pid: pod.pid, log: pod.logFile },
    ],
    registry: { url: `127.0.0.1:${regPort}`, pid: reg.pid, log: reg.logFile },
    registryAuth: { url: regAuth.url, username: regAuth.username, password: regAuth.password, pid: regAuth.proc.pid, log: regAuth.proc.logFile },
    ssh: { host: `ssh://root@127.0.0.1:${sshPort}`, config: path.join(state, 'ssh/ssh_config'), target: 'docker20', pid: sshd.pid, log: sshd.logFile },
  };
  fs.writeFileSync(path.join(state, 'engines.json'), `${JSON.stringify(info, null, 2)}\n`);
  log(`all engines up in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${state}/engines.json`);
  process.stdout.write(`${state}\n`);
}

// --- stop -------------------------------------------------------------------

function procTable() {
  const rows = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) rows.push({ pid: Number(e), ppid, cmd });
    } catch { /* process went away */ }
  }
  return rows;
}

// Ours = any live process whose command line names the (unique) state dir —
// dockerd, their managed containerd, shims, podman, conmon, registry — plus
// all their descendants (container processes). Nothing else is ever signalled.
function ourProcs(state) {
  const rows = procTable();
  const ours = new Set(rows.filter((r) => r.pid !== process.pid && r.cmd.includes(`${state}/`)).map((r) => r.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) if (!ours.has(r.pid) && ours.has(r.ppid)) { ours.add(r.pid); grew = true; }
  }
  return ours;
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const signal = (pid, sig) => { try { process.kill(pid, sig); } catch { /* gone */ } };

async function waitGone(pids, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end && pids.some(alive)) await sleep(100);
  return pids.filter(alive);
}

// --- network hygiene (network feature) ------------------------------------------------
// A Docker engine that stops keeps its bridge interfaces in the host's network namespace,
// with their subnets: networks a failed test left behind would hold the host's address pools
// (which every engine on this host shares) for good. So the Docker engines drop their
// containers and user networks first. Best effort: the engines are going away anyway.
function unixDelete(socketPath, urlPath) {
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: urlPath, method: 'DELETE', timeout: 10_000 }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve());
    req.end();
  });
}

async function dropNetworks(state) {
  let engines = [];
  try { engines = JSON.parse(fs.readFileSync(path.join(state, 'engines.json'), 'utf8')).engines ?? []; } catch { return; }
  // Podman too: its networks' DNS server (aardvark-dns) runs outside the state dir, from
  // /run/containers/networks, and leaves only once no container is on a DNS network; a test
  // that failed half-way once left one running after its Podman had gone.
  await Promise.all(engines.filter((e) => e.name.startsWith('docker') || e.name === 'podman').map(async (e) => {
    const socketPath = e.host.replace(/^unix:\/\//, '');
    try {
      const containers = JSON.parse((await get({ socketPath, path: '/containers/json?all=1' })).body);
      await Promise.all(containers.map((c) => unixDelete(socketPath, `/containers/${c.Id}?force=1&v=1`)));
      const networks = JSON.parse((await get({ socketPath, path: '/networks' })).body);
      for (const n of networks.filter((x) => !['bridge', 'host', 'none', 'podman'].includes(x.Name) && x.Scope === 'local')) {
        // Podman by name: by id it skips its in-use check.
        await unixDelete(socketPath, `/networks/${encodeURIComponent(e.name === 'podman' ? n.Name : n.Id)}`);
      }
    } catch { /* engine already gone */ }
  }));
}

async function stop(stateArg) {
  if (!stateArg) throw new Error('usage: engines.js stop <stateDir>');
  const state = path.resolve(stateArg);
  if (!fs.existsSync(state)) { log(`${state}: already gone`); return; }
  await dropNetworks(state);
  // The recorded top-level pids, each checked to still be ours (pid reuse).
  let recorded = [];
  try { recorded = JSON.parse(fs.readFileSync(path.join(state, 'pids.json'), 'utf8')).map((x) => x.pid); } catch { /* partial start */ }
  const ours = ourProcs(state);
  const top = recorded.filter((pid) => ours.has(pid));
  // SIGTERM lets dockerd stop its containers and containerd and unmount its layers.
  top.forEach((pid) => signal(pid, 'SIGTERM'));
  let left = await waitGone(top, 15_000);
  left.forEach((pid) => signal(pid, 'SIGKILL'));
  // Then whatever of ours is still around (shims, conmon, container processes).
  let rest = [...ourProcs(state)];
  if (rest.length) {
    log(`terminating leftover processes: ${rest.join(' ')}`);
    rest.forEach((pid) => signal(pid, 'SIGTERM'));
    (await waitGone(rest, 3000)).forEach((pid) => signal(pid, 'SIGKILL'));
  }
  left = await waitGone([...top, ...ourProcs(state)], 5000);
  if (left.length) throw new Error(`processes still alive after SIGKILL: ${left.join(' ')}`);
  // Unmount anything left below the state dir (overlay layers, shm, netns), deepest first.
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' ')).filter((m) => m && (m === state || m.startsWith(`${state}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try { execFileSync('umount', ['-l', m], { stdio: 'ignore' }); } catch { /* already gone with its parent */ }
  }
  fs.rmSync(state, { recursive: true, force: true, maxRetries: 3 });
  log(`stopped and removed ${state}`);
}

const [cmd, arg] = process.argv.slice(2);
try {
  if (cmd === 'start') {
    try { await start(arg); } catch (e) {
      log(`START FAILED: ${e.message}`);
      // Leave nothing running behind a failed start (unless asked to, for debugging).
      if (created && process.env.AICLI_KEEP_ENGINES !== '1') await stop(created).catch(() => {});
      process.exit(1);
    }
  } else if (cmd === 'stop') {
    await stop(arg);
  } else {
    log('usage: engines.js start [stateDir] | stop <stateDir>');
    process.exit(2);
  }
} catch (e) {
  log(`ERROR: ${e.message}`);
  process.exit(1);
}

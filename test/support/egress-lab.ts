// The egress lab: a private engine alone in a network namespace of its own ("E", the
// engine host), and "the outside" in another ("O"): HTTP, a TLS-ish TCP server, a
// logging DNS server and a UDP sink (test/support/egress-servers.js), reached from E by
// routing over one veth pair. Nothing of it touches the machine's own network: E's only
// links are that veth and the engine's bridges, so the engine's iptables chains (when on)
// live in E alone, and no packet can leave for the real world. An nft guard in E still
// drops and counts anything from the container networks that would leave E by another
// interface than the veth to O. The engine starts with --dns at O's DNS server, so
// nothing is ever looked up anywhere else.
//
//   await using lab = await startLab({ version: '26', iptables: true });
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { removeTree, startDockerd } from '../../scripts/dockerd.js';
import { defaultConfig, type ContainerCreateBody, type DockerConfig } from '../../src/index.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage, rawRequest, TEST_LABEL } from './engines.js';

const execFileP = promisify(execFile);
const SERVERS = fileURLToPath(new URL('./egress-servers.js', import.meta.url));

export interface LabEvent {
  readonly t: number;
  readonly role: 'outside' | 'host';
  readonly event: string;
  readonly from?: string;
  readonly name?: string;
  readonly proto?: string;
  /** DNS question type: 1 (A), 28 (AAAA). */
  readonly type?: number;
  readonly port?: number;
  readonly text?: string;
  readonly url?: string;
  readonly host?: string;
  readonly line?: string;
  readonly bytes?: number;
  readonly ms?: number;
}

export interface Lab extends AsyncDisposable {
  readonly id: string;
  readonly version: string;
  readonly iptables: boolean;
  /** unix:///... of the lab's engine. */
  readonly host: string;
  readonly dir: string;
  readonly ns: { readonly engine: string; readonly outside: string };
  /** E's address towards O ("the engine host's uplink"), and O's address. */
  readonly addr: { readonly hostUplink: string; readonly outside: string };
  /** The engine's address pool (every network it makes comes from it). */
  readonly pool: string;
  /**
   * The aicli network the lab made, as aicli would (labelled managed, and aicli.test), with
   * the subnet the guard knows: `config` names it, so workspaces made with it use it.
   */
  readonly aicli: { readonly name: string; readonly subnet: string; readonly gateway: string };
  /** aicli's defaults on this lab: its aicli network, the busybox image, and the probes' scratch folder. */
  readonly config: DockerConfig;
  /**
   * What the outside DNS server answers: A records, AAAA records (32 hex digits), and
   * "rebind" names (first address once, then the next); anything else is NXDOMAIN.
   */
  setZone(zone: { a: Record<string, string>; aaaa?: Record<string, string>; rebind?: Record<string, string[]> }): void;
  outsideLog(): LabEvent[];
  hostLog(): LabEvent[];
  /** Packets the guard dropped (leaving E by another interface) and counted from a watched subnet. */
  guard(): Promise<{ leaked: number; watched: number }>;
  /**
   * Counts packets from `subnet` that E routes out of `bridge` or takes in itself (there
   * should be none from a workspace). Traffic inside the bridge (workspace to gateway)
   * also passes the forward hook (br_netfilter) and is not counted.
   */
  watch(subnet: string, bridge: string): Promise<void>;
  /** Runs a one-shot container to its end; returns its stdout+stderr and exit code, and removes it. */
  run(body: ContainerCreateBody | Record<string, unknown>, timeoutMs?: number): Promise<{ output: string; exitCode: number }>;
  /** Runs a command in a running container (raw exec API; issue 10's exec stands in later). */
  exec(id: string, cmd: string[]): Promise<{ output: string; exitCode: number }>;
  close(): Promise<void>;
}

async function sh(cmd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, [...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

function readLog(file: string): LabEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LabEvent);
}

/** Docker's 8-byte frame headers, removed (stdout and stderr together). */
export function demux(buf: Buffer): string {
  let out = '';
  let at = 0;
  while (at + 8 <= buf.length) {
    const size = buf.readUInt32BE(at + 4);
    out += buf.subarray(at + 8, at + 8 + size).toString('utf8');
    at += 8 + size;
  }
  return out;
}

async function api(host: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await rawRequest(host, method, path, body === undefined ? undefined : JSON.stringify(body));
  if (res.status >= 400) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.toString()}`);
  const text = res.body.toString();
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * What a lab of a run that died (SIGKILL, a crash) left: its namespaces (named after
 * the run's PID), the processes in them, and its folder. A live run's labs are never touched.
 */
export async function sweepStaleLabs(): Promise<void> {
  const names = (await sh('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0] ?? '');
  const dead = new Set<string>();
  for (const name of names) {
    const m = /^aeg-(\d+)-[0-9a-f]+-[eo]$/.exec(name);
    if (m?.[1] === undefined || alive(Number(m[1]))) continue;
    dead.add(m[1]);
    for (const pid of (await sh('ip', ['netns', 'pids', name]).catch(() => '')).split('\n').filter((p) => /^\d+$/.test(p))) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
    await sh('ip', ['netns', 'delete', name]).catch(() => undefined);
  }
  for (const entry of fs.readdirSync('/tmp')) {
    const m = /^aicli-egress-(\d+)-/.exec(entry);
    if (m?.[1] !== undefined && (dead.has(m[1]) || !alive(Number(m[1])))) await removeTree(`/tmp/${entry}`).catch(() => undefined);
  }
}

const open = new Set<Lab>();
let hooked = false;

/** A test run that is stopped (the runner's time-out sends SIGTERM) still closes its labs. */
function closeOnSignals(): void {
  if (hooked) return;
  hooked = true;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      void Promise.allSettled([...open].map((l) => l.close())).then(() => process.exit(sig === 'SIGTERM' ? 143 : 130));
    });
  }
}

/**
 * The lab's 10.r.0.0/16: never one the host's ruleset names already, nor one that Podman
 * (10.88, 10.89: its default networks, whose rules netavark writes on the host) or the
 * network tests (10.213) may bring there while the lab runs. The suite checks that nothing
 * of the lab reaches the host's ruleset by looking for "10.r." there.
 */
const TAKEN_OCTETS = new Set([88, 89, 213]);
async function labOctet(): Promise<number> {
  const ruleset = await sh('nft', ['list', 'ruleset']).catch(() => '');
  for (;;) {
    const r = 16 + ((randomBytes(1)[0] ?? 0) % 200);
    if (!TAKEN_OCTETS.has(r) && !ruleset.includes(`10.${r}.`)) return r;
  }
}

export async function startLab(options: { version: '20' | '26' | '28'; iptables: boolean }): Promise<Lab> {
  closeOnSignals();
  await sweepStaleLabs();
  const id = randomBytes(3).toString('hex');
  const r = await labOctet();
  const nsE = `aeg-${process.pid}-${id}-e`;
  const nsO = `aeg-${process.pid}-${id}-o`;
  const dir = fs.mkdtempSync(`/tmp/aicli-egress-${process.pid}-`);
  const hostUplink = `10.${r}.254.1`;
  const outside = `10.${r}.254.2`;
  const pool = `10.${r}.0.0/17`;
  const aicliSubnet = `10.${r}.200.0/24`;
  const zoneFile = `${dir}/zone.json`;
  const outsideLogFile = `${dir}/outside.log`;
  const hostLogFile = `${dir}/host.log`;
  fs.writeFileSync(zoneFile, '{}');
  const pids: number[] = [];
  let engine: Awaited<ReturnType<typeof startDockerd>> | undefined;
  const made: string[] = [];

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= closeNow());
  const closeNow = async (): Promise<void> => {
    open.forEach((l) => {
      if (l.dir === dir) open.delete(l);
    });
    await engine?.destroy().catch(() => undefined);
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const ns of made.reverse()) await sh('ip', ['netns', 'delete', ns]).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const ns of [nsE, nsO]) {
      await sh('ip', ['netns', 'add', ns]);
      made.push(ns);
    }
    await sh('ip', ['-n', nsE, 'link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'up0', 'netns', nsO]);
    await sh('ip', ['-n', nsE, 'addr', 'add', `${hostUplink}/24`, 'dev', 'up0']);
    await sh('ip', ['-n', nsO, 'addr', 'add', `${outside}/24`, 'dev', 'up0']);
    for (const ns of [nsE, nsO]) {
      await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await sh('ip', ['-n', ns, 'link', 'set', 'up0', 'up']);
    }
    // O answers every container network through E; E routes (as a Docker host does).
    await sh('ip', ['-n', nsO, 'route', 'add', 'default', 'via', hostUplink]);
    await sh('ip', ['netns', 'exec', nsE, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await sh('ip', ['netns', 'exec', nsE, 'nft', '-f', '-'], [
      'table inet aicli_egress_guard {',
      '  counter leaked { }',
      '  counter watched { }',
      '  chain forward {',
      '    type filter hook forward priority -300; policy accept;',
      `    ip saddr { ${pool}, ${aicliSubnet} } oifname != "up0" oifname != "br-*" oifname != "veth*" counter name leaked drop`,
      '  }',
      '  chain input {',
      '    type filter hook input priority -300; policy accept;',
      '  }',
      '}',
      '',
    ].join('\n'));

    // The servers first: nothing may look anything up before the DNS server listens.
    for (const [ns, args] of [[nsO, ['outside', outsideLogFile, zoneFile]], [nsE, ['host', hostLogFile]]] as const) {
      // Nothing of ours inherited (a held pipe would keep the test runner waiting), and a
      // process group of its own: it ends by its PID, in close().
      const err = fs.openSync(`${dir}/servers.err`, 'a');
      const child = spawn('ip', ['netns', 'exec', ns, process.execPath, SERVERS, ...args], { stdio: ['ignore', 'ignore', err], detached: true });
      fs.closeSync(err);
      if (child.pid === undefined) throw new Error('cannot start the lab servers');
      pids.push(child.pid);
      child.unref();
    }
    const end = Date.now() + 15_000;
    while (!(readLog(outsideLogFile).some((e) => e.event === 'ready') && readLog(hostLogFile).some((e) => e.event === 'ready'))) {
      if (Date.now() > end) throw new Error(`the egress lab servers did not start (${dir})`);
      await sleep(50);
    }

    engine = await startDockerd({
      version: options.version,
      dir: `${dir}/e`,
      iptables: options.iptables,
      dns: [outside],
      // Only the network namespace changes: dockerd keeps the host's mounts (cgroups, /run).
      prefix: ['nsenter', `--net=/run/netns/${nsE}`, '--'],
      extraArgs: ['--default-address-pool', `base=${pool},size=24`],
    });
    await ensureBusyboxImage(engine.host);
    const aicliName = `aicli-lab-${id}`;
    await api(engine.host, 'POST', '/networks/create', {
      Name: aicliName,
      Driver: 'bridge',
      IPAM: { Config: [{ Subnet: aicliSubnet, Gateway: `10.${r}.200.1` }] },
      Labels: { [TEST_LABEL]: 'true', 'aicli.managed': 'true' },
    });

    const host = engine.host;
    const lab: Lab = {
      id,
      version: options.version,
      iptables: options.iptables,
      host,
      dir,
      ns: { engine: nsE, outside: nsO },
      addr: { hostUplink, outside },
      pool,
      aicli: { name: aicliName, subnet: aicliSubnet, gateway: `10.${r}.200.1` },
      config: {
        ...defaultConfig(),
        networkName: aicliName,
        networkSubnet: aicliSubnet,
        networkGateway: `10.${r}.200.1`,
        defaultImage: BUSYBOX_IMAGE,
        // The probe scripts write their results there (a workspace's root is read-only).
        tmpfs: { ...defaultConfig().tmpfs, '/probe': 'rw,nosuid,size=16m,mode=1777' },
      },
      setZone(zone) {
        fs.writeFileSync(`${zoneFile}.tmp`, JSON.stringify(zone));
        fs.renameSync(`${zoneFile}.tmp`, zoneFile);
      },
      outsideLog: () => readLog(outsideLogFile),
      hostLog: () => readLog(hostLogFile),
      async guard() {
        const out = await sh('ip', ['netns', 'exec', nsE, 'nft', '-j', 'list', 'counters', 'table', 'inet', 'aicli_egress_guard']);
        const items = (JSON.parse(out) as { nftables: { counter?: { name: string; packets: number } }[] }).nftables;
        const count = (name: string): number => items.find((i) => i.counter?.name === name)?.counter?.packets ?? -1;
        return { leaked: count('leaked'), watched: count('watched') };
      },
      async watch(subnet, bridge) {
        await sh('ip', ['netns', 'exec', nsE, 'nft', 'add', 'rule', 'inet', 'aicli_egress_guard', 'forward', 'ip', 'saddr', subnet, 'oifname', '!=', bridge, 'counter', 'name', 'watched']);
        await sh('ip', ['netns', 'exec', nsE, 'nft', 'add', 'rule', 'inet', 'aicli_egress_guard', 'input', 'ip', 'saddr', subnet, 'counter', 'name', 'watched']);
      },
      async run(body, timeoutMs = 60_000) {
        const c = (await api(host, 'POST', '/containers/create', { ...body, Labels: { ...(body as { Labels?: object }).Labels, [TEST_LABEL]: 'true' } })) as { Id: string };
        try {
          await api(host, 'POST', `/containers/${c.Id}/start`);
          const waited = await Promise.race([
            api(host, 'POST', `/containers/${c.Id}/wait`) as Promise<{ StatusCode: number }>,
            sleep(timeoutMs, undefined, { ref: false }),
          ]);
          const logs = await rawRequest(host, 'GET', `/containers/${c.Id}/logs?stdout=1&stderr=1`);
          const output = demux(logs.body);
          if (waited === undefined) throw new Error(`container did not finish within ${timeoutMs} ms; output so far:\n${output}`);
          return { output, exitCode: waited.StatusCode };
        } finally {
          await rawRequest(host, 'DELETE', `/containers/${c.Id}?force=1&v=1`).catch(() => undefined);
        }
      },
      async exec(cid, cmd) {
        const e = (await api(host, 'POST', `/containers/${cid}/exec`, { Cmd: cmd, AttachStdout: true, AttachStderr: true })) as { Id: string };
        // Without an Upgrade header the engine still streams the frames, then closes.
        const res = await rawRequest(host, 'POST', `/exec/${e.Id}/start`, JSON.stringify({ Detach: false, Tty: false }));
        const info = (await api(host, 'GET', `/exec/${e.Id}/json`)) as { ExitCode: number };
        return { output: demux(res.body), exitCode: info.ExitCode };
      },
      close,
      [Symbol.asyncDispose]: close,
    };
    open.add(lab);
    return lab;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Busybox image ref used in the lab (the shared fixture). */
export { BUSYBOX_IMAGE } from './engines.js';
export { execFileP };

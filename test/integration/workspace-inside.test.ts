// A workspace seen from inside (a command run in it) and from the engine's inspect data:
// the limits and the hardening hold, item by item of the CIS Docker Benchmark, section 5.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Workspaces, type DockerClient, type WorkspaceInfo } from '../../src/index.js';
import { ensureBusyboxImage, engineSkip, loadTestEngines, rawRequest } from '../support/engines.js';
import { execDetached, execIn } from '../support/exec.js';
import { connect, rawInspect, removeTestObjects, TEST_LABELS, testConfig, unique, waitFor, workspaceEngines } from '../support/workspaces.js';

const skip = engineSkip();
const MIB = 1024 * 1024;
const UID = '1000';

/** Printed by a shell inside the workspace: one `key=value` per line. */
const PROBE = [
  'echo "uid=$(id -u)"',
  'grep -E "^(NoNewPrivs|CapEff|CapPrm|CapBnd|Seccomp):" /proc/self/status | tr -d " \\t" | tr ":" "="',
  // cgroup v2 has memory.max at the root of the container's cgroup; v1 a memory controller folder.
  'if [ -f /sys/fs/cgroup/memory.max ]; then echo "memory=$(cat /sys/fs/cgroup/memory.max)"; else echo "memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)"; fi',
  'if [ -f /sys/fs/cgroup/pids.max ]; then echo "pids=$(cat /sys/fs/cgroup/pids.max)"; else echo "pids=$(cat /sys/fs/cgroup/pids/pids.max)"; fi',
  'echo "nofile=$(ulimit -n):$(ulimit -Hn)"',
  // The workspace's own process (PID 1) shows the configured pair; an exec'd shell may have its
  // soft limit raised up to the hard one by the engine's Go runtime (seen on Docker 26 under load).
  'echo "nofile1=$(awk \'/^Max open files/ {print $4 ":" $5}\' /proc/1/limits)"',
  'echo "nproc=$(ulimit -u)"',
  'touch /probe 2>/dev/null; echo "root_write=$?"',
  // Only /tmp and /workspace take writes: not /run or /var/tmp (Podman mounts writable tmpfs there).
  'touch /run/probe 2>/dev/null; echo "run_write=$?"',
  'touch /var/tmp/probe 2>/dev/null; echo "var_tmp_write=$?"',
  'grep -q " / .*\\bro\\b" /proc/self/mountinfo; echo "root_ro_mount=$?"',
  'echo "echo ran" > /tmp/x.sh && chmod +x /tmp/x.sh && echo "tmp_write=0"',
  '/tmp/x.sh >/dev/null 2>&1; echo "tmp_exec=$?"',
  'echo "workspace_read=$(cat /workspace/from-host.txt)"',
  'echo inside > /workspace/from-inside.txt; echo "workspace_write=$?"',
  'for n in net pid ipc uts; do echo "ns_$n=$(readlink /proc/self/ns/$n)"; done',
  'echo "cgroup=$(grep -m1 -E "pids" /proc/self/cgroup)"',
].join('\n');

function parse(output: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** Host processes whose cgroup names the container: what the PIDs limit holds, seen from outside. */
async function hostProcessesOf(containerId: string): Promise<number> {
  let n = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readFile(`/proc/${entry}/cgroup`, 'utf8')).includes(containerId)) n++;
    } catch {
      // Gone meanwhile.
    }
  }
  return n;
}

/**
 * The workspace's pids cgroup as the kernel holds it: its limit (`pids.max`) and how many
 * forks that limit refused (`max` in pids.events), read on the host from the cgroup of one of
 * its processes (v1: the pids controller's folder; v2: the unified one).
 */
async function pidsCgroup(containerId: string): Promise<{ max: string; refused: number } | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cgroup: string;
    try {
      cgroup = await readFile(`/proc/${entry}/cgroup`, 'utf8');
    } catch {
      continue;
    }
    if (!cgroup.includes(containerId)) continue;
    const v1 = /^\d+:pids:(.*)$/m.exec(cgroup)?.[1];
    const v2 = /^0::(.*)$/m.exec(cgroup)?.[1];
    const dir = v1 !== undefined ? `/sys/fs/cgroup/pids${v1}` : v2 !== undefined ? `/sys/fs/cgroup${v2}` : undefined;
    if (dir === undefined) continue;
    try {
      const events = await readFile(`${dir}/pids.events`, 'utf8');
      return { max: (await readFile(`${dir}/pids.max`, 'utf8')).trim(), refused: Number(/^max (\d+)/m.exec(events)?.[1] ?? '0') };
    } catch {
      continue;
    }
  }
  return undefined;
}

/** The capabilities Podman 4.3 gives a container by default (containers.conf `default_capabilities`). */
const PODMAN_DEFAULT_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];

/** CIS 5.6's list of sensitive host folders, as the docker-bench-security auditor checks it. */
const CIS_SENSITIVE = ['/', '/boot', '/dev', '/etc', '/lib', '/proc', '/sys', '/usr'];

for (const engine of skip === false ? workspaceEngines(loadTestEngines().engines) : []) {
  describe(`inside a workspace on ${engine.name}`, () => {
    const podman = engine.name === 'podman';
    const config = testConfig({ user: `${UID}:${UID}`, memoryLimitBytes: 256 * MIB });
    const names: string[] = [];
    let client: DockerClient;
    let project: string;
    let info: WorkspaceInfo;
    let seccomp: boolean;

    before(async () => {
      const image = await ensureBusyboxImage(engine.host);
      project = await mkdtemp(join(tmpdir(), 'aicli-wsi-'));
      await writeFile(join(project, 'from-host.txt'), 'hello from the host\n');
      // The workspace runs as uid 1000: the project is theirs, as a user's own would be.
      await chown(project, Number(UID), Number(UID));
      client = await connect(engine, config);
      const n = unique('inside');
      names.push(n);
      ({ info } = await new Workspaces(client).create({ name: n, image, project, labels: TEST_LABELS, start: true }));
      seccomp = (await client.info()).securityOptions.some((o) => o.includes('seccomp'));
    });
    after(async () => {
      await client.close();
      await removeTestObjects(engine.host, config.networkName, names);
      await rm(project, { recursive: true, force: true });
    });

    it('from inside: non-root, no capabilities, NoNewPrivs, memory and PIDs limits, read-only root, /tmp writable but noexec, the project at /workspace', async () => {
      const r = await execIn(engine.host, info.id, ['sh', '-c', PROBE]);
      const p = parse(r.output);
      assert.equal(p['uid'], UID, r.output);
      assert.equal(p['NoNewPrivs'], '1');
      assert.equal(p['CapEff'], '0000000000000000');
      assert.equal(p['CapPrm'], '0000000000000000');
      assert.equal(p['CapBnd'], '0000000000000000', 'cap_drop ALL empties the bounding set too');
      if (seccomp) assert.equal(p['Seccomp'], '2', 'the default seccomp profile filters (CIS 5.22)');
      assert.equal(p['memory'], String(256 * MIB));
      assert.equal(p['pids'], String(config.pidsLimit));
      assert.equal(p['nofile1'], `${config.ulimitNofile.soft}:${config.ulimitNofile.hard}`, r.output);
      assert.equal(p['nofile']?.split(':')[1], String(config.ulimitNofile.hard), 'no process gets past the hard limit');
      assert.equal(p['nproc'], String(config.ulimitNproc.soft));
      assert.notEqual(p['root_write'], '0', 'the root file system refuses writes');
      assert.notEqual(p['run_write'], '0', '/run refuses writes');
      assert.notEqual(p['var_tmp_write'], '0', '/var/tmp refuses writes');
      assert.equal(p['root_ro_mount'], '0', 'the root is mounted ro');
      assert.equal(p["tmp_write"], "0", `/tmp is writable: ${r.output}`);
      assert.equal(p['tmp_exec'], '126', '/tmp is noexec: the script cannot be run');
      assert.equal(p['workspace_read'], 'hello from the host');
      assert.equal(p['workspace_write'], '0');
      const written = await stat(join(project, 'from-inside.txt'));
      assert.equal(String(written.uid), UID, 'a file written inside belongs to the workspace user on the host');
      for (const ns of ['net', 'pid', 'ipc', 'uts']) {
        assert.notEqual(p[`ns_${ns}`], await readlink(`/proc/self/ns/${ns}`), `the ${ns} namespace is the container's own`);
      }
      assert.ok((p['cgroup'] ?? '').includes(info.id), `in the engine's default cgroup parent (CIS 5.25): ${p['cgroup'] ?? ''}`);
    });

    it("CIS section 5 from the engine's inspect data", async () => {
      const c = await rawInspect(engine.host, info.id);
      const hc = c.HostConfig;
      const caps = (hc.CapAdd ?? []).map((x) => x.toUpperCase().replace(/^CAP_/, ''));
      const dropped = (hc.CapDrop ?? []).map((x) => x.toUpperCase().replace(/^CAP_/, ''));
      // Podman reports the capabilities it dropped by name, not ALL; the test from inside sees none left.
      if (podman) for (const cap of PODMAN_DEFAULT_CAPS) assert.ok(dropped.includes(cap), `5.4 ${cap} dropped: ${dropped.join(',')}`);
      else assert.ok(dropped.includes('ALL'), '5.4 capabilities dropped');
      assert.deepEqual(caps, [], '5.4 none added');
      assert.equal(hc.Privileged, false, '5.5 not privileged');
      for (const m of c.Mounts) {
        assert.ok(!CIS_SENSITIVE.some((s) => m.Source === s || (s !== '/' && m.Source.startsWith(`${s}/`))), `5.6 ${m.Source} is not a sensitive host folder`);
        assert.ok(!/docker\.sock$|podman\.sock$/.test(m.Source), '5.32 the engine socket is not mounted');
        assert.ok(m.Propagation !== 'shared' && m.Propagation !== 'rshared', `5.20 ${m.Destination} propagation ${m.Propagation ?? ''} is not shared`);
      }
      assert.notEqual(hc.NetworkMode, 'host', '5.10 host network');
      assert.ok((hc.Memory ?? 0) > 0, '5.11 memory limited');
      assert.ok(hc.CpuShares !== undefined && hc.CpuShares !== 0 && hc.CpuShares !== 1024, `5.12 CPU shares ${hc.CpuShares ?? 0}`);
      assert.equal(hc.ReadonlyRootfs, true, '5.13 read-only root');
      assert.equal(hc.RestartPolicy?.Name, 'on-failure', '5.15 restart on failure');
      assert.ok(hc.RestartPolicy.MaximumRetryCount > 0 && hc.RestartPolicy.MaximumRetryCount <= 5, '5.15 at most 5 tries');
      assert.notEqual(hc.PidMode, 'host', '5.16 host PID');
      assert.notEqual(hc.IpcMode, 'host', '5.17 host IPC');
      assert.notEqual(hc.UTSMode, 'host', '5.21 host UTS');
      assert.ok(!(hc.SecurityOpt ?? []).some((o) => /^seccomp[=:]unconfined$/.test(o)), '5.22 default seccomp profile kept');
      assert.ok(!hc.CgroupParent, '5.25 default cgroup parent');
      assert.ok((hc.SecurityOpt ?? []).some((o) => /^no-new-privileges(:true|=true)?$/.test(o)), '5.26 no-new-privileges');
      assert.ok((c.Config.Healthcheck?.Test ?? []).length > 0 && c.Config.Healthcheck?.Test?.[0] !== 'NONE', '5.27 a health check');
      assert.ok((hc.PidsLimit ?? 0) > 0, '5.29 PIDs limit');
      // Podman reports its driver ("bridge") as the NetworkMode of a container on a named network: the networks say where it is.
      if (!podman) assert.ok(hc.NetworkMode !== 'bridge' && hc.NetworkMode !== 'default' && hc.NetworkMode !== '', '5.30 not the default bridge');
      const nets = Object.keys(c.NetworkSettings.Networks);
      assert.deepEqual(nets, [config.networkName], '5.30 only on its own network');
      assert.ok(hc.UsernsMode !== 'host', '5.31 host user namespace');
      assert.equal((hc.Devices ?? []).length, 0, 'no host devices');
    });

    it('a fork bomb stops at the PIDs limit, the host is fine, and removing the workspace ends it', async () => {
      const bombConfig = testConfig({ networkName: config.networkName, user: `${UID}:${UID}`, pidsLimit: 64, cpuLimit: 0.5 });
      await using bombClient = await connect(engine, bombConfig);
      const bombWs = new Workspaces(bombClient);
      const n = unique('bomb');
      names.push(n);
      const { info: bomb } = await bombWs.create({ name: n, image: await ensureBusyboxImage(engine.host), labels: TEST_LABELS, start: true });
      // Each process starts two more and stays (sleep 30 bounds it): exponential until the limit.
      await execDetached(engine.host, bomb.id, ['sh', '-c', 'f(){ f & f & sleep 30; }; f']);
      // The kernel counts the forks the limit refused: the limit, not anything else, stopped it.
      const cgroup = await waitFor('the PIDs limit to refuse forks', 30_000, async () => {
        const c = await pidsCgroup(bomb.id);
        return c !== undefined && c.refused > 0 ? c : undefined;
      });
      assert.ok(cgroup.refused > 0);
      assert.equal(cgroup.max, '64', 'the kernel holds the limit');
      const stats = JSON.parse((await rawRequest(engine.host, 'GET', `/containers/${bomb.id}/stats?stream=false&one-shot=true`)).body.toString()) as { pids_stats?: { current?: number; limit?: number } };
      // Podman's stats carry no PIDs limit (aicli's stats read it from the container: stats.test.ts).
      if (!podman) assert.equal(stats.pids_stats?.limit, 64);
      assert.ok((stats.pids_stats?.current ?? 0) <= 64, `the engine counts ${stats.pids_stats?.current ?? 0} processes, at most the limit`);
      const seen = await hostProcessesOf(bomb.id);
      assert.ok(seen > 0 && seen <= 64, `the host sees ${seen} processes in the workspace's cgroup, at most the limit`);
      // The host is fine: it starts processes, and the engine answers.
      await promisify(execFile)('true');
      assert.equal((await rawRequest(engine.host, 'GET', '/_ping')).status, 200);
      assert.equal(await bombWs.remove(n), true);
      await waitFor('the bomb to be gone', 15_000, async () => ((await hostProcessesOf(bomb.id)) === 0 ? true : undefined));
      assert.equal((await rawRequest(engine.host, 'GET', `/containers/${bomb.id}/json`)).status, 404);
    });
  });
}

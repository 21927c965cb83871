// The Swarm workspace suite on a real cluster: 1 manager (drained) + 2 workers, each a dockerd
// in its own network namespace (scripts/swarm-cluster.js), formed once per suite. On 26.1 a
// third worker runs Docker 20.10, drained except for the test that needs it. Workspaces are
// made as users make them: through the Workspaces facade (and the CLI), whose backend
// `orchestrator: swarm` chooses; exec runs through the library's exec on the engine that
// Workspaces.locate names. The parts run from their own test files (test/integration/swarm*.test.ts),
// each a process with its own time budget: the library on 26.1 and on 28.5, the CLI on 28.5.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { startSwarmCluster, unixRequest, WORKSPACE_UID, type SwarmCluster, type SwarmClusterNode } from '../../scripts/swarm-cluster.js';
import {
  DockerClient,
  exec,
  isDockerError,
  loadConfig,
  SwarmBackend,
  Workspaces,
  type CreateWorkspaceOptions,
  type ExecResult,
  type LoadedConfig,
  type SwarmWorkspaceDetails,
  type SwarmWorkspaceInfo,
} from '../../src/index.js';
import { runCli } from './cli.js';
import { TEST_LABEL } from './engines.js';
import { countingProxy, workspaceSpecOf } from './swarm.js';

export const LABELS = { [TEST_LABEL]: 'true' };
export const suffix = (): string => Math.random().toString(36).slice(2, 7);

interface ContainerSummary {
  readonly Id: string;
  readonly Labels: Record<string, string>;
}

/** What a node's own engine holds, read without the library: containers and volumes of workspaces. */
export async function onNode(node: SwarmClusterNode): Promise<{ containers: string[]; volumes: string[] }> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${TEST_LABEL}=true`] }));
  const c = await unixRequest(node.socketPath, 'GET', `/containers/json?filters=${filters}`);
  const v = await unixRequest(node.socketPath, 'GET', `/volumes?filters=${filters}`);
  return {
    containers: (JSON.parse(c.body) as ContainerSummary[]).map((x) => x.Labels['aicli.workspace.name'] ?? '?').sort(),
    volumes: ((JSON.parse(v.body) as { Volumes: { Name: string }[] | null }).Volumes ?? []).map((x) => x.Name).sort(),
  };
}

export async function managerJson<T>(cluster: SwarmCluster, path: string): Promise<T> {
  const r = await unixRequest(cluster.manager.socketPath, 'GET', path);
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as T;
}

export async function setNode(cluster: SwarmCluster, node: SwarmClusterNode, change: (spec: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const n = await managerJson<{ Version: { Index: number }; Spec: Record<string, unknown> }>(cluster, `/nodes/${node.nodeId}`);
  const r = await unixRequest(cluster.manager.socketPath, 'POST', `/nodes/${node.nodeId}/update?version=${n.Version.Index}`, change(n.Spec));
  assert.equal(r.status, 200, r.body);
}

export async function serviceNames(cluster: SwarmCluster): Promise<string[]> {
  return (await managerJson<{ Spec: { Name: string } }[]>(cluster, '/services')).map((s) => s.Spec.Name).sort();
}

export async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

const CAP_ZERO = '0000000000000000';

/** Runs `cmd` in workspace `name` with the library's exec, on the engine Workspaces.locate names. */
async function execIn(ws: Workspaces, name: string, cmd: readonly string[]): Promise<ExecResult & { node: string | undefined; container: string }> {
  const target = await ws.locate(name);
  return { ...(await exec(target.api, target.container, cmd)), node: target.node, container: target.container };
}

/** One cluster of Docker `version` and its tests: the library's (`library`) or the CLI's (`cli`). */
export function swarmClusterSuite(version: '26' | '28', part: 'library' | 'cli'): void {
  describe(`Swarm workspaces on Docker ${version === '26' ? '26.1' : '28.5'}${part === 'cli' ? ', through the CLI' : ''}`, { concurrency: 1 }, () => {
    let cluster: SwarmCluster;
    let home: string;
    let config: LoadedConfig;
    let client: DockerClient;
    /** The facade users call; its backend is the one `orchestrator: swarm` chose. */
    let ws: Workspaces;
    let backend: SwarmBackend;
    /** n2 is reached through its node label, n3 through the configuration; n4 (26.1 only) is Docker 20.10. */
    let n2: SwarmClusterNode;
    let n3: SwarmClusterNode;
    let cliEnv: Record<string, string>;

    before(async () => {
      const old = version === '26' && part === 'library' ? [{ version: '20' as const, availability: 'drain' as const }] : [];
      cluster = await startSwarmCluster({ version, workers: [{}, {}, ...old] });
      [n2, n3] = cluster.workers as [SwarmClusterNode, SwarmClusterNode];
      home = await mkdtemp(join(tmpdir(), 'aicli-swarm-home-'));
      await setNode(cluster, n2, (spec) => ({ ...spec, Labels: { 'aicli.engine': n2.host } }));
      const nodes = await managerJson<{ Description: { Resources: { NanoCPUs: number } } }[]>(cluster, '/nodes');
      // Half a node's CPUs per workspace: two fit on a worker, a fifth fits nowhere.
      const half = (nodes[0]?.Description.Resources.NanoCPUs ?? 2e9) / 2 / 1e9;
      const env = {
        AICLI_DOCKER_ORCHESTRATOR: 'swarm',
        AICLI_DOCKER_USER: `${WORKSPACE_UID}:${WORKSPACE_UID}`,
        AICLI_DOCKER_DEFAULT_IMAGE: cluster.image,
        AICLI_DOCKER_CPU_LIMIT: String(half),
        AICLI_DOCKER_MEMORY_LIMIT: '64m',
        AICLI_DOCKER_PIDS_LIMIT: '64',
        AICLI_DOCKER_NETWORK_NAME: `aicli-net-${suffix()}`,
        AICLI_DOCKER_SWARM_NODE_ENDPOINTS: JSON.stringify({ [n3.hostname]: n3.host }),
      };
      config = await loadConfig({ env });
      cliEnv = { ...env, HOME: home, AICLI_DOCKER_HOST: cluster.manager.host };
      client = await DockerClient.connect({ host: cluster.manager.host, env: {}, config, ensureNetwork: false });
      ws = new Workspaces(client, { env: {} });
      const chosen = await ws.backend();
      assert.ok(chosen instanceof SwarmBackend, `orchestrator: swarm chose ${chosen.kind}`);
      backend = chosen;
    });

    /** Workspaces a test made: removed after each test, whatever happened in it. */
    const made = new Set<string>();
    const create = async (options: CreateWorkspaceOptions): Promise<SwarmWorkspaceInfo> => {
      made.add(options.name);
      return (await ws.create(options)).info as SwarmWorkspaceInfo;
    };
    afterEach(async () => {
      await Promise.all([...made].map((name) => backend.removeWorkspace(name).catch(() => undefined)));
      made.clear();
    });

    after(async () => {
      // Any of them may be missing when `before` failed half-way.
      await (ws as Workspaces | undefined)?.close();
      await (client as DockerClient | undefined)?.close();
      await (cluster as SwarmCluster | undefined)?.destroy();
      if ((home as string | undefined) !== undefined) await rm(home, { recursive: true, force: true });
    });

    if (part === 'library') {
      it('places 4 workspaces with half a node\'s CPUs each 2 and 2, and a 5th waits with the scheduler\'s reason', async () => {
        const names = ['p1', 'p2', 'p3', 'p4'].map((p) => `${p}-${suffix()}`);
        const placed = await Promise.all(names.map((name) => create({ name, labels: LABELS })));
        for (const w of placed) assert.equal(w.state, 'running', `${w.name}: ${w.message}`);
        const fifth = await create({ name: `p5-${suffix()}`, labels: LABELS });
        assert.equal(fifth.state, 'pending');
        assert.equal(fifth.node, null);
        assert.match(fifth.message, /no suitable node \(.*insufficient resources on 2 nodes/);

        // Where ls says each runs is where the nodes' own engines hold its container.
        const ls = await backend.list();
        const [on2, on3] = await Promise.all([onNode(n2), onNode(n3)]);
        assert.equal(on2.containers.length, 2, JSON.stringify(on2));
        assert.equal(on3.containers.length, 2, JSON.stringify(on3));
        for (const name of names) {
          const w = ls.find((x) => x.name === name);
          assert.equal(w?.state, 'running');
          assert.equal(w.node, on2.containers.includes(name) ? n2.hostname : n3.hostname);
        }
        assert.equal(ls.find((x) => x.name === fifth.name)?.state, 'pending');

        // Removes in parallel: each node's agent waits 2 s for gossip before it stops a task.
        await Promise.all([...placed, fifth].map((w) => backend.removeWorkspace(w.name)));
        assert.deepEqual(await Promise.all([onNode(n2), onNode(n3)]), [{ containers: [], volumes: [] }, { containers: [], volumes: [] }]);
        assert.deepEqual((await serviceNames(cluster)).filter((s) => names.includes(s.replace(/^workspace-/, ''))), []);
      });
    }

    if (part === 'library') {
      it('exec goes to the engine of the workspace\'s node, with the hardening in force inside', async () => {
        const pinned = await Promise.all(
          [n2, n3].map(async (node) => ({ node, w: await create({ name: `ex-${suffix()}`, labels: LABELS, constraints: [`node.hostname==${node.hostname}`] }) })),
        );
        for (const [i, { node, w }] of pinned.entries()) {
          assert.equal(w.node, node.hostname);
          const engine = await backend.engineForWorkspace(w.name);
          assert.equal(engine.node, node.hostname);
          assert.equal(engine.endpoint, node.host);

          const r = await execIn(ws, w.name, [
            'sh',
            '-c',
            'id -u; grep -E "^(NoNewPrivs|CapEff|CapPrm|CapBnd):" /proc/self/status; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; ' +
              'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; ' +
              'touch /probe 2>&1; echo root=$?; echo data > /workspace/f && echo workspace=ok; cp /bin/busybox /tmp/bb && /tmp/bb true; echo tmpexec=$?; ' +
              // One name lookup (on the first node): it must fail, and go only to the dead address in the subnet.
              (i === 0 ? 'timeout 2 nslookup example.com >/dev/null 2>&1; echo dns=$?' : 'echo dns=skipped'),
          ]);
          assert.equal(r.exitCode, 0, r.stderr);
          assert.equal(r.node, node.hostname);
          // The container it ran in is on that node's own engine, seen without the library.
          const there = await unixRequest(node.socketPath, 'GET', `/containers/${r.container}/json`);
          assert.equal(there.status, 200);
          const out = r.stdout;
          assert.match(out, new RegExp(`^${WORKSPACE_UID}$`, 'm'), out);
          assert.match(out, /^NoNewPrivs:\s+1$/m, out);
          for (const cap of ['CapEff', 'CapPrm', 'CapBnd']) assert.match(out, new RegExp(`^${cap}:\\s+${CAP_ZERO}$`, 'm'), out);
          assert.match(out, /^64$/m, 'pids limit');
          assert.match(out, /^67108864$/m, 'memory limit');
          assert.match(out, /Read-only file system/);
          assert.doesNotMatch(out, /^root=0$/m);
          assert.match(out, /^workspace=ok$/m);
          assert.doesNotMatch(out, /^tmpexec=0$/m, '/tmp is noexec');
          assert.doesNotMatch(out, /^dns=0$/m, 'no name resolves: nothing answers DNS in the test subnet');
        }
      });
    }

    if (part === 'library') {
      it('stop, start and restart: Swarm stops its container, runs it again, and replaces it', async () => {
        const name = `lc-${suffix()}`;
        const w = await create({ name, labels: LABELS });
        assert.equal(w.state, 'running');
        const first = await backend.engineForWorkspace(name);
        const stopped = await backend.stop(name);
        assert.deepEqual([stopped.state, stopped.node], ['stopped', null]);
        const where = cluster.workers.find((n) => n.hostname === first.node) as SwarmClusterNode;
        assert.deepEqual((await onNode(where)).containers, []);
        await assert.rejects(backend.engineForWorkspace(name), /is stopped.*workspace start/);
        const started = await backend.start(name);
        assert.equal(started.state, 'running');
        const second = await backend.engineForWorkspace(name);
        assert.notEqual(second.containerId, first.containerId);
        const restarted = await backend.restart(name);
        assert.equal(restarted.state, 'running');
        const third = await backend.engineForWorkspace(name);
        assert.notEqual(third.containerId, second.containerId);
        assert.equal((await execIn(ws, name, ['true'])).exitCode, 0);
      });
    }

    if (part === 'library') {
      it('ls makes three API calls, for one workspace as for five', async () => {
        await using proxy = await countingProxy(join(home, 'count.sock'), cluster.manager.socketPath);
        await using counted = await DockerClient.connect({ host: proxy.host, env: {}, config, ensureNetwork: false });
        await using b = await SwarmBackend.open(counted, { env: {} });
        // Made without waiting for them to run: the backend's own create, from the facade's spec.
        const quick = async (name: string): Promise<void> => {
          await backend.create(await workspaceSpecOf(ws, config.config, { name, labels: LABELS }), { wait: false });
        };
        const names = [`c1-${suffix()}`];
        await quick(names[0] ?? '');
        proxy.requests.length = 0;
        assert.equal((await b.list()).filter((w) => names.includes(w.name)).length, 1);
        const one = [...proxy.requests];
        for (let i = 2; i <= 5; i++) names.push(`c${i}-${suffix()}`);
        await Promise.all(names.slice(1).map(quick));
        proxy.requests.length = 0;
        assert.equal((await b.list()).filter((w) => names.includes(w.name)).length, 5);
        const five = [...proxy.requests];
        assert.equal(one.length, 3, one.join(', '));
        assert.deepEqual(five.map((r) => r.split('?')[0]).sort(), one.map((r) => r.split('?')[0]).sort());
        await Promise.all(names.map((name) => backend.removeWorkspace(name)));
      });
    }

    if (part === 'cli') {
      it('CLI: workspace create, ls, inspect, exec, cp, stats, logs and rm on the right node, and nodes, with --json', async () => {
        const name = `cli-${suffix()}`;
        const env = { ...cliEnv, AICLI_DOCKER_SWARM_CONSTRAINTS: `node.hostname==${n3.hostname}` };
        made.add(name);
        const created = await runCli(['workspace', 'create', name, '--label', `${TEST_LABEL}=true`, '--json'], env);
        assert.equal(created.code, 0, created.stderr);
        const info = JSON.parse(created.stdout) as SwarmWorkspaceInfo & { existed: boolean };
        assert.deepEqual([info.backend, info.state, info.node, info.existed], ['swarm', 'running', n3.hostname, false]);
        const again = await runCli(['workspace', 'create', name], env);
        assert.equal(again.code, 0, again.stderr);
        assert.match(again.stdout, new RegExp(`^Found existing workspace ${name}: service workspace-${name} \\(.*running \\(healthy\\) on node ${n3.hostname}\\.`));
        const ls = await runCli(['workspace', 'ls', '--json'], env);
        assert.equal(ls.code, 0, ls.stderr);
        const mine = (JSON.parse(ls.stdout) as SwarmWorkspaceInfo[]).find((w) => w.name === name);
        assert.deepEqual({ state: mine?.state, node: mine?.node }, { state: 'running', node: n3.hostname });
        const lsText = await runCli(['workspace', 'ls'], env);
        assert.match(lsText.stdout, /^NAME\s+STATE\s+HEALTH\s+NODE\s+IMAGE/);
        assert.match(lsText.stdout, new RegExp(`^${name}\\s+running\\s+healthy\\s+${n3.hostname}\\s`, 'm'));
        const inspect = await runCli(['workspace', 'inspect', name, '--json'], env);
        assert.equal(inspect.code, 0, inspect.stderr);
        const details = JSON.parse(inspect.stdout) as SwarmWorkspaceDetails;
        assert.deepEqual(details.data, { ...details.data, volume: `workspace-${name}-data`, node: n3.hostname, follows: false });
        assert.deepEqual(details.networks.map((n) => n.name), [config.config.networkName]);
        assert.deepEqual([details.limits.pidsLimit, details.limits.memoryBytes, details.limits.readOnlyRootfs, details.health], [64, 64 * 2 ** 20, true, 'healthy']);
        const inspectText = await runCli(['workspace', 'inspect', name], env);
        assert.match(inspectText.stdout, new RegExp(`^Data\\s+volume workspace-${name}-data on node ${n3.hostname}`, 'm'));

        // Inside it: each command goes to n3's engine (the manager cannot exec for another node).
        const run = await runCli(['workspace', 'exec', name, '--', 'sh', '-c', 'id -u; grep NoNewPrivs /proc/self/status; echo oops >&2; exit 3'], env);
        assert.equal(run.code, 3, run.stderr);
        assert.match(run.stdout, new RegExp(`^${WORKSPACE_UID}\\nNoNewPrivs:\\s+1\\n$`));
        assert.equal(run.stderr, 'oops\n');
        const file = join(home, `cp-${name}.txt`);
        await writeFile(file, 'through the node\n');
        const cpIn = await runCli(['workspace', 'cp', file, `${name}:/workspace/in.txt`], env);
        assert.equal(cpIn.code, 0, cpIn.stderr);
        const cpOut = await runCli(['workspace', 'cp', `${name}:/workspace/in.txt`, `${file}.back`], env);
        assert.equal(cpOut.code, 0, cpOut.stderr);
        assert.equal(await readFile(`${file}.back`, 'utf8'), 'through the node\n');
        const onN3 = await onNode(n3);
        assert.deepEqual(onN3.containers, [name]);
        const stats = await runCli(['workspace', 'stats', name, '--json'], env);
        assert.equal(stats.code, 0, stats.stderr);
        const sample = JSON.parse(stats.stdout) as { memoryLimitBytes: number; pidsLimit?: number; pids: number };
        assert.deepEqual([sample.memoryLimitBytes, sample.pidsLimit], [64 * 2 ** 20, 64]);
        const logs = await runCli(['workspace', 'logs', name, '--tail', '5'], env);
        assert.equal(logs.code, 0, logs.stderr);

        const nodes = await runCli(['nodes', '--json'], env);
        assert.equal(nodes.code, 0, nodes.stderr);
        const rows = JSON.parse(nodes.stdout) as { hostname: string; workspaces: string[]; reserved: { cpus: number }; endpoint: string | null; endpointSource: string | null; availability: string }[];
        const row3 = rows.find((r) => r.hostname === n3.hostname);
        assert.ok(row3?.workspaces.includes(name));
        assert.ok((row3?.reserved.cpus ?? 0) >= config.config.cpuLimit);
        assert.deepEqual([row3?.endpoint, row3?.endpointSource], [n3.host, 'configuration']);
        const row2 = rows.find((r) => r.hostname === n2.hostname);
        assert.deepEqual([row2?.endpoint, row2?.endpointSource], [n2.host, 'label']);
        assert.equal(rows.find((r) => r.hostname === cluster.manager.hostname)?.availability, 'drain');
        const human = await runCli(['nodes'], env);
        assert.match(human.stdout, new RegExp(`${n3.hostname}\\s+worker\\s+ready\\s+active`));

        const removed = await runCli(['workspace', 'rm', name, '--json'], env);
        assert.equal(removed.code, 0, removed.stderr);
        assert.deepEqual(JSON.parse(removed.stdout), { name, removed: true });
        const gone = await runCli(['workspace', 'inspect', name], env);
        assert.equal(gone.code, 1);
        assert.match(gone.stderr, new RegExp(`No workspace named "${name}"`));
        assert.deepEqual(await onNode(n3), { containers: [], volumes: [] });
        const execGone = await runCli(['workspace', 'exec', name, '--', 'true'], env);
        assert.equal(execGone.code, 1, execGone.stderr);
        assert.match(execGone.stderr, new RegExp(`No workspace named "${name}"`));
      });
    }

    if (part === 'cli') {
      it('CLI: rm --keep-data leaves the data volume on its node; a project folder is refused, nothing created', async () => {
        const name = `kd-${suffix()}`;
        const env = { ...cliEnv, AICLI_DOCKER_SWARM_CONSTRAINTS: `node.hostname==${n2.hostname}` };
        made.add(name);
        const before = await serviceNames(cluster);
        const project = await runCli(['workspace', 'create', `pj-${suffix()}`, '--project', home], env);
        assert.equal(project.code, 2, project.stderr);
        assert.match(project.stderr, /project \(HostConfig\.Mounts\[0\]\): the project folder .* exists only on this machine/);
        assert.match(project.stderr, /workspace cp .*NAME:\/workspace/);
        assert.deepEqual(await serviceNames(cluster), before);

        const created = await runCli(['workspace', 'create', name, '--label', `${TEST_LABEL}=true`, '--constraint', `node.hostname!=${n3.hostname}`], env);
        assert.equal(created.code, 0, created.stderr);
        const removed = await runCli(['workspace', 'rm', name, '--keep-data'], env);
        assert.equal(removed.code, 0, removed.stderr);
        assert.deepEqual(await onNode(n2), { containers: [], volumes: [`workspace-${name}-data`] });
        assert.equal((await unixRequest(n2.socketPath, 'DELETE', `/volumes/workspace-${name}-data`)).status, 204);
      });
    }

    if (part === 'library') {
      it('refuses what a service cannot carry, naming the key, and creates nothing', async () => {
        const before = await serviceNames(cluster);
        const cases: [string, Record<string, string>, RegExp][] = [
          ['privileged', { AICLI_DOCKER_PRIVILEGED: 'true' }, /privileged/],
          ['systempaths', { AICLI_DOCKER_SECURITY_OPTS: 'no-new-privileges:true,systempaths=unconfined' }, /systempaths/],
          ['writable cgroups', { AICLI_DOCKER_SECURITY_OPTS: 'no-new-privileges:true,writable-cgroups=true' }, /writable-cgroups/],
          ['tmpfs option', { AICLI_DOCKER_TMPFS: '/tmp:rw,size=8m,uid=1000' }, /tmpfs.*uid=1000/],
        ];
        if (version === '26') cases.push(['tmpfs exec at API 1.45', { AICLI_DOCKER_TMPFS: '/tmp:rw,exec,size=8m' }, /Engine API 1\.46 \(Docker 27\.0\)/]);
        for (const [what, env, expected] of cases) {
          const r = await runCli(['workspace', 'create', `bad-${suffix()}`], { ...cliEnv, ...env });
          assert.equal(r.code, 2, `${what}: ${r.stderr}`);
          assert.match(r.stderr, expected, what);
          assert.match(r.stderr, /nothing was created/);
        }
        // A bridge network of that name on the manager, and an encrypted overlay: refused, not joined.
        const bridge = `br-${suffix()}`;
        const enc = `enc-${suffix()}`;
        for (const [n, body] of [[bridge, { Name: bridge, Driver: 'bridge', Labels: LABELS }], [enc, { Name: enc, Driver: 'overlay', Options: { encrypted: 'true' }, Labels: LABELS }]] as const) {
          assert.equal((await unixRequest(cluster.manager.socketPath, 'POST', '/networks/create', body)).status, 201, n);
        }
        const toBridge = await runCli(['workspace', 'create', `bad-${suffix()}`], { ...cliEnv, AICLI_DOCKER_NETWORK_NAME: bridge });
        assert.equal(toBridge.code, 2, toBridge.stderr);
        assert.match(toBridge.stderr, new RegExp(`network_name: network "${bridge}" is a bridge network`));
        const toEnc = await runCli(['workspace', 'create', `bad-${suffix()}`], { ...cliEnv, AICLI_DOCKER_NETWORK_NAME: enc });
        assert.equal(toEnc.code, 2, toEnc.stderr);
        assert.match(toEnc.stderr, /encrypted overlay.*ESP/);
        for (const n of [bridge, enc]) await unixRequest(cluster.manager.socketPath, 'DELETE', `/networks/${n}`);
        if (version === '26') {
          // Docker 26.1 spoken to below 1.44 would drop no-new-privileges: refused, naming it and Docker 25.
          const pinned = await runCli(['workspace', 'create', `bad-${suffix()}`], { ...cliEnv, DOCKER_API_VERSION: '1.43' });
          assert.equal(pinned.code, 2, pinned.stderr);
          assert.match(pinned.stderr, /no-new-privileges.*Engine API 1\.44 \(Docker 25\.0\)/);
        }
        assert.deepEqual(await serviceNames(cluster), before);
        assert.deepEqual(await Promise.all([onNode(n2), onNode(n3)]), [{ containers: [], volumes: [] }, { containers: [], volumes: [] }]);
      });
    }

    if (part === 'library') {
      it('without an endpoint for its node, reaching a workspace fails naming the node and both ways to set one', async () => {
        const name = `ne-${suffix()}`;
        await using blind = await SwarmBackend.open(client, { env: {}, config: { ...config.config, swarmNodeEndpoints: {} } });
        const blindWs = new Workspaces(client, { backend: blind });
        made.add(name);
        const w = (await blindWs.create({ name, labels: LABELS, constraints: [`node.hostname==${n3.hostname}`] })).info as SwarmWorkspaceInfo;
        assert.equal(w.state, 'running');
        assert.match(w.message, /hardening not checked yet: no engine endpoint known for node/);
        await assert.rejects(blindWs.locate(name), (err: unknown) => {
          assert.ok(isDockerError(err, 'NODE_ENDPOINT_UNKNOWN'));
          const m = (err as Error).message;
          assert.match(m, new RegExp(n3.hostname));
          assert.match(m, /docker node update --label-add aicli\.engine=/);
          assert.match(m, /swarm_node_endpoints/);
          return true;
        });
        await backend.removeWorkspace(name);
      });
    }

    if (version === '26' && part === 'library') {
      it('a node whose engine drops the hardening (Docker 20.10 worker): the workspace is removed and the error says why', async () => {
        const old = cluster.workers[2] as SwarmClusterNode;
        await setNode(cluster, old, (spec) => ({ ...spec, Availability: 'active', Labels: { 'aicli.engine': old.host } }));
        try {
          const name = `old-${suffix()}`;
          await assert.rejects(create({ name, labels: LABELS, constraints: [`node.hostname==${old.hostname}`] }), (err: unknown) => {
            assert.ok(isDockerError(err, 'WORKSPACE_NOT_HARDENED'), String(err));
            assert.match((err as Error).message, new RegExp(`on Swarm node ${old.hostname}.*no-new-privileges is off`));
            assert.match((err as Error).message, /It was removed/);
            return true;
          });
          assert.ok(!(await serviceNames(cluster)).includes(`workspace-${name}`));
          await until('the old node to drop the container', 30_000, async () => ((await onNode(old)).containers.length === 0 ? true : undefined));
        } finally {
          await setNode(cluster, old, (spec) => ({ ...spec, Availability: 'drain' }));
        }
      });
    }

    if (part === 'library') {
      it('failover: a killed worker\'s workspace runs on the other one, ls names it, exec works there, and the data did not follow', async () => {
        const name = `fo-${suffix()}`;
        const first = await create({ name, labels: LABELS });
        assert.equal(first.state, 'running');
        const from = first.node === n2.hostname ? n2 : n3;
        const to = from === n2 ? n3 : n2;
        assert.equal((await execIn(ws, name, ['sh', '-c', 'echo precious > /workspace/marker'])).exitCode, 0);

        await cluster.killNode(from);
        // Every snapshot on the way: never `running` without a node, never `running` on the dead node once it was seen down.
        const seen: SwarmWorkspaceInfo[] = [];
        const moved = await until('the workspace to run on the other worker', 60_000, async () => {
          const w = (await backend.list()).find((x) => x.name === name);
          if (w !== undefined) seen.push(w);
          return w?.state === 'running' && w.node === to.hostname ? w : undefined;
        });
        for (const w of seen) if (w.state === 'running') assert.notEqual(w.node, null);
        const firstNotRunning = seen.findIndex((w) => w.state !== 'running');
        assert.ok(firstNotRunning >= 0, 'the move was seen');
        for (const w of seen.slice(firstNotRunning)) assert.ok(!(w.state === 'running' && w.node === from.hostname), `stale node: ${JSON.stringify(w)}`);
        assert.match(moved.message, new RegExp(`moved from ${from.hostname}: its data did not follow`));

        const r = await execIn(ws, name, ['sh', '-c', 'grep NoNewPrivs /proc/self/status; cat /workspace/marker 2>&1; id -u']);
        assert.equal(r.node, to.hostname);
        assert.match(r.stdout, /NoNewPrivs:\s+1/);
        assert.match(r.stdout, /No such file or directory/);
        assert.match(r.stdout, new RegExp(`^${WORKSPACE_UID}$`, 'm'));

        const d = await backend.inspect(name);
        assert.equal(d.data.node, to.hostname);
        assert.deepEqual(d.data.leftOn.map((l) => l.node), [from.hostname]);
        assert.match(d.data.note, new RegExp(`older data stayed on ${from.hostname}`));

        const removed = await backend.removeWorkspace(name);
        assert.deepEqual(removed.dataRemovedOn, [to.hostname]);
        assert.deepEqual(removed.dataLeftOn.map((l) => l.node), [from.hostname]);
        assert.match(removed.dataLeftOn[0]?.reason ?? '', /down/);
      });
    }

    it('nothing left the test subnet, and names were looked up only at its dead address', () => {
      for (const [node, routes] of Object.entries(cluster.routes())) {
        assert.ok(!routes.some((r) => r.startsWith('default')), `${node} has a default route: ${routes.join('; ')}`);
      }
      const egress = cluster.readEgress();
      for (const [node, c] of Object.entries(egress)) assert.equal(c.leaked, 0, `${node} sent ${c.leaked} packets outside ${cluster.subnet}`);
      // Only the library part looks a name up (in its exec test).
      if (part === 'library') assert.ok(Object.values(egress).some((c) => c.dns > 0), `the DNS lookups went to ${cluster.deadDns}: ${JSON.stringify(egress)}`);
    });
  });
}

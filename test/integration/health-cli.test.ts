import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { engineSkip, ensureBusyboxImage, rawRequest, testEngine } from '../support/engines.js';
import { createContainer, createNetwork, MANAGED, suffix, UNMANAGED } from '../support/events.js';
import { privateEngine } from '../support/private-engine.js';
import { spawnCli } from '../support/spawn-cli.js';

const skip = engineSkip();
let home: string;
const env = (extra: Record<string, string> = {}): Record<string, string> => ({ HOME: home, ...extra });
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aicli-hcli-'));
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

interface MonitorLine {
  time: string;
  status: string;
  latencyMs: number;
  transition?: string;
  unhealthyForMs?: number;
  error?: { code: string; message: string };
}
const parse = (line: string): MonitorLine => JSON.parse(line) as MonitorLine;

describe('aicli-docker monitor', { skip }, () => {
  it('--json follows an engine that stops and starts, one object per check, and never exits on its own; SIGTERM ends it with 0', async () => {
    await using engine = await privateEngine('20');
    await using cli = spawnCli(['monitor', '--json', '--interval', '500ms', '--timeout', '1s', '--host', engine.host], env());
    await cli.waitLine((l) => parse(l).status === 'healthy');
    await engine.stop();
    const down = await cli.waitLine((l) => parse(l).status === 'unhealthy', 15_000);
    const d = parse(down.line);
    assert.equal(d.transition, 'lost');
    assert.match(d.time, RFC3339);
    assert.equal(typeof d.latencyMs, 'number');
    assert.ok(d.error !== undefined && /^DOCKER_/.test(d.error.code) && d.error.message.includes(engine.socketPath), JSON.stringify(d.error));
    // Down for a while: it keeps reporting and does not exit.
    await cli.waitLine((l) => parse(l).status === 'unhealthy', 15_000, down.index + 2);
    assert.equal(cli.child.exitCode, null);
    await engine.start();
    const up = parse((await cli.waitLine((l) => parse(l).transition === 'recovered', 15_000)).line);
    assert.equal(up.status, 'healthy');
    assert.ok((up.unhealthyForMs ?? 0) > 0);
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0, cli.stderr());
    for (const line of cli.lines) {
      const x = parse(line);
      assert.match(x.time, RFC3339);
      assert.ok(x.status === 'healthy' || x.status === 'unhealthy');
      assert.equal(typeof x.latencyMs, 'number');
      assert.equal(x.error === undefined, x.status === 'healthy', line);
    }
  });

  it('prints one line per check and ends with 0 on SIGINT', async () => {
    await using cli = spawnCli(['monitor', '--interval', '200ms', '--host', testEngine('docker26').host], env());
    await cli.waitLine((l) => / healthy /.test(l), 20_000);
    await cli.waitLine((l) => / healthy /.test(l), 20_000, 1);
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 0, cli.stderr());
    assert.match(cli.lines[0] ?? '', /^\d{4}-\d{2}-\d{2}T[\d:.]+Z {2}healthy {4}\d+\.\d\d ms {2}\(p50 [\d.]+ ms, p95 [\d.]+ ms\)$/);
    assert.match(cli.stderr(), /checking unix:\/\/.* every 0\.2s/);
  });

  it('waits for an engine that is not there at start, reporting it unhealthy, instead of exiting', async () => {
    const missing = join(home, 'no-engine.sock');
    await using cli = spawnCli(['monitor', '--json', '--interval', '300ms', '--timeout', '500ms', '--host', `unix://${missing}`], env());
    await cli.waitLine(() => true);
    await cli.waitLine(() => true, 10_000, 1);
    assert.equal(cli.child.exitCode, null);
    const first = parse(cli.lines[0] ?? '{}');
    assert.equal(first.status, 'unhealthy');
    assert.equal(first.error?.code, 'DOCKER_NOT_AVAILABLE');
    assert.ok(first.error.message.includes(missing));
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 0);
  });

  it('a bad --interval exits 2 and names the flag', async () => {
    const r = await runCli(['monitor', '--interval', '10ms', '--host', testEngine('docker20').host], env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--interval "10ms" is too short; expected at least 100 ms/);
    const r2 = await runCli(['monitor', '--interval', 'often'], env());
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /--interval "often" is not a duration/);
  });
});

describe('aicli-docker events', { skip }, () => {
  it('--since/--until print the managed objects of that time and exit 0; --all adds the others', async () => {
    const host = testEngine('docker26').host;
    const id = suffix();
    const [m, u] = [`aicli-test-cev-m-${id}`, `aicli-test-cev-u-${id}`];
    await ensureBusyboxImage(host);
    const since = new Date(Date.now() - 1000).toISOString();
    try {
      await createContainer(host, m, MANAGED);
      await createContainer(host, u, UNMANAGED);
      const until = String(Math.ceil(Date.now() / 1000) + 1);
      const r = await runCli(['events', '--json', '--since', since, '--until', until, '--host', host], env());
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; state?: string; type?: string; action?: string; name?: string; time?: string; timeNano?: string });
      assert.equal(lines[0]?.state, 'connected');
      const mine = lines.filter((x) => x.kind === 'event' && (x.name === m || x.name === u));
      assert.deepEqual(mine.map((x) => `${x.type ?? ''} ${x.action ?? ''} ${x.name ?? ''}`), [`container create ${m}`]);
      assert.match(mine[0]?.time ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
      assert.match(mine[0]?.timeNano ?? '', /^\d{19}$/);
      const all = await runCli(['events', '--all', '--since', since, '--until', until, '--host', host], env());
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, new RegExp(`^\\S+Z container create [0-9a-f]{64} \\(name=${u}\\)$`, 'm'));
      assert.match(all.stdout, new RegExp(`container create [0-9a-f]{64} \\(name=${m}\\)`));
    } finally {
      for (const c of [m, u]) await rawRequest(host, 'DELETE', `/containers/${c}?force=1&v=1`);
    }
  });

  it('follows until SIGTERM, then exits 0', async () => {
    const host = testEngine('docker20').host;
    const name = `aicli-test-cev-f-${suffix()}`;
    await using cli = spawnCli(['events', '--json', '--host', host], env());
    await cli.waitLine((l) => l.includes('"state":"connected"'));
    try {
      await createContainer(host, name, MANAGED);
      await cli.waitLine((l) => l.includes(`"name":"${name}"`));
    } finally {
      await rawRequest(host, 'DELETE', `/containers/${name}?force=1&v=1`);
    }
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0, cli.stderr());
  });

  it('a bad --since exits 2 and names the flag', async () => {
    const r = await runCli(['events', '--since', 'soon'], env());
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--since "soon" is not a time; expected a duration before now/);
  });
});

interface DoctorJson {
  ok: boolean;
  checks: { id: string; status: string; detail: string; fix?: string }[];
}
const status = (d: DoctorJson, id: string): string | undefined => d.checks.find((c) => c.id === id)?.status;

describe('aicli-docker doctor', { skip }, () => {
  it('passes what this engine supports and warns, with a fix, about what is missing', async () => {
    const r = await runCli(['doctor', '--json', '--host', testEngine('docker26').host], env({ AICLI_DOCKER_NETWORK_NAME: `aicli-test-none-${suffix()}`, AICLI_DOCKER_DEFAULT_IMAGE: `aicli-test-none:${suffix()}` }));
    const d = JSON.parse(r.stdout) as DoctorJson;
    for (const id of ['engine', 'api', 'memory', 'cpu', 'pids']) assert.equal(status(d, id), 'pass', `${id}: ${JSON.stringify(d.checks.find((c) => c.id === id))}`);
    assert.equal(status(d, 'network'), 'warn');
    assert.equal(status(d, 'image'), 'warn');
    for (const c of d.checks) if (c.status === 'warn' || c.status === 'fail') assert.ok((c.fix ?? '').length > 0, `${c.id} has no fix`);
    // Exit 0 unless a check failed (only free disk could, on a full machine).
    assert.equal(r.code, d.ok ? 0 : 1);
    assert.equal(d.ok, !d.checks.some((c) => c.status === 'fail'));
  });

  it('a same-named network aicli does not manage fails with the ways out; a managed one and a present image pass', async () => {
    const host = testEngine('docker26').host;
    const image = await ensureBusyboxImage(host);
    const foreign = `aicli-test-foreign-${suffix()}`;
    const ours = `aicli-test-ours-${suffix()}`;
    await createNetwork(host, foreign, UNMANAGED);
    await createNetwork(host, ours, MANAGED);
    try {
      const bad = await runCli(['doctor', '--host', host], env({ AICLI_DOCKER_NETWORK_NAME: foreign, AICLI_DOCKER_DEFAULT_IMAGE: image }));
      assert.equal(bad.code, 1, bad.stdout + bad.stderr);
      assert.match(bad.stdout, new RegExp(`^fail +aicli network +${foreign} \\([0-9a-f]{12}\\) exists but aicli does not manage it`, 'm'));
      assert.match(bad.stdout, /fix: choose another `network_name`.*`network_adopt: true`/);
      assert.match(bad.stdout, /^pass +Default image +aicli-test-busybox:latest present/m);
      assert.match(bad.stdout, /^doctor: 1 failure/m);
      const good = await runCli(['doctor', '--json', '--host', host], env({ AICLI_DOCKER_NETWORK_NAME: ours, AICLI_DOCKER_DEFAULT_IMAGE: image }));
      const d = JSON.parse(good.stdout) as DoctorJson;
      assert.equal(status(d, 'network'), 'pass');
      assert.equal(status(d, 'image'), 'pass');
    } finally {
      for (const n of [foreign, ours]) await rawRequest(host, 'DELETE', `/networks/${n}`);
    }
  });

  it('limits the engine cannot honour and a refused API version fail; no engine exits 69', async () => {
    const cpus = await runCli(['doctor', '--json', '--host', testEngine('docker20').host], env({ AICLI_DOCKER_CPU_LIMIT: '64', AICLI_DOCKER_PIDS_LIMIT: '-1' }));
    const c = JSON.parse(cpus.stdout) as DoctorJson;
    assert.equal(cpus.code, 1);
    assert.equal(status(c, 'cpu'), 'fail');
    assert.match(c.checks.find((x) => x.id === 'cpu')?.fix ?? '', /set `cpu_limit` to at most \d+/);
    assert.equal(status(c, 'pids'), 'warn');
    const old = await runCli(['doctor', '--json', '--host', testEngine('docker28').host], env({ AICLI_DOCKER_VERSION: '1.41' }));
    const o = JSON.parse(old.stdout) as DoctorJson;
    assert.equal(old.code, 1);
    assert.equal(status(o, 'engine'), 'pass');
    assert.equal(status(o, 'api'), 'fail');
    assert.match(o.checks.find((x) => x.id === 'api')?.detail ?? '', /refuses API 1\.41 \(pinned by AICLI_DOCKER_VERSION\)/);
    const none = await runCli(['doctor', '--host', `unix://${join(home, 'none.sock')}`], env());
    assert.equal(none.code, 69);
    assert.match(none.stdout, /^fail +Engine reachable +Cannot connect/m);
    assert.match(none.stdout, /^skip +API version +needs the engine$/m);
  });
});

describe('aicli-docker info', { skip }, () => {
  for (const name of ['docker26', 'podman'] as const) {
    it(`--json on ${name} reports cgroups, security, Swarm, limits and the engine's API version`, async () => {
      const engine = testEngine(name);
      const r = await runCli(['info', '--json', '--host', engine.host], env());
      assert.equal(r.code, 0, r.stderr);
      const i = JSON.parse(r.stdout) as Record<string, unknown> & { security: { seccomp: boolean }; swarm: { state: string; manager: boolean }; limits: { memory: boolean } };
      assert.equal(i['engineApiVersion'], engine.apiVersion);
      assert.ok(i['cgroupVersion'] === '1' || i['cgroupVersion'] === '2');
      assert.equal(typeof i['cgroupDriver'], 'string');
      assert.equal(i.security.seccomp, true);
      assert.deepEqual(i.swarm, { state: 'inactive', manager: false, nodeId: null });
      assert.equal(i.limits.memory, true);
      // Counts, not a sum: the engine counts each state apart while the other Node run makes containers.
      for (const k of ['containers', 'containersRunning', 'containersPaused', 'containersStopped']) assert.ok(Number.isSafeInteger(i[k]) && (i[k] as number) >= 0, `${k}: ${String(i[k])}`);
      const text = await runCli(['info', '--host', engine.host], env());
      assert.match(text.stdout, /^Cgroups +cgroupfs driver, v[12]$/m);
      assert.match(text.stdout, /^Security +seccomp /m);
      assert.match(text.stdout, /^Swarm +inactive$/m);
    });
  }
});

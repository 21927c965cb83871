import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DockerClient, DockerTimeoutError, HealthChecker, isDockerError, type HealthReport, type HealthMonitor } from '../../src/index.js';
import { engineSkip, loadTestEngines, testEngine } from '../support/engines.js';
import { privateEngine } from '../support/private-engine.js';
import { unixRelay } from '../support/relay.js';

const skip = engineSkip();
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aicli-health-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Reports of a running monitor, collected with the time each arrived (ms, performance clock). */
function collect(monitor: HealthMonitor): { reports: { at: number; r: HealthReport }[]; until: (pred: (r: HealthReport) => boolean, withinMs: number) => Promise<{ at: number; r: HealthReport }> } {
  const reports: { at: number; r: HealthReport }[] = [];
  void (async () => {
    for await (const r of monitor) reports.push({ at: performance.now(), r });
  })();
  return {
    reports,
    async until(pred, withinMs) {
      const end = performance.now() + withinMs;
      for (;;) {
        const hit = reports.find((x) => pred(x.r));
        if (hit !== undefined) return hit;
        if (performance.now() > end) throw new Error(`no such report within ${withinMs} ms; got: ${reports.map((x) => `${x.r.status}${x.r.transition === undefined ? '' : `/${x.r.transition}`}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

for (const engine of skip === false ? loadTestEngines().engines : []) {
  describe(`health on ${engine.name}`, () => {
    it('checkDaemon is healthy with a latency; getSystemInfo, getVersion and the summary describe the engine', async () => {
      await using client = await DockerClient.connect({ host: engine.host, env: {}, ensureNetwork: false });
      const checker = new HealthChecker(client);
      const r = await checker.checkDaemon();
      assert.equal(r.healthy, true);
      assert.equal(r.error, undefined);
      assert.ok(r.latencyMs > 0 && r.latencyMs < checker.timeoutMs, `latency ${r.latencyMs}`);
      const [info, version, summary] = await Promise.all([checker.getSystemInfo(), checker.getVersion(), checker.getSystemSummary()]);
      assert.equal(version.apiVersion, engine.apiVersion);
      assert.equal(summary.engineApiVersion, engine.apiVersion);
      assert.equal(summary.serverVersion, info.serverVersion);
      assert.ok(summary.cgroupVersion === '1' || summary.cgroupVersion === '2', `cgroup ${String(summary.cgroupVersion)}`);
      assert.equal(summary.cgroupDriver, 'cgroupfs');
      assert.ok(summary.security.seccomp, 'seccomp is on in every test engine');
      assert.equal(summary.swarm.manager, false);
      assert.equal(summary.limits.memory, true);
      assert.equal(summary.limits.pids, true);
      // The engine counts each state apart (Podman lists them one by one), so with the suite's
      // other Node run making containers meanwhile the sum need not match the total here.
      for (const [k, v] of Object.entries(summary.containers)) assert.ok(Number.isSafeInteger(v) && v >= 0, `containers.${k}: ${v}`);
      assert.ok(summary.rootDir?.startsWith(loadTestEngines().stateDir), `root dir ${String(summary.rootDir)}`);
    });
  });
}

describe('health monitor', { skip }, () => {
  it('the first check runs at once, checks do not overlap, and latency is kept over a window', async () => {
    await using client = await DockerClient.connect({ host: testEngine('docker20').host, env: {}, ensureNetwork: false });
    const started = performance.now();
    const seen: { at: number; error: Error | undefined; r: HealthReport }[] = [];
    const checker = new HealthChecker(client, { intervalMs: 200, timeoutMs: 1000 });
    const monitor = checker.monitor({ onCheck: (error, r) => seen.push({ at: performance.now(), error, r }) });
    while (seen.length < 4) await new Promise((r) => setTimeout(r, 20));
    await monitor.stop();
    const first = seen[0];
    assert.ok(first !== undefined);
    // The engine's own answer time is taken out: the other Node run may keep it busy.
    assert.ok(first.at - started - first.r.latencyMs < 150, `first report after ${first.at - started} ms (${first.r.latencyMs} ms of it the engine's); it must not wait an interval`);
    assert.deepEqual(seen.map((s) => s.r.sequence).slice(0, 4), [1, 2, 3, 4]);
    assert.ok(seen.every((s) => s.error === undefined && s.r.status === 'healthy' && s.r.transition === undefined));
    const last = seen[3]?.r;
    assert.equal(last?.latency.samples, 4);
    assert.equal(last.latency.lastMs, last.latencyMs);
    assert.ok(last.latency.p50Ms !== undefined && last.latency.p95Ms !== undefined && last.latency.p50Ms <= last.latency.p95Ms);
    assert.equal(monitor.running, false);
    await monitor.stop();
  });

  it('a socket that accepts and never answers is unhealthy with a time-out error, on time, and healthy again after', async () => {
    await using relay = await unixRelay(testEngine('docker20').host, join(dir, 'relay.sock'));
    await using client = await DockerClient.connect({ host: relay.host, env: {}, ensureNetwork: false });
    const interval = 500;
    const timeout = 1000;
    await using monitor = new HealthChecker(client, { intervalMs: interval, timeoutMs: timeout }).monitor();
    const got = collect(monitor);
    await got.until((r) => r.healthy, 5000);
    relay.silent = true;
    const silencedAt = performance.now();
    const down = await got.until((r) => !r.healthy, 10_000);
    assert.ok(down.r.error instanceof DockerTimeoutError, String(down.r.error));
    assert.equal(down.r.error.timeoutMs, timeout);
    assert.equal(down.r.transition, 'lost');
    // On time: the check took the time-out, and came within one interval plus one time-out
    // (slack for a shared, slow machine; speed is measured by npm run bench).
    assert.ok(down.r.latencyMs >= timeout * 0.95 && down.r.latencyMs < timeout + 1000, `check took ${down.r.latencyMs} ms`);
    assert.ok(down.at - silencedAt < interval + timeout + 1500, `unhealthy reported ${down.at - silencedAt} ms after the engine went silent`);
    const acceptedWhileSilent = relay.accepted;
    relay.silent = false;
    const up = await got.until((r) => r.transition === 'recovered', 10_000);
    assert.ok(up.r.healthy && (up.r.unhealthyForMs ?? 0) > 0);
    // The hung socket was given up, and the recovery came over a new one.
    assert.ok(relay.accepted > acceptedWhileSilent, `connections accepted: ${relay.accepted}`);
  });

  it('a closed client is reported as unhealthy, not thrown', async () => {
    const client = await DockerClient.connect({ host: testEngine('docker20').host, env: {}, ensureNetwork: false });
    await client.close();
    const r = await new HealthChecker(client).checkDaemon();
    assert.equal(r.healthy, false);
    assert.ok(isDockerError(r.error, 'CLIENT_CLOSED'));
  });

  it('bad intervals and time-outs are refused, naming the value', async () => {
    await using client = await DockerClient.connect({ host: testEngine('docker20').host, env: {}, ensureNetwork: false });
    assert.throws(() => new HealthChecker(client, { intervalMs: 5 }), /Invalid interval: 5 ms; expected a whole number of milliseconds from 100/);
    assert.throws(() => new HealthChecker(client, { timeoutMs: 0 }), /Invalid timeout: 0 ms/);
    assert.throws(() => new HealthChecker(client).monitor({ intervalMs: 1.5e3 + 0.5 }), /Invalid intervalMs: 1500.5 ms/);
  });

  it('an idle monitor costs next to no CPU', async () => {
    await using client = await DockerClient.connect({ host: testEngine('docker20').host, env: {}, ensureNetwork: false });
    await using monitor = new HealthChecker(client).monitor();
    while (monitor.latest === undefined) await new Promise((r) => setTimeout(r, 10));
    const cpu = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 2000));
    const used = process.cpuUsage(cpu);
    // A busy wait would use ~2000 ms; a timer uses well under 1 ms.
    assert.ok((used.user + used.system) / 1000 < 100, `idle monitor used ${(used.user + used.system) / 1000} ms of CPU in 2 s`);
  });

  it('after stop(), the process exits by itself: no timer, socket or stream left', async () => {
    const script = fileURLToPath(new URL('../fixtures/stop-and-exit.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, testEngine('docker20').host], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += String(c)));
    child.stderr.on('data', (c: Buffer) => (err += String(c)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { resolve(code); }));
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<'hung'>((resolve) => (timer = setTimeout(() => { resolve('hung'); }, 30_000)))]);
    clearTimeout(timer);
    if (code === 'hung') {
      child.kill('SIGKILL');
      assert.fail(`the process did not exit after stop(); it printed:\n${out}\n${err}`);
    }
    assert.equal(code, 0, err);
    // Between its first and third report only the monitor kept the process alive.
    assert.match(out, /^report 1 healthy\nreport 2 healthy\nreport 3 healthy\nevent create\nstopped; left: nothing\n$/m);
  });
});

describe('health monitor across an engine restart (private engine)', { skip }, () => {
  it('sees the engine die and come back, on time, with new sockets, and never stops on its own', async () => {
    await using engine = await privateEngine('20');
    const interval = 500;
    const timeout = 1000;
    // Both HTTP clients: each must drop the dead pooled sockets and connect anew.
    await using undiciClient = await DockerClient.connect({ host: engine.host, env: {}, ensureNetwork: false, httpClient: 'undici' });
    await using nodeClient = await DockerClient.connect({ host: engine.host, env: {}, ensureNetwork: false, httpClient: 'node' });
    const monitors = [undiciClient, nodeClient].map((c) => new HealthChecker(c, { intervalMs: interval, timeoutMs: timeout }).monitor());
    try {
      const got = monitors.map(collect);
      for (const g of got) await g.until((r) => r.healthy && r.sequence >= 2, 5000);
      const pidBefore = engine.pid;
      const stopAt = performance.now();
      await engine.stop();
      for (const g of got) {
        const down = await g.until((r) => r.transition === 'lost', 10_000);
        // Docker stops answering at the start of its shutdown, so down.at - stopAt is the bound.
        assert.ok(down.at - stopAt < interval + timeout + 1500, `unhealthy ${down.at - stopAt} ms after stop began`);
        assert.ok(isDockerError(down.r.error, 'DOCKER_NOT_AVAILABLE') || isDockerError(down.r.error, 'DOCKER_CONNECTION_LOST'), String(down.r.error));
      }
      await new Promise((r) => setTimeout(r, 1200));
      for (const m of monitors) assert.equal(m.running, true, 'the monitor keeps going while the engine is down');
      const before = got.map((g) => g.reports.length);
      await engine.start();
      const answeringBy = performance.now();
      assert.notEqual(engine.pid, pidBefore);
      for (const [i, g] of got.entries()) {
        const up = await g.until((r) => r.transition === 'recovered', 10_000);
        assert.ok(up.at - answeringBy < interval + timeout + 1500, `healthy ${up.at - answeringBy} ms after the engine answered`);
        assert.ok((up.r.unhealthyForMs ?? 0) >= 1000, `down for ${String(up.r.unhealthyForMs)} ms`);
        assert.ok(g.reports.length > (before[i] ?? 0));
        // Only healthy checks count for latency: the failures did not spoil the window.
        assert.ok((up.r.latency.p95Ms ?? Infinity) < timeout);
      }
      // The same clients work on the restarted engine: their next calls opened new sockets.
      assert.equal((await undiciClient.info()).serverVersion, (await nodeClient.info()).serverVersion);
    } finally {
      await Promise.all(monitors.map((m) => m.stop()));
    }
  });
});

// The pure parts of the health feature: event decoding (exact timeNano), de-duplication,
// latency percentiles, time flags, the line splitter, the /info summary.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { toEngineEvent, toSystemSummary } from '../../src/engine/decode.js';
import { engineTimestamp, jsonLines } from '../../src/engine/events.js';
import { DockerProtocolError } from '../../src/errors.js';
import { EventDedupe } from '../../src/features/events/dedupe.js';
import { LatencyWindow } from '../../src/features/health/latency.js';
import { nanoIso, timeFlag } from '../../src/cli/time-flags.js';
import { firstSentence } from '../../src/cli/short-error.js';
import type { CommandContext } from '../../src/cli/command.js';

// As Docker 26 sends them (Podman adds status/id/from, as Docker did before API 1.22).
const CREATE =
  '{"status":"create","id":"3f1c","from":"aicli-test-busybox:latest","Type":"container","Action":"create","Actor":{"ID":"3f1c","Attributes":{"aicli.managed":"true","aicli.test":"true","image":"aicli-test-busybox:latest","name":"ws-1"}},"scope":"local","time":1796008204,"timeNano":1796008204927540123}';
const HEALTH = '{"Type":"container","Action":"health_status: healthy","Actor":{"ID":"3f1c","Attributes":{"name":"ws-1","image":"x"}},"scope":"local","time":1796008205,"timeNano":1796008205000000001}';
const NETWORK = '{"Type":"network","Action":"connect","Actor":{"ID":"9a","Attributes":{"container":"3f1c","name":"aicli-network","type":"bridge"}},"scope":"local","time":1796008206,"timeNano":1796008206000000000}';

describe('engine events', () => {
  it('keep the exact timeNano, which JSON numbers would round', () => {
    const e = toEngineEvent(CREATE);
    assert.ok(e !== undefined);
    assert.notEqual(String((JSON.parse(CREATE) as { timeNano: number }).timeNano), '1796008204927540123', 'JSON.parse rounds it');
    assert.equal(e.timeNano, '1796008204927540123');
    assert.equal(e.time.toISOString(), '2026-11-30T03:10:04.927Z');
    assert.equal(e.type, 'container');
    assert.equal(e.action, 'create');
    assert.equal(e.name, 'ws-1');
    assert.deepEqual(e.labels, { 'aicli.managed': 'true', 'aicli.test': 'true' });
    assert.equal(e.attributes['image'], 'aicli-test-busybox:latest');
  });

  it('split an action from its detail; networks carry no labels', () => {
    const h = toEngineEvent(HEALTH);
    assert.equal(h?.action, 'health_status');
    assert.equal(h.actionDetail, 'healthy');
    const n = toEngineEvent(NETWORK);
    assert.deepEqual(n?.labels, {});
    assert.equal(n.attributes['container'], '3f1c');
  });

  it('a line that is not an event gives undefined', () => {
    for (const line of ['not json', '[]', '42', '{"Type":"container"}', 'null']) assert.equal(toEngineEvent(line), undefined, line);
  });

  it('since/until go out as SECONDS.NANOSECONDS; times print with nanoseconds', () => {
    assert.equal(engineTimestamp(1796008204927540123n), '1796008204.927540123');
    assert.equal(engineTimestamp(1796008204000000001n), '1796008204.000000001');
    assert.equal(nanoIso('1796008204927540123'), '2026-11-30T03:10:04.927540123Z');
  });

  it('a replay after a reconnect is recognised; a new event is not', () => {
    const d = new EventDedupe();
    const a = toEngineEvent(CREATE);
    const b = toEngineEvent(HEALTH);
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(d.has(a), false);
    d.remember(a);
    assert.equal(d.has(a), true);
    assert.equal(d.has(b), false);
    assert.equal(d.newest, 1796008204927540123n);
    // Same time, same object, another action: a different event.
    assert.equal(d.has({ ...a, action: 'start' }), false);
    // Hundreds of newer events later, the ones inside the window are still known.
    for (let i = 1; i <= 600; i++) d.remember({ ...a, timeNano: String(1796008204927540123n + BigInt(i) * 1_000_000n) });
    assert.equal(d.has(a), true);
    assert.equal(d.has({ ...a, timeNano: String(1796008204927540123n + 300n * 1_000_000n) }), true);
  });

  it('lines are split across chunks, and an endless line is refused', async () => {
    const chunks = ['{"a":1}\n{"b"', ':2}\n\n', '{"c":3}'];
    const got: string[] = [];
    for await (const l of jsonLines(Readable.from(chunks), { method: 'GET', path: '/events', endpoint: 'unix:///x' })) got.push(l);
    assert.deepEqual(got, ['{"a":1}', '{"b":2}', '{"c":3}']);
    const endless = Readable.from(['x'.repeat(600), 'y'.repeat(600)]);
    await assert.rejects(async () => {
      for await (const _ of jsonLines(endless, { method: 'GET', path: '/events', endpoint: 'unix:///x' }, 1000)) { /* none */ }
    }, (e: unknown) => e instanceof DockerProtocolError && /more than 1000 bytes/.test(e.message));
  });
});

describe('latency window', () => {
  it('gives last, p50 and p95 by nearest rank over the newest samples', () => {
    const w = new LatencyWindow(20);
    assert.deepEqual(w.stats(), { lastMs: undefined, p50Ms: undefined, p95Ms: undefined, samples: 0 });
    for (let i = 1; i <= 20; i++) w.add(i);
    assert.deepEqual(w.stats(), { lastMs: 20, p50Ms: 10, p95Ms: 19, samples: 20 });
    // 20 more: the first 20 are gone.
    for (let i = 101; i <= 120; i++) w.add(i);
    assert.deepEqual(w.stats(), { lastMs: 120, p50Ms: 110, p95Ms: 119, samples: 20 });
  });
});

describe('time flags', () => {
  const ctx = (flags: Record<string, string>): CommandContext => ({ flags } as unknown as CommandContext);
  const now = new Date('2026-01-01T12:00:00Z');
  it('take durations before now, Unix timestamps and RFC 3339 dates', () => {
    assert.equal(timeFlag(ctx({ since: '10m' }), 'since', now)?.toISOString(), '2026-01-01T11:50:00.000Z');
    assert.equal(timeFlag(ctx({ since: '1h30m' }), 'since', now)?.toISOString(), '2026-01-01T10:30:00.000Z');
    assert.equal(timeFlag(ctx({ since: '1767268800' }), 'since', now)?.toISOString(), '2026-01-01T12:00:00.000Z');
    assert.equal(timeFlag(ctx({ since: '1767268800.5' }), 'since', now)?.toISOString(), '2026-01-01T12:00:00.500Z');
    assert.equal(timeFlag(ctx({ since: '2026-01-01T10:00:00+02:00' }), 'since', now)?.toISOString(), '2026-01-01T08:00:00.000Z');
    assert.equal(timeFlag(ctx({}), 'since', now), undefined);
  });
  it('refuse anything else, naming the flag', () => {
    for (const bad of ['soon', 'yesterday', '10 minutes', '2026-13-45', 'Jan 1 2026']) {
      assert.throws(() => timeFlag(ctx({ until: bad }), 'until', now), new RegExp(`--until "${bad}" is not a time`), bad);
    }
  });
});

describe('system summary', () => {
  it('reads cgroups, security options, Swarm and kernel limits from /info', () => {
    const s = toSystemSummary({
      Name: 'h1', ServerVersion: '28.5.2', OSType: 'linux', NCPU: 4, MemTotal: 8 * 2 ** 30,
      Containers: 3, ContainersRunning: 1, ContainersPaused: 0, ContainersStopped: 2,
      CgroupDriver: 'systemd', CgroupVersion: '2', DockerRootDir: '/home/u/.local/share/docker',
      SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'],
      Swarm: { LocalNodeState: 'active', ControlAvailable: true, NodeID: 'n1' },
      MemoryLimit: true, SwapLimit: false, CpuCfsQuota: true, CpuCfsPeriod: true, PidsLimit: true,
      Warnings: ['WARNING: No swap limit support'],
    });
    assert.deepEqual(s.security, { seccomp: true, seccompProfile: 'builtin', apparmor: false, selinux: false, rootless: true, userNamespaces: false, cgroupNamespaces: true, options: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'] });
    assert.deepEqual(s.swarm, { state: 'active', manager: true, nodeId: 'n1' });
    assert.deepEqual(s.limits, { memory: true, swap: false, cpuQuota: true, cpuShares: false, cpuSet: false, pids: true });
    assert.deepEqual(s.containers, { total: 3, running: 1, paused: 0, stopped: 2 });
    assert.equal(s.cgroupDriver, 'systemd');
    assert.deepEqual(s.warnings, ['WARNING: No swap limit support']);
    // The old bare form (engines before 1.13's name= syntax).
    assert.equal(toSystemSummary({ SecurityOptions: ['apparmor', 'seccomp'] }).security.apparmor, true);
  });
});

describe('repeated error lines', () => {
  it('keep what happened and drop the advice, without cutting a path or a version', () => {
    assert.equal(
      firstSentence('Cannot connect to the Docker engine at unix:///run/d.sock (tried 3 times): no socket at /run/d.sock. Is the Docker daemon running? Start it.'),
      'Cannot connect to the Docker engine at unix:///run/d.sock (tried 3 times): no socket at /run/d.sock',
    );
    assert.equal(firstSentence('API 1.41 is too old.'), 'API 1.41 is too old');
    assert.equal(firstSentence('no period here'), 'no period here');
  });
});

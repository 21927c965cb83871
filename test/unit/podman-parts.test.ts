// The pure parts of issue 14: which engine an answer comes from, when a health is overdue,
// the create body Podman needs, how a workspace's network is read, doctor's verdict.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildWorkspaceSpec, defaultConfig, EngineUnsupportedError, InvalidConfigError, profileFromHeaders, profileFromInfo, profileFromVersion, toWorkspaceInfo } from '../../src/index.js';
import { differencesCheck } from '../../src/features/doctor/checks.js';
import { podmanCreateBody } from '../../src/features/podman/adapt.js';
import { notSwarmManager, profileSupports } from '../../src/features/podman/capabilities.js';
import { engineDifferences } from '../../src/features/podman/differences.js';
import { healthOverdue } from '../../src/features/podman/health.js';

// As Podman 4.3.1 and Docker 26.1 answered GET /version here (trimmed).
const PODMAN_VERSION = { Version: '4.3.1', ApiVersion: '1.41', Components: [{ Name: 'Podman Engine', Version: '4.3.1' }, { Name: 'Conmon', Version: 'conmon version 2.1.6' }] };
const DOCKER_VERSION = { Version: '26.1.5+dfsg1', ApiVersion: '1.45', Components: [{ Name: 'Engine', Version: '26.1.5+dfsg1' }, { Name: 'containerd', Version: '1.7.24' }] };

describe('which engine', () => {
  it('from /version, /info and the headers of any answer', () => {
    assert.deepEqual(profileFromVersion(PODMAN_VERSION), { kind: 'podman', version: '4.3.1', label: 'Podman 4.3.1' });
    assert.deepEqual(profileFromVersion(DOCKER_VERSION), { kind: 'docker', version: '26.1.5+dfsg1', label: 'Docker 26.1.5+dfsg1' });
    assert.equal(profileFromVersion({}).label, 'Docker unknown');
    assert.equal(profileFromInfo({ ServerVersion: '4.3.1', BuildahVersion: '1.28.2' }).kind, 'podman');
    assert.equal(profileFromInfo({ ServerVersion: '20.10.24' }).label, 'Docker 20.10.24');
    assert.equal(profileFromHeaders({ 'libpod-api-version': '4.3.1', server: 'Libpod/4.3.1 (linux)' })?.label, 'Podman 4.3.1');
    assert.equal(profileFromHeaders({ server: 'Docker/20.10.24+dfsg1 (linux)' })?.label, 'Docker 20.10.24+dfsg1');
    assert.equal(profileFromHeaders({ server: 'nginx' }), undefined, 'a proxy in between: ask /version');
  });

  it('Podman lacks Swarm, overlay networks and inhibit_ipv4; Docker lacks none', () => {
    const podman = profileFromVersion(PODMAN_VERSION);
    const docker = profileFromVersion(DOCKER_VERSION);
    for (const c of ['swarm', 'overlay-networks', 'bridge-inhibit-ipv4'] as const) {
      assert.equal(profileSupports(podman, c), false, c);
      assert.equal(profileSupports(docker, c), true, c);
    }
    assert.ok(engineDifferences(podman).length > 0);
    assert.deepEqual(engineDifferences(docker), []);
  });

  it('not a Swarm manager: on Podman it says Podman has none (exit 2 as a configuration refusal); on Docker, its Swarm state', () => {
    const p = notSwarmManager({ BuildahVersion: '1.28.2', ServerVersion: '4.3.1' }, 'unix:///run/podman/podman.sock', 'inactive', 'orchestrator in aicli.yaml');
    assert.ok(p instanceof EngineUnsupportedError && p instanceof InvalidConfigError);
    assert.equal(p.code, 'ENGINE_UNSUPPORTED');
    assert.equal(p.problems[0]?.key, 'orchestrator');
    assert.equal(
      p.message,
      'A Swarm workspace needs a Swarm orchestrator, and Podman 4.3.1 (at unix:///run/podman/podman.sock) has none: Podman has no Swarm mode (asked by orchestrator in aicli.yaml). Nothing was created. Set orchestrator: engine (workspaces as containers on this engine), or point aicli at a Docker engine that is a Swarm manager.',
    );
    const d = notSwarmManager({ ServerVersion: '26.1.5' }, 'unix:///var/run/docker.sock', 'inactive', 'orchestrator in aicli.yaml');
    assert.ok(!(d instanceof EngineUnsupportedError));
    assert.equal(d.code, 'NOT_SWARM_MANAGER');
  });
});

describe('a health no check refreshed', () => {
  const raw = (health: unknown, startedAt: string, interval = 1_000_000_000): Record<string, unknown> => ({
    State: { Running: true, StartedAt: startedAt, Health: health },
    Config: { Healthcheck: { Test: ['CMD', 'test', '-d', '/workspace'], Interval: interval, Timeout: 5_000_000_000 } },
  });
  const t0 = Date.parse('2026-11-30T05:00:00Z');
  it('is overdue an interval plus its time-out (and 2 s) after the last check, or the start', () => {
    const never = raw({ Status: 'starting', Log: null }, '2026-11-30T05:00:00Z');
    assert.equal(healthOverdue(never, t0 + 7_000), false);
    assert.equal(healthOverdue(never, t0 + 8_001), true);
    const checked = raw({ Status: 'healthy', Log: [{ End: '2026-11-30T05:00:10Z' }] }, '2026-11-30T05:00:00Z');
    assert.equal(healthOverdue(checked, t0 + 17_000), false);
    assert.equal(healthOverdue(checked, t0 + 18_001), true);
  });
  it('never for a stopped container, one without a check, or one whose check is NONE', () => {
    assert.equal(healthOverdue({ ...raw({ Status: 'starting' }, '2026-11-30T05:00:00Z'), State: { Running: false, Health: { Status: 'starting' } } }, t0 + 60_000), false);
    assert.equal(healthOverdue({ State: { Running: true, StartedAt: '2026-11-30T05:00:00Z' }, Config: {} }, t0 + 60_000), false);
    assert.equal(healthOverdue({ ...raw({ Status: 'starting' }, '2026-11-30T05:00:00Z'), Config: { Healthcheck: { Test: ['NONE'] } } }, t0 + 60_000), false);
  });
});

describe("Podman's create body", () => {
  const body = buildWorkspaceSpec(defaultConfig(), { id: 'demo', name: 'demo', owner: {}, created: new Date(0) });
  it('closes /run and /var/tmp with a read-only tmpfs, keeps /tmp as configured, and changes nothing else', () => {
    const out = podmanCreateBody(body);
    assert.equal(out.HostConfig.Tmpfs?.['/run'], 'ro,noexec,nosuid,nodev,size=64k');
    assert.equal(out.HostConfig.Tmpfs['/var/tmp'], 'ro,noexec,nosuid,nodev,size=64k');
    assert.equal(out.HostConfig.Tmpfs['/tmp'], body.HostConfig.Tmpfs?.['/tmp']);
    assert.deepEqual({ ...out, HostConfig: { ...out.HostConfig, Tmpfs: undefined } }, { ...body, HostConfig: { ...body.HostConfig, Tmpfs: undefined } });
    assert.equal(body.HostConfig.Tmpfs?.['/run'], undefined, 'the given body is not changed');
  });
  it('leaves a writable root, and paths the workspace mounts itself, alone', () => {
    const writable = { ...body, HostConfig: { ...body.HostConfig, ReadonlyRootfs: false } };
    assert.equal(podmanCreateBody(writable), writable);
    const mounted = { ...body, HostConfig: { ...body.HostConfig, Mounts: [...(body.HostConfig.Mounts ?? []), { Type: 'bind' as const, Source: '/srv/x', Target: '/var/tmp' }] } };
    assert.equal(podmanCreateBody(mounted).HostConfig.Tmpfs?.['/var/tmp'], undefined);
  });
});

describe('reading a workspace', () => {
  it('the network it is on, also where Podman reports its driver as NetworkMode', () => {
    const on = (mode: string, networks: string[]): string | undefined =>
      toWorkspaceInfo({ HostConfig: { NetworkMode: mode }, NetworkSettings: { Networks: Object.fromEntries(networks.map((n) => [n, { NetworkID: 'x' }])) } }).network;
    assert.equal(on('bridge', ['aicli-network']), 'aicli-network');
    assert.equal(on('aicli-network', ['aicli-network']), 'aicli-network');
    assert.equal(on('bridge', ['bridge']), 'bridge');
    assert.equal(on('bridge', ['a', 'b']), 'bridge');
  });
});

describe("doctor's differences", () => {
  const podman = profileFromVersion(PODMAN_VERSION);
  it('pass when the configuration asks for nothing the engine lacks; fail naming what it asks for otherwise', () => {
    const ok = differencesCheck(podman, engineDifferences(podman), defaultConfig(), false);
    assert.equal(ok.status, 'pass');
    assert.match(ok.detail, /^Podman 4\.3\.1: \d+ differences from Docker/);
    const bad = differencesCheck(podman, engineDifferences(podman), { ...defaultConfig(), orchestrator: 'swarm', networkDriver: 'overlay' }, true);
    assert.equal(bad.status, 'fail');
    assert.match(bad.detail, /^Podman 4\.3\.1 \(rootless\): .*asks for what Podman 4\.3\.1 lacks: orchestrator: swarm, network_driver: overlay$/);
    assert.equal(bad.fix, 'set orchestrator: engine (or auto); set network_driver: bridge');
    const docker = profileFromVersion(DOCKER_VERSION);
    assert.equal(differencesCheck(docker, [], { ...defaultConfig(), orchestrator: 'swarm' }, false).status, 'pass');
  });
});

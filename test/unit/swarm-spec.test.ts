// toServiceSpec: a workspace's body (buildWorkspaceSpec, as the Workspaces facade makes it) carried
// into a Swarm service with its hardening, and what a service cannot carry refused by name.
// hardeningProblems: a container read back from its node.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildWorkspaceSpec,
  defaultConfig,
  hardeningProblems,
  isDockerError,
  loadConfig,
  toServiceSpec,
  workspaceServiceSpec,
  type ContainerCreateBody,
  type ContainerInspect,
  type DockerConfig,
  type ServiceSpecOptions,
} from '../../src/index.js';
import { KEEP_ALIVE } from '../../src/features/workspace/index.js';

const OPTIONS: ServiceSpecOptions = { serviceName: 'workspace-w', apiVersion: '1.45', labels: { 'aicli.managed': 'true', 'aicli.workspace.name': 'w' } };

async function configWith(env: Record<string, string>): Promise<DockerConfig> {
  return (await loadConfig({ env })).config;
}

function body(config: DockerConfig = defaultConfig(), extra: { project?: string; mounts?: { source: string; target: string }[] } = {}): ContainerCreateBody {
  return buildWorkspaceSpec(config, { id: 'w', name: 'w', image: 'img:1', labels: { 'aicli.test': 'true' }, owner: {}, created: new Date(0), ...extra });
}

/** What the Swarm backend sends for `config` (data volume, Init, stop grace, the first health probe). */
function serviceOf(config: DockerConfig, constraints: string[] = []): ReturnType<typeof workspaceServiceSpec> {
  return workspaceServiceSpec({ name: 'w', body: body(config), config, constraints }, '1.45');
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isDockerError(err, 'SWARM_UNSUPPORTED'), String(err));
    assert.ok(isDockerError(err, 'INVALID_CONFIG'), 'exit code 2 in the CLI');
    return (err as Error).message;
  }
  assert.fail('expected a refusal');
}

describe('toServiceSpec', () => {
  it('carries the hardening of the default configuration into the service', async () => {
    const config = await configWith({ AICLI_DOCKER_USER: '1000:1000' });
    const { spec, networks, notes } = serviceOf(config);
    const c = spec.TaskTemplate.ContainerSpec;
    assert.equal(spec.Name, 'workspace-w');
    assert.equal(c.Image, 'img:1');
    assert.deepEqual([c.Command, c.Args, c.Dir, c.Hostname], [['/bin/sh'], ['-c', KEEP_ALIVE], '/workspace', 'w']);
    assert.equal(c.User, '1000:1000');
    assert.equal(c.ReadOnly, true);
    assert.deepEqual(c.CapabilityDrop, ['ALL']);
    assert.equal(c.CapabilityAdd, undefined);
    assert.deepEqual(c.Privileges, { NoNewPrivileges: true });
    assert.equal(c.Init, true);
    assert.equal(c.StopGracePeriod, 2e9);
    assert.deepEqual(c.Ulimits, [
      { Name: 'nofile', Soft: config.ulimitNofile.soft, Hard: config.ulimitNofile.hard },
      { Name: 'nproc', Soft: config.ulimitNproc.soft, Hard: config.ulimitNproc.hard },
    ]);
    // The anonymous volume at /workspace became the data volume; tmpfs as configured.
    assert.deepEqual(c.Mounts, [
      { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 64 * 2 ** 20 } },
      { Type: 'volume', Source: 'workspace-w-data', Target: '/workspace', VolumeOptions: { Labels: c.Labels, DriverConfig: { Name: 'local' } } },
    ]);
    // The health check, probed every second until it first passes (Swarm runs the task only then).
    assert.deepEqual(c.Healthcheck, { Test: ['CMD', 'test', '-d', '/workspace'], Interval: 30e9, Timeout: 5e9, Retries: 3, StartPeriod: 30e9, StartInterval: 1e9 });
    assert.deepEqual(spec.TaskTemplate.Resources, {
      Limits: { NanoCPUs: 1e9, MemoryBytes: 512 * 2 ** 20, Pids: 512 },
      Reservations: { NanoCPUs: 1e9, MemoryBytes: 512 * 2 ** 20 },
    });
    assert.deepEqual(spec.TaskTemplate.RestartPolicy, { Condition: 'on-failure', Delay: 1e9, MaxAttempts: 5 });
    assert.deepEqual(spec.Mode, { Replicated: { Replicas: 1 } });
    assert.deepEqual(spec.EndpointSpec, { Mode: 'dnsrr' });
    assert.deepEqual(networks, ['aicli-network']);
    // Other workspaces reach it by its name on the overlay, as on a bridge.
    assert.deepEqual(spec.TaskTemplate.Networks, [{ Target: 'aicli-network', Aliases: ['w'] }]);
    for (const labels of [spec.Labels, c.Labels]) {
      assert.deepEqual([labels?.['aicli.managed'], labels?.['aicli.workspace.name'], labels?.['aicli.role'], labels?.['aicli.test']], ['true', 'w', 'workspace', 'true']);
    }
    assert.ok(notes.some((n) => /MemorySwap not carried/.test(n)), notes.join('\n'));
    assert.ok(notes.some((n) => /CpuShares not carried/.test(n)), notes.join('\n'));
  });

  it('adds the data volume with its driver, and placement constraints (configuration first, then the workspace\'s)', () => {
    const config: DockerConfig = { ...defaultConfig(), volumeDriverOpts: { type: 'nfs', o: 'addr=10.0.0.1' }, swarmConstraints: ['node.role==worker'] };
    const { spec } = serviceOf(config, ['node.labels.zone==a']);
    assert.deepEqual(spec.TaskTemplate.Placement, { Constraints: ['node.role==worker', 'node.labels.zone==a'] });
    const data = spec.TaskTemplate.ContainerSpec.Mounts?.find((m) => m.Target === '/workspace');
    assert.deepEqual(data?.VolumeOptions?.DriverConfig, { Name: 'local', Options: { type: 'nfs', o: 'addr=10.0.0.1' } });
  });

  it('a long workspace name still makes a valid service name (at most 63 characters, stable)', () => {
    const name = 'a'.repeat(63);
    const first = workspaceServiceSpec({ name, body: body(), config: defaultConfig() }, '1.45').spec.Name;
    assert.ok(first.length <= 63 && /^workspace-a+-[0-9a-f]{8}$/.test(first), first);
    assert.equal(workspaceServiceSpec({ name, body: body(), config: defaultConfig() }, '1.45').spec.Name, first);
  });

  it('below API 1.44 refuses no-new-privileges, naming Docker 25.0, where the engine would drop it', () => {
    const m = refusal(() => toServiceSpec(body(), { ...OPTIONS, apiVersion: '1.43' }));
    assert.match(m, /no-new-privileges/);
    assert.match(m, /Engine API 1\.44 \(Docker 25\.0\)/);
    assert.match(m, /security_opts/);
  });

  it('refuses privileged, bridge and host networks, systempaths and writable cgroups, naming each key, all at once', async () => {
    const config = await configWith({ AICLI_DOCKER_PRIVILEGED: 'true', AICLI_DOCKER_SECURITY_OPTS: 'no-new-privileges:true,systempaths=unconfined,writable-cgroups=true' });
    const b = body(config);
    const m = refusal(() => toServiceSpec({ ...b, HostConfig: { ...b.HostConfig, NetworkMode: 'bridge' } }, OPTIONS));
    assert.match(m, /privileged \(HostConfig\.Privileged\)/);
    assert.match(m, /systempaths/);
    assert.match(m, /writable-cgroups/);
    assert.match(m, /network_name \(HostConfig\.NetworkMode\): the default bridge network/);
    assert.match(m, /4 problems/);
    assert.match(refusal(() => toServiceSpec({ ...b, HostConfig: { NetworkMode: 'host' } }, OPTIONS)), /network mode "host"/);
  });

  it('tmpfs: exec needs API 1.46 (Docker 27.0), options a service has no field for are refused', async () => {
    const exec = body(await configWith({ AICLI_DOCKER_TMPFS: '/tmp:rw,exec,size=8m,mode=1777' }));
    assert.match(refusal(() => toServiceSpec(exec, OPTIONS)), /tmpfs \(HostConfig\.Tmpfs\[\/tmp\]\).*Engine API 1\.46 \(Docker 27\.0\)/);
    const mount = toServiceSpec(exec, { ...OPTIONS, apiVersion: '1.46' }).spec.TaskTemplate.ContainerSpec.Mounts?.find((m) => m.Type === 'tmpfs');
    assert.deepEqual(mount, { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 8 * 2 ** 20, Mode: 0o1777, Options: [['exec']] } });
    const uid = body(await configWith({ AICLI_DOCKER_TMPFS: '/tmp:rw,uid=1000' }));
    assert.match(refusal(() => toServiceSpec(uid, { ...OPTIONS, apiVersion: '1.51' })), /"uid=1000".*only size, mode, ro and exec/);
    const pct = body(await configWith({ AICLI_DOCKER_TMPFS: '/tmp:size=50%' }));
    assert.match(refusal(() => toServiceSpec(pct, OPTIONS)), /not a percentage/);
  });

  it('refuses host folders (the project, --mount: they exist on one machine), saying where files go instead, and keeps named volumes', () => {
    const project = refusal(() => workspaceServiceSpec({ name: 'w', body: body(defaultConfig(), { project: '/home/me/project' }), config: defaultConfig() }, '1.45'));
    assert.match(project, /project \(HostConfig\.Mounts\[0\]\): the project folder \/home\/me\/project exists only on this machine.*any node/);
    assert.match(project, /workspace cp \/home\/me\/project\/\. NAME:\/workspace/);
    const mount = refusal(() => workspaceServiceSpec({ name: 'w', body: body(defaultConfig(), { mounts: [{ source: '/srv/cache', target: '/cache' }] }), config: defaultConfig() }, '1.45'));
    assert.match(mount, /mounts \(HostConfig\.Mounts\[1\]\): \/cache: the host folder \/srv\/cache/);
    const b = body();
    assert.match(refusal(() => toServiceSpec({ ...b, HostConfig: { ...b.HostConfig, Binds: ['/home/me/project:/src'] } }, OPTIONS)), /mounts \(HostConfig\.Binds\[0\]\)/);
    const named = toServiceSpec({ ...b, HostConfig: { ...b.HostConfig, Tmpfs: {}, Mounts: [], Binds: ['cache:/cache:ro'] } }, OPTIONS);
    assert.deepEqual(named.spec.TaskTemplate.ContainerSpec.Mounts, [{ Type: 'volume', Source: 'cache', Target: '/cache', ReadOnly: true }]);
  });

  it('refuses any setting it does not know, naming it, rather than dropping it', () => {
    const b = body();
    const loose = { ...b, Volumes: { '/data': {} }, HostConfig: { ...b.HostConfig, BlkioWeight: 300, Devices: [{ PathOnHost: '/dev/fuse' }] } } as unknown as ContainerCreateBody;
    const m = refusal(() => toServiceSpec(loose, OPTIONS));
    assert.match(m, /Volumes: no Swarm service equivalent/);
    assert.match(m, /HostConfig\.BlkioWeight: no Swarm service equivalent/);
    assert.match(m, /HostConfig\.Devices: a Swarm service has no Devices/);
  });

  it('maps seccomp, AppArmor and SELinux options from API 1.44', async () => {
    const config = await configWith({ AICLI_DOCKER_SECURITY_OPTS: 'no-new-privileges:true,seccomp=unconfined,apparmor=unconfined,label=type:svirt_t' });
    const p = toServiceSpec(body(config), { ...OPTIONS, apiVersion: '1.44' }).spec.TaskTemplate.ContainerSpec.Privileges;
    assert.deepEqual(p, { NoNewPrivileges: true, Seccomp: { Mode: 'unconfined' }, AppArmor: { Mode: 'disabled' }, SELinuxContext: { Type: 'svirt_t' } });
  });
});

describe('hardeningProblems', () => {
  const task = serviceOf({ ...defaultConfig(), user: '1000:1000' }).spec.TaskTemplate;
  /** What Docker 26.1 and 28.5 nodes report for such a task's container (GET /containers/{id}/json, trimmed). */
  const held: ContainerInspect = {
    Config: { User: '1000:1000' },
    HostConfig: {
      Privileged: false,
      ReadonlyRootfs: true,
      SecurityOpt: ['no-new-privileges=true'],
      CapDrop: ['ALL'],
      CapAdd: null,
      NanoCpus: 1e9,
      Memory: 512 * 2 ** 20,
      PidsLimit: 512,
      Init: true,
      NetworkMode: 'default',
      IpcMode: 'private',
      Mounts: [{ Type: 'tmpfs', Target: '/tmp' }],
    },
  };

  it('finds nothing missing in a container that holds the spec', () => {
    assert.deepEqual(hardeningProblems(task, held), []);
  });

  it('names what a Docker 20.10 node dropped (no-new-privileges), and anything else missing', () => {
    // A 20.10 node starts the same task with no SecurityOpt at all (seen on the test cluster).
    assert.deepEqual(hardeningProblems(task, { ...held, HostConfig: { ...held.HostConfig, SecurityOpt: null } }), [
      'no-new-privileges is off (the node dropped Privileges.NoNewPrivileges: it needs Docker 25 or newer)',
    ]);
    const loose = hardeningProblems(task, {
      Config: { User: '' },
      HostConfig: { ...held.HostConfig, ReadonlyRootfs: false, CapDrop: [], CapAdd: ['SYS_ADMIN'], PidsLimit: 0, Mounts: [], PidMode: 'host' },
    });
    assert.equal(loose.length, 7, loose.join('\n'));
    assert.ok(loose.includes('capability SYS_ADMIN was added'));
    assert.ok(loose.includes("it shares the node's PID namespace"));
  });
});

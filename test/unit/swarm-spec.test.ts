// toServiceSpec: the engine spec's hardening carried into a Swarm service, and what a service
// cannot carry refused by name. hardeningProblems: a container read back from its node.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildContainerSpec,
  defaultConfig,
  hardeningProblems,
  isDockerError,
  loadConfig,
  toServiceSpec,
  type ContainerInspect,
  type DockerConfig,
  type ServiceSpecOptions,
} from '../../src/index.js';

const OPTIONS: ServiceSpecOptions = { serviceName: 'workspace-w', apiVersion: '1.45', labels: { 'aicli.managed': 'true', 'aicli.workspace.name': 'w' } };

async function configWith(env: Record<string, string>): Promise<DockerConfig> {
  return (await loadConfig({ env })).config;
}

function body(config: DockerConfig = defaultConfig()): ReturnType<typeof buildContainerSpec> {
  return buildContainerSpec(config, { name: 'w', image: 'img:1', labels: { 'aicli.managed': 'true' } });
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
    const { spec, networks, notes } = toServiceSpec(body(config), OPTIONS);
    const c = spec.TaskTemplate.ContainerSpec;
    assert.equal(c.Image, 'img:1');
    assert.equal(c.User, '1000:1000');
    assert.equal(c.ReadOnly, true);
    assert.deepEqual(c.CapabilityDrop, ['ALL']);
    assert.equal(c.CapabilityAdd, undefined);
    assert.deepEqual(c.Privileges, { NoNewPrivileges: true });
    assert.equal(c.Init, true);
    assert.equal(c.StopGracePeriod, 2e9);
    assert.deepEqual(c.Mounts, [{ Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 64 * 2 ** 20 } }]);
    assert.deepEqual(spec.TaskTemplate.Resources, {
      Limits: { NanoCPUs: 1e9, MemoryBytes: 512 * 2 ** 20, Pids: 512 },
      Reservations: { NanoCPUs: 1e9, MemoryBytes: 512 * 2 ** 20 },
    });
    assert.deepEqual(spec.TaskTemplate.RestartPolicy, { Condition: 'on-failure', Delay: 1e9, MaxAttempts: 5 });
    assert.deepEqual(spec.Mode, { Replicated: { Replicas: 1 } });
    assert.deepEqual(spec.EndpointSpec, { Mode: 'dnsrr' });
    assert.deepEqual(networks, ['aicli-network']);
    assert.deepEqual(spec.TaskTemplate.Networks, [{ Target: 'aicli-network' }]);
    assert.equal(spec.Labels?.['aicli.workspace.name'], 'w');
    assert.equal(c.Labels?.['aicli.workspace.name'], 'w');
    assert.ok(notes.some((n) => /MemorySwap not carried/.test(n)), notes.join('\n'));
  });

  it('adds the data volume with its driver, and placement constraints', () => {
    const { spec } = toServiceSpec(body(), {
      ...OPTIONS,
      constraints: ['node.labels.zone==a'],
      dataVolume: { name: 'workspace-w-data', target: '/workspace', driver: 'local', driverOptions: { type: 'nfs', o: 'addr=10.0.0.1' }, labels: { 'aicli.managed': 'true' } },
    });
    assert.deepEqual(spec.TaskTemplate.Placement, { Constraints: ['node.labels.zone==a'] });
    assert.deepEqual(spec.TaskTemplate.ContainerSpec.Mounts?.[1], {
      Type: 'volume',
      Source: 'workspace-w-data',
      Target: '/workspace',
      VolumeOptions: { Labels: { 'aicli.managed': 'true' }, DriverConfig: { Name: 'local', Options: { type: 'nfs', o: 'addr=10.0.0.1' } } },
    });
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
    const mount = toServiceSpec(exec, { ...OPTIONS, apiVersion: '1.46' }).spec.TaskTemplate.ContainerSpec.Mounts?.[0];
    assert.deepEqual(mount, { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: 8 * 2 ** 20, Mode: 0o1777, Options: [['exec']] } });
    const uid = body(await configWith({ AICLI_DOCKER_TMPFS: '/tmp:rw,uid=1000' }));
    assert.match(refusal(() => toServiceSpec(uid, { ...OPTIONS, apiVersion: '1.51' })), /"uid=1000".*only size, mode, ro and exec/);
    const pct = body(await configWith({ AICLI_DOCKER_TMPFS: '/tmp:size=50%' }));
    assert.match(refusal(() => toServiceSpec(pct, OPTIONS)), /not a percentage/);
  });

  it('refuses host folders (they exist on one machine) and keeps named volumes', () => {
    const b = body();
    const m = refusal(() => toServiceSpec({ ...b, HostConfig: { ...b.HostConfig, Binds: ['/home/me/project:/workspace'] } }, OPTIONS));
    assert.match(m, /project \(HostConfig\.Binds\[0\]\).*\/home\/me\/project.*any node/);
    const named = toServiceSpec({ ...b, HostConfig: { ...b.HostConfig, Tmpfs: {}, Binds: ['cache:/cache:ro'] } }, OPTIONS);
    assert.deepEqual(named.spec.TaskTemplate.ContainerSpec.Mounts, [{ Type: 'volume', Source: 'cache', Target: '/cache', ReadOnly: true }]);
  });

  it('refuses any setting it does not know, naming it, rather than dropping it', () => {
    const b = body();
    const m = refusal(() => toServiceSpec({ ...b, Volumes: { '/data': {} }, HostConfig: { ...b.HostConfig, BlkioWeight: 300, Devices: [{ PathOnHost: '/dev/fuse' }] } }, OPTIONS));
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
  const task = toServiceSpec(body({ ...defaultConfig(), user: '1000:1000' }), OPTIONS).spec.TaskTemplate;
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

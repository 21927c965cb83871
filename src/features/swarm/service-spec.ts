/**
 * A workspace's ContainerCreate body (buildWorkspaceSpec's, after the policy) as a Swarm
 * ServiceSpec. Pure: no engine call. Every hardening setting is carried over; what a service
 * cannot carry, or cannot carry at the engine's API version, is refused naming the key (all
 * problems at once, before anything is created). A few resource settings that services have
 * no field for, and that weaken no isolation, are dropped with a note (see DROPPED).
 *
 * What becomes of each part of a workspace body:
 *   - limits: NanoCpus, Memory, PidsLimit → Resources.Limits, with reservations equal to the
 *     CPU and memory limits (Swarm places a workspace only where they fit); Ulimits carried;
 *     CpuShares and MemorySwap dropped with a note (services have no such fields before 1.52);
 *   - hardening: ReadonlyRootfs, CapDrop/CapAdd, SecurityOpt (no-new-privileges, seccomp,
 *     AppArmor, SELinux → Privileges), User, Init, tmpfs; IpcMode "private" is what a
 *     service container gets anyway (checked after start), any other is refused;
 *   - Mounts: the anonymous volume at /workspace becomes the data volume (a named volume,
 *     volume_driver); a bind (the project folder, --mount) is refused: it exists on one machine;
 *   - Healthcheck: carried, with a start interval (Swarm reports a task running only once its
 *     first check passed); RestartPolicy on-failure:N → Condition on-failure, MaxAttempts N;
 *   - NetworkMode and NetworkingConfig (aliases): the task's networks; bridge, host and none refused.
 */
import type { ContainerCreateBody } from '../../engine/types.js';
import type { ConfigProblem } from '../../errors.js';
import { SwarmUnsupportedError } from '../../errors.js';
import type { ContainerSpec, Labels, ServiceSpec, SwarmHealthcheck, SwarmMount, TaskSpec } from '../../engine/swarm.js';
import { compareApiVersions } from '../../transport/api-version.js';
import { readSize } from '../config/units.js';

/** The body as it is read here: every field looked at, known to the type or not. */
interface LooseBody {
  readonly Image?: string;
  readonly Cmd?: readonly string[] | null;
  readonly Entrypoint?: readonly string[] | string | null;
  readonly Env?: readonly string[] | null;
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly Labels?: Labels | null;
  readonly Hostname?: string;
  readonly Tty?: boolean;
  readonly OpenStdin?: boolean;
  readonly StopSignal?: string;
  /** Seconds. */
  readonly StopTimeout?: number | null;
  readonly Healthcheck?: SwarmHealthcheck | null;
  readonly HostConfig?: Readonly<Record<string, unknown>>;
  readonly NetworkingConfig?: { readonly EndpointsConfig?: Readonly<Record<string, { readonly Aliases?: readonly string[] | null } | null>> | null } | null;
  readonly [key: string]: unknown;
}

export interface DataVolume {
  /** The named volume, made on each node the workspace runs on (or shared, with a shared driver). */
  readonly name: string;
  readonly target: string;
  readonly driver: string;
  readonly driverOptions: Labels;
  readonly labels: Labels;
}

export interface ServiceSpecOptions {
  readonly serviceName: string;
  /** The API version the engine is spoken to at: decides what a service can carry. */
  readonly apiVersion: string;
  /** On the service and on each of its containers. */
  readonly labels: Labels;
  readonly dataVolume?: DataVolume | undefined;
  readonly constraints?: readonly string[] | undefined;
  /** When the body has no StopTimeout: a short grace, so a move or remove does not wait 10 s on a `sleep` that ignores SIGTERM. */
  readonly stopGracePeriodMs?: number | undefined;
  /** Wait before a restart or a move (Swarm's default is 5 s). */
  readonly restartDelayMs?: number | undefined;
  /** Run an init process as PID 1 (it passes on SIGTERM and reaps what exec leaves behind). */
  readonly init?: boolean | undefined;
  /**
   * When the body's health check has no start interval: probe this often until the first
   * check passes. Swarm reports a task running only then, and without it the engine waits
   * 5 s (or the whole interval, before Docker 25) for the first probe.
   */
  readonly healthStartIntervalMs?: number | undefined;
}

export interface ServiceSpecResult {
  readonly spec: ServiceSpec;
  /** The networks the service attaches to: they must be swarm-scoped overlays (the caller checks). */
  readonly networks: readonly string[];
  /** Settings dropped because services have no field for them, and why that is safe. */
  readonly notes: readonly string[];
}

/** Engine API versions of features a service spec needs, and the Docker release that first speaks them. */
export const SWARM_API_NEEDS = Object.freeze({
  noNewPrivileges: { api: '1.44', docker: '25.0', what: 'no-new-privileges (Privileges.NoNewPrivileges)' },
  seccomp: { api: '1.44', docker: '25.0', what: 'a seccomp profile (Privileges.Seccomp)' },
  apparmor: { api: '1.44', docker: '25.0', what: 'an AppArmor mode (Privileges.AppArmor)' },
  healthStartInterval: { api: '1.44', docker: '25.0', what: 'a health check start interval' },
  tmpfsOptions: { api: '1.46', docker: '27.0', what: 'tmpfs mount options other than size, mode and ro (TmpfsOptions.Options)' },
  oomScoreAdj: { api: '1.46', docker: '27.0', what: 'an OOM score adjustment' },
});

/** The oldest API a Swarm workspace is made at: below it the engine drops no-new-privileges without a word. */
export const MIN_SWARM_API = SWARM_API_NEEDS.noNewPrivileges.api;

const NS = 1_000_000;
const SOURCE = 'workspace spec';

/** Which configuration key an API field comes from, for messages. */
const KEY_OF: Readonly<Record<string, string>> = {
  Privileged: 'privileged',
  ReadonlyRootfs: 'read_only',
  SecurityOpt: 'security_opts',
  CapDrop: 'cap_drop',
  CapAdd: 'cap_add',
  Tmpfs: 'tmpfs',
  NetworkMode: 'network_name',
  Binds: 'mounts',
  Mounts: 'mounts',
  Memory: 'memory_limit',
  NanoCpus: 'cpu_limit',
  PidsLimit: 'pids_limit',
};

/** HostConfig fields a service has no field for, that weaken no isolation: dropped, with the reason. */
const DROPPED: Readonly<Record<string, string>> = {
  CpuShares: 'services have no CPU shares; the CPU limit (NanoCPUs) bounds the workspace instead',
  MemorySwap: 'services cannot set swap before Engine API 1.52 (Docker 29); a node without swap (the usual server set-up) gives none, one with swap lets a workspace use as much swap as its memory limit',
  MemoryReservation: 'the reservation of a Swarm workspace equals its memory limit',
  MemorySwappiness: 'services cannot set swappiness before Engine API 1.52 (Docker 29)',
  IpcMode: 'service containers get the engine\'s default IPC mode ("private" unless the engine is configured otherwise; checked after start)',
};

/** HostConfig fields the converter reads itself (mapped or refused with a precise message). */
const HANDLED = new Set([
  'Privileged', 'ReadonlyRootfs', 'SecurityOpt', 'CapDrop', 'CapAdd', 'Tmpfs', 'NetworkMode', 'Binds', 'Mounts',
  'Memory', 'NanoCpus', 'PidsLimit', 'Init', 'Ulimits', 'Dns', 'DnsSearch', 'DnsOptions', 'ExtraHosts', 'Sysctls',
  'GroupAdd', 'OomScoreAdj', 'RestartPolicy', 'LogConfig', 'PidMode', 'UTSMode', 'UsernsMode', 'CgroupnsMode',
  'Isolation', 'ConsoleSize', 'PortBindings', 'PublishAllPorts', 'AutoRemove', 'OomKillDisable',
  'MaskedPaths', 'ReadonlyPaths', 'CgroupParent', 'Runtime', 'ShmSize', 'Devices', 'DeviceRequests', 'Links', 'VolumesFrom',
  ...Object.keys(DROPPED),
]);

/** Top-level body fields that are create-time attach flags, or the defaults of a service. */
const IGNORED_TOP = new Set(['AttachStdin', 'AttachStdout', 'AttachStderr', 'StdinOnce', 'NetworkDisabled', 'ArgsEscaped', 'Shell', 'OnBuild']);

/** A value left at its default (absent, empty, zero, false): nothing to carry. */
function unset(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? (v as unknown[]).filter((x): x is string => typeof x === 'string') : [];
}

class Problems {
  readonly list: ConfigProblem[] = [];
  readonly notes: string[] = [];
  readonly apiVersion: string;

  constructor(apiVersion: string) {
    this.apiVersion = apiVersion;
  }

  /** `key`: the configuration key or option it comes from, when the field alone does not tell. */
  refuse(field: string, message: string, key?: string): void {
    const named = key ?? KEY_OF[field.replace(/^HostConfig\./, '').replace(/[.[].*$/, '')];
    this.list.push({ source: SOURCE, key: named === undefined ? field : `${named} (${field})`, message });
  }

  /** False (and a problem naming the version) when the engine's API is too old for `need`. */
  needs(field: string, need: { api: string; docker: string; what: string }): boolean {
    if (compareApiVersions(this.apiVersion, need.api) >= 0) return true;
    this.refuse(
      field,
      `${need.what} needs Engine API ${need.api} (Docker ${need.docker}) or newer in a Swarm service, and this engine is spoken to at API ${this.apiVersion}, ` +
        `where the engine would drop it without a word. Upgrade the manager and every node to Docker ${need.docker} or newer (or unpin DOCKER_API_VERSION / version if it is pinned below ${need.api}).`,
    );
    return false;
  }
}

type Privileges = NonNullable<ContainerSpec['Privileges']>;

function securityOpts(opts: readonly string[], p: Problems): Privileges {
  const out: { -readonly [K in keyof Privileges]: Privileges[K] } = {};
  for (const raw of opts) {
    if (raw === 'no-new-privileges') {
      if (p.needs('HostConfig.SecurityOpt', SWARM_API_NEEDS.noNewPrivileges)) out.NoNewPrivileges = true;
      continue;
    }
    const sep = /[=:]/.exec(raw)?.index ?? -1;
    const name = sep === -1 ? raw : raw.slice(0, sep);
    const value = sep === -1 ? '' : raw.slice(sep + 1);
    switch (name) {
      case 'no-new-privileges': {
        const on = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value);
        if (on && p.needs('HostConfig.SecurityOpt', SWARM_API_NEEDS.noNewPrivileges)) out.NoNewPrivileges = true;
        break;
      }
      case 'seccomp':
        if (!p.needs('HostConfig.SecurityOpt', SWARM_API_NEEDS.seccomp)) break;
        if (value === 'unconfined') out.Seccomp = { Mode: 'unconfined' };
        else if (value.trim().startsWith('{')) out.Seccomp = { Mode: 'custom', Profile: Buffer.from(value).toString('base64') };
        else p.refuse('HostConfig.SecurityOpt', `seccomp=${value.slice(0, 40)}: a service takes "unconfined" or a profile's JSON text, not a file name or a builtin name`);
        break;
      case 'apparmor':
        if (!p.needs('HostConfig.SecurityOpt', SWARM_API_NEEDS.apparmor)) break;
        if (value === 'unconfined') out.AppArmor = { Mode: 'disabled' };
        else p.refuse('HostConfig.SecurityOpt', `apparmor=${value}: a service can only keep the default AppArmor profile or run unconfined, not name a profile`);
        break;
      case 'label': {
        const ctx = { ...out.SELinuxContext };
        const [k, v = ''] = value.split(':', 2);
        if (k === 'disable') ctx.Disable = true;
        else if (k === 'user') ctx.User = v;
        else if (k === 'role') ctx.Role = v;
        else if (k === 'type') ctx.Type = v;
        else if (k === 'level') ctx.Level = v;
        else p.refuse('HostConfig.SecurityOpt', `label=${value}: expected disable, user:, role:, type: or level:`);
        out.SELinuxContext = ctx;
        break;
      }
      case 'systempaths':
        p.refuse('HostConfig.SecurityOpt', 'systempaths=unconfined: a Swarm service cannot unmask /proc and /sys paths (there is no such field); remove it');
        break;
      case 'writable-cgroups':
        if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) p.refuse('HostConfig.SecurityOpt', 'writable-cgroups=true: a Swarm service cannot have writable cgroups (there is no such field); remove it');
        break;
      default:
        p.refuse('HostConfig.SecurityOpt', `${raw}: no Swarm service equivalent`);
    }
  }
  return out;
}

/** `rw,noexec,nosuid,size=64m` → a tmpfs mount. Docker mounts a service's tmpfs noexec,nosuid,nodev by default. */
function tmpfsMount(target: string, options: string, p: Problems): SwarmMount {
  const field = `HostConfig.Tmpfs[${target}]`;
  let readOnly = false;
  let sizeBytes: number | undefined;
  let mode: number | undefined;
  const extra: string[][] = [];
  for (const opt of options.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const eq = opt.indexOf('=');
    const name = eq === -1 ? opt : opt.slice(0, eq);
    const value = eq === -1 ? '' : opt.slice(eq + 1);
    if (name === 'rw' || name === 'noexec' || name === 'nosuid' || name === 'nodev') continue; // the defaults
    if (name === 'ro') readOnly = true;
    else if (name === 'size' && /%$/.test(value)) p.refuse(field, `size=${value}: a service's tmpfs size is in bytes (e.g. 64m), not a percentage`);
    else if (name === 'size') {
      const n = readSize(value);
      if (!n.ok) p.refuse(field, `size=${value}: ${n.problem}`);
      else sizeBytes = n.value;
    } else if (name === 'mode' && /^[0-7]{3,4}$/.test(value)) mode = parseInt(value, 8);
    else if (name === 'exec') {
      if (p.needs(field, SWARM_API_NEEDS.tmpfsOptions)) extra.push(['exec']);
    } else {
      p.refuse(field, `"${opt}": a Swarm service's tmpfs mount takes only size, mode, ro and exec (it is always nosuid and nodev, and noexec unless exec is given)`);
    }
  }
  const tmpfs = { ...(sizeBytes === undefined ? {} : { SizeBytes: sizeBytes }), ...(mode === undefined ? {} : { Mode: mode }), ...(extra.length > 0 ? { Options: extra } : {}) };
  return { Type: 'tmpfs', Target: target, ...(readOnly ? { ReadOnly: true } : {}), ...(Object.keys(tmpfs).length > 0 ? { TmpfsOptions: tmpfs } : {}) };
}

const HOST_FOLDER = 'exists only on this machine, and a Swarm workspace may run on any node';

/** A host folder in a Swarm workspace: refused, saying where its files go instead. */
function refuseBind(p: Problems, field: string, source: string, target: string, dataTarget: string | undefined): void {
  if (target === dataTarget) {
    p.refuse(
      field,
      `the project folder ${source} ${HOST_FOLDER}; its files live in the data volume at ${target} instead (volume_driver chooses where that volume lives). ` +
        `Create the workspace without a project, then copy the files in: \`aicli-docker workspace cp ${source}/. NAME:${target}\``,
      'project',
    );
  } else {
    p.refuse(field, `${target}: the host folder ${source} ${HOST_FOLDER}; leave the mount out (a named volume or the data volume at ${dataTarget ?? '/workspace'} can hold such files)`, 'mounts');
  }
}

function mountsOf(host: Readonly<Record<string, unknown>>, dataTarget: string | undefined, p: Problems): SwarmMount[] {
  const out: SwarmMount[] = [];
  for (const [i, bind] of strings(host['Binds']).entries()) {
    const [source = '', target = '', mode = ''] = bind.split(':');
    if (source.startsWith('/')) refuseBind(p, `HostConfig.Binds[${i}]`, source, target, dataTarget);
    else out.push({ Type: 'volume', Source: source, Target: target, ...(mode.split(',').includes('ro') ? { ReadOnly: true } : {}) });
  }
  const mounts = Array.isArray(host['Mounts']) ? (host['Mounts'] as Record<string, unknown>[]) : [];
  for (const [i, m] of mounts.entries()) {
    const target = typeof m['Target'] === 'string' ? m['Target'] : '';
    const source = typeof m['Source'] === 'string' ? m['Source'] : '';
    if (m['Type'] === 'bind') {
      refuseBind(p, `HostConfig.Mounts[${i}]`, source, target, dataTarget);
    } else if (m['Type'] === 'volume' && source === '' && target === dataTarget) {
      // The workspace's anonymous volume: the data volume takes its place.
      continue;
    } else if (m['Type'] === 'volume' || m['Type'] === 'tmpfs') {
      out.push(m as unknown as SwarmMount);
    } else {
      p.refuse(`HostConfig.Mounts[${i}]`, `${target}: mounts of type ${String(m['Type'])} are not made for Swarm workspaces`);
    }
  }
  for (const [target, options] of Object.entries((host['Tmpfs'] ?? {}) as Record<string, string>)) out.push(tmpfsMount(target, options, p));
  return out;
}

function networksOf(body: LooseBody, host: Readonly<Record<string, unknown>>, p: Problems): { Target: string; Aliases?: readonly string[] }[] {
  const mode = typeof host['NetworkMode'] === 'string' ? host['NetworkMode'] : '';
  const endpoints = body.NetworkingConfig?.EndpointsConfig ?? {};
  const names = new Set(Object.keys(endpoints));
  if (mode === 'bridge') {
    p.refuse('HostConfig.NetworkMode', 'the default bridge network exists on each engine alone, and a Swarm service cannot join it; workspaces join the aicli network as an attachable overlay (network_driver: overlay)');
  } else if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
    p.refuse('HostConfig.NetworkMode', `network mode "${mode}" is not made for Swarm workspaces; they join the aicli overlay network`);
  } else if (mode !== '' && mode !== 'default') {
    names.add(mode);
  }
  return [...names].map((name) => {
    const aliases = strings(endpoints[name]?.Aliases);
    return { Target: name, ...(aliases.length > 0 ? { Aliases: aliases } : {}) };
  });
}

function restartPolicy(host: Readonly<Record<string, unknown>>, delayNs: number): NonNullable<TaskSpec['RestartPolicy']> {
  const rp = (host['RestartPolicy'] ?? {}) as { Name?: string; MaximumRetryCount?: number };
  switch (rp.Name) {
    case 'no':
      return { Condition: 'none' };
    case 'always':
    case 'unless-stopped':
      return { Condition: 'any', Delay: delayNs };
    default:
      // on-failure, and the default: a workspace that crashes is started again, a bounded number of times.
      return { Condition: 'on-failure', Delay: delayNs, ...(rp.MaximumRetryCount !== undefined && rp.MaximumRetryCount > 0 ? { MaxAttempts: rp.MaximumRetryCount } : {}) };
  }
}

/** `host:ip` (ExtraHosts) → `ip host` (a service's Hosts). */
function hostsOf(extra: readonly string[]): string[] {
  return extra.map((e) => {
    const at = e.indexOf(':');
    return at === -1 ? e : `${e.slice(at + 1)} ${e.slice(0, at)}`;
  });
}

/**
 * The ServiceSpec for one workspace (one replica), or SwarmUnsupportedError listing every
 * setting a service cannot carry at `options.apiVersion`.
 */
export function toServiceSpec(input: ContainerCreateBody, options: ServiceSpecOptions): ServiceSpecResult {
  // Read loosely: every field of the workspace's body is looked at, known or not.
  const body = input as unknown as LooseBody;
  const p = new Problems(options.apiVersion);
  const host = body.HostConfig ?? {};

  if (body.Image === undefined || body.Image === '') p.refuse('Image', 'a workspace needs an image');
  for (const [key, value] of Object.entries(body)) {
    if (['Image', 'Cmd', 'Entrypoint', 'Env', 'WorkingDir', 'User', 'Labels', 'Hostname', 'Tty', 'OpenStdin', 'StopSignal', 'StopTimeout', 'Healthcheck', 'HostConfig', 'NetworkingConfig'].includes(key)) continue;
    if (IGNORED_TOP.has(key) || unset(value)) continue;
    p.refuse(key, `no Swarm service equivalent (${key} is set); remove it`);
  }
  for (const [key, value] of Object.entries(host)) {
    if (!HANDLED.has(key) && !unset(value)) p.refuse(`HostConfig.${key}`, `no Swarm service equivalent (${key} is set); remove it`);
  }

  if (host['Privileged'] === true) p.refuse('HostConfig.Privileged', 'a Swarm service cannot run privileged, and aicli would not anyway; set privileged: false');
  for (const ns of ['PidMode', 'UTSMode', 'UsernsMode', 'CgroupnsMode'] as const) {
    const v = host[ns];
    if (typeof v === 'string' && v !== '' && v !== 'private') p.refuse(`HostConfig.${ns}`, `"${v}": a Swarm service cannot share a namespace with its node`);
  }
  for (const key of ['PortBindings', 'PublishAllPorts', 'AutoRemove', 'OomKillDisable', 'MaskedPaths', 'ReadonlyPaths', 'CgroupParent', 'Runtime', 'ShmSize', 'Devices', 'DeviceRequests', 'Links', 'VolumesFrom']) {
    if (!unset(host[key])) {
      const why = key === 'MaskedPaths' || key === 'ReadonlyPaths' ? 'a Swarm service cannot change the masked and read-only /proc and /sys paths' : `a Swarm service has no ${key}`;
      p.refuse(`HostConfig.${key}`, `${why}; remove it`);
    }
  }
  const notes: string[] = [];
  for (const [key, why] of Object.entries(DROPPED)) {
    if (unset(host[key]) || (key === 'IpcMode' && host[key] === 'private')) continue;
    if (key === 'IpcMode' && host[key] !== 'private') {
      p.refuse('HostConfig.IpcMode', `"${String(host[key])}": a Swarm service cannot choose its IPC namespace`);
      continue;
    }
    notes.push(`${key} not carried: ${why}`);
  }

  const privileges = securityOpts(strings(host['SecurityOpt']), p);
  const mounts = mountsOf(host, options.dataVolume?.target, p);
  if (options.dataVolume !== undefined) {
    const v = options.dataVolume;
    if (mounts.some((m) => m.Target === v.target)) p.refuse('HostConfig.Mounts', `${v.target} is already mounted; the data volume goes there`, 'mounts');
    mounts.push({
      Type: 'volume',
      Source: v.name,
      Target: v.target,
      VolumeOptions: { Labels: v.labels, DriverConfig: { Name: v.driver, ...(Object.keys(v.driverOptions).length > 0 ? { Options: v.driverOptions } : {}) } },
    });
  }
  const networks = networksOf(body, host, p);

  const oom = typeof host['OomScoreAdj'] === 'number' ? host['OomScoreAdj'] : 0;
  if (oom !== 0) p.needs('HostConfig.OomScoreAdj', SWARM_API_NEEDS.oomScoreAdj);
  const asked = body.Healthcheck ?? undefined;
  const probes = asked !== undefined && (asked.Test ?? []).length > 0 && asked.Test?.[0] !== 'NONE';
  const startInterval = options.healthStartIntervalMs === undefined || !probes || (asked.StartInterval ?? 0) !== 0 ? undefined : options.healthStartIntervalMs * NS;
  const health = asked === undefined ? undefined : { ...asked, ...(startInterval === undefined ? {} : { StartInterval: startInterval }) };
  if (health?.StartInterval !== undefined && health.StartInterval !== 0) p.needs('Healthcheck.StartInterval', SWARM_API_NEEDS.healthStartInterval);

  if (p.list.length > 0) throw new SwarmUnsupportedError(p.list);

  const entrypoint = typeof body.Entrypoint === 'string' ? [body.Entrypoint] : strings(body.Entrypoint);
  const nanoCpus = typeof host['NanoCpus'] === 'number' ? host['NanoCpus'] : 0;
  const memory = typeof host['Memory'] === 'number' ? host['Memory'] : 0;
  const pids = typeof host['PidsLimit'] === 'number' && host['PidsLimit'] > 0 ? host['PidsLimit'] : 0;
  const labels = { ...(body.Labels ?? {}), ...options.labels };
  const stopNs = typeof body.StopTimeout === 'number' ? body.StopTimeout * 1000 * NS : (options.stopGracePeriodMs ?? 2000) * NS;
  const dns = { Nameservers: strings(host['Dns']), Search: strings(host['DnsSearch']), Options: strings(host['DnsOptions']) };
  const ulimits = Array.isArray(host['Ulimits']) ? (host['Ulimits'] as ContainerSpec['Ulimits']) : undefined;
  const logConfig = (host['LogConfig'] ?? {}) as { Type?: string; Config?: Labels };

  const container: ContainerSpec = {
    Image: body.Image ?? '',
    Labels: labels,
    ...(entrypoint.length > 0 ? { Command: entrypoint } : {}),
    ...(strings(body.Cmd).length > 0 ? { Args: strings(body.Cmd) } : {}),
    ...(strings(body.Env).length > 0 ? { Env: strings(body.Env) } : {}),
    ...(unset(body.WorkingDir) ? {} : { Dir: body.WorkingDir }),
    ...(unset(body.User) ? {} : { User: body.User }),
    ...(unset(body.Hostname) ? {} : { Hostname: body.Hostname }),
    ...(body.Tty === true ? { TTY: true } : {}),
    ...(body.OpenStdin === true ? { OpenStdin: true } : {}),
    ...(unset(body.StopSignal) ? {} : { StopSignal: body.StopSignal }),
    StopGracePeriod: stopNs,
    ...(health === undefined || unset(health) ? {} : { Healthcheck: health }),
    ReadOnly: host['ReadonlyRootfs'] === true,
    ...(Object.keys(privileges).length > 0 ? { Privileges: privileges } : {}),
    ...(strings(host['CapDrop']).length > 0 ? { CapabilityDrop: strings(host['CapDrop']) } : {}),
    ...(strings(host['CapAdd']).length > 0 ? { CapabilityAdd: strings(host['CapAdd']) } : {}),
    ...(host['Init'] === true || options.init === true ? { Init: true } : {}),
    ...(mounts.length > 0 ? { Mounts: mounts } : {}),
    ...(ulimits !== undefined && ulimits.length > 0 ? { Ulimits: ulimits } : {}),
    ...(strings(host['GroupAdd']).length > 0 ? { Groups: strings(host['GroupAdd']) } : {}),
    ...(strings(host['ExtraHosts']).length > 0 ? { Hosts: hostsOf(strings(host['ExtraHosts'])) } : {}),
    ...(unset(host['Sysctls']) ? {} : { Sysctls: host['Sysctls'] as Labels }),
    ...(dns.Nameservers.length + dns.Search.length + dns.Options.length > 0 ? { DNSConfig: dns } : {}),
    ...(oom !== 0 ? { OomScoreAdj: oom } : {}),
  };
  const task: TaskSpec = {
    ContainerSpec: container,
    Resources: {
      Limits: { ...(nanoCpus > 0 ? { NanoCPUs: nanoCpus } : {}), ...(memory > 0 ? { MemoryBytes: memory } : {}), ...(pids > 0 ? { Pids: pids } : {}) },
      // Reservations equal to the limits: Swarm places a workspace only where its limits fit.
      Reservations: { ...(nanoCpus > 0 ? { NanoCPUs: nanoCpus } : {}), ...(memory > 0 ? { MemoryBytes: memory } : {}) },
    },
    RestartPolicy: restartPolicy(host, (options.restartDelayMs ?? 1000) * NS),
    ...(options.constraints !== undefined && options.constraints.length > 0 ? { Placement: { Constraints: [...options.constraints] } } : {}),
    ...(networks.length > 0 ? { Networks: networks } : {}),
    ...(unset(logConfig.Type) ? {} : { LogDriver: { Name: logConfig.Type ?? '', ...(unset(logConfig.Config) ? {} : { Options: logConfig.Config }) } }),
  };
  const spec: ServiceSpec = {
    Name: options.serviceName,
    Labels: labels,
    TaskTemplate: task,
    Mode: { Replicated: { Replicas: 1 } },
    // No IPVS on many hosts: a virtual IP can be dead while the task runs. DNS round robin has no VIP.
    EndpointSpec: { Mode: 'dnsrr' },
  };
  return { spec, networks: networks.map((n) => n.Target), notes };
}

import type { Headers } from '../transport/http-transport.js';
import type { PingResult, SystemInfo, VersionInfo } from './types.js';
import type { EngineEvent, SecurityFeatures, SystemSummary } from './types.js';

type Json = Readonly<Record<string, unknown>>;

const str = (o: Json, k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
const num = (o: Json, k: string): number => (typeof o[k] === 'number' ? o[k] : 0);

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export function toPingResult(h: Headers): PingResult {
  return {
    apiVersion: header(h, 'api-version'),
    osType: header(h, 'ostype'),
    experimental: header(h, 'docker-experimental') === 'true',
    builderVersion: header(h, 'builder-version'),
  };
}

export function toVersionInfo(raw: Json): VersionInfo {
  const platform = raw['Platform'] as Json | undefined;
  return {
    version: str(raw, 'Version') ?? 'unknown',
    apiVersion: str(raw, 'ApiVersion') ?? 'unknown',
    minApiVersion: str(raw, 'MinAPIVersion'),
    os: str(raw, 'Os') ?? 'unknown',
    arch: str(raw, 'Arch') ?? 'unknown',
    kernelVersion: str(raw, 'KernelVersion'),
    goVersion: str(raw, 'GoVersion'),
    gitCommit: str(raw, 'GitCommit'),
    platformName: platform === undefined ? undefined : str(platform, 'Name'),
    raw,
  };
}

export function toSystemInfo(raw: Json): SystemInfo {
  const strings = (k: string): string[] => (Array.isArray(raw[k]) ? (raw[k] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
  return {
    id: str(raw, 'ID'),
    name: str(raw, 'Name'),
    serverVersion: str(raw, 'ServerVersion') ?? 'unknown',
    operatingSystem: str(raw, 'OperatingSystem'),
    osType: str(raw, 'OSType') ?? 'unknown',
    kernelVersion: str(raw, 'KernelVersion'),
    architecture: str(raw, 'Architecture'),
    cpus: num(raw, 'NCPU'),
    memoryBytes: num(raw, 'MemTotal'),
    containers: num(raw, 'Containers'),
    containersRunning: num(raw, 'ContainersRunning'),
    images: num(raw, 'Images'),
    driver: str(raw, 'Driver'),
    cgroupVersion: str(raw, 'CgroupVersion'),
    securityOptions: strings('SecurityOptions'),
    warnings: strings('Warnings'),
    raw,
  };
}

// --- Health (issue 8): engine events and the system summary ---

const strMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (v === null || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
};

/** Attributes the engine adds beside a container's or image's labels (Docker and Podman). */
const ENGINE_ATTRIBUTES = new Set(['name', 'image', 'exitCode', 'signal', 'containerExitCode', 'podId', 'execID', 'execDuration']);

/**
 * One line of GET /events. `timeNano` is taken from the text: it exceeds 2^53, and
 * JSON.parse would round it, so `since` and de-duplication would be off by ~100 ns.
 * Undefined for a line that is not an event.
 */
export function toEngineEvent(line: string): EngineEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const raw = parsed as Json;
  const actor = (raw['Actor'] ?? {}) as Json;
  const attributes = strMap(actor['Attributes']);
  const fullAction = str(raw, 'Action') ?? str(raw, 'status');
  const type = str(raw, 'Type');
  const id = str(actor, 'ID') ?? str(raw, 'id');
  if (fullAction === undefined || type === undefined || id === undefined) return undefined;
  // Attribute values are strings, so only the top-level timeNano is an unquoted number.
  const exact = /"timeNano":\s*(\d+)/.exec(line)?.[1];
  const timeNano = exact ?? String(BigInt(Math.trunc(num(raw, 'time'))) * 1_000_000_000n);
  const at = fullAction.indexOf(': ');
  const withLabels = type === 'container' || type === 'image';
  return {
    type,
    action: at === -1 ? fullAction : fullAction.slice(0, at),
    actionDetail: at === -1 ? undefined : fullAction.slice(at + 2),
    id,
    name: attributes['name'],
    labels: withLabels ? Object.fromEntries(Object.entries(attributes).filter(([k]) => !ENGINE_ATTRIBUTES.has(k))) : {},
    attributes,
    scope: str(raw, 'scope'),
    time: new Date(Number(BigInt(timeNano) / 1_000_000n)),
    timeNano,
  };
}

/** `name=seccomp,profile=builtin` and the old bare `seccomp` form. */
function toSecurity(options: readonly string[]): SecurityFeatures {
  const parsed = options.map((o) => {
    const fields: Record<string, string | undefined> = {};
    for (const kv of o.split(',')) {
      const i = kv.indexOf('=');
      if (i === -1) fields['name'] = kv;
      else fields[kv.slice(0, i)] = kv.slice(i + 1);
    }
    return fields;
  });
  const find = (name: string): Record<string, string | undefined> | undefined => parsed.find((p) => p['name'] === name);
  return {
    seccomp: find('seccomp') !== undefined,
    seccompProfile: find('seccomp')?.['profile'],
    apparmor: find('apparmor') !== undefined,
    selinux: find('selinux') !== undefined,
    rootless: find('rootless') !== undefined,
    userNamespaces: find('userns') !== undefined,
    cgroupNamespaces: find('cgroupns') !== undefined,
    options,
  };
}

export function toSystemSummary(raw: Json): SystemSummary {
  const info = toSystemInfo(raw);
  const swarm = (raw['Swarm'] ?? {}) as Json;
  const flag = (k: string): boolean => raw[k] === true;
  return {
    name: info.name,
    serverVersion: info.serverVersion,
    operatingSystem: info.operatingSystem,
    osType: info.osType,
    architecture: info.architecture,
    kernelVersion: info.kernelVersion,
    cgroupDriver: str(raw, 'CgroupDriver'),
    cgroupVersion: info.cgroupVersion,
    cpus: info.cpus,
    memoryBytes: info.memoryBytes,
    containers: { total: info.containers, running: info.containersRunning, paused: num(raw, 'ContainersPaused'), stopped: num(raw, 'ContainersStopped') },
    images: info.images,
    storageDriver: info.driver,
    rootDir: str(raw, 'DockerRootDir'),
    security: toSecurity(info.securityOptions),
    swarm: { state: str(swarm, 'LocalNodeState') ?? 'inactive', manager: swarm['ControlAvailable'] === true, nodeId: str(swarm, 'NodeID') || undefined },
    limits: {
      memory: flag('MemoryLimit'),
      swap: flag('SwapLimit'),
      cpuQuota: flag('CpuCfsQuota') && flag('CpuCfsPeriod'),
      cpuShares: flag('CPUShares'),
      cpuSet: flag('CPUSet'),
      pids: flag('PidsLimit'),
    },
    warnings: info.warnings,
  };
}

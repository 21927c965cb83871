/** A container's inspect data (GET /containers/{id}/json) as a WorkspaceInfo. */
import { LABELS } from '../labels.js';
import type { WorkspaceHealth, WorkspaceInfo, WorkspaceMountInfo, WorkspaceNetworkInfo } from './backend.js';
import { WORKSPACE_DIR } from './spec.js';

type Json = Readonly<Record<string, unknown>>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (o: Json, k: string): string | undefined => (typeof o[k] === 'string' && o[k] !== '' ? o[k] : undefined);
const num = (o: Json, k: string): number | undefined => (typeof o[k] === 'number' ? o[k] : undefined);
const arr = (o: Json, k: string): unknown[] => (Array.isArray(o[k]) ? (o[k] as unknown[]) : []);

/** Docker's zero time (`0001-01-01T00:00:00Z`) means "never". */
const time = (o: Json, k: string): string | undefined => {
  const t = str(o, k);
  return t === undefined || t.startsWith('0001-01-01') ? undefined : t;
};

function labelsOf(config: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(config['Labels']))) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Only a running container has a health: Docker marks a stopped one `unhealthy`, which says nothing. */
function health(state: Json): WorkspaceHealth {
  if (state['Running'] !== true) return 'none';
  const status = str(obj(state['Health']), 'Status');
  return status === 'starting' || status === 'healthy' || status === 'unhealthy' ? status : 'none';
}

/** Positive limits only: the engine reports "unlimited" as 0, -1 or null depending on version. */
const limit = (o: Json, k: string): number | undefined => {
  const n = num(o, k);
  return n === undefined || n <= 0 ? undefined : n;
};

/**
 * The network a container was made on. Podman reports NetworkMode "bridge" (its driver) for a
 * container on a named network: then the one network it is on is the answer.
 */
function networkOf(mode: string | undefined, networks: readonly WorkspaceNetworkInfo[]): string | undefined {
  if ((mode === 'bridge' || mode === 'default') && networks.length === 1 && networks[0]?.name !== 'bridge') return networks[0]?.name;
  return mode;
}

export function toWorkspaceInfo(raw: Json, backend = 'container'): WorkspaceInfo {
  const config = obj(raw['Config']);
  const state = obj(raw['State']);
  const host = obj(raw['HostConfig']);
  const labels = labelsOf(config);
  const mounts: WorkspaceMountInfo[] = arr(raw, 'Mounts').map((m) => {
    const o = obj(m);
    const propagation = str(o, 'Propagation');
    return {
      type: str(o, 'Type') ?? 'bind',
      source: str(o, 'Type') === 'volume' ? (str(o, 'Name') ?? str(o, 'Source') ?? '') : (str(o, 'Source') ?? ''),
      target: str(o, 'Destination') ?? '',
      readOnly: o['RW'] === false,
      ...(propagation === undefined ? {} : { propagation }),
    };
  });
  const networks: WorkspaceNetworkInfo[] = Object.entries(obj(obj(raw['NetworkSettings'])['Networks'])).map(([name, n]) => {
    const o = obj(n);
    return { name, id: str(o, 'NetworkID') ?? '', ipAddress: str(o, 'IPAddress'), aliases: arr(o, 'Aliases').filter((a): a is string => typeof a === 'string') };
  });
  const ulimits: Record<string, { soft: number; hard: number }> = {};
  for (const u of arr(host, 'Ulimits')) {
    const o = obj(u);
    const name = str(o, 'Name');
    // Podman's service reports `RLIMIT_NOFILE` where Docker says `nofile`.
    if (name !== undefined) ulimits[name.replace(/^RLIMIT_/i, '').toLowerCase()] = { soft: num(o, 'Soft') ?? 0, hard: num(o, 'Hard') ?? 0 };
  }
  const restart = obj(host['RestartPolicy']);
  const restartName = str(restart, 'Name') ?? 'no';
  const retries = num(restart, 'MaximumRetryCount') ?? 0;
  const nano = limit(host, 'NanoCpus');
  const project = mounts.find((m) => m.target === WORKSPACE_DIR && m.type === 'bind')?.source;
  const exitCode = num(state, 'ExitCode');
  return {
    name: labels[LABELS.workspaceName] ?? '',
    workspaceId: labels[LABELS.workspaceId] ?? '',
    id: str(raw, 'Id') ?? '',
    containerName: (str(raw, 'Name') ?? '').replace(/^\//, ''),
    backend,
    state: str(state, 'Status') ?? 'unknown',
    health: health(state),
    image: str(config, 'Image') ?? '',
    imageId: str(raw, 'Image'),
    created: str(raw, 'Created') ?? '',
    startedAt: time(state, 'StartedAt'),
    finishedAt: time(state, 'FinishedAt'),
    exitCode: str(state, 'Status') === 'exited' ? exitCode : undefined,
    ephemeral: labels[LABELS.ephemeral] === 'true',
    project,
    user: str(config, 'User'),
    limits: {
      cpus: nano === undefined ? undefined : nano / 1e9,
      cpuShares: limit(host, 'CpuShares'),
      memoryBytes: limit(host, 'Memory'),
      memorySwapBytes: limit(host, 'MemorySwap'),
      pidsLimit: limit(host, 'PidsLimit'),
      ulimits,
      readOnlyRootfs: host['ReadonlyRootfs'] === true,
      restartPolicy: restartName === 'on-failure' && retries > 0 ? `on-failure:${retries}` : restartName,
    },
    mounts,
    network: networkOf(str(host, 'NetworkMode'), networks),
    networks,
    labels,
  };
}

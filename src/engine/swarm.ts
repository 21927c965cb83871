/**
 * Typed Swarm calls (services, tasks, nodes) over EngineApi, and the shapes the Engine API
 * gives them. Only the fields aicli reads or writes are typed; the engine sends more.
 */
import type { CallOptions, EngineApi } from './engine-api.js';
import { apiPath } from './path.js';

export type Labels = Readonly<Record<string, string>>;

export interface ObjectVersion {
  readonly Index: number;
}

export interface SwarmMount {
  readonly Type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster';
  readonly Source?: string;
  readonly Target: string;
  readonly ReadOnly?: boolean;
  readonly VolumeOptions?: {
    readonly NoCopy?: boolean;
    readonly Labels?: Labels;
    readonly DriverConfig?: { readonly Name?: string; readonly Options?: Labels };
  };
  readonly TmpfsOptions?: { readonly SizeBytes?: number; readonly Mode?: number; readonly Options?: readonly (readonly string[])[] };
}

export interface SwarmHealthcheck {
  readonly Test?: readonly string[];
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly Retries?: number;
  readonly StartPeriod?: number;
  readonly StartInterval?: number;
}

export interface ContainerSpec {
  readonly Image: string;
  readonly Labels?: Labels;
  readonly Command?: readonly string[];
  readonly Args?: readonly string[];
  readonly Hostname?: string;
  readonly Env?: readonly string[];
  readonly Dir?: string;
  readonly User?: string;
  readonly Groups?: readonly string[];
  readonly Privileges?: {
    readonly NoNewPrivileges?: boolean;
    readonly Seccomp?: { readonly Mode: 'default' | 'unconfined' | 'custom'; readonly Profile?: string };
    readonly AppArmor?: { readonly Mode: 'default' | 'disabled' };
    readonly SELinuxContext?: { readonly Disable?: boolean; readonly User?: string; readonly Role?: string; readonly Type?: string; readonly Level?: string };
  };
  readonly TTY?: boolean;
  readonly OpenStdin?: boolean;
  readonly ReadOnly?: boolean;
  readonly Mounts?: readonly SwarmMount[];
  readonly StopSignal?: string;
  /** Nanoseconds. */
  readonly StopGracePeriod?: number;
  readonly Healthcheck?: SwarmHealthcheck;
  readonly Hosts?: readonly string[];
  readonly DNSConfig?: { readonly Nameservers?: readonly string[]; readonly Search?: readonly string[]; readonly Options?: readonly string[] };
  readonly Init?: boolean;
  readonly Sysctls?: Labels;
  readonly CapabilityAdd?: readonly string[];
  readonly CapabilityDrop?: readonly string[];
  readonly Ulimits?: readonly { readonly Name: string; readonly Soft: number; readonly Hard: number }[];
  readonly OomScoreAdj?: number;
}

export interface ResourceSet {
  readonly NanoCPUs?: number;
  readonly MemoryBytes?: number;
  readonly Pids?: number;
}

export interface TaskSpec {
  readonly ContainerSpec: ContainerSpec;
  readonly Resources?: { readonly Limits?: ResourceSet; readonly Reservations?: Omit<ResourceSet, 'Pids'> };
  readonly RestartPolicy?: { readonly Condition?: 'none' | 'on-failure' | 'any'; readonly Delay?: number; readonly MaxAttempts?: number; readonly Window?: number };
  readonly Placement?: { readonly Constraints?: readonly string[] };
  readonly Networks?: readonly { readonly Target: string; readonly Aliases?: readonly string[] }[];
  readonly LogDriver?: { readonly Name: string; readonly Options?: Labels };
  readonly ForceUpdate?: number;
}

export interface ServiceSpec {
  readonly Name: string;
  readonly Labels?: Labels;
  readonly TaskTemplate: TaskSpec;
  readonly Mode: { readonly Replicated?: { readonly Replicas: number } };
  readonly EndpointSpec?: { readonly Mode: 'vip' | 'dnsrr' };
}

export interface SwarmService {
  readonly ID: string;
  readonly Version: ObjectVersion;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Spec: ServiceSpec;
}

/** new → pending → assigned → accepted → preparing → ready → starting → running → complete / failed / shutdown / rejected / orphaned / remove. */
export type TaskState =
  | 'new'
  | 'allocated'
  | 'pending'
  | 'assigned'
  | 'accepted'
  | 'preparing'
  | 'ready'
  | 'starting'
  | 'running'
  | 'complete'
  | 'shutdown'
  | 'failed'
  | 'rejected'
  | 'remove'
  | 'orphaned';

export interface SwarmTask {
  readonly ID: string;
  readonly Version: ObjectVersion;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly ServiceID: string;
  readonly Slot?: number;
  readonly NodeID?: string;
  readonly DesiredState: TaskState;
  readonly Status: {
    readonly Timestamp?: string;
    readonly State: TaskState;
    readonly Message?: string;
    readonly Err?: string;
    readonly ContainerStatus?: { readonly ContainerID?: string; readonly PID?: number; readonly ExitCode?: number };
  };
  readonly Spec?: TaskSpec;
  /** The networks the task is attached to, with its addresses (`10.0.1.5/24`) once allocated. */
  readonly NetworksAttachments?: readonly { readonly Network?: { readonly ID?: string; readonly Spec?: { readonly Name?: string } }; readonly Addresses?: readonly string[] | null }[] | null;
}

export interface SwarmNode {
  readonly ID: string;
  readonly Version: ObjectVersion;
  readonly CreatedAt: string;
  readonly Spec: { readonly Name?: string; readonly Labels?: Labels; readonly Role: 'worker' | 'manager'; readonly Availability: 'active' | 'pause' | 'drain' };
  readonly Description?: {
    readonly Hostname?: string;
    readonly Platform?: { readonly Architecture?: string; readonly OS?: string };
    readonly Resources?: { readonly NanoCPUs?: number; readonly MemoryBytes?: number };
    readonly Engine?: { readonly EngineVersion?: string; readonly Labels?: Labels };
  };
  readonly Status: { readonly State: 'unknown' | 'down' | 'ready' | 'disconnected'; readonly Message?: string; readonly Addr?: string };
  readonly ManagerStatus?: { readonly Leader?: boolean; readonly Reachability?: string; readonly Addr?: string };
}

/** Docker's `filters` query value. */
export type Filters = Readonly<Record<string, readonly string[]>>;

const query = (filters: Filters | undefined): { query?: { filters: Filters } } => (filters === undefined ? {} : { query: { filters } });

export function listServices(api: EngineApi, filters?: Filters, options: CallOptions = {}): Promise<SwarmService[]> {
  return api.json<SwarmService[]>({ method: 'GET', path: apiPath`/services`, ...query(filters), ...options });
}

export function listTasks(api: EngineApi, filters?: Filters, options: CallOptions = {}): Promise<SwarmTask[]> {
  return api.json<SwarmTask[]>({ method: 'GET', path: apiPath`/tasks`, ...query(filters), ...options });
}

export function listNodes(api: EngineApi, filters?: Filters, options: CallOptions = {}): Promise<SwarmNode[]> {
  return api.json<SwarmNode[]>({ method: 'GET', path: apiPath`/nodes`, ...query(filters), ...options });
}

export function inspectService(api: EngineApi, idOrName: string, options: CallOptions = {}): Promise<SwarmService> {
  return api.json<SwarmService>({ method: 'GET', path: apiPath`/services/${idOrName}`, query: { insertDefaults: false }, ...options });
}

/** Not idempotent: never retried after it may have reached the engine. */
export async function createService(api: EngineApi, spec: ServiceSpec, options: CallOptions = {}): Promise<{ id: string; warnings: string[] }> {
  const r = await api.json<{ ID: string; Warnings?: string[] | null }>({ method: 'POST', path: apiPath`/services/create`, json: spec, ...options });
  return { id: r.ID, warnings: r.Warnings ?? [] };
}

/** Optimistic: `version` is the service's Version.Index the update is based on (the engine refuses a stale one). */
export async function updateService(api: EngineApi, id: string, version: number, spec: ServiceSpec, options: CallOptions = {}): Promise<string[]> {
  const r = await api.json<{ Warnings?: string[] | null } | undefined>({ method: 'POST', path: apiPath`/services/${id}/update`, query: { version }, json: spec, ...options });
  return r?.Warnings ?? [];
}

export async function removeService(api: EngineApi, id: string, options: CallOptions = {}): Promise<void> {
  await api.json<undefined>({ method: 'DELETE', path: apiPath`/services/${id}`, idempotent: true, ...options });
}

/** What GET /info says about Swarm: this engine's part in a cluster. */
export interface SwarmMembership {
  /** inactive, pending, active, error, locked. */
  readonly state: string;
  /** A manager: it can create services and list tasks and nodes. */
  readonly manager: boolean;
  readonly nodeId: string | undefined;
  readonly clusterId: string | undefined;
}

export function swarmMembership(info: Readonly<Record<string, unknown>>): SwarmMembership {
  const swarm = (info['Swarm'] ?? {}) as { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string; Cluster?: { ID?: string } | null };
  return {
    state: swarm.LocalNodeState === undefined || swarm.LocalNodeState === '' ? 'inactive' : swarm.LocalNodeState,
    manager: swarm.ControlAvailable === true,
    nodeId: swarm.NodeID === '' ? undefined : swarm.NodeID,
    clusterId: swarm.Cluster?.ID,
  };
}

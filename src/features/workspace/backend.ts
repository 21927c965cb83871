/**
 * How a workspace is run: one interface, one implementation per way (a container on one
 * engine: container-backend.ts; a Swarm service: features/swarm), chosen once by
 * workspaceBackend() from `orchestrator`. The facade (workspaces.ts) builds and checks the
 * spec; a backend only makes it real, reads it back, and says where to run things in it.
 * Every method takes `{ signal, timeoutMs }`.
 */
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import type { ContainerCreateBody } from '../../engine/types.js';
import type { Logger } from '../../logger.js';
import type { ConfigKey, DockerConfig, ValueSource } from '../config/index.js';
import type { WorkspaceEgress, WorkspaceEgressInfo } from '../egress/workspace.js';
import type { LabelSet } from '../labels.js';
import type { WorkspacePullOptions } from './pull.js';

/** What a Workspaces facade, and each backend, needs of a client (DockerClient has it all). */
export interface WorkspaceClient {
  readonly api: EngineApi;
  readonly config: DockerConfig;
  readonly endpoint: { readonly url: string };
  /** Where each configuration key came from, for messages. */
  readonly configSources?: Readonly<Partial<Record<ConfigKey, ValueSource>>> | undefined;
  readonly logger?: Logger;
  /** false when the API version was pinned (a refusal then says to unpin it). */
  readonly apiVersionNegotiated?: boolean;
}

/** The engine's own words: created, running, paused, restarting, removing, exited, dead (others for Swarm). */
export type WorkspaceState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead' | (string & {});
/** `none`: no health check result yet or none defined. */
export type WorkspaceHealth = 'starting' | 'healthy' | 'unhealthy' | 'none';

export interface WorkspaceLimits {
  /** CPUs (NanoCpus / 1e9); undefined when unlimited. */
  readonly cpus: number | undefined;
  readonly cpuShares: number | undefined;
  readonly memoryBytes: number | undefined;
  readonly memorySwapBytes: number | undefined;
  /** undefined when unlimited. */
  readonly pidsLimit: number | undefined;
  readonly ulimits: Readonly<Record<string, { readonly soft: number; readonly hard: number }>>;
  readonly readOnlyRootfs: boolean;
  /** `on-failure:5`. */
  readonly restartPolicy: string;
}

export interface WorkspaceMountInfo {
  readonly type: string;
  /** Host path (bind) or volume name. */
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly propagation?: string;
}

export interface WorkspaceNetworkInfo {
  readonly name: string;
  readonly id: string;
  readonly ipAddress: string | undefined;
  readonly aliases: readonly string[];
}

/** Where a workspace's data lives (backends whose data can stay behind when a workspace moves: Swarm). */
export interface WorkspaceDataInfo {
  /** The volume at /workspace. */
  readonly volume: string | null;
  readonly driver: string | null;
  /** True when the driver shares the data between nodes (a moved workspace keeps it). */
  readonly follows: boolean;
  /** The node whose copy the workspace uses now (null: not running, or a shared driver). */
  readonly node: string | null;
  /** Nodes that hold an older copy, left there when the workspace moved. */
  readonly leftOn: readonly { readonly node: string; readonly since: string }[];
  /** In words, for people. */
  readonly note: string;
}

/** A workspace as the engine reports it. */
export interface WorkspaceInfo {
  /** The workspace's name (sanitized). */
  readonly name: string;
  /** aicli's workspace id (`aicli.workspace.id`). */
  readonly workspaceId: string;
  /** The engine object's id: the container's (container backend) or the service's (Swarm). */
  readonly id: string;
  /** The engine object's name: `workspace_<id>` (container backend) or the service's (Swarm). */
  readonly containerName: string;
  /** Which backend runs it: `container` (or `swarm`). */
  readonly backend: string;
  readonly state: WorkspaceState;
  readonly health: WorkspaceHealth;
  /** The image as asked for (`alpine:latest`); `imageId` is what it resolved to. */
  readonly image: string;
  readonly imageId: string | undefined;
  /** When the engine created it (RFC 3339). */
  readonly created: string;
  readonly startedAt: string | undefined;
  readonly finishedAt: string | undefined;
  readonly exitCode: number | undefined;
  readonly ephemeral: boolean;
  /** The host folder mounted at /workspace, if any. */
  readonly project: string | undefined;
  readonly user: string | undefined;
  readonly limits: WorkspaceLimits;
  readonly mounts: readonly WorkspaceMountInfo[];
  /** The network it was created on (NetworkMode). */
  readonly network: string | undefined;
  readonly networks: readonly WorkspaceNetworkInfo[];
  readonly labels: LabelSet;
  /** Backends that place workspaces on nodes (Swarm): the node's hostname; null while it has none. */
  readonly node?: string | null;
  /** Backends with a scheduler (Swarm): its reason (`no suitable node (...)`), what a move did, or ''. */
  readonly message?: string;
  /** Backends whose data may stay behind on a node (Swarm): where it lives. */
  readonly data?: WorkspaceDataInfo;
  /** Its egress allowlist and gateway, when it has one (egress_allow). */
  readonly egress?: WorkspaceEgressInfo;
}

/** What the facade hands a backend: a checked body and the names it was made for. */
export interface WorkspaceSpec {
  readonly id: string;
  readonly name: string;
  /** `workspace_<id>`. */
  readonly containerName: string;
  /** The final ContainerCreate body, policy-checked. */
  readonly body: ContainerCreateBody;
  /** The configuration it was built from (network name, network_internal). */
  readonly config: DockerConfig;
  /** Extra labels of the caller, for the objects a backend makes on the way (the aicli network). */
  readonly labels: LabelSet;
  /** Placement constraints (`node.labels.zone==a`), checked; only a backend that places workspaces on nodes takes them. */
  readonly constraints?: readonly string[];
  /** An image the engine lacks: pulled (the default) with these callbacks, or not (`policy: 'never'`). */
  readonly pull?: WorkspacePullOptions;
  /** An egress allowlist: the body already carries its patch; the backend makes its network and gateway. */
  readonly egress?: WorkspaceEgress | undefined;
}

export interface CreateResult {
  readonly info: WorkspaceInfo;
  /** false: it existed already (made by an earlier or a concurrent create), and is returned as it is. */
  readonly created: boolean;
  /**
   * Resolves once what the workspace needs besides its container runs (its egress
   * gateway, started while the workspace is made); the facade awaits it after start.
   */
  readonly ready?: () => Promise<void>;
}

export interface StopOptions extends CallOptions {
  /** Seconds between SIGTERM and SIGKILL. Default 10. */
  readonly timeoutSeconds?: number;
}

export interface RemoveOptions extends CallOptions {
  /**
   * Keep the workspace's data: its data volume on every node (Swarm), its anonymous
   * volumes (container backend; a project folder is never removed either way).
   */
  readonly keepData?: boolean;
}

/** Where to run things inside a workspace (exec, logs, cp, stats): an engine and a container on it. */
export interface WorkspaceTarget {
  /** The engine that runs the container: the client's own, or (Swarm) the engine of the workspace's node. */
  readonly api: EngineApi;
  /** The container's name or id on that engine. */
  readonly container: string;
  /** The workspace's name. */
  readonly workspace: string;
  /** Swarm: the hostname of the node that runs it. */
  readonly node?: string;
}

export interface WorkspaceBackend {
  /** `container` or `swarm`: what WorkspaceInfo.backend says. */
  readonly kind: string;
  /** Idempotent: returns the existing workspace when there is one. */
  create(spec: WorkspaceSpec, options?: CallOptions): Promise<CreateResult>;
  /** What these resolve to is the backend's own (Swarm: the state it waited for); the facade reads the state with inspect. */
  start(name: string, options?: CallOptions): Promise<unknown>;
  stop(name: string, options?: StopOptions): Promise<unknown>;
  restart(name: string, options?: StopOptions): Promise<unknown>;
  /** Force-removes it with its data (unless `keepData`); false when there was nothing to remove. */
  remove(name: string, options?: RemoveOptions): Promise<boolean>;
  inspect(name: string, options?: CallOptions): Promise<WorkspaceInfo>;
  list(options?: CallOptions): Promise<WorkspaceInfo[]>;
  /** The engine and container that exec, logs, cp and stats of workspace `name` go to; WorkspaceNotFoundError when none. */
  locate(name: string, options?: CallOptions): Promise<WorkspaceTarget>;
  /** Releases what the backend holds (Swarm: connections to node engines). Safe twice. */
  close(): Promise<void>;
}

/** What a backend needs of a client. */
export interface BackendHost {
  readonly api: EngineApi;
  readonly config: DockerConfig;
}

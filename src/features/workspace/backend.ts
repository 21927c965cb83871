/**
 * How a workspace is run: one interface, one implementation per way (a container on one
 * engine here; a Swarm service later), chosen once by workspaceBackend(). The facade
 * (workspaces.ts) builds and checks the spec; a backend only makes it real and reads it
 * back. Every method takes `{ signal, timeoutMs }`.
 */
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import type { ContainerCreateBody } from '../../engine/types.js';
import type { DockerConfig } from '../config/index.js';
import type { WorkspaceEgress, WorkspaceEgressInfo } from '../egress/workspace.js';
import type { LabelSet } from '../labels.js';

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

/** A workspace as the engine reports it. */
export interface WorkspaceInfo {
  /** The workspace's name (sanitized). */
  readonly name: string;
  /** aicli's workspace id (`aicli.workspace.id`). */
  readonly workspaceId: string;
  /** The engine object's id (the container's, for the container backend). */
  readonly id: string;
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

export interface WorkspaceBackend {
  readonly kind: string;
  /** Idempotent: returns the existing workspace when there is one. */
  create(spec: WorkspaceSpec, options?: CallOptions): Promise<CreateResult>;
  start(name: string, options?: CallOptions): Promise<void>;
  stop(name: string, options?: StopOptions): Promise<void>;
  restart(name: string, options?: StopOptions): Promise<void>;
  /** Force-removes it with its anonymous volumes; false when there was nothing to remove. */
  remove(name: string, options?: CallOptions): Promise<boolean>;
  inspect(name: string, options?: CallOptions): Promise<WorkspaceInfo>;
  list(options?: CallOptions): Promise<WorkspaceInfo[]>;
}

/** What a backend needs of a client. */
export interface BackendHost {
  readonly api: EngineApi;
  readonly config: DockerConfig;
}

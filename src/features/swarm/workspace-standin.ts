// STAND-IN until issue 9 lands: the workspace branch defines WorkspaceBackend, WorkspaceInfo,
// the workspace labels, name checks, WorkspaceNotFoundError and the pure ContainerCreate spec
// builder. This file holds the smallest versions of them that the Swarm backend needs; at merge
// the lead replaces every export here with issue 9's (same names) and deletes this file.
import { DockerError, InvalidArgumentError } from '../../errors.js';
import type { DockerConfig } from '../config/index.js';
import { LABELS, ownerLabels, rfc3339, type LabelSet } from '../labels.js';
import type { ContainerCreateBody } from './service-spec.js';
import type { CallOptions } from '../../engine/engine-api.js';

/** STAND-IN until issue 9 lands: what `workspace ls` shows for one workspace. */
export interface WorkspaceInfo {
  readonly name: string;
  readonly id: string;
  /** running, pending, starting, stopped, failed, ... */
  readonly state: string;
  readonly health: string | null;
  readonly image: string;
  /** RFC 3339. */
  readonly created: string;
  readonly labels: LabelSet;
}

/** STAND-IN until issue 9 lands. */
export interface CreateWorkspaceOptions extends CallOptions {
  readonly name: string;
  readonly image?: string | undefined;
  readonly project?: string | undefined;
  /** Extra labels on everything made (tests pass `{ 'aicli.test': 'true' }`). */
  readonly labels?: LabelSet | undefined;
}

/** STAND-IN until issue 9 lands: one interface, two implementations (engine containers, Swarm services). */
export interface WorkspaceBackend extends AsyncDisposable {
  create(options: CreateWorkspaceOptions): Promise<WorkspaceInfo>;
  start(name: string, options?: CallOptions): Promise<WorkspaceInfo>;
  stop(name: string, options?: CallOptions): Promise<WorkspaceInfo>;
  restart(name: string, options?: CallOptions): Promise<WorkspaceInfo>;
  remove(name: string, options?: CallOptions): Promise<void>;
  inspect(name: string, options?: CallOptions): Promise<WorkspaceInfo>;
  list(options?: CallOptions): Promise<WorkspaceInfo[]>;
  close(): Promise<void>;
}

/** STAND-IN until issue 9 lands. */
export class WorkspaceNotFoundError extends DockerError {
  static override readonly code = 'WORKSPACE_NOT_FOUND' as const;
  readonly workspace: string;
  constructor(workspace: string, where: string) {
    super(`No workspace named "${workspace}" on ${where}. List them with \`aicli-docker workspace ls\`.`);
    this.workspace = workspace;
  }
}

/** STAND-IN until issue 9 lands (its sanitizeName): a name that is already a valid workspace name, or an error naming it. */
export function checkWorkspaceName(name: string): string {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/.test(name)) {
    throw new InvalidArgumentError('workspace name', `${JSON.stringify(name)}: expected 1 to 40 lower-case letters, digits and "-", starting and ending with a letter or digit`);
  }
  return name;
}

/** STAND-IN until issue 9 lands: the labels every workspace object carries. */
export function workspaceLabels(id: string, name: string): LabelSet {
  return { [LABELS.managed]: 'true', [LABELS.workspaceId]: id, [LABELS.workspaceName]: name, [LABELS.created]: rfc3339(), [LABELS.role]: 'workspace', ...ownerLabels() };
}

/**
 * STAND-IN until issue 9 lands (its pure spec builder): the hardened ContainerCreate body from
 * the configuration, as issue 9 describes it (limits, read-only root, tmpfs, no-new-privileges,
 * capabilities dropped, not privileged, user, network, labels, restart policy on-failure:5).
 */
export function buildContainerSpec(config: DockerConfig, options: { name: string; image?: string | undefined; labels: LabelSet }): ContainerCreateBody {
  return {
    Image: options.image ?? config.defaultImage,
    Cmd: ['sleep', 'infinity'],
    Labels: { ...options.labels },
    ...(config.user === undefined ? {} : { User: config.user }),
    HostConfig: {
      NanoCpus: Math.round(config.cpuLimit * 1e9),
      Memory: config.memoryLimitBytes,
      MemorySwap: config.memoryLimitBytes,
      ...(config.pidsLimit > 0 ? { PidsLimit: config.pidsLimit } : {}),
      Privileged: config.privileged,
      ReadonlyRootfs: config.readOnly,
      SecurityOpt: [...config.securityOpts],
      CapDrop: [...config.capDrop],
      CapAdd: [...config.capAdd],
      Tmpfs: { ...config.tmpfs },
      Init: true,
      NetworkMode: config.networkName,
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 5 },
    },
  };
}

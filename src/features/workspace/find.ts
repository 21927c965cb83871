/**
 * From a workspace name to its container, by aicli's labels only: a container aicli did
 * not make is never found here, whatever its name. Exec, logs, cp and stats use this.
 */
import { WorkspaceNotFoundError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import { LABELS, labelFilter } from '../labels.js';
import { generateContainerName, sanitizeName } from './names.js';

/** One workspace container as GET /containers/json lists it. */
export interface WorkspaceContainerRef {
  readonly id: string;
  /** Without the leading `/`. */
  readonly containerName: string;
  /** The workspace's name (its label). */
  readonly workspace: string;
  readonly workspaceId: string;
  /** created, running, exited, ... */
  readonly state: string;
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Unix seconds. */
  readonly createdUnix: number;
}

interface ContainerSummary {
  readonly Id: string;
  readonly Names?: readonly string[] | null;
  readonly Image?: string;
  readonly State?: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly Created?: number;
}

/** The labels every workspace container has: managed by aicli, in the workspace role. */
export const WORKSPACE_SELECTOR = Object.freeze({ [LABELS.managed]: 'true', [LABELS.role]: 'workspace' });

/** Whether these labels are those of an aicli workspace (of `id`, when given). */
export function isWorkspaceLabels(labels: Readonly<Record<string, string>> | null | undefined, id?: string): boolean {
  if (labels === null || labels === undefined) return false;
  if (labels[LABELS.managed] !== 'true' || labels[LABELS.role] !== 'workspace') return false;
  return id === undefined || labels[LABELS.workspaceId] === id;
}

function toRef(c: ContainerSummary): WorkspaceContainerRef {
  const labels = c.Labels ?? {};
  return {
    id: c.Id,
    containerName: (c.Names?.[0] ?? '').replace(/^\//, ''),
    workspace: labels[LABELS.workspaceName] ?? '',
    workspaceId: labels[LABELS.workspaceId] ?? '',
    state: c.State ?? 'unknown',
    image: c.Image ?? '',
    labels,
    createdUnix: c.Created ?? 0,
  };
}

/** Every workspace container on the engine (any state), optionally narrowed by more labels. */
export async function listWorkspaceContainers(
  api: EngineApi,
  options: CallOptions & { readonly labels?: Readonly<Record<string, string>> } = {},
): Promise<WorkspaceContainerRef[]> {
  const list = await api.json<ContainerSummary[]>({
    method: 'GET',
    path: apiPath`/containers/json`,
    query: { all: true, filters: labelFilter({ ...WORKSPACE_SELECTOR, ...options.labels }) },
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  // The engine filtered already; the check here keeps an engine that ignores a filter honest.
  return list.filter((c) => isWorkspaceLabels(c.Labels)).map(toRef);
}

/** The workspace's container, or undefined. `name` is sanitized as at create. */
export async function lookupWorkspaceContainer(api: EngineApi, name: string, options: CallOptions = {}): Promise<WorkspaceContainerRef | undefined> {
  const workspace = sanitizeName(name);
  const found = await listWorkspaceContainers(api, { ...options, labels: { [LABELS.workspaceName]: workspace } });
  if (found.length <= 1) return found[0];
  // Two containers with one workspace's labels: only a hand-made copy can do that. The
  // one with the canonical name is the workspace; otherwise the newest.
  const canonical = generateContainerName(workspace);
  return found.find((c) => c.containerName === canonical) ?? [...found].sort((a, b) => b.createdUnix - a.createdUnix)[0];
}

/** The workspace's container; WorkspaceNotFoundError when there is none. */
export async function findWorkspaceContainer(api: EngineApi, name: string, options: CallOptions = {}): Promise<WorkspaceContainerRef> {
  const found = await lookupWorkspaceContainer(api, name, options);
  if (found === undefined) throw new WorkspaceNotFoundError(sanitizeName(name), api.transport.endpoint.url);
  return found;
}

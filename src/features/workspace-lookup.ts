// Workspace name → its container, for exec, logs, cp and stats.
import { InvalidArgumentError, WorkspaceNotFoundError } from '../errors.js';
import type { CallOptions, EngineApi } from '../engine/engine-api.js';
import { containerList, type ContainerSummary } from '../engine/container-api.js';
import { LABELS, labelFilter } from './labels.js';

// STAND-IN until issue 9 lands: the workspace feature owns findWorkspaceContainer(api, name);
// at merge, delete this function and import theirs (workspaceContainer below stays).
/** The container labelled aicli.managed=true and aicli.workspace.name=NAME, or undefined. */
export async function findWorkspaceContainer(api: EngineApi, name: string, options: CallOptions = {}): Promise<ContainerSummary | undefined> {
  const found = await containerList(api, labelFilter({ [LABELS.managed]: 'true', [LABELS.workspaceName]: name }), options);
  return found[0];
}

/**
 * The container of workspace `name` on this engine, or WorkspaceNotFoundError. Give the result's
 * id to exec, logs, copyIn/copyOut and stats, with the EngineApi of the engine that runs it.
 */
export async function workspaceContainer(api: EngineApi, name: string, options: CallOptions = {}): Promise<ContainerSummary> {
  if (name === '') throw new InvalidArgumentError('workspace', 'a workspace name is required');
  const found = await findWorkspaceContainer(api, name, options);
  if (found === undefined) throw new WorkspaceNotFoundError(name, api.transport.endpoint.url);
  return found;
}

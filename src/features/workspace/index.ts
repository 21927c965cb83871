/** Workspaces: names and labels, the hardened container spec, the policy, the lifecycle. */
export { sanitizeName, isSanitizedName, checkSanitized, workspaceLabels, generateImageTag, generateContainerName, WORKSPACE_NAME_MAX, CONTAINER_NAME_PREFIX, IMAGE_REPOSITORY } from './names.js';
export {
  buildWorkspaceSpec,
  applySpecPatch,
  patchedFields,
  workspaceContainerLabels,
  isPredefinedNetworkMode,
  WORKSPACE_DIR,
  RESTART_POLICY,
  KEEP_ALIVE,
  HEALTH_TEST,
  type WorkspaceSpecOptions,
  type WorkspaceSpecPatch,
  type WorkspaceMount,
} from './spec.js';
export {
  checkWorkspacePolicy,
  policyViolations,
  policyFindings,
  sensitiveHostPath,
  describeRule,
  DANGEROUS_CAPABILITIES,
  POLICY_RULES,
  POLICY_RULE_NAMES,
  type PolicyRule,
  type PolicyContext,
  type SettingOrigin,
} from './policy.js';
export { parseMount, resolveProject } from './host-paths.js';
export { findWorkspaceContainer, lookupWorkspaceContainer, listWorkspaceContainers, isWorkspaceLabels, WORKSPACE_SELECTOR, type WorkspaceContainerRef } from './find.js';
export { toWorkspaceInfo } from './info.js';
export { ContainerBackend, DEFAULT_STOP_SECONDS } from './container-backend.js';
export { Workspaces, workspaceBackend, type WorkspacesOptions, type WorkspaceBackendOptions, type CreateWorkspaceOptions, type WorkspacePlan, type OptionNames } from './workspaces.js';
export type {
  WorkspaceBackend,
  WorkspaceInfo,
  WorkspaceState,
  WorkspaceHealth,
  WorkspaceLimits,
  WorkspaceMountInfo,
  WorkspaceNetworkInfo,
  WorkspaceSpec,
  CreateResult,
  StopOptions,
  RemoveOptions,
  WorkspaceTarget,
  WorkspaceDataInfo,
  WorkspaceClient,
} from './backend.js';

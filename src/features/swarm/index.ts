/** Workspaces on a Docker Swarm cluster (issue 13). */
export { SwarmBackend, SWARM_DEFAULTS, serviceNameOf, volumeNameOf, type SwarmBackendOptions, type SwarmCreateOptions, type SwarmWorkspaceDetails, type SwarmRemoveResult, type WorkspaceEngine } from './swarm-backend.js';
export { toServiceSpec, SWARM_API_NEEDS, MIN_SWARM_API, type ContainerCreateBody, type ServiceSpecOptions, type ServiceSpecResult, type DataVolume } from './service-spec.js';
export { workspaceViews, nodeViews, dataFollows, type SwarmWorkspaceInfo, type SwarmNodeInfo, type DataLocation, type TaskRecord, type WorkspaceView } from './snapshot.js';
export { hardeningProblems, type ContainerInspect } from './hardening.js';
export { nodeEndpoint, NodeEngines, ENGINE_LABEL, type NodeEndpoint } from './routing.js';
export { resolveOrchestrator } from './orchestrator.js';
export { ensureSwarmNetwork } from './network-standin.js';
export {
  buildContainerSpec,
  checkWorkspaceName,
  workspaceLabels,
  WorkspaceNotFoundError,
  type WorkspaceBackend,
  type WorkspaceInfo,
  type CreateWorkspaceOptions,
} from './workspace-standin.js';

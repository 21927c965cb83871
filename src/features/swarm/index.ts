/** Workspaces on a Docker Swarm cluster (issue 13): the Swarm implementation of the workspace backend. */
export {
  SwarmBackend,
  SWARM_DEFAULTS,
  serviceNameOf,
  volumeNameOf,
  workspaceServiceSpec,
  type SwarmHost,
  type SwarmBackendOptions,
  type SwarmCreateOptions,
  type SwarmCreateResult,
  type SwarmWorkspaceDetails,
  type SwarmRemoveResult,
  type WorkspaceEngine,
} from './swarm-backend.js';
export { toServiceSpec, SWARM_API_NEEDS, MIN_SWARM_API, type ServiceSpecOptions, type ServiceSpecResult, type DataVolume } from './service-spec.js';
export { workspaceViews, nodeViews, dataFollows, SWARM_KIND, type SwarmWorkspaceInfo, type SwarmNodeInfo, type DataLocation, type TaskRecord, type WorkspaceView } from './snapshot.js';
export { hardeningProblems, type ContainerInspect } from './hardening.js';
export { nodeEndpoint, NodeEngines, ENGINE_LABEL, type NodeEndpoint } from './routing.js';
export { resolveOrchestrator, chooseOrchestrator, orchestratorSource, type OrchestratorHost, type OrchestratorChoice, type OrchestratorOptions } from './orchestrator.js';

// The public API of aicli-docker: everything a user imports comes from here.
export { DockerClient, CONNECT_DEFAULTS, type ConnectOptions, type EndpointInfo, type EngineStatus } from './features/docker-client.js';
export {
  defaultConfig,
  loadConfig,
  formatConfig,
  renderConfigTemplate,
  yamlLine,
  defaultConfigPath,
  checkAgainstEngine,
  parseDuration,
  formatDuration,
  parseSize,
  formatSize,
  parseCpus,
  CONFIG_KEYS,
  type DockerConfig,
  type LoadedConfig,
  type LoadConfigOptions,
  type ValueSource,
  type ConfigKey,
} from './features/config/index.js';
export { EngineApi, type ApiCall, type CallOptions } from './engine/engine-api.js';
export { apiPath, withQuery } from './engine/path.js';
export type { PingResult, VersionInfo, SystemInfo } from './engine/types.js';
export { discoverEngine, defaultSocketPaths, type DiscoveryInput, type Discovery, type Candidate, type Env, type Sourced } from './transport/discovery.js';
export { parseHost, type Endpoint } from './transport/endpoint.js';
export { loadTlsFolder, type TlsOptions } from './transport/tls.js';
export { MAX_API_VERSION, MIN_API_VERSION, negotiateApiVersion, compareApiVersions } from './transport/api-version.js';
export { HttpTransport, type HttpClientKind, type TransportOptions, type TransportRequest, type TransportResponse, type TransportStream } from './transport/http-transport.js';
export { DEFAULT_RETRY, type RetryPolicy } from './transport/retry.js';
export { silentLogger, createStreamLogger, LOG_LEVELS, type Logger, type LogFn, type LogFields, type LogLevel } from './logger.js';
export * from './errors.js';
// Swarm workspaces (issue 13): the swarm side of workspaces, node routing, the orchestrator switch.
export {
  SwarmBackend,
  SWARM_DEFAULTS,
  serviceNameOf,
  volumeNameOf,
  toServiceSpec,
  SWARM_API_NEEDS,
  MIN_SWARM_API,
  workspaceViews,
  nodeViews,
  dataFollows,
  hardeningProblems,
  nodeEndpoint,
  NodeEngines,
  ENGINE_LABEL,
  resolveOrchestrator,
  type SwarmBackendOptions,
  type SwarmCreateOptions,
  type SwarmWorkspaceDetails,
  type SwarmRemoveResult,
  type WorkspaceEngine,
  type ContainerCreateBody,
  type ServiceSpecOptions,
  type ServiceSpecResult,
  type DataVolume,
  type SwarmWorkspaceInfo,
  type SwarmNodeInfo,
  type DataLocation,
  type TaskRecord,
  type ContainerInspect,
  type NodeEndpoint,
} from './features/swarm/index.js';
// STAND-IN until issue 9 lands (issue 9 exports its own; drop these then).
export { buildContainerSpec, checkWorkspaceName, workspaceLabels, WorkspaceNotFoundError, type WorkspaceBackend, type WorkspaceInfo, type CreateWorkspaceOptions } from './features/swarm/index.js';
export type { Orchestrator } from './features/config/index.js';
export {
  swarmMembership,
  type SwarmMembership,
  type SwarmService,
  type SwarmTask,
  type SwarmNode,
  type ServiceSpec,
  type TaskSpec,
  type ContainerSpec,
  type TaskState,
} from './engine/swarm.js';

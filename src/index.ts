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
// Foundation fixes (issue 6): the branded API path, the one host reader, time-out limits.
export type { ApiPath, QueryValue } from './engine/path.js';
export { readHost, maskHostCredentials, type HostReading } from './transport/endpoint.js';
export { MAX_TIMEOUT_MS } from './transport/deadline.js';
// Workspaces (issue 9): names, labels, the hardened spec, the policy, the lifecycle.
export {
  sanitizeName,
  workspaceLabels,
  generateImageTag,
  generateContainerName,
  isSanitizedName,
  WORKSPACE_NAME_MAX,
  buildWorkspaceSpec,
  applySpecPatch,
  workspaceContainerLabels,
  WORKSPACE_DIR,
  RESTART_POLICY,
  checkWorkspacePolicy,
  policyViolations,
  sensitiveHostPath,
  DANGEROUS_CAPABILITIES,
  POLICY_RULES,
  POLICY_RULE_NAMES,
  parseMount,
  findWorkspaceContainer,
  lookupWorkspaceContainer,
  listWorkspaceContainers,
  isWorkspaceLabels,
  WORKSPACE_SELECTOR,
  toWorkspaceInfo,
  ContainerBackend,
  DEFAULT_STOP_SECONDS,
  Workspaces,
  workspaceBackend,
  type WorkspaceSpecOptions,
  type WorkspaceSpecPatch,
  type WorkspaceMount,
  type PolicyRule,
  type PolicyContext,
  type SettingOrigin,
  type WorkspaceContainerRef,
  type WorkspaceClient,
  type CreateWorkspaceOptions,
  type WorkspacePlan,
  type OptionNames,
  type WorkspaceBackend,
  type WorkspaceInfo,
  type WorkspaceState,
  type WorkspaceHealth,
  type WorkspaceLimits,
  type WorkspaceMountInfo,
  type WorkspaceNetworkInfo,
  type WorkspaceSpec,
  type CreateResult,
  type StopOptions,
} from './features/workspace/index.js';
// Workspaces through one backend (issue 13 on issue 9): the backend's seam, where exec and friends go.
export type { WorkspacesOptions, WorkspaceBackendOptions, RemoveOptions, WorkspaceTarget, WorkspaceDataInfo } from './features/workspace/index.js';
export type { ContainerCreateBody, HostConfigSpec, MountSpec, UlimitSpec, HealthcheckSpec, RestartPolicySpec, EndpointSpec } from './engine/types.js';
export type { Ulimit } from './features/config/schema.js';
// Health (issue 8): daemon checks and monitoring, engine events, the system summary, doctor.
export { HealthChecker, HealthMonitor, HEALTH_DEFAULTS, systemSummary, type HealthCheckerOptions, type HealthCallback, type MonitorOptions, type EngineSummary, type LatencyStats, type HealthCheckResult, type HealthReport, type HealthStatus } from './features/health/index.js';
export { watchEvents, EventWatcher, EVENT_DEFAULTS, MANAGED_EVENT_FILTERS, type WatchEventsOptions, type EventStreamItem, type EventItem, type ConnectedState, type WaitingState, type WatcherState } from './features/events/index.js';
export type { EngineEvent, SystemSummary, SecurityFeatures, KernelLimitSupport } from './engine/types.js';
export { runDoctor, DOCTOR_DEFAULTS, type DoctorReport, type DoctorCheck, type CheckStatus } from './features/doctor/index.js';
// Swarm workspaces (issue 13): the swarm side of workspaces, node routing, the orchestrator switch.
export {
  SwarmBackend,
  SWARM_DEFAULTS,
  serviceNameOf,
  volumeNameOf,
  workspaceServiceSpec,
  SWARM_KIND,
  chooseOrchestrator,
  orchestratorSource,
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
  type SwarmHost,
  type SwarmBackendOptions,
  type SwarmCreateOptions,
  type SwarmCreateResult,
  type OrchestratorHost,
  type OrchestratorChoice,
  type OrchestratorOptions,
  type SwarmWorkspaceDetails,
  type SwarmRemoveResult,
  type WorkspaceEngine,
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
// Inside a workspace (issue 10): exec, logs, files, images, stats, cleanup; hijacked connections and stream framing.
export { exec, execStream, EXEC_MAX_BYTES, type ExecOptions, type ExecStreamOptions, type ExecHandle, type ExecResult, type ExecEnv, type TtySize } from './features/exec/exec.js';
export { EXEC_MARKER } from './features/exec/kill.js';
export { logs, LogStream, LOGS_DEFAULTS, type LogLine, type LogsOptions } from './features/logs/logs.js';
export { copyIn, type CopyInOptions, type CopyOptions, type CopyResult } from './features/files/copy-in.js';
export { copyOut } from './features/files/copy-out.js';
export { parseCpArg, cpDirection, type CpArg } from './features/files/cp-path.js';
export { resolveOwner, type Owner } from './features/files/owner.js';
export { pullImage, ensureImage, type PullOptions, type PullResult } from './features/images/pull.js';
export { loadImage, type LoadOptions, type LoadResult } from './features/images/load.js';
export { registryCredentials, type CredentialSource } from './features/images/credentials.js';
export { parseImageRef, type ImageRef } from './features/images/reference.js';
export { PullProgress, type LayerProgress, type ProgressEvent } from './features/images/progress.js';
export { stats, statsStream, type StatsSample } from './features/stats/stats.js';
export { cleanup, CLEANUP_DEFAULTS, type CleanupOptions, type CleanupItem, type CleanupReport } from './features/cleanup/cleanup.js';
export { StdcopyDemuxer, demuxBuffer, type FrameSink, type FrameStream } from './engine/stdcopy.js';
export { execCreate, execStart, execInspect, execResize, type ExecCreateSpec, type ExecInspect } from './engine/exec-api.js';
export { containerInspect, containerList, containerRemove, containerLogs, archiveStat, archiveGet, archivePut, containerStats, type ContainerSummary, type ContainerDetails, type PathStat, type LogsQuery } from './engine/container-api.js';
export { imageInspect, imagePull, imagePush, imageTag, imageLoad, imageRemove, registryAuthHeader, type ImageDetails, type RegistryAuth } from './engine/image-api.js';
export { jsonMessages, messageError, type JsonMessage } from './engine/json-messages.js';
export { toStatsSample, type RawStats } from './engine/stats-decode.js';
export type { TransportUpgrade } from './transport/http-transport.js';
// network feature: the aicli network (ensure once across processes and hosts, inspect, remove)
export {
  ensureNetwork,
  inspectNetwork,
  findNetwork,
  removeNetwork,
  winnerOrder,
  NETWORK_DEFAULTS,
  type EnsureNetworkOptions,
  type EnsureNetworkResult,
  type NetworkStatus,
  type NetworkDrift,
  type RemoveNetworkOptions,
  type RemoveNetworkResult,
} from './features/network/index.js';
export type { NetworkSummary } from './features/docker-client.js';
export type { EngineNetwork, NetworkContainer, IpamPool } from './engine/networks.js';
export { crossKeyProblems, parseCidr, parseIp, formatIp, NETWORK_DRIVERS, type NetworkDriver, type Cidr, type IpAddress, type IpFamily } from './features/config/index.js';
// Egress allowlist per workspace (issue 12).
export {
  prepareEgress,
  removeEgress,
  egressStatus,
  setEgressAllow,
  applyEgress,
  egressPatch,
  proxyEnv,
  checkEgressInput,
  listGateways,
  egressInfo,
  ensureGatewayImage,
  GATEWAY_REPOSITORY,
  checkEgressSupport,
  gatewayName,
  workspaceNetworkName,
  DEFAULT_EGRESS_PORTS,
  GATEWAY_LIMITS,
  GATEWAY_ALIAS,
  GATEWAY_PORT,
  type EgressPatch,
  type EgressPrepared,
  type EgressStatus,
  type PrepareEgressOptions,
  type RemoveEgressOptions,
  type GatewayImage,
  type GatewayImageOptions,
  type EgressCheck,
  type EgressCheckItem,
  type EgressCheckOptions,
  type Decision,
  type WorkspaceEgressOptions,
  type WorkspaceEgressInfo,
} from './features/egress/index.js';
// Podman (issue 14): which engine answers and what it cannot do; images pulled by workspace create.
export { PULL_POLICIES, type WorkspacePullOptions } from './features/workspace/pull.js';
export { engineProfile, profileFromVersion, profileFromInfo, profileFromHeaders, type EngineKind, type EngineProfile } from './engine/engine-kind.js';
export {
  engineSupports,
  profileSupports,
  requireEngineCapability,
  supportsBridgeInhibitIpv4,
  engineDifferences,
  PODMAN_DIFFERENCES,
  type EngineCapability,
  type EngineDifference,
} from './features/podman/index.js';

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
// Egress allowlist per workspace (issue 12).
export {
  prepareEgress,
  removeEgress,
  egressStatus,
  setEgressAllow,
  applyEgress,
  proxyEnv,
  checkEgressInput,
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
} from './features/egress/index.js';

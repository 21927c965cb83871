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

/** The configuration feature: keys, defaults, units, loading and formatting. */
export { loadConfig, type LoadConfigOptions, type LoadedConfig, type ValueSource } from './load.js';
export {
  CONFIG_KEYS,
  CAPABILITIES,
  MAX_TIMEOUT_MS,
  MIN_CPUS,
  MIN_MEMORY_BYTES,
  defaultConfig,
  NETWORK_DRIVERS,
  type ApiVersion,
  type NetworkDriver,
  type ConfigKey,
  type DockerConfig,
  type KeyInfo,
} from './schema.js';
export { formatConfig, renderConfigTemplate, yamlLine } from './format.js';
export { checkAgainstEngine, type EngineCapacity } from './engine-check.js';
export { defaultConfigPath } from './file.js';
export { formatDuration, formatSize, parseCpus, parseDuration, parseSize } from './units.js';
export type { Orchestrator } from './schema.js'; // Swarm workspaces (issue 13)
export { crossKeyProblems } from './cross-check.js';
export { parseCidr, parseIp, formatIp, type Cidr, type IpAddress, type IpFamily } from './cidr.js';

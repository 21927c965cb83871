/** Podman (issue 14): what its Docker-compatible service cannot do, what aicli makes up for, and the list of differences. */
export { engineSupports, profileSupports, requireEngineCapability, supportsBridgeInhibitIpv4, unsupportedError, notSwarmManager, type EngineCapability } from './capabilities.js';
export { engineDifferences, PODMAN_DIFFERENCES, type EngineDifference } from './differences.js';
export { podmanCreateBody, PODMAN_READ_ONLY_TMPFS } from './adapt.js';
export { healthOverdue, refreshOverdueHealth } from './health.js';

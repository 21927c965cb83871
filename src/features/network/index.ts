/** The aicli network: ensure (once, across processes and hosts), inspect, remove. */
export { ensureNetwork, NETWORK_DEFAULTS, type EnsureNetworkOptions, type EnsureNetworkResult } from './ensure.js';
export { findNetwork, inspectNetwork, type NetworkStatus } from './inspect.js';
export { removeNetwork, type RemoveNetworkOptions, type RemoveNetworkResult } from './remove.js';
export { winnerOrder } from './lookup.js';
export type { NetworkDrift } from './spec.js';
export { acquireHostLock, hostLockName, type HostLock } from './host-lock.js';

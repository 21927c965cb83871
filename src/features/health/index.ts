/** Daemon health: checks, monitoring with transitions and latency, the system summary. */
export { HealthChecker, type HealthCheckerOptions } from './checker.js';
export { HEALTH_DEFAULTS } from './defaults.js';
export { HealthMonitor, type HealthCallback, type MonitorOptions } from './monitor.js';
export { systemSummary, type EngineSummary } from './summary.js';
export type { LatencyStats } from './latency.js';
export type { HealthCheckResult, HealthReport, HealthStatus } from './types.js';

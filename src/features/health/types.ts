import type { CallOptions } from '../../engine/engine-api.js';
import type { Logger } from '../../logger.js';
import type { LatencyStats } from './latency.js';

/** The result of one check. */
export interface HealthCheckResult {
  readonly healthy: boolean;
  /** Time to the answer (or to the failure), in milliseconds. */
  readonly latencyMs: number;
  /** Why the engine is not healthy (DockerNotAvailableError, DockerTimeoutError, ...). */
  readonly error?: Error;
  /** When the check ended. */
  readonly time: Date;
}

export type HealthStatus = 'healthy' | 'unhealthy';

/** One check as the monitor reports it: the result, what changed, and latency so far. */
export interface HealthReport extends HealthCheckResult {
  readonly status: HealthStatus;
  /** 1 for the first check of this monitor, then 2, 3, ... */
  readonly sequence: number;
  /** `lost`: healthy before, not now. `recovered`: the other way. Undefined: no change. */
  readonly transition: 'lost' | 'recovered' | undefined;
  readonly previousStatus: HealthStatus | undefined;
  /** With `recovered`: how long the engine was unhealthy (from the first failed check). */
  readonly unhealthyForMs?: number;
  /** Failed checks in a row, this one included (0 when healthy). */
  readonly consecutiveFailures: number;
  /** Over the last successful checks (HEALTH_DEFAULTS.latencyWindow). */
  readonly latency: LatencyStats;
}

/** What the monitor needs of a checker (HealthChecker is one). */
export interface DaemonChecker {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly latencyWindow: number;
  readonly logger: Logger;
  readonly endpoint: string;
  checkDaemon(options: CallOptions): Promise<HealthCheckResult>;
}

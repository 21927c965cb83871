import { InvalidArgumentError, isDockerError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { CallOptions } from '../../engine/engine-api.js';
import type { SystemInfo, VersionInfo } from '../../engine/types.js';
import type { DockerClient } from '../docker-client.js';
import { checkInterval, checkTimeout, HEALTH_DEFAULTS } from './defaults.js';
import { roundMs } from './latency.js';
import { HealthMonitor, type MonitorOptions } from './monitor.js';
import { systemSummary, type EngineSummary } from './summary.js';
import type { DaemonChecker, HealthCheckResult } from './types.js';

export interface HealthCheckerOptions {
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly latencyWindow?: number;
  readonly logger?: Logger;
}

/**
 * The daemon's health, as the original task names it: checkDaemon(), getSystemInfo(),
 * getVersion(), and monitor() for checks at an interval. Every call goes through the
 * client's EngineApi, so its transport, time-outs and pooled sockets are shared.
 */
export class HealthChecker implements DaemonChecker {
  readonly client: DockerClient;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly latencyWindow: number;
  readonly logger: Logger;

  constructor(client: DockerClient, options: HealthCheckerOptions = {}) {
    this.client = client;
    this.intervalMs = checkInterval(options.intervalMs ?? HEALTH_DEFAULTS.intervalMs);
    this.timeoutMs = checkTimeout(options.timeoutMs ?? HEALTH_DEFAULTS.timeoutMs);
    const window = options.latencyWindow ?? HEALTH_DEFAULTS.latencyWindow;
    if (!Number.isSafeInteger(window) || window < 1) throw new InvalidArgumentError('latencyWindow', `${window}; expected a positive whole number of checks`);
    this.latencyWindow = window;
    this.logger = options.logger ?? silentLogger;
  }

  /** The engine checked (the client's endpoint URL). */
  get endpoint(): string {
    return this.client.endpoint.url;
  }

  /**
   * Pings the engine once (GET /_ping, limited to `timeoutMs`). Never throws for an
   * engine that is down, slow or gone: that is `{ healthy: false, error }`. Throws only
   * when the caller's signal aborts it.
   */
  async checkDaemon(options: CallOptions = {}): Promise<HealthCheckResult> {
    const started = performance.now();
    try {
      await this.client.ping({ signal: options.signal, timeoutMs: options.timeoutMs ?? this.timeoutMs });
      return { healthy: true, latencyMs: roundMs(performance.now() - started), time: new Date() };
    } catch (err) {
      if (options.signal?.aborted === true && isDockerError(err, 'DOCKER_ABORTED')) throw err;
      return { healthy: false, latencyMs: roundMs(performance.now() - started), error: err instanceof Error ? err : new Error(String(err)), time: new Date() };
    }
  }

  /** The engine's `info` (GET /info). */
  async getSystemInfo(options: CallOptions = {}): Promise<SystemInfo> {
    return this.client.info(options);
  }

  /** The engine's `version` (GET /version). */
  async getVersion(options: CallOptions = {}): Promise<VersionInfo> {
    return this.client.version(options);
  }

  /** Versions, OS, kernel, cgroups, CPUs, memory, containers, storage, security, Swarm, warnings. */
  async getSystemSummary(options: CallOptions = {}): Promise<EngineSummary> {
    return systemSummary(this.client, options);
  }

  /**
   * Starts checking now and then every `intervalMs` (never two at once). Reports go to
   * `onCheck` and to every `for await` over the monitor; stop() ends it.
   */
  monitor(options: MonitorOptions = {}): HealthMonitor {
    return new HealthMonitor(this, options);
  }
}

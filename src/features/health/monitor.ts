import { checkInterval, checkTimeout, HEALTH_DEFAULTS } from './defaults.js';
import { Fanout } from './fanout.js';
import { LatencyWindow } from './latency.js';
import type { DaemonChecker, HealthReport, HealthStatus } from './types.js';

/** The original task's callback: the error of a failed check, or undefined; plus the full report. */
export type HealthCallback = (error: Error | undefined, report: HealthReport) => void;

export interface MonitorOptions {
  /** Between the starts of two checks; default: the checker's (30 s). */
  readonly intervalMs?: number;
  /** One check may take this long; default: the checker's (5 s). */
  readonly timeoutMs?: number;
  readonly onCheck?: HealthCallback;
  /** Stops the monitor when it aborts (the original task's cancelled context). */
  readonly signal?: AbortSignal;
  /**
   * The engine is known to have been unhealthy since then (e.g. connecting failed):
   * the first healthy check is then reported as `recovered`.
   */
  readonly unhealthySince?: Date;
  /**
   * Whether a running monitor keeps the process alive, as a timer does (default true).
   * `false`: it runs while something else keeps the process up.
   */
  readonly keepAlive?: boolean;
}

/**
 * Checks the engine now and then every interval, one check at a time: a check that
 * takes longer than the interval delays the next instead of stacking another. Between
 * checks it holds one timer and nothing else. stop() (or `await using`) clears the
 * timer, aborts a check under way and ends every iterator; safe twice.
 */
export class HealthMonitor implements AsyncIterable<HealthReport>, AsyncDisposable {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly #checker: DaemonChecker;
  readonly #options: MonitorOptions;
  readonly #abort = new AbortController();
  readonly #fanout = new Fanout<HealthReport>(HEALTH_DEFAULTS.iteratorBuffer);
  readonly #latency: LatencyWindow;
  readonly #onCallerAbort: (() => void) | undefined;
  readonly #done: Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;
  #latest: HealthReport | undefined;
  #sequence = 0;
  #failures = 0;
  #status: HealthStatus | undefined;
  #unhealthySince: number | undefined;

  constructor(checker: DaemonChecker, options: MonitorOptions = {}) {
    this.intervalMs = checkInterval(options.intervalMs ?? checker.intervalMs, 'intervalMs');
    this.timeoutMs = checkTimeout(options.timeoutMs ?? checker.timeoutMs, 'timeoutMs');
    this.#checker = checker;
    this.#options = options;
    this.#latency = new LatencyWindow(checker.latencyWindow);
    if (options.unhealthySince !== undefined) {
      this.#status = 'unhealthy';
      this.#unhealthySince = options.unhealthySince.getTime();
    }
    const caller = options.signal;
    if (caller !== undefined) {
      this.#onCallerAbort = () => {
        void this.stop();
      };
      if (caller.aborted) this.#abort.abort(caller.reason);
      else caller.addEventListener('abort', this.#onCallerAbort, { once: true });
    }
    this.#done = this.#run();
  }

  /** The latest report, or undefined before the first check ends. */
  get latest(): HealthReport | undefined {
    return this.#latest;
  }

  get running(): boolean {
    return !this.#abort.signal.aborted;
  }

  /** Reports from now on, until stop(). Each iterator gets every report; a slow one keeps the newest 100. */
  [Symbol.asyncIterator](): AsyncGenerator<HealthReport, void, undefined> {
    return this.#fanout.subscribe();
  }

  /** Stops checking: no timer, no socket of a check under way, iterators end. Safe twice. */
  async stop(): Promise<void> {
    if (!this.#abort.signal.aborted) this.#abort.abort(new Error('the health monitor was stopped'));
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake?.();
    if (this.#onCallerAbort !== undefined) this.#options.signal?.removeEventListener('abort', this.#onCallerAbort);
    await this.#done;
  }

  async close(): Promise<void> {
    await this.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    try {
      while (!this.#stopped()) {
        const started = performance.now();
        let result;
        try {
          result = await this.#checker.checkDaemon({ signal, timeoutMs: this.timeoutMs });
        } catch {
          // Only stop() aborts a check: checkDaemon reports every engine failure as a result.
          return;
        }
        if (this.#stopped()) return;
        this.#publish(this.#report(result));
        await this.#sleep(Math.max(0, started + this.intervalMs - performance.now()));
      }
    } finally {
      this.#fanout.end();
    }
  }

  #stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#wake = undefined;
        resolve();
      }, ms);
      if (this.#options.keepAlive === false) this.#timer.unref();
    });
  }

  #report(result: Awaited<ReturnType<DaemonChecker['checkDaemon']>>): HealthReport {
    const status: HealthStatus = result.healthy ? 'healthy' : 'unhealthy';
    const previous = this.#status;
    const now = result.time.getTime();
    let unhealthyForMs: number | undefined;
    if (result.healthy) {
      this.#latency.add(result.latencyMs);
      this.#failures = 0;
      if (previous === 'unhealthy' && this.#unhealthySince !== undefined) unhealthyForMs = now - this.#unhealthySince;
      this.#unhealthySince = undefined;
    } else {
      this.#failures++;
      this.#unhealthySince ??= now;
    }
    this.#status = status;
    this.#sequence++;
    const transition = previous === undefined || previous === status ? undefined : result.healthy ? 'recovered' : 'lost';
    return {
      ...result,
      status,
      sequence: this.#sequence,
      transition,
      previousStatus: previous,
      ...(unhealthyForMs === undefined ? {} : { unhealthyForMs }),
      consecutiveFailures: this.#failures,
      latency: this.#latency.stats(),
    };
  }

  #publish(report: HealthReport): void {
    this.#latest = report;
    const log = this.#checker.logger;
    const endpoint = this.#checker.endpoint;
    if (report.transition === 'lost' || (report.previousStatus === undefined && !report.healthy)) {
      log.warn({ endpoint, error: report.error?.message }, 'docker engine unhealthy');
    } else if (report.transition === 'recovered') {
      log.info({ endpoint, unhealthyForMs: report.unhealthyForMs }, 'docker engine healthy again');
    } else {
      log.debug({ endpoint, status: report.status, latencyMs: report.latencyMs }, 'docker engine checked');
    }
    this.#fanout.push(report);
    const callback = this.#options.onCheck;
    if (callback === undefined) return;
    try {
      const returned: unknown = (callback as (...args: unknown[]) => unknown)(report.error, report);
      // An async callback's failure must not become an unhandled rejection.
      if (returned instanceof Promise) returned.catch((err: unknown) => { log.error({ error: String(err) }, 'health monitor callback failed'); });
    } catch (err) {
      log.error({ error: String(err) }, 'health monitor callback failed');
    }
  }
}

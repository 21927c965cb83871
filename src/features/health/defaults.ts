import { InvalidArgumentError } from '../../errors.js';

/** Every default of the health checker and monitor, in one place. */
export const HEALTH_DEFAULTS = Object.freeze({
  /** Between the starts of two checks (the original task's 30 s). */
  intervalMs: 30_000,
  /** One check (a GET /_ping) may take this long (the connect ping's 5 s). */
  timeoutMs: 5_000,
  /** Successful checks the latency percentiles are over. */
  latencyWindow: 60,
  /** Reports a slow `for await` consumer may fall behind by; older ones are dropped. */
  iteratorBuffer: 100,
  /** The shortest interval accepted: a faster poll costs the engine without telling more. */
  minIntervalMs: 100,
  /** `aicli-docker monitor` without flags. */
  cliIntervalMs: 5_000,
  cliTimeoutMs: 2_000,
});

export function checkInterval(ms: number, name = 'interval'): number {
  if (!Number.isSafeInteger(ms) || ms < HEALTH_DEFAULTS.minIntervalMs || ms > 2 ** 31 - 1) {
    throw new InvalidArgumentError(name, `${ms} ms; expected a whole number of milliseconds from ${HEALTH_DEFAULTS.minIntervalMs} to 2147483647`);
  }
  return ms;
}

export function checkTimeout(ms: number, name = 'timeout'): number {
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms > 2 ** 31 - 1) {
    throw new InvalidArgumentError(name, `${ms} ms; expected a positive whole number of milliseconds (at most 2147483647)`);
  }
  return ms;
}

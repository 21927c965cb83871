import { EventEmitter } from 'node:events';
import { InvalidArgumentError } from '../errors.js';

/**
 * The longest time-out a Node timer holds: above 2^31-1 ms (about 24.8 days) Node
 * clamps the delay to 1 ms and the timer fires at once. Longer limits are capped here.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * A time-out given by a caller, in milliseconds: 0 means none; above MAX_TIMEOUT_MS it
 * is capped (as ky caps its own), so a very long limit never turns into an instant one.
 */
export function checkTimeoutMs(value: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(name, `${String(value)} is not a time-out; expected a number of milliseconds, 0 for none`);
  }
  return Math.min(value, MAX_TIMEOUT_MS);
}

/**
 * The abort signal of one call: fires when its time-out passes or when the caller's
 * AbortSignal does. An EventEmitter rather than an AbortController because undici takes
 * either, and on Node 20 an AbortController (plus AbortSignal.any) per request costs
 * ~10 µs: most of the gap to bare undici in `npm run bench`.
 */
export class Deadline extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
  /** True when the time-out fired (not the caller). */
  timedOut = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #caller: AbortSignal | undefined;
  readonly #onCallerAbort: (() => void) | undefined;

  constructor(timeoutMs: number, caller: AbortSignal | undefined) {
    super();
    if (timeoutMs > 0) {
      this.#timer = setTimeout(() => {
        this.timedOut = true;
        this.#abort(new Error(`timed out after ${timeoutMs} ms`));
      }, Math.min(timeoutMs, MAX_TIMEOUT_MS));
    }
    this.#caller = caller;
    if (caller !== undefined) {
      this.#onCallerAbort = () => {
        this.#abort(caller.reason);
      };
      caller.addEventListener('abort', this.#onCallerAbort, { once: true });
    }
  }

  #abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }

  /** Ends the time-out but keeps following the caller (a stream after its headers). */
  stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Stops the timer and stops listening to the caller; nothing of it outlives the call. */
  dispose(): void {
    this.stopTimer();
    if (this.#onCallerAbort !== undefined) this.#caller?.removeEventListener('abort', this.#onCallerAbort);
  }
}

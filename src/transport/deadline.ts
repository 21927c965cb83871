import { EventEmitter } from 'node:events';

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
      }, timeoutMs);
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

/** When and how often a failed call is tried again (after undici's retry-handler). */
export interface RetryPolicy {
  /** Further attempts after the first; 0 turns retry off. */
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ retries: 2, minDelayMs: 100, maxDelayMs: 2000 });

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt);
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** What sleep() listens to: an AbortSignal-like emitter (see deadline.ts). */
export interface AbortLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  once(event: 'abort', listener: () => void): unknown;
  removeListener(event: 'abort', listener: () => void): unknown;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** Sleeps, waking early (and rejecting with its reason) when `abort` fires; leaves no timer behind. */
export function sleep(ms: number, abort: AbortLike | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abort?.aborted === true) {
      reject(asError(abort.reason));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(asError(abort?.reason));
    };
    const timer = setTimeout(() => {
      abort?.removeListener('abort', onAbort);
      resolve();
    }, ms);
    abort?.once('abort', onAbort);
  });
}

/** Methods that may be sent twice with the same effect. A POST (create, start) never is. */
export function isIdempotentMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

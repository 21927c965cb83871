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

/** Sleeps, waking early (and rejecting) when `signal` aborts; leaves no timer behind. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Methods that may be sent twice with the same effect. A POST (create, start) never is. */
export function isIdempotentMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/**
 * For commands that run until interrupted (`monitor`, `events`): an AbortSignal that
 * fires on the first SIGINT or SIGTERM, so the command ends cleanly with exit 0. A
 * second Ctrl-C gets Node's default (exit 130). Dispose to remove the handlers.
 */
export function onInterrupt(): { readonly signal: AbortSignal; [Symbol.dispose](): void } {
  const ac = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    remove();
    ac.abort(new Error(`interrupted by ${sig}`));
  };
  const remove = (): void => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return { signal: ac.signal, [Symbol.dispose]: remove };
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects); leaves no timer. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

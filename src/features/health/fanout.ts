/**
 * Hands each value to every current subscriber's async iterator. A subscriber that
 * falls behind keeps only the newest `limit` values (old health reports are stale).
 * end() finishes every iterator after what it has queued.
 */
export class Fanout<T> {
  readonly #limit: number;
  readonly #subs = new Set<{ queue: T[]; wake: (() => void) | undefined }>();
  #ended = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(value: T): void {
    for (const s of this.#subs) {
      s.queue.push(value);
      if (s.queue.length > this.#limit) s.queue.shift();
      s.wake?.();
    }
  }

  end(): void {
    this.#ended = true;
    for (const s of this.#subs) s.wake?.();
  }

  subscribe(): AsyncGenerator<T, void, undefined> {
    const sub: { queue: T[]; wake: (() => void) | undefined } = { queue: [], wake: undefined };
    this.#subs.add(sub);
    const subs = this.#subs;
    const isEnded = (): boolean => this.#ended;
    return (async function* iterate(): AsyncGenerator<T, void, undefined> {
      try {
        for (;;) {
          const next = sub.queue.shift();
          if (next !== undefined) {
            yield next;
            continue;
          }
          if (isEnded()) return;
          await new Promise<void>((resolve) => {
            sub.wake = resolve;
          });
          sub.wake = undefined;
        }
      } finally {
        subs.delete(sub);
      }
    })();
  }
}

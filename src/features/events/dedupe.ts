import type { EngineEvent } from '../../engine/types.js';

/**
 * Remembers the events of the last few seconds (engine time) by (timeNano, type, id,
 * action), so the replay after a reconnect (`since` is inclusive, and some engines
 * round it to the second) delivers nothing twice. Older keys are dropped: a replay
 * never reaches further back than `since`.
 */
export class EventDedupe {
  readonly #windowNanos: bigint;
  readonly #seen = new Map<string, bigint>();
  #newest = 0n;

  constructor(windowMs = 5_000) {
    this.#windowNanos = BigInt(windowMs) * 1_000_000n;
  }

  /** The newest timeNano seen, or undefined before the first event. */
  get newest(): bigint | undefined {
    return this.#newest === 0n ? undefined : this.#newest;
  }

  static #key(event: EngineEvent): string {
    return `${event.timeNano}|${event.type}|${event.id}|${event.action}|${event.actionDetail ?? ''}`;
  }

  /** Whether this event was handled already (a replay repeats it). */
  has(event: EngineEvent): boolean {
    return this.#seen.has(EventDedupe.#key(event));
  }

  /** Marks an event handled; call it once the event is dealt with, so a failure meanwhile replays it. */
  remember(event: EngineEvent): void {
    const t = BigInt(event.timeNano);
    this.#seen.set(EventDedupe.#key(event), t);
    if (t > this.#newest) this.#newest = t;
    if (this.#seen.size > 256) this.#prune();
  }

  #prune(): void {
    const floor = this.#newest - this.#windowNanos;
    for (const [key, t] of this.#seen) if (t < floor) this.#seen.delete(key);
  }
}

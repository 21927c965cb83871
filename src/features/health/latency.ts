/** Latency over the last few successful checks. */
export interface LatencyStats {
  /** The latest successful check, or undefined before the first. */
  readonly lastMs: number | undefined;
  readonly p50Ms: number | undefined;
  readonly p95Ms: number | undefined;
  /** How many checks the percentiles are over (at most the window size). */
  readonly samples: number;
}

/** A ring of the last `size` latencies; percentiles by nearest rank. */
export class LatencyWindow {
  readonly #size: number;
  readonly #ring: number[] = [];
  #next = 0;
  #last: number | undefined;

  constructor(size: number) {
    this.#size = size;
  }

  add(ms: number): void {
    this.#last = ms;
    if (this.#ring.length < this.#size) this.#ring.push(ms);
    else this.#ring[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#size;
  }

  stats(): LatencyStats {
    const sorted = [...this.#ring].sort((a, b) => a - b);
    const rank = (p: number): number | undefined => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
    return { lastMs: this.#last, p50Ms: rank(50), p95Ms: rank(95), samples: sorted.length };
  }
}

/** Milliseconds rounded to microseconds, for reports. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

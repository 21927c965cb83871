// Part 2: 64 concurrent ping loops for a fixed time; requests per second.
// Rounds alternate bare, ours, bare, ours; the best round of each counts.
import { performance } from 'node:perf_hooks';
import type { Target } from './targets.js';

export interface ThroughputResult {
  readonly concurrency: number;
  readonly seconds: number;
  readonly oursRounds: readonly number[];
  readonly bareRounds: readonly number[];
  readonly oursRps: number;
  readonly bareRps: number;
}

async function round(t: Target, concurrency: number, warmupMs: number, measureMs: number): Promise<number> {
  const start = performance.now();
  const from = start + warmupMs;
  const until = from + measureMs;
  let counted = 0;
  const loop = async (): Promise<void> => {
    for (;;) {
      const now = performance.now();
      if (now >= until) return;
      await t.ping();
      const done = performance.now();
      // Counted if it finished inside the window (a call spanning `from` counts; loops stop at `until`).
      if (done >= from && done < until) counted++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return counted / (measureMs / 1000);
}

export async function throughput(oursT: Target, bareT: Target, concurrency = 64, warmupMs = 500, measureMs = 3000, rounds = 2): Promise<ThroughputResult> {
  const got = { ours: [] as number[], bare: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const t of [bareT, oursT]) got[t.name].push(await round(t, concurrency, warmupMs, measureMs));
  }
  return {
    concurrency,
    seconds: measureMs / 1000,
    oursRounds: got.ours,
    bareRounds: got.bare,
    oursRps: Math.max(...got.ours),
    bareRps: Math.max(...got.bare),
  };
}

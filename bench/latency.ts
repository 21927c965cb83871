// Part 1: sequential GET /_ping latency, ours vs bare, samples interleaved
// (one ours, one bare, ...) so that drift on the machine hits both alike.
import { performance } from 'node:perf_hooks';
import { median, percentile } from './stats.js';
import type { Target } from './targets.js';

export interface LatencyResult {
  readonly samples: number;
  readonly oursMedianUs: number;
  readonly oursP99Us: number;
  readonly bareMedianUs: number;
  readonly bareP99Us: number;
}

async function timeOne(t: Target): Promise<number> {
  const t0 = performance.now();
  await t.ping();
  return (performance.now() - t0) * 1000;
}

export async function latency(a: Target, b: Target, samples = 3000, warmup = 500): Promise<LatencyResult> {
  for (let i = 0; i < warmup; i++) {
    await a.ping();
    await b.ping();
  }
  const times = { ours: [] as number[], bare: [] as number[] };
  for (let i = 0; i < samples; i++) {
    // Alternate who goes first, so neither always follows the other.
    const [x, y] = i % 2 === 0 ? [a, b] : [b, a];
    times[x.name].push(await timeOne(x));
    times[y.name].push(await timeOne(y));
  }
  return {
    samples,
    oursMedianUs: median(times.ours),
    oursP99Us: percentile(times.ours, 99),
    bareMedianUs: median(times.bare),
    bareP99Us: percentile(times.bare, 99),
  };
}

// Part 5: the time from an engine answering again to the monitor reporting `healthy`
// (and from its SIGTERM to `unhealthy`), over stop/start rounds of a private engine.
// Compared with the bare baseline of the same job: a plain node:http GET /_ping every
// interval. When the engine answers again is seen by a third poller, every 5 ms;
// "answered again" is the first answer any of the three got.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerClient, HealthChecker } from '../src/index.js';
import type { PrivateEngine } from '../scripts/dockerd.js';
import { median } from './stats.js';

export interface RecoveryResult {
  readonly rounds: number;
  readonly intervalMs: number;
  /** Engine answering → healthy reported, per round. */
  readonly oursMs: readonly number[];
  readonly bareMs: readonly number[];
  /** SIGTERM to the engine → unhealthy reported, per round (Docker answers open connections ~1 s into its shutdown). */
  readonly downMs: readonly number[];
  readonly oursMedianMs: number;
  readonly oursMaxMs: number;
  readonly bareMedianMs: number;
  readonly bareMaxMs: number;
  readonly downMedianMs: number;
}

function ping(socketPath: string, agent: http.Agent | false, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: '/_ping', agent, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => { resolve(res.statusCode === 200); });
      res.on('error', () => { resolve(false); });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => { resolve(false); });
    req.end();
  });
}

async function until(pred: () => boolean, withinMs: number, what: string): Promise<void> {
  const end = performance.now() + withinMs;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`bench recovery: ${what} not seen within ${withinMs} ms`);
    await sleep(2);
  }
}

export async function recovery(engine: PrivateEngine, rounds = 8, intervalMs = 500): Promise<RecoveryResult> {
  const client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {} });
  const ours: { at: number; healthy: boolean }[] = [];
  const monitor = new HealthChecker(client, { intervalMs, timeoutMs: 1000 }).monitor({ onCheck: (_e, r) => ours.push({ at: performance.now(), healthy: r.healthy }) });
  // The bare baseline: the simplest monitor of the same interval.
  const agent = new http.Agent({ keepAlive: true });
  const bare: { at: number; healthy: boolean }[] = [];
  const bareStop = new AbortController();
  const bareLoop = (async () => {
    while (!bareStop.signal.aborted) {
      const started = performance.now();
      const ok = await ping(engine.socketPath, agent, 1000);
      bare.push({ at: performance.now(), healthy: ok });
      await sleep(Math.max(0, started + intervalMs - performance.now()));
    }
  })();
  const oursMs: number[] = [];
  const bareMs: number[] = [];
  const downMs: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      // A random phase, so the restart does not fall on the same point of the interval each round.
      await sleep(intervalMs + Math.random() * intervalMs);
      const stopAt = performance.now();
      const stopping = engine.stop();
      await until(() => ours.some((x) => x.at > stopAt && !x.healthy), 20_000, 'unhealthy');
      downMs.push((ours.find((x) => x.at > stopAt && !x.healthy)?.at ?? 0) - stopAt);
      await stopping;
      await sleep(Math.random() * intervalMs);
      const startAt = performance.now();
      const starting = engine.start();
      let answeredAt = 0;
      while (answeredAt === 0) {
        if (await ping(engine.socketPath, false, 200)) answeredAt = performance.now();
        else await sleep(5);
      }
      await starting;
      await until(() => ours.some((x) => x.at > startAt && x.healthy) && bare.some((x) => x.at > startAt && x.healthy), 20_000, 'healthy');
      const oursAt = ours.find((x) => x.at > startAt && x.healthy)?.at ?? 0;
      const bareAt = bare.find((x) => x.at > startAt && x.healthy)?.at ?? 0;
      // A check sent while the engine was starting waits in its socket's backlog and is
      // answered first: the engine was answering from the earliest answer anyone saw.
      const firstAnswer = Math.min(answeredAt, oursAt, bareAt);
      oursMs.push(oursAt - firstAnswer);
      bareMs.push(bareAt - firstAnswer);
    }
  } finally {
    bareStop.abort();
    await bareLoop;
    agent.destroy();
    await monitor.stop();
    await client.close();
  }
  return {
    rounds,
    intervalMs,
    oursMs,
    bareMs,
    downMs,
    oursMedianMs: median(oursMs),
    oursMaxMs: Math.max(...oursMs),
    bareMedianMs: median(bareMs),
    bareMaxMs: Math.max(...bareMs),
    downMedianMs: median(downMs),
  };
}

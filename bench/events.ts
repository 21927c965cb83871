// Part 5: container start → its event delivered, through watchEvents() (managed scope,
// typed, de-duplicated) and through the bare baseline: a plain node:http GET /events
// read line by line. Both listen at once; each start is timed from just before the call.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerClient, watchEvents } from '../src/index.js';
import type { PrivateEngine } from '../scripts/dockerd.js';
import { ensureBusyboxImage, rawRequest } from '../test/support/engines.js';
import { median, percentile } from './stats.js';

export interface EventsResult {
  readonly starts: number;
  readonly oursMedianMs: number;
  readonly oursP95Ms: number;
  readonly bareMedianMs: number;
  readonly bareP95Ms: number;
}

export async function eventLatency(engine: PrivateEngine, starts = 30): Promise<EventsResult> {
  const image = await ensureBusyboxImage(engine.host);
  const seenOurs = new Map<string, number>();
  const seenBare = new Map<string, number>();
  const client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {} });
  const watcher = watchEvents(client);
  const oursLoop = (async () => {
    for await (const item of watcher) {
      if (item.kind === 'event' && item.event.action === 'start') seenOurs.set(item.event.id, performance.now());
    }
  })();
  const filters = encodeURIComponent(JSON.stringify({ type: ['container'], event: ['start'] }));
  let bareReady = (): void => undefined;
  const bareConnected = new Promise<void>((resolve) => (bareReady = resolve));
  const bareReq = http.request({ socketPath: engine.socketPath, path: `/events?filters=${filters}` }, (res) => {
    bareReady();
    let pending = '';
    res.on('data', (chunk: Buffer) => {
      const at = performance.now();
      pending += String(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line !== '') seenBare.set((JSON.parse(line) as { Actor: { ID: string } }).Actor.ID, at);
    });
    res.on('error', () => undefined);
  });
  bareReq.on('error', () => undefined);
  bareReq.end();
  await bareConnected;
  while (watcher.state !== 'connected') await sleep(5);
  const ours: number[] = [];
  const bare: number[] = [];
  try {
    for (let i = 0; i < starts + 3; i++) {
      const made = await rawRequest(engine.host, 'POST', `/containers/create?name=aicli-bench-ev-${process.pid}-${i}`, JSON.stringify({ Image: image, Cmd: ['true'], Labels: { 'aicli.managed': 'true', 'aicli.test': 'true' } }));
      const id = (JSON.parse(made.body.toString()) as { Id: string }).Id;
      const t0 = performance.now();
      const started = await rawRequest(engine.host, 'POST', `/containers/${id}/start`);
      if (started.status !== 204) throw new Error(`bench events: start failed: HTTP ${started.status} ${started.body.toString()}`);
      const end = performance.now() + 10_000;
      while (!(seenOurs.has(id) && seenBare.has(id))) {
        if (performance.now() > end) throw new Error('bench events: a start event did not arrive within 10 s');
        await sleep(1);
      }
      // The first three warm both paths up.
      if (i >= 3) {
        ours.push((seenOurs.get(id) ?? 0) - t0);
        bare.push((seenBare.get(id) ?? 0) - t0);
      }
      await rawRequest(engine.host, 'DELETE', `/containers/${id}?force=1`);
    }
  } finally {
    bareReq.destroy();
    await watcher.close();
    await oursLoop;
    await client.close();
  }
  return { starts, oursMedianMs: median(ours), oursP95Ms: percentile(ours, 95), bareMedianMs: median(bare), bareP95Ms: percentile(bare, 95) };
}

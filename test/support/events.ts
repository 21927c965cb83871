// Helpers for the event tests: objects made with raw API calls (not the library under
// test), and pulling from an event watcher with a deadline.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { EngineEvent, EventStreamItem } from '../../src/index.js';
import { ensureBusyboxImage, rawRequest, TEST_LABEL, TEST_ULIMITS } from './engines.js';

export const MANAGED = { 'aicli.managed': 'true', [TEST_LABEL]: 'true' };
export const UNMANAGED = { [TEST_LABEL]: 'true' };
export const suffix = (): string => randomBytes(4).toString('hex');

export async function createContainer(host: string, name: string, labels: Record<string, string>, networkId?: string): Promise<string> {
  const image = await ensureBusyboxImage(host);
  // Attached at create, not connected later: Docker 20.10 keeps a stale endpoint for a container
  // connected before its first start, and its network can then never be removed.
  const hostConfig = { HostConfig: { Ulimits: TEST_ULIMITS, ...(networkId === undefined ? {} : { NetworkMode: networkId }) } };
  const res = await rawRequest(host, 'POST', `/containers/create?name=${name}`, JSON.stringify({ Image: image, Cmd: ['true'], Labels: labels, ...hostConfig }));
  assert.equal(res.status, 201, res.body.toString());
  return (JSON.parse(res.body.toString()) as { Id: string }).Id;
}

export async function createNetwork(host: string, name: string, labels: Record<string, string>): Promise<string> {
  const res = await rawRequest(host, 'POST', '/networks/create', JSON.stringify({ Name: name, Labels: labels }));
  assert.equal(res.status, 201, res.body.toString());
  return (JSON.parse(res.body.toString()) as { Id: string }).Id;
}

/** The first item in `seen` for which `pred` holds, else pulls until one comes (kept in `seen`). */
export async function pullUntil(items: AsyncIterator<EventStreamItem>, seen: EventStreamItem[], pred: (x: EventStreamItem) => boolean, withinMs = 30_000): Promise<EventStreamItem> {
  const had = seen.find(pred);
  if (had !== undefined) return had;
  const end = Date.now() + withinMs;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      items.next(),
      new Promise<'late'>((resolve) => (timer = setTimeout(() => { resolve('late'); }, Math.max(1, end - Date.now())))),
    ]);
    clearTimeout(timer);
    if (next === 'late') throw new Error(`not seen within ${withinMs} ms; got ${seen.map(describeItem).join(', ')}`);
    if (next.done === true) throw new Error(`the stream ended; got ${seen.map(describeItem).join(', ')}`);
    seen.push(next.value);
    if (pred(next.value)) return next.value;
  }
}

export const describeItem = (x: EventStreamItem): string => (x.kind === 'event' ? `${x.event.type} ${x.event.action} ${x.event.name ?? x.event.id.slice(0, 12)}` : `[${x.state}]`);
export const events = (seen: readonly EventStreamItem[]): EngineEvent[] => seen.flatMap((x) => (x.kind === 'event' ? [x.event] : []));
export const isEvent = (action: string, name: string) => (x: EventStreamItem): boolean => x.kind === 'event' && x.event.action === action && x.event.name === name;


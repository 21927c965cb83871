import type { Readable } from 'node:stream';
import { DockerProtocolError } from '../errors.js';
import type { CallOptions, EngineApi } from './engine-api.js';
import { toEngineEvent } from './decode.js';
import { apiPath } from './path.js';
import type { EngineEvent } from './types.js';

/** A line longer than this is not an event: the stream is read no further. */
export const MAX_EVENT_LINE_BYTES = 1024 * 1024;

/**
 * Newline-delimited JSON from a stream body (the engine writes one object per line),
 * yielding each non-empty line as text. Pull-based: nothing is read ahead of the caller.
 */
export async function* jsonLines(body: Readable, what: { method: string; path: string; endpoint: string }, maxLine = MAX_EVENT_LINE_BYTES): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of body) {
    pending += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let nl = pending.indexOf('\n');
    while (nl !== -1) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line !== '') yield line;
      nl = pending.indexOf('\n');
    }
    if (pending.length > maxLine) throw new DockerProtocolError(what, `a line of more than ${maxLine} bytes without a newline`);
  }
  const last = pending.trim();
  if (last !== '') yield last;
}

/** Nanoseconds since the epoch as the engine's `since`/`until` take them: `SECONDS.NANOSECONDS`. */
export function engineTimestamp(nanos: bigint): string {
  const s = nanos / 1_000_000_000n;
  const ns = nanos % 1_000_000_000n;
  return `${s}.${ns.toString().padStart(9, '0')}`;
}

export function dateToNanos(date: Date): bigint {
  return BigInt(date.getTime()) * 1_000_000n;
}

export interface EventQuery {
  /** Nanoseconds since the epoch; the engine replays what it still holds from then on. */
  readonly since?: bigint | undefined;
  /** The engine ends the stream at this time. */
  readonly until?: bigint | undefined;
  readonly filters?: Readonly<Record<string, readonly string[]>> | undefined;
}

export interface EventStream {
  /** The engine's clock when it answered (its `Date` header, whole seconds), if it sent one. */
  readonly engineTime: Date | undefined;
  /** Each line decoded; `undefined` for a line that is not an event (the caller logs and goes on). */
  readonly events: AsyncIterable<EngineEvent | undefined>;
  /** Ends the stream and its socket now; safe twice. */
  close(): void;
}

/**
 * GET /events as typed events. `options.timeoutMs` bounds the wait for the headers only;
 * the stream then lasts until the engine ends it, `close()`, or the caller's signal.
 */
export async function openEventStream(api: EngineApi, query: EventQuery, options: CallOptions = {}): Promise<EventStream> {
  const path = apiPath`/events`;
  const res = await api.stream({
    method: 'GET',
    path,
    query: {
      since: query.since === undefined ? undefined : engineTimestamp(query.since),
      until: query.until === undefined ? undefined : engineTimestamp(query.until),
      filters: query.filters,
    },
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  const date = res.headers['date'];
  const parsed = typeof date === 'string' ? new Date(date) : undefined;
  const what = { method: 'GET', path, endpoint: api.transport.endpoint.url };
  const body = res.body;
  async function* decode(): AsyncGenerator<EngineEvent | undefined> {
    try {
      for await (const line of jsonLines(body, what)) yield toEngineEvent(line);
    } finally {
      body.destroy();
    }
  }
  return {
    engineTime: parsed === undefined || Number.isNaN(parsed.getTime()) ? undefined : parsed,
    events: decode(),
    close() {
      body.destroy();
    },
  };
}

// Container logs as lines: `{ stream, line, time }`, demultiplexed, long lines (which the
// engine splits into 16 KiB messages) joined again. With `follow`, the lines keep coming
// across a restart of the container; following ends when the container stops for good (it
// is not running again within `restartGraceMs`) or the caller aborts.
import { InvalidArgumentError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { containerInspect, containerLogs } from '../../engine/container-api.js';
import { STDERR, StdcopyDemuxer } from '../../engine/stdcopy.js';
import { silentLogger, type Logger } from '../../logger.js';

export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  /** The text, without its line ending. */
  readonly line: string;
  /** When the engine logged it: RFC 3339 with nanoseconds, as the engine gives it. */
  readonly time: string;
}

export interface LogsOptions {
  readonly follow?: boolean;
  /** Only lines logged at or after this time: a Date, or Unix seconds. */
  readonly since?: Date | number;
  /** The last N lines only (before following). */
  readonly tail?: number;
  /** How long, after the logs end, to wait for the container to run again (a restart) before following stops. Default 2 s. */
  readonly restartGraceMs?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export const LOGS_DEFAULTS = /* @__PURE__ */ Object.freeze({ restartGraceMs: 2000 });

/** An RFC 3339 time with nanoseconds as "seconds.nanoseconds" (what `since` takes), and as a BigInt to compare. */
function nanos(time: string): bigint | undefined {
  const m = /^(.*?T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (m === null) return undefined;
  const seconds = Date.parse(`${m[1] ?? ''}${m[3] ?? 'Z'}`) / 1000;
  if (!Number.isFinite(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

function asSince(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`;
}

/** One engine message: "<RFC 3339 time> <text>". */
function splitTime(message: string): { time: string; text: string } {
  const space = message.indexOf(' ');
  return space > 0 && /^\d{4}-\d\d-\d\dT/.test(message) ? { time: message.slice(0, space), text: message.slice(space + 1) } : { time: '', text: message };
}

/** Turns messages of one stream into lines; a message without a line ending is a part of a longer line. */
class LineJoiner {
  #pending = '';
  #time = '';
  message(message: string, out: (time: string, line: string) => void): void {
    const { time, text } = splitTime(message);
    if (this.#pending === '') this.#time = time;
    const parts = (this.#pending + text).split('\n');
    this.#pending = parts.pop() ?? '';
    for (const p of parts) out(this.#time, p.endsWith('\r') ? p.slice(0, -1) : p);
    if (parts.length > 0) this.#time = time;
  }
  flush(out: (time: string, line: string) => void): void {
    if (this.#pending !== '') out(this.#time, this.#pending);
    this.#pending = '';
  }
}

/** A readable of log lines; close() (or `await using`, or leaving a for-await) ends it. */
export class LogStream implements AsyncIterable<LogLine>, AsyncDisposable {
  readonly #own = new AbortController();
  readonly #gen: AsyncGenerator<LogLine>;

  constructor(api: EngineApi, container: string, options: LogsOptions) {
    const signal = options.signal === undefined ? this.#own.signal : AbortSignal.any([options.signal, this.#own.signal]);
    this.#gen = follow(api, container, options, signal);
  }

  [Symbol.asyncIterator](): AsyncGenerator<LogLine> {
    return this.#gen;
  }

  async close(): Promise<void> {
    this.#own.abort(new Error('log stream closed'));
    await this.#gen.return(undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The container's logs as lines; see LogLine and LogsOptions. */
export function logs(api: EngineApi, container: string, options: LogsOptions = {}): LogStream {
  if (container === '') throw new InvalidArgumentError('container', 'an id or name is required');
  if (options.tail !== undefined && (!Number.isSafeInteger(options.tail) || options.tail < 0)) throw new InvalidArgumentError('tail', `${options.tail} is not a line count`);
  return new LogStream(api, container, options);
}

async function* follow(api: EngineApi, container: string, options: LogsOptions, signal: AbortSignal): AsyncGenerator<LogLine> {
  const logger = options.logger ?? silentLogger;
  const call: CallOptions = { signal };
  const grace = options.restartGraceMs ?? LOGS_DEFAULTS.restartGraceMs;
  // A function, not the property: it changes while this generator waits.
  const aborted = (): boolean => signal.aborted;
  const first = await containerInspect(api, container, call);
  const id = first.id;
  const since = options.since;
  let sinceArg: string | number | undefined = since === undefined ? undefined : since instanceof Date ? since.getTime() / 1000 : since;
  let tail: number | undefined = options.tail;
  // Per stream: the latest time of a line given, and how many lines were given at that very
  // time. Engines with one-second times (Podman) give many lines one time, the same text
  // included: a restarted container prints its first lines again within the second. So what
  // a resumed follow repeats is told apart by count, not by text: within one stream the
  // engine gives the lines logged at `since` in the order of its log, the ones already given
  // first. Per stream, because stdout and stderr are stamped apart, and how the two
  // interleave may differ between a live follow and a replay.
  const marks: Partial<Record<LogLine['stream'], { at: bigint; count: number }>> = {};
  const given = (line: LogLine): LogLine => {
    const t = nanos(line.time);
    if (t === undefined) return line;
    const m = marks[line.stream];
    if (m === undefined || t > m.at) marks[line.stream] = { at: t, count: 1 };
    else if (t === m.at) m.count++;
    return line;
  };
  // Set when following on after a restart: per stream, what the engine repeats from `since`.
  let resumed: Partial<Record<LogLine['stream'], { at: bigint; repeats: number }>> | undefined;
  for (;;) {
    const res = await containerLogs(api, id, { follow: options.follow === true, timestamps: true, since: sinceArg, tail }, call);
    const queue: LogLine[] = [];
    let wake: (() => void) | undefined;
    const push = (stream: LogLine['stream']) => (time: string, line: string): void => {
      const t = nanos(time);
      // A resumed follow asks from the earliest of the streams' latest times: drop what was already given.
      const r = resumed?.[stream];
      if (r !== undefined && t !== undefined) {
        if (t < r.at) return;
        if (t === r.at && r.repeats > 0) {
          r.repeats--;
          return;
        }
      }
      queue.push({ stream, line, time });
    };
    const joiners = { stdout: new LineJoiner(), stderr: new LineJoiner() };
    const parts: { stdout: Buffer[]; stderr: Buffer[] } = { stdout: [], stderr: [] };
    const demux = first.tty
      ? undefined
      : new StdcopyDemuxer((stream, payload, frameEnd) => {
          const name = stream === STDERR ? 'stderr' : 'stdout';
          parts[name].push(payload);
          if (frameEnd) {
            joiners[name].message(Buffer.concat(parts[name]).toString('utf8'), push(name));
            parts[name] = [];
          }
          return true;
        });
    let raw = '';
    // Set by the body's events, read by the loop below.
    const state: { done: boolean; failure: Error | undefined } = { done: false, failure: undefined };
    res.body.on('data', (chunk: Buffer) => {
      if (demux !== undefined) {
        try {
          demux.push(chunk);
        } catch (err) {
          state.failure = err as Error;
          res.body.destroy();
        }
      } else {
        // A TTY container: one raw stream, every line prefixed with its time.
        raw += chunk.toString('utf8');
        const lines = raw.split('\n');
        raw = lines.pop() ?? '';
        for (const l of lines) joiners.stdout.message(`${l}\n`, push('stdout'));
      }
      if (queue.length > 256) res.body.pause();
      wake?.();
    });
    res.body.once('end', () => {
      state.done = true;
      wake?.();
    });
    res.body.once('error', (err) => {
      state.failure = err;
      state.done = true;
      wake?.();
    });
    try {
      for (;;) {
        while (queue.length > 0) {
          const line = queue.shift();
          if (line === undefined) break;
          yield given(line);
        }
        if (state.done) break;
        res.body.resume();
        await new Promise<void>((resolve) => { wake = resolve; });
        wake = undefined;
      }
    } finally {
      res.body.destroy();
    }
    if (raw !== '') joiners.stdout.message(raw, push('stdout'));
    joiners.stdout.flush(push('stdout'));
    joiners.stderr.flush(push('stderr'));
    for (const line of queue) yield given(line);
    if (state.failure !== undefined) {
      if (aborted()) return;
      throw state.failure;
    }
    if (options.follow !== true || aborted()) return;
    // The engine ends a follow when the container stops. A restart brings it back: follow on.
    let again: boolean;
    try {
      again = await runsAgain(api, id, grace, call);
    } catch (err) {
      if (aborted()) return;
      throw err;
    }
    if (!again) return;
    const from = Object.values(marks).reduce<bigint | undefined>((min, m) => (min === undefined || m.at < min ? m.at : min), undefined);
    logger.debug({ container, since: from === undefined ? undefined : asSince(from) }, 'logs: the container runs again, following on');
    tail = undefined;
    resumed = {};
    for (const [stream, m] of Object.entries(marks) as [LogLine['stream'], { at: bigint; count: number }][]) resumed[stream] = { at: m.at, repeats: m.count };
    sinceArg = from === undefined ? sinceArg : asSince(from);
  }
}

/** Whether the container is (or within `graceMs` is again) running; while the engine says "restarting", it waits. */
async function runsAgain(api: EngineApi, id: string, graceMs: number, call: CallOptions): Promise<boolean> {
  const until = Date.now() + graceMs;
  for (;;) {
    const c = await containerInspect(api, id, call);
    if (c.running && !c.restarting) return true;
    if (!c.restarting && Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

import { DockerApiError, DockerConnectionLostError, InvalidArgumentError, isDockerError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { dateToNanos, openEventStream, type EventStream } from '../../engine/events.js';
import type { EngineEvent } from '../../engine/types.js';
import { backoffDelay } from '../../transport/retry.js';
import type { DockerClient } from '../docker-client.js';
import { EventDedupe } from './dedupe.js';
import { MANAGED_EVENT_FILTERS, ManagedScope } from './scope.js';

/** Every default of watchEvents(), in one place. */
export const EVENT_DEFAULTS = Object.freeze({
  scope: 'managed' as const,
  /** Waits between reconnect attempts: exponential with jitter, from min to max. */
  reconnect: Object.freeze({ minDelayMs: 250, maxDelayMs: 5_000 }),
  /** How long one (re)connect may wait for the engine's headers, and each lookup it makes. */
  callTimeoutMs: 10_000,
});

export interface WatchEventsOptions {
  /** `managed` (default): aicli's containers and networks only. `all`: every event of the engine. */
  readonly scope?: 'managed' | 'all';
  /** Start from here (the engine replays what it still holds); default: from now on. */
  readonly since?: Date;
  /** End when the engine's clock reaches this time. */
  readonly until?: Date;
  /** Engine-side `filters` (e.g. `{ type: ['container'] }`); default: the scope's. */
  readonly filters?: Readonly<Record<string, readonly string[]>>;
  readonly reconnect?: Partial<{ minDelayMs: number; maxDelayMs: number }>;
  readonly callTimeoutMs?: number;
  /** Ends the watch (as close() does). */
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export interface EventItem {
  readonly kind: 'event';
  readonly event: EngineEvent;
}

/** The stream is (again) connected; `since` is where it resumed, `reconnects` how often it had to. */
export interface ConnectedState {
  readonly kind: 'state';
  readonly state: 'connected';
  readonly time: Date;
  readonly since: Date | undefined;
  readonly reconnects: number;
}

/** The stream is down; the next attempt comes after `delayMs`. `error` says why. */
export interface WaitingState {
  readonly kind: 'state';
  readonly state: 'waiting';
  readonly time: Date;
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: Error;
}

export type EventStreamItem = EventItem | ConnectedState | WaitingState;

export type WatcherState = 'idle' | 'connecting' | 'connected' | 'waiting' | 'closed';

/** How far our clock may be ahead of the engine's when deciding that `until` has come. */
const UNTIL_SKEW_NANOS = 2_000_000_000n;

/** Resolves after `ms`, or at once when `signal` aborts; leaves no timer behind. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal.aborted) done();
    else signal.addEventListener('abort', done, { once: true });
  });
}

/** Worth another attempt: the engine was away, slow, or failed inside. Not: a refusal of the request. */
function retryable(err: unknown): boolean {
  if (err instanceof DockerApiError) return err.statusCode >= 500;
  return (
    isDockerError(err, 'DOCKER_NOT_AVAILABLE') ||
    isDockerError(err, 'DOCKER_TIMEOUT') ||
    isDockerError(err, 'DOCKER_CONNECTION_LOST') ||
    isDockerError(err, 'DOCKER_PROTOCOL_ERROR')
  );
}

/**
 * The engine's events as an async iterator that survives the engine going away: on a
 * dropped stream it waits (with backoff, announced by a `waiting` item), reconnects with
 * `since` set to the newest event seen, and drops what the replay repeats. Single
 * consumer. Pull-based: nothing is read, and no reconnect is tried, until the consumer
 * asks for the next item. `close()` (or `break`) ends it and its socket.
 */
export class EventWatcher implements AsyncIterable<EventStreamItem>, AsyncDisposable {
  readonly #client: DockerClient;
  readonly #options: WatchEventsOptions;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  readonly #onCallerAbort: (() => void) | undefined;
  #stream: EventStream | undefined;
  #state: WatcherState = 'idle';
  #iterated = false;

  constructor(client: DockerClient, options: WatchEventsOptions = {}) {
    const { minDelayMs, maxDelayMs } = { ...EVENT_DEFAULTS.reconnect, ...options.reconnect };
    if (!(minDelayMs >= 0 && maxDelayMs >= minDelayMs)) throw new InvalidArgumentError('reconnect', `minDelayMs ${minDelayMs} and maxDelayMs ${maxDelayMs}: expected 0 <= minDelayMs <= maxDelayMs`);
    if (options.since !== undefined && Number.isNaN(options.since.getTime())) throw new InvalidArgumentError('since', 'is not a valid date');
    if (options.until !== undefined && Number.isNaN(options.until.getTime())) throw new InvalidArgumentError('until', 'is not a valid date');
    if (options.since !== undefined && options.until !== undefined && options.until < options.since) {
      throw new InvalidArgumentError('until', `${options.until.toISOString()} is before since (${options.since.toISOString()}); nothing could be delivered`);
    }
    this.#client = client;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    const caller = options.signal;
    if (caller !== undefined) {
      if (caller.aborted) this.#abort.abort(caller.reason);
      this.#onCallerAbort = () => {
        void this.close();
      };
      caller.addEventListener('abort', this.#onCallerAbort, { once: true });
    }
  }

  get state(): WatcherState {
    return this.#state;
  }

  [Symbol.asyncIterator](): AsyncGenerator<EventStreamItem, void, undefined> {
    if (this.#iterated) throw new InvalidArgumentError('iteration', 'an event watcher is iterated once; call watchEvents() again for another consumer');
    this.#iterated = true;
    return this.#run();
  }

  /** Ends the watch: the stream and its socket close, a pending `next()` resolves as done. Safe twice. */
  async close(): Promise<void> {
    if (this.#state === 'closed' && this.#abort.signal.aborted) return;
    this.#state = 'closed';
    this.#abort.abort(new Error('the event watcher was closed'));
    this.#stream?.close();
    this.#stream = undefined;
    if (this.#onCallerAbort !== undefined) this.#options.signal?.removeEventListener('abort', this.#onCallerAbort);
    await Promise.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #isClosed(): boolean {
    return this.#abort.signal.aborted;
  }

  async *#run(): AsyncGenerator<EventStreamItem, void, undefined> {
    const o = this.#options;
    const api = this.#client.api;
    const managed = (o.scope ?? EVENT_DEFAULTS.scope) === 'managed';
    const scope = managed ? new ManagedScope(api) : undefined;
    const filters = o.filters ?? (managed ? MANAGED_EVENT_FILTERS : undefined);
    const policy = { retries: Number.POSITIVE_INFINITY, ...EVENT_DEFAULTS.reconnect, ...o.reconnect };
    const call = { signal: this.#abort.signal, timeoutMs: o.callTimeoutMs ?? EVENT_DEFAULTS.callTimeoutMs };
    const until = o.until === undefined ? undefined : dateToNanos(o.until);
    const dedupe = new EventDedupe();
    // Where the next connection resumes: the caller's `since`, else the moment it was
    // first asked for (or first connected), then the newest event seen.
    let since = o.since === undefined ? undefined : dateToNanos(o.since);
    const askedAt = dateToNanos(new Date());
    let failures = 0;
    let reconnects = 0;
    let lastError: Error = new Error('not connected yet');
    try {
      while (!this.#isClosed()) {
        if (failures > 0) {
          const delayMs = backoffDelay(policy, failures - 1);
          this.#state = 'waiting';
          this.#logger.info({ attempt: failures, delayMs, error: lastError.message }, 'engine event stream down; waiting to reconnect');
          yield { kind: 'state', state: 'waiting', time: new Date(), attempt: failures, delayMs, error: lastError };
          await wait(delayMs, this.#abort.signal);
          if (this.#isClosed()) return;
        }
        this.#state = 'connecting';
        let stream: EventStream;
        try {
          stream = await openEventStream(api, { since, until, filters }, call);
          this.#stream = stream;
          if (this.#isClosed()) {
            stream.close();
            return;
          }
          await scope?.refresh(call);
        } catch (err) {
          this.#stream?.close();
          this.#stream = undefined;
          if (this.#isClosed()) return;
          if (!retryable(err)) throw err;
          lastError = err as Error;
          failures++;
          since ??= askedAt;
          continue;
        }
        // A stream that started from "now": resume from the engine's clock, not ours.
        since ??= stream.engineTime === undefined ? askedAt : dateToNanos(stream.engineTime);
        this.#state = 'connected';
        failures = 0;
        this.#logger.debug({ since: since.toString(), reconnects }, 'engine event stream connected');
        yield { kind: 'state', state: 'connected', time: new Date(), since: new Date(Number(since / 1_000_000n)), reconnects };
        try {
          for await (const event of stream.events) {
            if (event === undefined) {
              this.#logger.warn({}, 'engine event stream: a line that is not an event was skipped');
              continue;
            }
            if (dedupe.has(event)) continue;
            const ours = scope === undefined || (await scope.accepts(event, call));
            dedupe.remember(event);
            since = dedupe.newest ?? since;
            if (ours) yield { kind: 'event', event };
          }
          // The engine ends the stream itself at `until`. Earlier (by our clock, with room
          // for skew), it is a drop: the reconnect resumes, and ends at once if `until` passed.
          if (until !== undefined && dateToNanos(new Date()) >= until - UNTIL_SKEW_NANOS) return;
          lastError = new DockerConnectionLostError({ method: 'GET', path: '/events', endpoint: this.#client.endpoint.url }, 'the engine ended the event stream');
        } catch (err) {
          if (this.#isClosed()) return;
          if (isDockerError(err) && !retryable(err)) throw err;
          lastError = isDockerError(err) ? err : new DockerConnectionLostError({ method: 'GET', path: '/events', endpoint: this.#client.endpoint.url }, (err as Error).message, { cause: err });
        } finally {
          stream.close();
          this.#stream = undefined;
        }
        failures = 1;
        reconnects++;
      }
    } catch (err) {
      // close() during a wait or a call ends the iteration quietly.
      if (this.#isClosed()) return;
      throw err;
    } finally {
      this.#stream?.close();
      this.#stream = undefined;
      this.#state = 'closed';
      if (this.#onCallerAbort !== undefined) this.#options.signal?.removeEventListener('abort', this.#onCallerAbort);
    }
  }
}

/** Follows the engine's events (aicli's own by default); see EventWatcher. */
export function watchEvents(client: DockerClient, options: WatchEventsOptions = {}): EventWatcher {
  return new EventWatcher(client, options);
}

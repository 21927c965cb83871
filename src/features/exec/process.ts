// One running exec: its hijacked connection, output demultiplexed to readables or sinks,
// stdin streamed and closed, and the exit code read only once the output is drained.
import { Readable, Writable, type Duplex } from 'node:stream';
import { DockerConnectionLostError, DockerProtocolError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { execCreate, execInspect, execResize, execStart, supportsConsoleSize, type TtySize } from '../../engine/exec-api.js';
import { STDERR, StdcopyDemuxer, type FrameStream } from '../../engine/stdcopy.js';

/** Data for the command's stdin, streamed then closed. */
export type StdinSource = Readable | Buffer | string;

export interface StartSpec {
  readonly container: string;
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly workdir?: string | undefined;
  readonly user?: string | undefined;
  readonly tty: boolean;
  readonly size?: TtySize | undefined;
  readonly stdin?: StdinSource | undefined;
  /** A writable `stdin` on the handle instead (the caller ends it). */
  readonly stdinPipe?: boolean | undefined;
  /** Sinks for the output; without them, readables on the handle. */
  readonly stdout?: Writable | undefined;
  readonly stderr?: Writable | undefined;
  readonly call: CallOptions;
  /** The TTY size could not be set on an engine below API 1.42 (the command runs at the default size). */
  readonly onResizeFailed?: ((err: unknown) => void) | undefined;
}

/** Pauses the socket while any reader is full; resumes when none is. */
class Gate {
  readonly #socket: Duplex;
  readonly #blocked = new Set<string>();
  constructor(socket: Duplex) {
    this.#socket = socket;
  }
  block(who: string): void {
    this.#blocked.add(who);
    this.#socket.pause();
  }
  unblock(who: string): void {
    if (this.#blocked.delete(who) && this.#blocked.size === 0) this.#socket.resume();
  }
}

interface Output {
  /** Hands on one chunk; false when the reader is full (the gate is shut for it). */
  write(chunk: Buffer): boolean;
  /** No more output; resolves when the reader has been handed all of it (a sink has flushed). */
  finish(): Promise<void>;
  fail(err: Error): void;
  readonly readable: Readable;
}

function readableOutput(name: string, gate: Gate): Output {
  const readable = new Readable({
    // Large: a reader that reads in bursts should not stop the engine every 16 KiB.
    highWaterMark: 1 << 20,
    read: () => { gate.unblock(name); },
  });
  return {
    write(chunk) {
      if (readable.destroyed) return true;
      if (readable.push(chunk)) return true;
      gate.block(name);
      return false;
    },
    // Everything is in the readable's hands: the exit code may follow. (A reader that never
    // reads a full readable holds the socket paused, so the end never comes before the data.)
    finish() {
      if (!readable.destroyed) readable.push(null);
      return Promise.resolve();
    },
    fail(err) {
      if (!readable.destroyed && readable.listenerCount('error') > 0) readable.destroy(err);
      else readable.destroy();
    },
    readable,
  };
}

function sinkOutput(name: string, gate: Gate, sink: Writable): Output {
  let waiting: Promise<void> | undefined;
  return {
    write(chunk) {
      if (sink.write(chunk)) return true;
      gate.block(name);
      waiting = new Promise<void>((resolve) => {
        const go = (): void => {
          sink.removeListener('close', go);
          sink.removeListener('drain', go);
          waiting = undefined;
          gate.unblock(name);
          resolve();
        };
        sink.once('drain', go);
        sink.once('close', go);
      });
      return false;
    },
    async finish() {
      await waiting;
    },
    fail() {
      // The sink belongs to the caller: it is left open.
    },
    readable: Readable.from([]),
  };
}

/** The writable end a caller gets with `stdin: 'pipe'`: writes go to the command, end() is its EOF. */
function stdinWritable(socket: Duplex): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (socket.destroyed) { cb(); return; }
      socket.write(chunk, (err) => { cb(isGone(err) ? null : err); });
    },
    final(cb) {
      if (socket.destroyed || socket.writableEnded) { cb(); return; }
      socket.end(() => { cb(); });
    },
  });
}

/** Write errors after the command is gone (it stopped reading stdin) are not failures. */
function isGone(err: Error | null | undefined): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return code === 'EPIPE' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END';
}

export class RunningExec {
  readonly id: string;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable | undefined;
  readonly #api: EngineApi;
  readonly #socket: Duplex;
  readonly #outputDone: Promise<void>;
  #exit: Promise<number> | undefined;
  #ended = false;

  constructor(api: EngineApi, id: string, socket: Duplex, spec: StartSpec) {
    this.#api = api;
    this.id = id;
    this.#socket = socket;
    const gate = new Gate(socket);
    const out = spec.stdout === undefined ? readableOutput('stdout', gate) : sinkOutput('stdout', gate, spec.stdout);
    const err = spec.stderr === undefined ? readableOutput('stderr', gate) : sinkOutput('stderr', gate, spec.stderr);
    this.stdout = out.readable;
    this.stderr = err.readable;
    const demux = spec.tty ? undefined : new StdcopyDemuxer((stream: FrameStream, payload) => (stream === STDERR ? err.write(payload) : out.write(payload)));
    const target = { method: 'POST', path: `/exec/${id}/start`, endpoint: api.transport.endpoint.url };

    this.#outputDone = new Promise<void>((resolve, reject) => {
      const fail = (e: Error): void => {
        out.fail(e);
        err.fail(e);
        reject(e);
      };
      socket.on('data', (chunk: Buffer) => {
        if (demux === undefined) {
          out.write(chunk);
          return;
        }
        try {
          demux.push(chunk);
        } catch (e) {
          socket.destroy();
          fail(new DockerProtocolError(target, (e as Error).message, { cause: e }));
        }
      });
      socket.once('end', () => {
        this.#ended = true;
        if (demux !== undefined && !demux.atBoundary) {
          fail(new DockerConnectionLostError(target, 'the output stopped in the middle of a frame'));
          return;
        }
        Promise.all([out.finish(), err.finish()]).then(() => { resolve(); }, reject);
      });
      socket.once('close', () => {
        if (!this.#ended) fail(new DockerConnectionLostError(target, 'the connection closed before the output ended'));
      });
      socket.on('error', (e: Error) => {
        // The command stopped reading stdin, or the engine closed after the output: not a failure.
        if (this.#ended) return;
        fail(e.name === 'DockerAbortedError' || e.name === 'ClientClosedError' ? e : new DockerConnectionLostError(target, e.message, { cause: e }));
      });
    });
    // Until wait() is called, a failure is kept for it, not thrown at the process.
    this.#outputDone.catch(() => undefined);

    const stdin = spec.stdin;
    if (spec.stdinPipe === true) this.stdin = stdinWritable(socket);
    else {
      this.stdin = undefined;
      if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) socket.end(stdin);
      else if (stdin !== undefined) {
        const sink = stdinWritable(socket);
        stdin.once('error', (e) => { socket.destroy(e); });
        stdin.pipe(sink);
        // A command that exits without reading all its input: the rest stays with the caller.
        socket.once('close', () => { stdin.unpipe(sink); });
      }
    }
  }

  /** Output drained (every byte handed on and read), then the exit code from the engine. */
  wait(call: CallOptions = {}): Promise<number> {
    this.#exit ??= this.#outputDone.then(() => this.#exitCode(call));
    return this.#exit;
  }

  /** The engine may report the exit a moment after the output ends: ask until it does. */
  async #exitCode(call: CallOptions): Promise<number> {
    for (let delay = 1; ; delay = Math.min(delay * 2, 200)) {
      const info = await execInspect(this.#api, this.id, call);
      if (!info.running && info.exitCode !== null) return info.exitCode;
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  get outputEnded(): boolean {
    return this.#ended;
  }

  /** Resolves when the output has ended (or at once if it has), else after `ms`. */
  async outputEnd(ms: number): Promise<boolean> {
    if (this.#ended || this.#socket.destroyed) return true;
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      new Promise<boolean>((resolve) => { this.#socket.once('end', () => { resolve(true); }); this.#socket.once('close', () => { resolve(true); }); }),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => { resolve(false); }, ms); }),
    ]);
    clearTimeout(timer);
    return ended;
  }

  async resize(size: TtySize, call: CallOptions = {}): Promise<void> {
    await execResize(this.#api, this.id, size, call);
  }

  destroy(err?: Error): void {
    this.#socket.destroy(err);
  }

  get destroyed(): boolean {
    return this.#socket.destroyed;
  }
}

/**
 * Below API 1.42 the size can only follow the start, as the docker CLI sends it: the process
 * may not run yet (retry), or be gone already (a short command: nothing to size).
 */
async function initialSize(running: RunningExec, size: TtySize, call: CallOptions, onFailed: ((err: unknown) => void) | undefined): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await running.resize(size, call);
      return;
    } catch (err) {
      if (running.outputEnded || running.destroyed) return;
      if (attempt >= 10) {
        onFailed?.(err);
        return;
      }
      await new Promise((r) => setTimeout(r, 10 * attempt));
    }
  }
}

/** Creates and starts the exec; the TTY size goes with the start (API 1.42+) or right after it. */
export async function startExec(api: EngineApi, spec: StartSpec): Promise<RunningExec> {
  const attachStdin = spec.stdin !== undefined || spec.stdinPipe === true;
  const id = await execCreate(
    api,
    spec.container,
    { cmd: spec.cmd, env: spec.env, workdir: spec.workdir, user: spec.user, tty: spec.tty, attachStdin, consoleSize: spec.size },
    spec.call,
  );
  const socket = await execStart(api, id, { tty: spec.tty, consoleSize: spec.size }, spec.call);
  const running = new RunningExec(api, id, socket, spec);
  if (spec.tty && spec.size !== undefined && !supportsConsoleSize(api)) void initialSize(running, spec.size, spec.call, spec.onResizeFailed);
  return running;
}

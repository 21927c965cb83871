// exec inside a container: streaming (execStream) and buffered (exec). Every call takes the
// EngineApi of the engine that runs the container (a Swarm node's, for instance) and a
// container id or name; workspace names are resolved before (see workspace-lookup.ts).
import type { Readable, Writable } from 'node:stream';
import { ContainerNotRunningError, DockerAbortedError, DockerApiError, ExecTimeoutError, InvalidArgumentError } from '../../errors.js';
import type { EngineApi } from '../../engine/engine-api.js';
import { execInspect, type TtySize } from '../../engine/exec-api.js';
import { silentLogger, type Logger } from '../../logger.js';
import { envKeys, toEnvList, type ExecEnv } from './env.js';
import { EXEC_MARKER, killMarked, newMarker } from './kill.js';
import { startExec, type RunningExec } from './process.js';

export type { TtySize, ExecEnv };

export interface ExecOptions {
  /** Extra environment; values never reach a log or an error message. */
  readonly env?: ExecEnv;
  readonly workdir?: string;
  /** `user`, `uid`, `user:group` or `uid:gid`; default: the container's user. */
  readonly user?: string;
  /** A TTY (raw output on stdout, no stderr); an object gives its initial size. */
  readonly tty?: boolean | TtySize;
  /** Streamed to the command, then closed: the command sees EOF. */
  readonly stdin?: Readable | Buffer | string;
  /** Kills the command and its children inside the container after this long (0: no limit). */
  readonly timeoutMs?: number;
  /** Aborting kills the command inside the container too. */
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export interface ExecStreamOptions extends ExecOptions {
  /** A writable `stdin` on the handle instead of `stdin` data: write to it, end() it to close. */
  readonly stdinPipe?: boolean;
  /** Where the output goes; without one, read `handle.stdout` / `handle.stderr` (both, or one stalls the other). */
  readonly stdout?: Writable;
  readonly stderr?: Writable;
}

export interface ExecHandle extends AsyncDisposable {
  readonly id: string;
  /** The command's output (empty when a sink was given). With a TTY, everything is on stdout. */
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** With `stdinPipe`: write to the command; end() closes its stdin. */
  readonly stdin: Writable | undefined;
  /** The exit code, once both outputs are drained (and the engine reports the exit). */
  wait(): Promise<{ readonly exitCode: number }>;
  resize(size: TtySize): Promise<void>;
  /** SIGKILL to the command and its children inside the container; true when it is gone. */
  kill(): Promise<boolean>;
  /** Kills the command if it still runs and lets the connection go. Safe twice. */
  close(): Promise<void>;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** True when an output was longer than `maxBytes` and was cut (the command still ran to its end). */
  readonly truncated: boolean;
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
}

/** What the buffered form keeps of each output by default. */
export const EXEC_MAX_BYTES = 16 * 1024 * 1024;

function checkArgs(container: string, cmd: readonly string[], o: ExecStreamOptions): TtySize | undefined {
  if (container === '') throw new InvalidArgumentError('container', 'an id or name is required');
  if (cmd.length === 0 || cmd[0] === '') throw new InvalidArgumentError('command', 'the command is empty; give the program and its arguments, e.g. ["ls", "-la"]');
  if (o.timeoutMs !== undefined && (!Number.isFinite(o.timeoutMs) || o.timeoutMs < 0)) throw new InvalidArgumentError('timeoutMs', `${o.timeoutMs} is not a duration in milliseconds (0 for none)`);
  if (o.stdin !== undefined && o.stdinPipe === true) throw new InvalidArgumentError('stdin', 'give stdin data or stdinPipe, not both');
  if (typeof o.tty === 'object') {
    const { rows, cols } = o.tty;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows > 65535 || cols > 65535) {
      throw new InvalidArgumentError('tty', `size ${rows}x${cols} is not a terminal size; rows and cols are whole numbers from 1 to 65535`);
    }
    return o.tty;
  }
  return undefined;
}

/** Starts a command in a container and hands back its streams; see ExecHandle. */
export async function execStream(api: EngineApi, container: string, cmd: readonly string[], options: ExecStreamOptions = {}): Promise<ExecHandle> {
  const size = checkArgs(container, cmd, options);
  const env = toEnvList(options.env);
  const logger = options.logger ?? silentLogger;
  const marker = newMarker();
  const signal = options.signal;
  if (signal?.aborted === true) throw new DockerAbortedError({ method: 'POST', path: `/containers/${container}/exec`, endpoint: api.transport.endpoint.url }, signal.reason);
  const tty = options.tty !== undefined && options.tty !== false;
  logger.debug({ container, command: cmd[0], args: cmd.length - 1, envKeys: envKeys(env), tty, user: options.user }, 'exec');
  let running: RunningExec;
  try {
    running = await startExec(api, {
      container,
      cmd,
      env: [...env, `${EXEC_MARKER}=${marker}`],
      workdir: options.workdir,
      user: options.user,
      tty,
      size,
      stdin: options.stdin,
      stdinPipe: options.stdinPipe,
      stdout: options.stdout,
      stderr: options.stderr,
      call: { signal },
      onResizeFailed: (err) => { logger.warn({ container, error: (err as Error).message }, 'could not set the TTY size; the command runs at the default size'); },
    });
  } catch (err) {
    // Docker answers 409, Podman 500 "container state improper": the same thing, said plainly.
    if (err instanceof DockerApiError && (err.statusCode === 409 || /state improper|not running|is paused|is restarting/i.test(err.daemonMessage))) {
      throw new ContainerNotRunningError(container, err.daemonMessage, { cause: err });
    }
    throw err;
  }
  return new Exec(api, container, cmd[0] ?? '', marker, options, running, logger);
}

class Exec implements ExecHandle {
  readonly #api: EngineApi;
  readonly #container: string;
  readonly #command: string;
  readonly #marker: string;
  readonly #user: string | undefined;
  readonly #run: RunningExec;
  readonly #logger: Logger;
  readonly #signal: AbortSignal | undefined;
  readonly #timeoutMs: number;
  readonly #result: Promise<{ readonly exitCode: number }>;
  #timer: NodeJS.Timeout | undefined;
  #stopping: Promise<boolean> | undefined;
  #why: 'timeout' | 'abort' | 'close' | 'failed' | undefined;
  #killed = false;

  constructor(api: EngineApi, container: string, command: string, marker: string, options: ExecStreamOptions, run: RunningExec, logger: Logger) {
    this.#api = api;
    this.#container = container;
    this.#command = command;
    this.#marker = marker;
    this.#user = options.user;
    this.#run = run;
    this.#logger = logger;
    this.#signal = options.signal;
    this.#timeoutMs = options.timeoutMs ?? 0;
    if (this.#timeoutMs > 0) this.#timer = setTimeout(() => { void this.#stop('timeout'); }, this.#timeoutMs);
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    if (this.#signal?.aborted === true) void this.#stop('abort');
    this.#result = this.#settle();
    this.#result.catch(() => undefined);
  }

  get id(): string {
    return this.#run.id;
  }
  get stdout(): Readable {
    return this.#run.stdout;
  }
  get stderr(): Readable {
    return this.#run.stderr;
  }
  get stdin(): Writable | undefined {
    return this.#run.stdin;
  }

  readonly #onAbort = (): void => {
    void this.#stop('abort');
  };

  async #settle(): Promise<{ readonly exitCode: number }> {
    try {
      const exitCode = await this.#run.wait();
      if (this.#why === undefined || this.#why === 'close') return { exitCode };
    } catch (err) {
      // The output failed (connection lost, stdin failed): the command may still run.
      if (this.#why === undefined) void this.#stop('failed');
      await this.#stopping;
      if (this.#why === 'failed') throw err;
    } finally {
      clearTimeout(this.#timer);
      this.#signal?.removeEventListener('abort', this.#onAbort);
    }
    await this.#stopping;
    const target = { method: 'POST', path: `/exec/${this.id}/start`, endpoint: this.#api.transport.endpoint.url };
    if (this.#why === 'timeout') throw new ExecTimeoutError(this.#container, this.#command, this.#timeoutMs, this.#killed);
    throw new DockerAbortedError(target, this.#signal?.reason);
  }

  /** Kills the command (once), waits a little for its output to end, then drops the connection. */
  #stop(why: 'timeout' | 'abort' | 'close' | 'failed'): Promise<boolean> {
    if (this.#stopping !== undefined) return this.#stopping;
    if (why !== 'failed' && this.#run.outputEnded) return Promise.resolve(true);
    this.#why = why;
    clearTimeout(this.#timer);
    this.#stopping = (async () => {
      try {
        const n = await killMarked(this.#api, this.#container, this.#marker, this.#user);
        this.#logger.debug({ container: this.#container, exec: this.id, why, signalled: n }, 'exec killed');
      } catch (err) {
        this.#logger.warn({ container: this.#container, exec: this.id, why, error: (err as Error).message }, 'could not kill the exec inside the container');
      }
      // A killed command's output ends by itself; a connection that does not end is dropped.
      if (!(await this.#run.outputEnd(2000))) this.#run.destroy();
      try {
        const info = await execInspect(this.#api, this.id, { timeoutMs: 5000 });
        this.#killed = !info.running;
      } catch {
        this.#killed = false;
      }
      return this.#killed;
    })();
    return this.#stopping;
  }

  async wait(): Promise<{ readonly exitCode: number }> {
    return this.#result;
  }

  async resize(size: TtySize): Promise<void> {
    checkArgs(this.#container, [this.#command], { tty: size });
    await this.#run.resize(size);
  }

  async kill(): Promise<boolean> {
    return this.#stop('close');
  }

  async close(): Promise<void> {
    await this.#stop('close');
    this.#run.destroy();
    await this.#result.catch(() => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Runs a command and collects its output: `{ exitCode, stdout, stderr, truncated }`. Each
 * output keeps its first `maxBytes` (default 16 MiB); the rest is read and dropped, so the
 * command still runs to its end and its exit code is real.
 */
export async function exec(api: EngineApi, container: string, cmd: readonly string[], options: ExecOptions & { readonly maxBytes?: number } = {}): Promise<ExecResult> {
  const max = options.maxBytes ?? EXEC_MAX_BYTES;
  if (!Number.isSafeInteger(max) || max < 0) throw new InvalidArgumentError('maxBytes', `${max} is not a byte count`);
  const h = await execStream(api, container, cmd, options);
  const keep = (r: Readable): { chunks: Buffer[]; bytes: () => number; kept: () => number; ended: Promise<unknown> } => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let kept = 0;
    const ended = new Promise((resolve) => { r.once('end', resolve).once('close', resolve); });
    r.on('data', (c: Buffer) => {
      bytes += c.length;
      if (kept < max) {
        const part = c.length <= max - kept ? c : c.subarray(0, max - kept);
        chunks.push(part);
        kept += part.length;
      }
    });
    return { chunks, bytes: () => bytes, kept: () => kept, ended };
  };
  const out = keep(h.stdout);
  const err = keep(h.stderr);
  try {
    const { exitCode } = await h.wait();
    await Promise.all([out.ended, err.ended]);
    return {
      exitCode,
      stdout: Buffer.concat(out.chunks).toString('utf8'),
      stderr: Buffer.concat(err.chunks).toString('utf8'),
      truncated: out.bytes() > out.kept() || err.bytes() > err.kept(),
      stdoutBytes: out.bytes(),
      stderrBytes: err.bytes(),
    };
  } finally {
    await h.close();
  }
}

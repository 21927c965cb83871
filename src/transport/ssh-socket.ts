import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { Endpoint } from './endpoint.js';
import { SSH_FAILED_CODE } from './exchange.js';
type SshEndpoint = Extract<Endpoint, { kind: 'ssh' }>;

/** How long a failed write waits for the ssh process's exit (and its words) before it reports its own error. */
const SSH_EXIT_WAIT_MS = 2000;


/**
 * The arguments the docker CLI uses: `ssh [-l user] [-p port] -- host docker system
 * dial-stdio`, which relays stdin/stdout to the remote engine's socket. BatchMode keeps
 * ssh from waiting on a password prompt nobody can answer: aicli-docker never hangs.
 */
export function sshArgs(ep: SshEndpoint, connectTimeoutMs: number): string[] {
  return [
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${Math.max(1, Math.ceil(connectTimeoutMs / 1000))}`,
    ...(ep.user === undefined ? [] : ['-l', ep.user]),
    ...(ep.port === undefined ? [] : ['-p', String(ep.port)]),
    '--', ep.hostname, 'docker', 'system', 'dial-stdio',
  ];
}

/**
 * One ssh process seen as a socket, so node:http can speak HTTP over it (one process
 * per pooled connection, as the docker CLI does). Destroying it ends the process.
 */
export class SshSocket extends Duplex {
  /**
   * As on a net.Socket: true until the ssh process has started, then 'connect' is
   * emitted. From then on ssh may read and forward what it is given, so a request
   * written to a connected SshSocket may have reached the engine, however ssh ends.
   */
  connecting = true;
  readonly #child: ChildProcessWithoutNullStreams;
  #stderr = '';
  #gotData = false;
  #exited = false;

  constructor(command: readonly string[], args: readonly string[]) {
    super();
    const [cmd = 'ssh', ...pre] = command;
    this.#child = spawn(cmd, [...pre, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const child = this.#child;
    child.once('spawn', () => {
      this.connecting = false;
      this.emit('connect');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      this.#gotData = true;
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (err: NodeJS.ErrnoException) => {
      this.destroy(failure(err.code === 'ENOENT' ? `the ssh command "${cmd}" was not found; install an OpenSSH client` : err.message, err));
    });
    // 'close' comes after stdout has ended and the exit code is known: a failed ssh
    // that never relayed a byte is a connection failure, with ssh's own words.
    child.on('close', (code, signal) => {
      if (this.destroyed) return;
      if (code !== 0 && !this.#gotData) {
        const said = this.#stderr.trim().split('\n').filter((l) => !l.startsWith('Warning: Permanently added')).join(' ').trim().replace(/\.$/, '');
        this.destroy(failure(`ssh exited with ${code === null ? `signal ${String(signal)}` : `code ${code}`}${said === '' ? '' : `: ${said}`}`));
        return;
      }
      this.push(null);
    });
    child.once('close', () => {
      this.#exited = true;
    });
  }

  /**
   * A write to an ssh that has gone fails with EPIPE before its exit is known. The exit
   * says why in ssh's words ("Connection refused"), so the error waits for it, a little.
   */
  #failAfterExit(err: Error, callback: (err?: Error | null) => void): void {
    if (this.#exited) {
      callback(err);
      return;
    }
    // Registered after the constructor's 'close' handler, so that one has said ssh's words first.
    const report = (): void => {
      clearTimeout(timer);
      this.#child.off('close', report);
      callback(err);
    };
    const timer = setTimeout(report, SSH_EXIT_WAIT_MS);
    timer.unref();
    this.#child.once('close', report);
  }

  override _read(): void {
    this.#child.stdout.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.#child.stdin.write(chunk, encoding, (err) => {
      if (err == null) callback();
      else this.#failAfterExit(err, callback);
    });
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.#child.stdin.end((err?: Error | null) => {
      if (err == null) callback();
      else this.#failAfterExit(err, callback);
    });
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill();
    callback(err);
  }

  // node:http's agent treats its connections as net.Sockets.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

function failure(message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code: SSH_FAILED_CODE });
}

// Docker's multiplexed stream (moby's pkg/stdcopy): each frame is an 8-byte header —
// stream id (0 stdin, 1 stdout, 2 stderr, 3 the engine's own error), three zero bytes,
// a big-endian uint32 payload length — then the payload. Used by exec and attach without
// a TTY, and by container logs.
//
// Frames and chunks do not line up: a header or a payload may be split across any number
// of chunks, and one chunk may hold many frames. Payloads are handed on as views of the
// chunk they arrived in (subarray, no copy); only a header split across chunks is copied,
// into 8 bytes kept here.

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;

export type FrameStream = typeof STDOUT | typeof STDERR;

/**
 * Where payloads go, piece by piece as they arrive; `frameEnd` marks the piece that completes
 * a frame (log readers need message boundaries). Return false to ask the source to pause.
 */
export type FrameSink = (stream: FrameStream, payload: Buffer, frameEnd: boolean) => boolean;

export class StdcopyError extends Error {
  readonly code = 'EPROTO';
}

export class StdcopyDemuxer {
  readonly #sink: FrameSink;
  readonly #header = Buffer.alloc(8);
  #headerHave = 0;
  #remaining = 0;
  #stream = 0;
  #systemErr = '';

  constructor(sink: FrameSink) {
    this.#sink = sink;
  }

  /** Feeds one chunk; false when a sink asked for a pause. Throws StdcopyError on a bad header. */
  push(chunk: Buffer): boolean {
    let go = true;
    let at = 0;
    const n = chunk.length;
    while (at < n) {
      if (this.#remaining === 0) {
        // Fast path: the whole header is in this chunk.
        if (this.#headerHave === 0 && n - at >= 8) {
          this.#stream = chunk[at] ?? 0;
          this.#remaining = chunk.readUInt32BE(at + 4);
          this.#check(chunk, at);
          at += 8;
        } else {
          const take = Math.min(8 - this.#headerHave, n - at);
          chunk.copy(this.#header, this.#headerHave, at, at + take);
          this.#headerHave += take;
          at += take;
          if (this.#headerHave < 8) break;
          this.#headerHave = 0;
          this.#stream = this.#header[0] ?? 0;
          this.#remaining = this.#header.readUInt32BE(4);
          this.#check(this.#header, 0);
        }
        continue;
      }
      const take = Math.min(this.#remaining, n - at);
      const payload = take === n ? chunk : chunk.subarray(at, at + take);
      this.#remaining -= take;
      at += take;
      if (this.#stream === SYSTEMERR) this.#systemErr += payload.toString('utf8');
      else if (!this.#sink(this.#stream === STDERR ? STDERR : STDOUT, payload, this.#remaining === 0)) go = false;
    }
    return go;
  }

  /** Whether the stream stopped at a frame boundary (else it was cut off). */
  get atBoundary(): boolean {
    return this.#remaining === 0 && this.#headerHave === 0;
  }

  /** What the engine sent on stream 3 (its own error about the process), if anything. */
  get systemError(): string {
    return this.#systemErr;
  }

  #check(buf: Buffer, at: number): void {
    const id = buf[at] ?? 255;
    if (id > SYSTEMERR || buf[at + 1] !== 0 || buf[at + 2] !== 0 || buf[at + 3] !== 0) {
      throw new StdcopyError(`not a multiplexed stream: frame header ${buf.subarray(at, at + 8).toString('hex')}`);
    }
  }
}

/** Splits a whole multiplexed buffer (tests, small answers). */
export function demuxBuffer(data: Buffer): { stdout: Buffer; stderr: Buffer } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const d = new StdcopyDemuxer((stream, payload) => {
    (stream === STDERR ? err : out).push(payload);
    return true;
  });
  d.push(data);
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
}

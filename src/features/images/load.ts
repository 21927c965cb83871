// `docker load`: a tarball made by `docker save`, streamed to POST /images/load (never whole
// in memory). Like a pull, the engine says 200 first and reports a bad tarball inside the stream.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DockerApiError, ImageLoadError, PathNotFoundError } from '../../errors.js';
import type { EngineApi } from '../../engine/engine-api.js';
import { imageLoad } from '../../engine/image-api.js';
import { jsonMessages, messageError, type JsonMessage } from '../../engine/json-messages.js';
import { PullProgress, type ProgressEvent } from './progress.js';

export interface LoadOptions {
  readonly onProgress?: (event: ProgressEvent, progress: PullProgress) => void;
  readonly onMessage?: (message: JsonMessage) => void;
  readonly signal?: AbortSignal;
  /** Limit for the whole upload; none by default (the caller's signal ends it). */
  readonly timeoutMs?: number;
}

export interface LoadResult {
  /** What the engine says it loaded: `name:tag` references, or image ids for untagged images. */
  readonly images: readonly string[];
}

/** Loads a tarball (a path, or a stream of one). */
export async function loadImage(api: EngineApi, source: string | Readable, options: LoadOptions = {}): Promise<LoadResult> {
  const name = typeof source === 'string' ? source : 'a stream';
  let body: Readable;
  if (typeof source === 'string') {
    try {
      if (!(await stat(source)).isFile()) throw new Error('not a file');
    } catch (err) {
      throw new PathNotFoundError(source, 'on this host', 'Give the path of a tarball made by `docker save`.', { cause: err });
    }
    body = createReadStream(source, { highWaterMark: 1 << 20 });
  } else body = source;
  let res;
  try {
    res = await imageLoad(api, body, { signal: options.signal, timeoutMs: options.timeoutMs ?? 0 });
  } catch (err) {
    if (err instanceof DockerApiError) throw new ImageLoadError(name, err.daemonMessage, { cause: err });
    throw err;
  }
  const progress = new PullProgress();
  const images: string[] = [];
  try {
    for await (const m of jsonMessages(res.body)) {
      options.onMessage?.(m);
      const failed = messageError(m);
      if (failed !== undefined) throw new ImageLoadError(name, failed);
      const said = /^Loaded image(?: ID)?: (\S+)/.exec((m.stream ?? '').trim());
      if (said?.[1] !== undefined) images.push(said[1]);
      const event = progress.apply(m);
      if (event !== undefined) options.onProgress?.(event, progress);
    }
  } finally {
    res.body.destroy();
  }
  if (images.length === 0) throw new ImageLoadError(name, 'the engine loaded nothing from it');
  return { images };
}

import type { Readable } from 'node:stream';
import { DockerAbortedError, DockerTimeoutError, type RequestTarget, type ResourceKind } from '../errors.js';
import type { HttpMethod } from '../transport/http-transport.js';
import type { CallOptions, EngineApi } from './engine-api.js';
import { toApiError } from './error-map.js';

export interface UploadCall extends CallOptions {
  readonly method: Extract<HttpMethod, 'POST' | 'PUT'>;
  /** Unversioned path built with apiPath``. */
  readonly path: string;
  /** A list repeats its key (`changes=A&changes=B`), as Docker's import wants. */
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  /** Streamed as it is produced (a tar, never whole in memory); sent once, never retried. */
  readonly body: Readable;
  readonly contentType: string;
  readonly resource?: ResourceKind;
}

/**
 * A call whose request body is a stream (an image to import, an archive to unpack) and
 * whose answer is small (a progress stream read whole). `timeoutMs` bounds the whole
 * exchange, upload included: an upload is not a stream to follow for hours.
 */
export async function upload(api: EngineApi, call: UploadCall): Promise<Buffer> {
  const target: RequestTarget = { method: call.method, path: call.path, endpoint: api.transport.endpoint.url };
  const limit = call.timeoutMs ?? 600_000;
  const timer = AbortSignal.timeout(limit);
  const signal = call.signal === undefined ? timer : AbortSignal.any([call.signal, timer]);
  try {
    const res = await api.transport.stream({
      method: call.method,
      path: `/v${api.apiVersion}${call.path}${queryString(call.query)}`,
      headers: { 'content-type': call.contentType },
      body: call.body,
      signal,
      timeoutMs: 0,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res.body) chunks.push(chunk as Buffer);
    const answer = Buffer.concat(chunks);
    if (res.statusCode >= 400) throw toApiError(target, res.statusCode, answer, call.resource);
    return answer;
  } catch (err) {
    if (timer.aborted && call.signal?.aborted !== true) throw new DockerTimeoutError(target, 'request', limit, { cause: err });
    if (call.signal?.aborted === true && !(err instanceof DockerAbortedError)) throw new DockerAbortedError(target, call.signal.reason);
    throw err;
  } finally {
    call.body.destroy();
  }
}

function queryString(query: UploadCall['query']): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of typeof value === 'string' ? [value] : value) params.append(key, v);
  }
  const qs = params.toString();
  return qs === '' ? '' : `?${qs}`;
}

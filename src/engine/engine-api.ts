import { DockerProtocolError, type ApiVersionPin, type RequestTarget, type ResourceKind } from '../errors.js';
import type { Duplex, Readable } from 'node:stream';
import type { Headers, HttpMethod, HttpTransport, TransportResponse, TransportStream } from '../transport/http-transport.js';
import { isFailure, toApiError } from './error-map.js';
import { apiPath, withQuery, type ApiPath, type QueryValue } from './path.js';
import { toPingResult, toSystemInfo, toVersionInfo } from './decode.js';
import type { PingResult, SystemInfo, VersionInfo } from './types.js';

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeoutMs?: number | undefined;
}

export interface ApiCall extends CallOptions {
  readonly method: HttpMethod;
  /** Unversioned path built with apiPath``; the version prefix is added here. */
  readonly path: ApiPath;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as it is (a tar archive, an image tarball), with `headers` naming its type. Not with `json`. */
  readonly body?: string | Buffer | Readable;
  readonly headers?: Readonly<Record<string, string>>;
  /** What a 404 on this path means. */
  readonly resource?: ResourceKind;
  readonly idempotent?: boolean;
  /** Sent without the `/v<version>` prefix: a path outside the Docker API's versions (Podman's `/libpod/…`). */
  readonly unversioned?: boolean;
}

/**
 * Typed Engine API calls over one transport, at one negotiated API version.
 * Error statuses become typed errors here; sockets and time-outs are the transport's.
 */
export class EngineApi {
  readonly transport: HttpTransport;
  readonly apiVersion: string;
  /** The pinned version and what pinned it; undefined when negotiated. */
  readonly pin: ApiVersionPin | undefined;

  constructor(transport: HttpTransport, apiVersion: string, pin?: ApiVersionPin) {
    this.transport = transport;
    this.apiVersion = apiVersion;
    this.pin = pin;
  }

  async ping(options: CallOptions = {}): Promise<PingResult> {
    const res = await this.#send({ method: 'GET', path: apiPath`/_ping`, ...options }, false);
    return toPingResult(res.headers);
  }

  async version(options: CallOptions = {}): Promise<VersionInfo> {
    return toVersionInfo(await this.json<Record<string, unknown>>({ method: 'GET', path: apiPath`/version`, ...options }));
  }

  async info(options: CallOptions = {}): Promise<SystemInfo> {
    return toSystemInfo(await this.json<Record<string, unknown>>({ method: 'GET', path: apiPath`/info`, ...options }));
  }

  /** A call whose answer is JSON (or empty, giving undefined). */
  async json<T>(call: ApiCall): Promise<T> {
    return (await this.jsonWithHeaders(call)).body as T;
  }

  /** json(), with the answer's headers (e.g. `date`: the engine's clock; `api-version`: what it speaks). */
  async jsonWithHeaders(call: ApiCall): Promise<{ readonly body: unknown; readonly headers: Headers }> {
    const res = await this.#send(call, true);
    if (res.body.length === 0) return { body: undefined, headers: res.headers };
    try {
      return { body: JSON.parse(res.body.toString('utf8')) as unknown, headers: res.headers };
    } catch (err) {
      throw new DockerProtocolError(this.#target(call), `expected JSON, got ${res.body.length} bytes that do not parse (${(err as Error).message})`, { cause: err });
    }
  }

  /** A call whose answer body does not matter (a 204; Podman answers some with a bare `OK`). */
  async discard(call: ApiCall): Promise<void> {
    await this.#send(call, true);
  }

  /** What a request to `call` is called in errors: method, unversioned path, endpoint. */
  target(call: Pick<ApiCall, 'method' | 'path'>): RequestTarget {
    return { method: call.method, path: call.path, endpoint: this.transport.endpoint.url };
  }

  /**
   * A call whose answer is a long-lived stream (events, logs, pull progress): no time-out
   * after headers. An error answer is read within the time-out and thrown.
   */
  async stream(call: ApiCall): Promise<TransportStream> {
    const path = this.#versioned(call, true);
    const res = await this.transport.stream(this.#request(call, path));
    if (isFailure(res.statusCode)) {
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) chunks.push(chunk as Buffer);
      throw this.#error(call, res.statusCode, res.headers, Buffer.concat(chunks));
    }
    return res;
  }

  /**
   * A hijacked connection (exec start, attach): the raw duplex once the engine switches
   * protocols. The time-out covers the wait for the answer; then only the caller's signal.
   */
  async upgrade(call: ApiCall): Promise<{ readonly headers: Headers; readonly socket: Duplex }> {
    const res = await this.transport.upgrade(this.#request(call, this.#versioned(call, true)));
    if (!res.upgraded) throw toApiError(this.#target(call), res.statusCode, res.body, call.resource);
    return { headers: res.headers, socket: res.socket };
  }

  async #send(call: ApiCall, versioned: boolean): Promise<TransportResponse> {
    const res = await this.transport.request(this.#request(call, this.#versioned(call, versioned)));
    if (isFailure(res.statusCode)) throw this.#error(call, res.statusCode, res.headers, res.body);
    return res;
  }

  #error(call: ApiCall, statusCode: number, headers: Headers, body: Buffer): Error {
    const location = headers['location'];
    return toApiError(this.#target(call), statusCode, body, {
      resource: call.resource,
      pin: this.pin,
      location: Array.isArray(location) ? location[0] : location,
    });
  }

  #versioned(call: ApiCall, versioned: boolean): string {
    return withQuery(versioned && call.unversioned !== true ? `/v${this.apiVersion}${call.path}` : call.path, call.query);
  }

  #request(call: ApiCall, path: string): Parameters<HttpTransport['request']>[0] {
    const req: { -readonly [K in keyof Parameters<HttpTransport['request']>[0]]: Parameters<HttpTransport['request']>[0][K] } = {
      method: call.method,
      path,
      signal: call.signal,
      timeoutMs: call.timeoutMs,
    };
    if (call.timeoutMs !== undefined) req.timeoutSetBy = "the call's timeoutMs option";
    if (call.json !== undefined) {
      req.body = JSON.stringify(call.json);
      req.headers = { ...call.headers, 'content-type': 'application/json' };
    } else if (call.headers !== undefined) {
      req.headers = call.headers;
    }
    if (call.body !== undefined && call.json === undefined) req.body = call.body;
    if (call.idempotent !== undefined) req.idempotent = call.idempotent;
    return req;
  }

  #target(call: ApiCall): RequestTarget {
    return { method: call.method, path: call.path, endpoint: this.transport.endpoint.url };
  }
}

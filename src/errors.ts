/**
 * One error hierarchy for every layer (modelled on undici's lib/core/errors.js).
 *
 * Every class has a stable `code`; `cause` is always kept. `instanceof` works across
 * copies of this module (two versions installed side by side) because it checks a
 * brand registered with `Symbol.for`, not the prototype chain.
 */

const kCodes = Symbol.for('aicli-docker.error.codes');

export type ErrorCode =
  | 'DOCKER_ERROR'
  | 'DOCKER_NOT_AVAILABLE'
  | 'DOCKER_CONNECTION_LOST'
  | 'DOCKER_TIMEOUT'
  | 'DOCKER_ABORTED'
  | 'DOCKER_TLS_ERROR'
  | 'DOCKER_API_ERROR'
  | 'DOCKER_NOT_FOUND'
  | 'NETWORK_NOT_FOUND'
  | 'IMAGE_NOT_FOUND'
  | 'CONTAINER_NOT_FOUND'
  | 'DOCKER_CONFLICT'
  | 'DOCKER_PROTOCOL_ERROR'
  | 'INVALID_CONFIG'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED_API_VERSION'
  | 'UNSUPPORTED_ENDPOINT'
  | 'CLIENT_CLOSED'
  | 'EGRESS_IMAGE_UNAVAILABLE'
  | 'EGRESS_NOT_FOUND'
  | 'EGRESS_UNSUPPORTED';

export class DockerError extends Error {
  static readonly code: ErrorCode = 'DOCKER_ERROR';
  declare readonly [kCodes]: readonly ErrorCode[];
  readonly code: ErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const codes: ErrorCode[] = [];
    for (let c = new.target as unknown; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
      const code = (c as { code?: ErrorCode }).code;
      if (code !== undefined && Object.hasOwn(c, 'code')) codes.push(code);
    }
    Object.defineProperty(this, kCodes, { value: Object.freeze(codes), enumerable: false });
    this.code = codes[0] ?? 'DOCKER_ERROR';
    this.name = new.target.name;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    const codes = (value as { [kCodes]?: unknown } | null | undefined)?.[kCodes];
    return Array.isArray(codes) && codes.includes((this as unknown as { code: ErrorCode }).code);
  }
}

/** True for any error of this library, from any copy of it. */
export function isDockerError(value: unknown, code?: ErrorCode): value is DockerError {
  if (!(value instanceof DockerError)) return false;
  return code === undefined || (value as { [kCodes]: readonly ErrorCode[] })[kCodes].includes(code);
}

/** Where an engine was looked for and why it was not used. */
export interface DiscoveryAttempt {
  readonly source: string;
  readonly endpoint?: string;
  readonly reason: string;
}

export interface RequestTarget {
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
}

function where(t: RequestTarget): string {
  return `${t.method} ${t.path} on ${t.endpoint}`;
}

/** The engine could not be reached at all (nothing listening, no socket, refused, unresolvable). */
export class DockerNotAvailableError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_NOT_AVAILABLE';
  readonly endpoint: string | undefined;
  readonly attempts: readonly DiscoveryAttempt[];
  constructor(message: string, options: { endpoint?: string; attempts?: readonly DiscoveryAttempt[]; cause?: unknown }) {
    super(message, options);
    this.endpoint = options.endpoint;
    this.attempts = Object.freeze([...(options.attempts ?? [])]);
  }
}

/** The connection broke after the request was sent (reset, closed mid-response). */
export class DockerConnectionLostError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_CONNECTION_LOST';
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  constructor(target: RequestTarget, detail: string, options?: { cause?: unknown }) {
    super(
      `Connection to the Docker engine was lost during ${where(target)}: ${detail}. ` +
        'The engine may have restarted or crashed; check its logs and retry.',
      options,
    );
    this.method = target.method;
    this.path = target.path;
    this.endpoint = target.endpoint;
  }
}

export type TimeoutPhase = 'connect' | 'request' | 'ping';

export class DockerTimeoutError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_TIMEOUT';
  readonly phase: TimeoutPhase;
  readonly timeoutMs: number;
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  constructor(target: RequestTarget, phase: TimeoutPhase, timeoutMs: number, options?: { cause?: unknown }) {
    const what = phase === 'connect' ? 'Connecting to the Docker engine' : `The Docker engine did not answer ${where(target)}`;
    const at = phase === 'connect' ? ` at ${target.endpoint} (${target.method} ${target.path})` : '';
    super(
      `${what}${at} timed out after ${formatMs(timeoutMs)}. ` +
        'Check that the engine is running and responsive (`docker info`), or raise the limit with --timeout / `timeout`.',
      options,
    );
    this.phase = phase;
    this.timeoutMs = timeoutMs;
    this.method = target.method;
    this.path = target.path;
    this.endpoint = target.endpoint;
  }
}

/** The caller's AbortSignal fired. `cause` is the signal's reason. */
export class DockerAbortedError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_ABORTED';
  constructor(target: RequestTarget, reason: unknown) {
    super(`${where(target)} was aborted by the caller.`, { cause: reason });
  }
}

export class DockerTlsError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_TLS_ERROR';
  readonly path: string | undefined;
  readonly endpoint: string | undefined;
  constructor(message: string, options: { path?: string; endpoint?: string; cause?: unknown }) {
    super(message, options);
    this.path = options.path;
    this.endpoint = options.endpoint;
  }
}

/** The engine answered with an error status. `daemonMessage` is its own words. */
export class DockerApiError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_API_ERROR';
  readonly statusCode: number;
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  readonly daemonMessage: string;
  constructor(target: RequestTarget, statusCode: number, daemonMessage: string, hint?: string, options?: { cause?: unknown }) {
    super(`${where(target)} failed with HTTP ${statusCode}: ${daemonMessage}${hint === undefined ? '' : ` ${hint}`}`, options);
    this.statusCode = statusCode;
    this.method = target.method;
    this.path = target.path;
    this.endpoint = target.endpoint;
    this.daemonMessage = daemonMessage;
  }
}

export type ResourceKind = 'network' | 'image' | 'container' | 'volume' | 'exec' | 'object';

export class DockerNotFoundError extends DockerApiError {
  static override readonly code: ErrorCode = 'DOCKER_NOT_FOUND';
  readonly resource: ResourceKind;
  constructor(target: RequestTarget, daemonMessage: string, resource: ResourceKind = 'object') {
    super(target, 404, daemonMessage, notFoundHint(resource));
    this.resource = resource;
  }
}

function notFoundHint(resource: ResourceKind): string {
  switch (resource) {
    case 'image':
      return 'Pull or build the image first, or check its name and tag.';
    case 'network':
      return 'Check the network name, or let aicli create it.';
    case 'container':
      return 'The container may have been removed; list containers with `docker ps -a`.';
    default:
      return 'Check the name or id.';
  }
}

export class NetworkNotFoundError extends DockerNotFoundError {
  static override readonly code: ErrorCode = 'NETWORK_NOT_FOUND';
  constructor(target: RequestTarget, daemonMessage: string) {
    super(target, daemonMessage, 'network');
  }
}

export class ImageNotFoundError extends DockerNotFoundError {
  static override readonly code: ErrorCode = 'IMAGE_NOT_FOUND';
  constructor(target: RequestTarget, daemonMessage: string) {
    super(target, daemonMessage, 'image');
  }
}

export class ContainerNotFoundError extends DockerNotFoundError {
  static override readonly code: ErrorCode = 'CONTAINER_NOT_FOUND';
  constructor(target: RequestTarget, daemonMessage: string) {
    super(target, daemonMessage, 'container');
  }
}

export class DockerConflictError extends DockerApiError {
  static override readonly code: ErrorCode = 'DOCKER_CONFLICT';
  constructor(target: RequestTarget, daemonMessage: string) {
    super(target, 409, daemonMessage, 'Another object already uses that name or the object is in use.');
  }
}

/** The engine's answer could not be read (truncated, not JSON where JSON was due). */
export class DockerProtocolError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_PROTOCOL_ERROR';
  constructor(target: RequestTarget, detail: string, options?: { cause?: unknown }) {
    super(`The Docker engine's answer to ${where(target)} could not be read: ${detail}.`, options);
  }
}

/** One problem in a configuration: where it is, what was found, what is expected. */
export interface ConfigProblem {
  /** A file path, an environment variable name, a flag, or `option`. */
  readonly source: string;
  /** The key path, e.g. `memory_limit` or `tmpfs[1].size`. */
  readonly key: string;
  readonly message: string;
}

export class InvalidConfigError extends DockerError {
  static override readonly code: ErrorCode = 'INVALID_CONFIG';
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    const lines = problems.map((p) => `  - ${p.source}: ${p.key}: ${p.message}`);
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, options);
    this.problems = Object.freeze([...problems]);
  }
}

/** A bad argument to a library call (a name, an id, a label). */
export class InvalidArgumentError extends DockerError {
  static override readonly code: ErrorCode = 'INVALID_ARGUMENT';
  readonly argument: string;
  constructor(argument: string, message: string) {
    super(`Invalid ${argument}: ${message}`);
    this.argument = argument;
  }
}

export class UnsupportedApiVersionError extends DockerError {
  static override readonly code: ErrorCode = 'UNSUPPORTED_API_VERSION';
  readonly serverVersion: string;
  readonly minimumVersion: string;
  readonly endpoint: string;
  constructor(endpoint: string, serverVersion: string, minimumVersion: string) {
    super(
      `The Docker engine at ${endpoint} speaks API ${serverVersion}, older than ${minimumVersion}, the oldest aicli-docker supports. ` +
        'Upgrade the engine (Docker 20.10 or newer).',
    );
    this.serverVersion = serverVersion;
    this.minimumVersion = minimumVersion;
    this.endpoint = endpoint;
  }
}

export class UnsupportedEndpointError extends DockerError {
  static override readonly code: ErrorCode = 'UNSUPPORTED_ENDPOINT';
  readonly endpoint: string;
  constructor(endpoint: string, message: string) {
    super(message);
    this.endpoint = endpoint;
  }
}

export class ClientClosedError extends DockerError {
  static override readonly code: ErrorCode = 'CLIENT_CLOSED';
  constructor(operation: string) {
    super(`${operation} was called on a closed Docker client. Connect a new client.`);
  }
}

export function formatMs(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}

// Egress (issue 12).

/** No egress gateway image can be used: it cannot be made here, or the engine refused it. Set egress_image. */
export class EgressImageError extends DockerError {
  static override readonly code: ErrorCode = 'EGRESS_IMAGE_UNAVAILABLE';
}

/** A workspace has no egress gateway (it was created without an allowlist, or not at all). */
export class EgressNotFoundError extends DockerError {
  static override readonly code: ErrorCode = 'EGRESS_NOT_FOUND';
  readonly workspace: string;
  constructor(workspace: string, message?: string) {
    super(
      message ??
        `Workspace "${workspace}" has no egress gateway: it was created without an egress allowlist, or does not exist. ` +
          'Create it with --egress-allow (or egress_allow in the configuration) to limit its network to named hosts.',
    );
    this.workspace = workspace;
  }
}

/** The engine cannot isolate a workspace behind a gateway (it drops the bridge option that keeps the host off its network). */
export class EgressUnsupportedError extends DockerError {
  static override readonly code: ErrorCode = 'EGRESS_UNSUPPORTED';
}

import {
  ApiVersionTooOldError,
  ContainerNotFoundError,
  DockerApiError,
  DockerConflictError,
  DockerNotFoundError,
  ImageNotFoundError,
  NetworkNotFoundError,
  type ApiVersionPin,
  type RequestTarget,
  type ResourceKind,
} from '../errors.js';

/** The engine's own message from an error body (`{"message": "..."}`), else the raw text; empty when it gave none. */
export function daemonMessage(body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: some proxies and old engines answer in plain text.
  }
  return text.slice(0, 2000);
}

/** What the engine layer knows beyond the answer itself. */
export interface ErrorContext {
  /** What a 404 on this path means. */
  readonly resource?: ResourceKind | undefined;
  /** The pinned API version, when the client did not negotiate one. */
  readonly pin?: ApiVersionPin | undefined;
  /** The Location header of a redirect. */
  readonly location?: string | undefined;
}

/**
 * Whether an answer is a failure: 400 and up, and every redirect. 304 is no redirect:
 * the Engine API answers it for "already so" (start a running container, stop a stopped
 * one), which is the state the caller asked for.
 */
export function isFailure(statusCode: number): boolean {
  return statusCode >= 300 && statusCode !== 304;
}

/** Maps a failure status (see isFailure) to a typed error. */
export function toApiError(target: RequestTarget, statusCode: number, body: Buffer, contextOrResource: ErrorContext | ResourceKind = {}): DockerApiError {
  const context: ErrorContext = typeof contextOrResource === 'string' ? { resource: contextOrResource } : contextOrResource;
  const message = daemonMessage(body);
  if (statusCode < 400) {
    // The Engine API never redirects a well-formed path; a redirect is not a success.
    const to = context.location === undefined ? '' : ` to ${context.location}`;
    return new DockerApiError(target, statusCode, message, `The engine redirected the call${to}: the path is not one the Engine API serves (aicli-docker follows no redirects).`);
  }
  if (statusCode === 404) {
    switch (context.resource ?? 'object') {
      case 'network':
        return new NetworkNotFoundError(target, message);
      case 'image':
        return new ImageNotFoundError(target, message);
      case 'container':
        return new ContainerNotFoundError(target, message);
      default:
        return new DockerNotFoundError(target, message, context.resource ?? 'object');
    }
  }
  // Podman answers 500 for a container removed meanwhile ("... does not exist in database:
  // no such container"): the same thing as Docker's 404 (issue 14).
  if (statusCode === 500 && context.resource === 'container' && /no such container/i.test(message)) return new ContainerNotFoundError(target, message);
  if (statusCode === 409) return new DockerConflictError(target, message);
  if (statusCode === 400 && /HTTP request to an HTTPS server/i.test(message)) {
    return new DockerApiError(target, statusCode, message, 'The engine expects TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH, or use an https:// host.');
  }
  // Docker 25+ below its minimum API version: "client version 1.41 is too old. Minimum
  // supported API version is 1.44, please upgrade your client to a newer version".
  if (statusCode === 400 && context.pin !== undefined && /client version \S+ is too old/i.test(message)) {
    return new ApiVersionTooOldError(target, statusCode, message, context.pin, /minimum supported API version is (\d+\.\d+)/i.exec(message)?.[1]);
  }
  return new DockerApiError(target, statusCode, message, statusCode >= 500 ? 'The engine failed; see its logs.' : undefined);
}

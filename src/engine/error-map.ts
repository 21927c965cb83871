import {
  ContainerNotFoundError,
  DockerApiError,
  DockerConflictError,
  DockerNotFoundError,
  ImageNotFoundError,
  NetworkNotFoundError,
  type RequestTarget,
  type ResourceKind,
} from '../errors.js';

/** The engine's own message from an error body (`{"message": "..."}`), else the raw text. */
export function daemonMessage(body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: some proxies and old engines answer in plain text.
  }
  return text === '' ? '(no message)' : text.slice(0, 2000);
}

/** Maps an error status to a typed error; the caller says what kind of object the path names. */
export function toApiError(target: RequestTarget, statusCode: number, body: Buffer, resource: ResourceKind = 'object'): DockerApiError {
  const message = daemonMessage(body);
  if (statusCode === 404) {
    switch (resource) {
      case 'network':
        return new NetworkNotFoundError(target, message);
      case 'image':
        return new ImageNotFoundError(target, message);
      case 'container':
        return new ContainerNotFoundError(target, message);
      default:
        return new DockerNotFoundError(target, message, resource);
    }
  }
  if (statusCode === 409) return new DockerConflictError(target, message);
  if (statusCode === 400 && /HTTP request to an HTTPS server/i.test(message)) {
    return new DockerApiError(target, statusCode, message, 'The engine expects TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH, or use an https:// host.');
  }
  return new DockerApiError(target, statusCode, message, statusCode >= 500 ? 'The engine failed; see its logs.' : undefined);
}

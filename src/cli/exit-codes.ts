import { isDockerError } from '../errors.js';
import { UsageError } from './command.js';

/** sysexits-style codes, as the issue fixes them. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2, unavailable: 69 });

/** 69 when no engine could be used (unreachable, timed out, TLS), 2 for bad input, else 1. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return EXIT.usage;
  if (isDockerError(err, 'INVALID_CONFIG') || isDockerError(err, 'INVALID_ARGUMENT') || isDockerError(err, 'UNSUPPORTED_ENDPOINT')) return EXIT.usage;
  // A pinned API version the engine refuses: the fix is in the configuration.
  if (isDockerError(err, 'API_VERSION_TOO_OLD')) return EXIT.usage;
  if (
    isDockerError(err, 'DOCKER_NOT_AVAILABLE') ||
    isDockerError(err, 'DOCKER_TIMEOUT') ||
    isDockerError(err, 'DOCKER_TLS_ERROR') ||
    isDockerError(err, 'DOCKER_CONNECTION_LOST')
  ) {
    return EXIT.unavailable;
  }
  return EXIT.failure;
}

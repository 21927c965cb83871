import { InvalidConfigError, UnsupportedApiVersionError } from '../errors.js';

/** The newest Engine API this client speaks (Docker 28.5, tested); newer engines accept it. */
export const MAX_API_VERSION = '1.51';
/** The oldest it accepts (Docker 20.10, Podman 4). */
export const MIN_API_VERSION = '1.41';

const VERSION_RE = /^(\d+)\.(\d+)$/;

export function compareApiVersions(a: string, b: string): number {
  const [, am = '0', an = '0'] = VERSION_RE.exec(a) ?? [];
  const [, bm = '0', bn = '0'] = VERSION_RE.exec(b) ?? [];
  return Number(am) - Number(bm) || Number(an) - Number(bn);
}

export function isApiVersion(value: string): boolean {
  return VERSION_RE.test(value);
}

/**
 * The one reading of a pinned version, for the configuration and the library alike:
 * `1.44`, or `v1.44` as the Go SDK takes it (blanks around are ignored); undefined when
 * it is no version.
 */
export function parseApiVersion(text: string): string | undefined {
  const v = text.trim().replace(/^v/, '');
  return isApiVersion(v) ? v : undefined;
}

/** What is expected where a version is pinned, for messages. */
export const API_VERSION_EXPECTED = 'expected "auto" or MAJOR.MINOR such as 1.44';

/** Checks a pinned version (configuration `version` or DOCKER_API_VERSION); it is used as given. */
export function checkPinnedVersion(value: string, source: string): string {
  const v = parseApiVersion(value);
  if (v === undefined) {
    throw new InvalidConfigError([{ source, key: 'version', message: `${JSON.stringify(value)} is not an API version; ${API_VERSION_EXPECTED}` }]);
  }
  return v;
}

/**
 * Picks the version to speak: the lower of the engine's (from /_ping's API-Version
 * header) and ours, as the docker CLI does; refuses engines older than our minimum.
 */
export function negotiateApiVersion(serverVersion: string | undefined, endpoint: string): string {
  if (serverVersion === undefined || !isApiVersion(serverVersion)) return MIN_API_VERSION;
  if (compareApiVersions(serverVersion, MIN_API_VERSION) < 0) throw new UnsupportedApiVersionError(endpoint, serverVersion, MIN_API_VERSION);
  return compareApiVersions(serverVersion, MAX_API_VERSION) < 0 ? serverVersion : MAX_API_VERSION;
}

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

/** Checks a pinned version (configuration `version` or DOCKER_API_VERSION); it is used as given. */
export function checkPinnedVersion(value: string, source: string): string {
  const v = value.trim().replace(/^v/, '');
  if (!isApiVersion(v)) {
    throw new InvalidConfigError([{ source, key: 'version', message: `${JSON.stringify(value)} is not an API version; expected MAJOR.MINOR such as 1.45, or "auto"` }]);
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

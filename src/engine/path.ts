import { InvalidArgumentError } from '../errors.js';

declare const apiPathBrand: unique symbol;

/**
 * An Engine API path (without the `/v1.xx` prefix) that `apiPath` built: only it makes
 * one, so a path pasted together from strings does not compile where an ApiPath is due.
 */
export type ApiPath = string & { readonly [apiPathBrand]: true };

/**
 * Builds an API path with every interpolated segment percent-encoded, so a name like
 * `a/b` or `x?y` can never change which endpoint is called:
 *   apiPath`/networks/${id}` → "/networks/a%2Fb"
 * A segment that is empty, `.` or `..` would still move the path (the engine cleans it
 * and redirects elsewhere): it is refused with InvalidArgumentError.
 */
export function apiPath(strings: TemplateStringsArray, ...segments: readonly (string | number)[]): ApiPath {
  let out = strings[0] ?? '';
  segments.forEach((seg, n) => {
    const text = String(seg);
    if (text === '' || text === '.' || text === '..') {
      throw new InvalidArgumentError('name or id', `${JSON.stringify(text)} cannot name an engine object in ${strings.join('${…}')}; expected a name or an id`);
    }
    out += encodeURIComponent(text) + (strings[n + 1] ?? '');
  });
  return out as ApiPath;
}

export type QueryValue = string | number | boolean | undefined | Readonly<Record<string, readonly string[]>> | readonly string[];

const isList = (v: QueryValue): v is readonly string[] => Array.isArray(v);

/**
 * Appends a query string; objects (Docker's `filters`) are JSON-encoded; a list repeats
 * its key (`changes=A&changes=B`, as an image import wants); undefined is left out. An
 * ApiPath stays an ApiPath.
 */
export function withQuery(path: ApiPath, query: Readonly<Record<string, QueryValue>> | undefined): ApiPath;
export function withQuery(path: string, query: Readonly<Record<string, QueryValue>> | undefined): string;
export function withQuery(path: string, query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (isList(value)) for (const item of value) params.append(key, item);
    else params.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  const qs = params.toString();
  return qs === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${qs}`;
}

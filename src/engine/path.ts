/**
 * Builds an API path with every interpolated segment percent-encoded, so a name like
 * `a/b` or `x?y` can never change which endpoint is called:
 *   apiPath`/networks/${id}` → "/networks/a%2Fb"
 */
export function apiPath(strings: TemplateStringsArray, ...segments: readonly (string | number)[]): string {
  let out = strings[0] ?? '';
  segments.forEach((seg, n) => {
    out += encodeURIComponent(String(seg)) + (strings[n + 1] ?? '');
  });
  return out;
}

export type QueryValue = string | number | boolean | undefined | Readonly<Record<string, readonly string[]>>;

/** Appends a query string; objects (Docker's `filters`) are JSON-encoded; undefined is left out. */
export function withQuery(path: string, query: Readonly<Record<string, QueryValue>> | undefined): string {
  if (query === undefined) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    params.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

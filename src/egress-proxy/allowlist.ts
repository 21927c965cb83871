/**
 * The egress allowlist rule, in one place: which entries are valid (the configuration
 * checks `egress_allow` and `egress_ports` with these), and whether a requested host and
 * port match. Pure, with no Node imports, so the gateway's bundle and the library share it.
 *
 * Matching is by exact name. An entry with a leading dot (`.example.com`) matches every
 * name below that zone (`a.example.com`, `b.a.example.com`), not the zone's own name. It
 * is weaker: whoever runs that zone can answer any lookup below it, so names under it
 * become a channel that a lookup alone can use. IP literals never match anything.
 */

/** The most entries one allowlist may hold: it travels in an environment variable and a label. */
export const MAX_ALLOW_ENTRIES = 256;

export interface Allowlist {
  readonly exact: ReadonlySet<string>;
  /** Zones from leading-dot entries, each starting with a dot. */
  readonly suffixes: readonly string[];
  readonly ports: ReadonlySet<number>;
}

export type Entry = { readonly value: string } | { readonly problem: string };

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4ISH = /^[0-9.]+$|^0x[0-9a-f]+$/i;

/** Lower case, without one trailing dot: how names are compared. */
export function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True for anything a resolver or a socket might read as an address: 1.2.3.4, 127.1, 0x7f000001, ::1, [::1]. */
export function isIpLiteral(host: string): boolean {
  if (host.startsWith('[') || (host.includes(':') && /^[0-9a-f:.]+$/i.test(host))) return true;
  if (IPV4ISH.test(host)) return true;
  // The last label of a real name is never all digits (no top-level domain is).
  const last = host.split('.').pop() ?? '';
  return /^\d+$/.test(last) || /^0x[0-9a-f]+$/i.test(last);
}

/** Whether `name` (already normalised) is a host name by RFC 1123: letters, digits, hyphens, dots. */
export function isHostName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => LABEL.test(label));
}

/** Checks one `egress_allow` entry; the value is the normalised entry. */
export function checkAllowEntry(raw: string): Entry {
  const entry = normalizeHost(raw.trim());
  if (entry === '') return { problem: 'is empty; expected a host name such as registry.npmjs.org' };
  if (entry.includes('://')) return { problem: 'is a URL; write the host name alone, such as registry.npmjs.org' };
  if (entry.startsWith('*.')) return { problem: `is a wildcard; write "${entry.slice(1)}" (a leading dot) to allow every name below ${entry.slice(2)}` };
  const suffix = entry.startsWith('.');
  const name = suffix ? entry.slice(1) : entry;
  if (isIpLiteral(name)) return { problem: 'is an IP address; the egress allowlist matches host names only (IP literals never match), so name the host instead' };
  if (!isHostName(name)) return { problem: 'is not a host name; expected letters, digits and hyphens in dot-separated labels, such as registry.npmjs.org or .githubusercontent.com' };
  if (name === 'localhost' || name.endsWith('.localhost')) return { problem: 'names the loopback address, which the egress gateway never connects to' };
  if (suffix && !name.includes('.')) return { problem: `allows a whole top-level domain; name a zone below it such as ".example${entry}"` };
  return { value: entry };
}

/** Checks one `egress_ports` entry. */
export function checkPort(raw: unknown): { readonly value: number } | { readonly problem: string } {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 65535) return { problem: 'is not a TCP port; expected a whole number from 1 to 65535' };
  return { value: n };
}

/** Builds an allowlist from entries and ports already checked (throws on one that is not). */
export function makeAllowlist(entries: readonly string[], ports: readonly number[]): Allowlist {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of entries) {
    const checked = checkAllowEntry(raw);
    if ('problem' in checked) throw new Error(`egress allowlist entry ${JSON.stringify(raw)} ${checked.problem}`);
    if (checked.value.startsWith('.')) suffixes.push(checked.value);
    else exact.add(checked.value);
  }
  const portSet = new Set<number>();
  for (const p of ports) {
    const checked = checkPort(p);
    if ('problem' in checked) throw new Error(`egress port ${JSON.stringify(p)} ${checked.problem}`);
    portSet.add(checked.value);
  }
  return { exact, suffixes, ports: portSet };
}

export type MatchResult =
  | { readonly ok: true; readonly host: string }
  | { readonly ok: false; readonly reason: 'ip-literal' | 'bad-name' | 'not-allowed' | 'port' };

/**
 * Whether a request for `host:port` may go out. Decided from the text alone: nothing is
 * looked up before this says yes.
 */
export function matchHost(list: Allowlist, host: string, port: number): MatchResult {
  const name = normalizeHost(host);
  if (isIpLiteral(name)) return { ok: false, reason: 'ip-literal' };
  if (!isHostName(name)) return { ok: false, reason: 'bad-name' };
  if (!list.exact.has(name) && !list.suffixes.some((zone) => name.endsWith(zone))) return { ok: false, reason: 'not-allowed' };
  if (!list.ports.has(port)) return { ok: false, reason: 'port' };
  return { ok: true, host: name };
}

/** The entries as written back (for messages, labels and the environment), in a stable order. */
export function allowEntries(list: Allowlist): string[] {
  return [...list.exact, ...list.suffixes];
}

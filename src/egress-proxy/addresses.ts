/**
 * Which IPv4 addresses the gateway never connects to, whatever name led there. Pure.
 *
 * Always refused: this network (0/8), loopback, link-local (cloud metadata lives at
 * 169.254.169.254), CGNAT (100.64/10), the IETF, documentation and benchmarking blocks,
 * multicast and the reserved 240/4 (broadcast included). Refused per gateway: the
 * engine host and the workspace side (its own interfaces' networks, every network the
 * engine has, the host's addresses), given as CIDRs. IPv6 is refused everywhere: the
 * gateway asks only for A records.
 */

export interface Cidr {
  readonly base: number;
  readonly bits: number;
  readonly label: string;
}

const FIXED: readonly (readonly [string, string])[] = [
  ['0.0.0.0/8', 'this network'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['100.64.0.0/10', 'shared address space (CGNAT)'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation (TEST-NET-1)'],
  ['198.51.100.0/24', 'documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'documentation (TEST-NET-3)'],
  ['198.18.0.0/15', 'benchmarking'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];

/** A dotted-quad IPv4 address as an unsigned 32-bit number, or undefined. Strict: no 127.1, no octal. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** `10.0.0.0/8` (or a bare address, as /32) → a Cidr; undefined when it is not one. */
export function parseCidr(text: string, label = text): Cidr | undefined {
  const [addr = '', bitsText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIpv4(addr);
  const bits = bitsText === undefined ? 32 : /^\d{1,2}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
  if (ip === undefined || !(bits >= 0 && bits <= 32)) return undefined;
  return { base: bits === 0 ? 0 : ip - (ip % 2 ** (32 - bits)), bits, label };
}

export function inCidr(ip: number, cidr: Cidr): boolean {
  return cidr.bits === 0 || Math.floor(ip / 2 ** (32 - cidr.bits)) === Math.floor(cidr.base / 2 ** (32 - cidr.bits));
}

export const FIXED_DENY: readonly Cidr[] = FIXED.map(([c, label]) => {
  const cidr = parseCidr(c, label);
  if (cidr === undefined) throw new Error(`bad built-in CIDR ${c}`);
  return cidr;
});

/** The range that refuses `address`, or undefined when the gateway may connect to it. */
export function refusedBy(address: string, extra: readonly Cidr[]): string | undefined {
  const ip = parseIpv4(address);
  if (ip === undefined) return 'not an IPv4 address (IPv6 is refused)';
  for (const cidr of FIXED_DENY) if (inCidr(ip, cidr)) return cidr.label;
  for (const cidr of extra) if (inCidr(ip, cidr)) return cidr.label;
  return undefined;
}

/**
 * IPv4 and IPv6 addresses and CIDR subnets, as `network_subnet` and `network_gateway`
 * take them. Addresses become bigints so one containment rule serves both families.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

export interface Cidr {
  readonly family: IpFamily;
  /** The network address (host bits zero). */
  readonly base: bigint;
  readonly prefix: number;
  /** As written canonically: `10.213.0.0/24`, `fd00:a1c1::/64`. */
  readonly text: string;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };
/** Room for the network address, a gateway and at least one container (and IPv4's broadcast). */
const MAX_PREFIX: Record<IpFamily, number> = { 4: 30, 6: 126 };

export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) return { family: 4, value: text.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n) };
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let s = text.toLowerCase();
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)?.[1];
  if (v4 !== undefined) {
    const n = parseIp(v4)?.value ?? 0n;
    s = `${s.slice(0, -v4.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return { family: 6, value: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(BITS[family] - prefix)) - 1n;
}

export const CIDR_EXPECTED = 'a subnet in CIDR notation such as 10.213.0.0/24 or fd00:a1c1::/64';

/** A subnet, or what is wrong with it (a message that goes after the quoted value). */
export function parseCidr(text: string): { cidr: Cidr } | { problem: string } {
  const slash = text.indexOf('/');
  if (slash === -1) {
    const ip = parseIp(text);
    const hint = ip === undefined ? '' : `; did you mean "${text}/${ip.family === 4 ? 24 : 64}"?`;
    return { problem: `has no prefix length; expected ${CIDR_EXPECTED}${hint}` };
  }
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === undefined) return { problem: `is not a subnet: "${text.slice(0, slash)}" is not an IPv4 or IPv6 address; expected ${CIDR_EXPECTED}` };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > BITS[ip.family]) {
    return { problem: `has a bad prefix length "/${prefixText}"; expected 0 to ${BITS[ip.family]} for IPv${ip.family}` };
  }
  const prefix = Number(prefixText);
  if (prefix > MAX_PREFIX[ip.family]) {
    return { problem: `is too small for a network; expected a prefix length of at most /${MAX_PREFIX[ip.family]} (room for a gateway and containers)` };
  }
  const base = ip.value & ~hostMask(ip.family, prefix);
  const canonical = `${formatIp({ family: ip.family, value: base })}/${prefix}`;
  if (base !== ip.value) return { problem: `has host bits set; the engine wants the network address: did you mean "${canonical}"?` };
  return { cidr: { family: ip.family, base, prefix, text: canonical } };
}

export const IP_EXPECTED = 'an IPv4 or IPv6 address such as 10.213.0.1 or fd00:a1c1::1';

/** What is wrong with `gateway` as the gateway of `subnet`, or undefined. */
export function gatewayProblem(gateway: IpAddress, subnet: Cidr): string | undefined {
  const mask = hostMask(subnet.family, subnet.prefix);
  if (gateway.family !== subnet.family) return `is an IPv${gateway.family} address, but network_subnet ${subnet.text} is IPv${subnet.family}; expected an address inside it`;
  if ((gateway.value & ~mask) !== subnet.base) return `is outside network_subnet ${subnet.text}; expected an address inside it, such as ${formatIp({ family: subnet.family, value: subnet.base + 1n })}`;
  if (gateway.value === subnet.base) return `is the network address of ${subnet.text}; expected a host address such as ${formatIp({ family: subnet.family, value: subnet.base + 1n })}`;
  if (subnet.family === 4 && gateway.value === (subnet.base | mask)) return `is the broadcast address of ${subnet.text}; expected a host address such as ${formatIp({ family: 4, value: subnet.base + 1n })}`;
  return undefined;
}

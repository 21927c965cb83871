// What the egress tests check from inside a container, as one busybox shell script
// that runs every probe at once (each bounded by `timeout`) and prints one section per
// probe; and what its output and the lab's logs must show. Shared by the test, the
// leaky-variant run (scripts/egress-leaky.ts) and the self-test.
import { randomBytes } from 'node:crypto';
import type { LabEvent } from './egress-lab.js';

export interface ProbeTargets {
  /** A unique token: every name and payload a probe sends carries it. */
  readonly tok: string;
  readonly outside: string;
  /** Every address of the engine host a container could name: its uplink, each bridge address. */
  readonly hostAddresses: readonly string[];
  /** Every resolver address the workspace could name. */
  readonly resolvers: readonly string[];
  /** A container on the aicli network listening on TCP 7000, and the gateway's address there. */
  readonly neighbor: string;
  readonly gatewayUplink: string;
}

export const NAMES = Object.freeze({
  allowed: 'allowed.test',
  forbidden: 'forbidden.test',
  loopback: 'loopback.test',
  hostBridge: 'hostbridge.test',
  hostUplink: 'hostuplink.test',
  metadata: 'metadata.test',
  neighbor: 'neighbor.test',
  workspaceSide: 'wsside.test',
  v6only: 'v6only.test',
  later: 'later.test',
  /** Answers the outside's address once, then 127.0.0.1: a second lookup would land on loopback. */
  rebind: 'rebind.test',
});

export function token(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

/** A DNS query for `name` (type A), with TCP's 2-byte length prefix, as printf octal escapes. */
function tcpDnsQuery(name: string): string {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l, 'latin1')]);
  const msg = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1]);
  const framed = Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 0xff]), msg]);
  return [...framed].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
}

const q = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * The probes a workspace runs. Proxy probes find the proxy from $HTTP_PROXY (so the
 * patch's environment is what is tested), and keep stdin open until the answer is in.
 */
export function workspaceScript(t: ProbeTargets): string {
  const lines: string[] = [
    'P=${HTTP_PROXY#http://}; P=${P%/}; PH=${P%:*}; PP=${P##*:}',
    'echo "proxy=$PH:$PP" > /probe/c.env',
    // nc half-closes on stdin EOF; the sleep keeps the request side open a little.
    'via() { n=$1; shift; (printf "$@"; sleep 2) | timeout 8 nc -w 4 "$PH" "$PP" > /probe/c.$n 2>&1; echo "rc=$?" >> /probe/c.$n; }',
    'direct() { n=$1; h=$2; p=$3; (printf "GET /direct-$n-TOK HTTP/1.0\\r\\n\\r\\n"; sleep 1) | timeout 5 nc -w 3 "$h" "$p" > /probe/c.$n 2>&1; echo "rc=$?" >> /probe/c.$n; }',
    // busybox's nc has no UDP: tftp sends a datagram (a read request naming the token) to any port.
    'udp() { n=$1; h=$2; p=$3; timeout 3 tftp -g -r "udp-$n-TOK" -l /dev/null "$h" "$p" > /probe/c.$n 2>&1; echo "rc=$?" >> /probe/c.$n; }',
    'look() { n=$1; shift; timeout 6 nslookup -timeout=2 "$@" > /probe/c.$n 2>&1; echo "rc=$?" >> /probe/c.$n; }',
    'tcpdns() { n=$1; h=$2; (printf "$3"; sleep 1) | timeout 5 nc -w 3 "$h" 53 > /probe/c.$n 2>&1; echo "rc=$?" >> /probe/c.$n; }',
    `via http_allowed 'GET http://${NAMES.allowed}/ok-TOK HTTP/1.1\\r\\nHost: ${NAMES.allowed}\\r\\nConnection: close\\r\\n\\r\\n' &`,
    `via connect_allowed 'CONNECT ${NAMES.allowed}:443 HTTP/1.1\\r\\nHost: ${NAMES.allowed}:443\\r\\n\\r\\nping-TOK\\n' &`,
    // The Host header a client writes never picks the upstream's virtual host (no fronting).
    `via http_fronting 'GET http://${NAMES.allowed}/front-TOK HTTP/1.1\\r\\nHost: ${NAMES.forbidden}\\r\\nConnection: close\\r\\n\\r\\n' &`,
    `via http_forbidden 'GET http://${NAMES.forbidden}/ HTTP/1.1\\r\\nHost: ${NAMES.forbidden}\\r\\n\\r\\n' &`,
    `via connect_forbidden 'CONNECT ${NAMES.forbidden}:443 HTTP/1.1\\r\\n\\r\\n' &`,
    `via connect_ip 'CONNECT ${t.outside}:443 HTTP/1.1\\r\\n\\r\\n' &`,
    `via http_ip 'GET http://${t.outside}/ HTTP/1.1\\r\\nHost: ${NAMES.allowed}\\r\\n\\r\\n' &`,
    `via connect_loopback 'CONNECT ${NAMES.loopback}:443 HTTP/1.1\\r\\n\\r\\n' &`,
    `via connect_hostbridge 'CONNECT ${NAMES.hostBridge}:443 HTTP/1.1\\r\\n\\r\\n' &`,
    `via connect_hostuplink 'CONNECT ${NAMES.hostUplink}:443 HTTP/1.1\\r\\n\\r\\n' &`,
    `via connect_metadata 'CONNECT ${NAMES.metadata}:80 HTTP/1.1\\r\\n\\r\\n' &`,
    `via connect_neighbor 'CONNECT ${NAMES.neighbor}:443 HTTP/1.1\\r\\n\\r\\n' &`,
    `via connect_wsside 'CONNECT ${NAMES.workspaceSide}:443 HTTP/1.1\\r\\n\\r\\n' &`,
    `via connect_rebind 'CONNECT ${NAMES.rebind}:443 HTTP/1.1\\r\\n\\r\\nrebind-TOK\\n' &`,
    `via connect_port 'CONNECT ${NAMES.allowed}:8080 HTTP/1.1\\r\\n\\r\\n' &`,
    `via connect_v6only 'CONNECT ${NAMES.v6only}:443 HTTP/1.1\\r\\n\\r\\n' &`,
    // Names below an allowed one, and forbidden ones, through the proxy: never looked up.
    `via connect_subdomain 'CONNECT px1-TOK.${NAMES.allowed}:443 HTTP/1.1\\r\\n\\r\\n' &`,
    `via http_forbidden_tok 'GET http://px2-TOK.${NAMES.forbidden}/ HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' &`,
    `direct tcp_outside ${t.outside} 80 &`,
    `udp udp_outside ${t.outside} 9999 &`,
    `udp udp_outside_dns ${t.outside} 53 &`,
    `direct tcp_neighbor ${t.neighbor} 7000 &`,
    `direct tcp_gateway_uplink ${t.gatewayUplink} 3128 &`,
    `look dns_embedded emb-TOK.${NAMES.forbidden} &`,
    `look dns_subdomain sub-TOK.${NAMES.allowed} &`,
    `look dns_allowed_name ${NAMES.allowed} &`,
  ];
  t.hostAddresses.forEach((a, i) => {
    lines.push(`direct tcp_host${i} ${a} 7777 &`, `udp udp_host${i} ${a} 7777 &`);
  });
  t.resolvers.forEach((r, i) => {
    lines.push(`look dns_udp${i} r${i}-TOK.test ${r} &`, `tcpdns dns_tcp${i} ${r} ${q(tcpDnsQuery(`rt${i}-${t.tok}.test`))} &`);
  });
  lines.push(
    'grep -E "^(Cap|NoNewPrivs)" /proc/self/status > /probe/c.status',
    '{ ip -6 addr; echo ---; ip -6 route; echo ---; ip route; } > /probe/c.ip 2>&1',
    'wait',
    'for f in /probe/c.*; do echo "==== ${f#/probe/c.}"; cat "$f"; done',
  );
  return lines.join('\n').replace(/TOK/g, t.tok);
}

/** The self-test: a plain container on the aicli network must reach all that the workspace must not. */
export function selfTestScript(t: ProbeTargets): string {
  const lines = [
    'direct() { n=$1; h=$2; p=$3; (printf "GET /direct-$n-TOK HTTP/1.0\\r\\n\\r\\n"; sleep 1) | timeout 5 nc -w 3 "$h" "$p" > /probe/c.$n 2>&1; echo "rc=$?" >> /probe/c.$n; }',
    // busybox's nc has no UDP: tftp sends a datagram (a read request naming the token) to any port.
    'udp() { n=$1; h=$2; p=$3; timeout 3 tftp -g -r "udp-$n-TOK" -l /dev/null "$h" "$p" > /probe/c.$n 2>&1; echo "rc=$?" >> /probe/c.$n; }',
    'look() { n=$1; shift; timeout 6 nslookup -timeout=2 "$@" > /probe/c.$n 2>&1; echo "rc=$?" >> /probe/c.$n; }',
    `direct tcp_outside ${t.outside} 80 &`,
    `udp udp_outside ${t.outside} 9999 &`,
    `look dns_embedded self-TOK.${NAMES.forbidden} &`,
    `direct tcp_neighbor ${t.neighbor} 7000 &`,
    `direct tcp_host0 ${t.hostAddresses[0] ?? '127.0.0.1'} 7777 &`,
    'wait',
    'for f in /probe/c.*; do echo "==== ${f#/probe/c.}"; cat "$f"; done',
  ];
  return lines.join('\n').replace(/TOK/g, t.tok);
}

export function sections(output: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of output.split(/^==== /m).slice(1)) {
    const nl = part.indexOf('\n');
    out[part.slice(0, nl)] = part.slice(nl + 1);
  }
  return out;
}

export interface Observed {
  readonly sections: Record<string, string>;
  /** Lab log events that happened while the probes ran. */
  readonly outside: readonly LabEvent[];
  readonly host: readonly LabEvent[];
  readonly guard: { readonly leaked: number; readonly watched: number };
}

/** What failed, as readable lines; empty when the workspace is held to its allowlist. */
export function assessWorkspace(t: ProbeTargets, o: Observed): string[] {
  const failures: string[] = [];
  const s = (name: string): string => o.sections[name] ?? '(missing)';
  const expect = (ok: boolean, what: string, name?: string): void => {
    if (!ok) failures.push(`${what}${name === undefined ? '' : `\n    ${name}: ${s(name).trim().split('\n').slice(0, 6).join('\n    ')}`}`);
  };
  expect(/outside-http port=80 path=\/ok-\w+ host=allowed\.test/.test(s('http_allowed')), 'an allowed name works through the proxy (absolute-form HTTP)', 'http_allowed');
  expect(/200 Connection Established[\s\S]*outside-443 hello[\s\S]*echo: ping-/.test(s('connect_allowed')), 'an allowed name works through the proxy (CONNECT)', 'connect_allowed');
  const fronted = o.outside.filter((e) => e.event === 'http' && (e.url ?? '').startsWith(`/front-${t.tok}`));
  expect(fronted.length === 1 && fronted[0]?.host === NAMES.allowed, `the upstream sees the checked name as Host, whatever the client wrote: ${JSON.stringify(fronted)}`);
  const refused = (name: string, what: string, text: RegExp): void => {
    expect(/^HTTP\/1\.1 403 /m.test(s(name)) && text.test(s(name)), what, name);
  };
  refused('http_forbidden', 'a forbidden name is refused (403 naming it and how to allow it)', /forbidden\.test is not on its egress allowlist[\s\S]*workspace egress \S+ --allow /);
  refused('connect_forbidden', 'a forbidden name is refused through CONNECT', /forbidden\.test is not on its egress allowlist/);
  refused('connect_ip', 'an IP literal is refused (CONNECT)', /is an IP address/);
  refused('http_ip', 'an IP literal is refused (absolute-form HTTP)', /is an IP address/);
  refused('connect_loopback', 'an allowed name resolving to 127.0.0.1 is refused', /resolves to 127\.0\.0\.1 \(loopback\)/);
  refused('connect_hostbridge', 'an allowed name resolving to the engine host (bridge address) is refused', /resolves to /);
  refused('connect_hostuplink', 'an allowed name resolving to the engine host (uplink address) is refused', /resolves to /);
  refused('connect_metadata', 'an allowed name resolving to link-local (cloud metadata) is refused', /link-local/);
  refused('connect_neighbor', "an allowed name resolving to a container on the gateway's other network is refused", /resolves to /);
  refused('connect_wsside', 'an allowed name resolving to the workspace side is refused', /resolves to /);
  refused('connect_port', 'a port off the list is refused', /port 8080 is not allowed/);
  refused('connect_subdomain', 'a name below an allowed name (not listed) is refused', /is not on its egress allowlist/);
  expect(/^HTTP\/1\.1 502 [\s\S]*could not be resolved/m.test(s('connect_v6only')), 'a name with only IPv6 addresses is not connected to (A records only)', 'connect_v6only');

  const noEcho = (name: string, what: string): void => {
    expect(!/outside-http|outside-443|host-7777|HTTP\/1\.[01] \d{3}/.test(s(name)), what, name);
  };
  noEcho('tcp_outside', 'direct TCP to the outside fails');
  noEcho('tcp_neighbor', "direct TCP to a container on the gateway's other network fails");
  noEcho('tcp_gateway_uplink', "direct TCP to the gateway's address on its other network fails");
  t.hostAddresses.forEach((a, i) => {
    noEcho(`tcp_host${i}`, `direct TCP to the engine host at ${a} fails`);
  });
  expect(/200 Connection Established[\s\S]*echo: rebind-/.test(s('connect_rebind')), 'the gateway connects to the address it checked (a name that rebinds to 127.0.0.1 on a second lookup still reaches the outside)', 'connect_rebind');
  const rebindLookups = o.outside.filter((e) => e.event === 'dns' && e.name === NAMES.rebind && e.type === 1);
  expect(rebindLookups.length === 1, `the gateway looks an allowed name up once per request (saw ${rebindLookups.length} lookups of ${NAMES.rebind})`);
  expect(!new RegExp(`Address:\\s*${t.outside.replace(/\./g, '\\.')}`).test(s('dns_allowed_name')), "the workspace cannot resolve even an allowed name itself", 'dns_allowed_name');
  const tok = t.tok;
  const direct = new RegExp(`(direct|udp)-\\w+-${tok}`);
  const reached = [...o.outside, ...o.host].filter((e) => direct.test(JSON.stringify(e)));
  expect(reached.length === 0, `nothing the workspace sent directly reached the outside or the host: ${JSON.stringify(reached.slice(0, 5))}`);
  const hostTcp = o.host.filter((e) => e.event === 'tcp');
  expect(hostTcp.length === 0, `no TCP connection reached the engine host's listener: ${JSON.stringify(hostTcp.slice(0, 5))}`);
  const lookups = [...o.outside, ...o.host].filter((e) => e.event === 'dns' && (e.name ?? '').includes(tok));
  expect(lookups.length === 0, `no lookup of the workspace's own reached a DNS server: ${JSON.stringify(lookups.slice(0, 8))}`);
  const forbiddenLookups = o.outside.filter((e) => e.event === 'dns' && (e.name ?? '').includes(NAMES.forbidden));
  expect(forbiddenLookups.length === 0, `a forbidden name was never looked up: ${JSON.stringify(forbiddenLookups.slice(0, 5))}`);

  const status = s('status');
  for (const cap of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
    expect(new RegExp(`^${cap}:\\s+0+$`, 'm').test(status), `the workspace has no capabilities (${cap} 0)`, 'status');
  }
  expect(/^NoNewPrivs:\s+1$/m.test(status), 'the workspace runs with no-new-privileges', 'status');
  const ip = s('ip');
  const [v6addr = '', v6route = ''] = ip.split('---');
  expect(!/scope global/.test(v6addr) && !/^default/m.test(v6route), 'the workspace has no routable IPv6 address or route', 'ip');
  expect(o.guard.leaked === 0, `the guard dropped nothing leaving by another interface (dropped ${o.guard.leaked})`);
  expect(o.guard.watched === 0, `no packet from the workspace network was routed or delivered by the engine host (counted ${o.guard.watched})`);
  return failures;
}

/** The self-test: if any of these fail, the checks above would be blind. */
export function assessSelfTest(t: ProbeTargets, o: Observed): string[] {
  const failures: string[] = [];
  const has = (pred: (e: LabEvent) => boolean, what: string): void => {
    if (![...o.outside, ...o.host].some(pred)) failures.push(what);
  };
  has((e) => e.event === 'http' && (e.url ?? '').includes(`direct-tcp_outside-${t.tok}`), 'a plain container reaches the outside HTTP server');
  has((e) => e.event === 'udp' && (e.text ?? '').includes(`udp-udp_outside-${t.tok}`), 'a plain container reaches the UDP sink');
  has((e) => e.event === 'dns' && (e.name ?? '').includes(`self-${t.tok}`), "a plain container's lookup reaches the DNS log");
  has((e) => e.role === 'host' && e.event === 'tcp', "a plain container reaches the engine host's listener");
  if (!/HTTP\/1\.[01] \d{3}/.test(o.sections['tcp_neighbor'] ?? '')) failures.push('a plain container reaches the neighbor on the aicli network');
  return failures;
}

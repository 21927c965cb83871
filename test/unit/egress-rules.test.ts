// The gateway's two rules, as pure functions: which names match the allowlist (decided
// from the text, before any lookup), and which addresses are never connected to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkAllowEntry, checkPort, isIpLiteral, makeAllowlist, matchHost, normalizeHost } from '../../src/egress-proxy/allowlist.js';
import { parseCidr, parseIpv4, refusedBy } from '../../src/egress-proxy/addresses.js';

describe('allowlist entries', () => {
  it('accepts host names and leading-dot zones, normalised (lower case, no trailing dot)', () => {
    assert.deepEqual(checkAllowEntry('Registry.NPMjs.org.'), { value: 'registry.npmjs.org' });
    assert.deepEqual(checkAllowEntry(' .githubusercontent.com '), { value: '.githubusercontent.com' });
    assert.deepEqual(checkAllowEntry('api.anthropic.com'), { value: 'api.anthropic.com' });
    assert.deepEqual(checkAllowEntry('xn--bcher-kva.example'), { value: 'xn--bcher-kva.example' });
  });

  it('refuses IP literals in every spelling a resolver might accept', () => {
    for (const ip of ['1.2.3.4', '127.1', '0x7f000001', '2130706433', '::1', '[::1]', 'fe80::1', '10.0.0.1.', '1.2.3.0x4']) {
      const c = checkAllowEntry(ip);
      assert.ok('problem' in c && /IP address/.test(c.problem), `${ip}: ${JSON.stringify(c)}`);
    }
  });

  it('refuses wildcards, whole top-level domains, localhost and what is not a host name, saying what to write', () => {
    const problem = (s: string): string => {
      const c = checkAllowEntry(s);
      assert.ok('problem' in c, s);
      return c.problem;
    };
    assert.match(problem('*.example.com'), /write "\.example\.com"/);
    assert.match(problem('.com'), /whole top-level domain/);
    assert.match(problem('localhost'), /loopback/);
    assert.match(problem('a.localhost'), /loopback/);
    assert.match(problem(''), /empty/);
    assert.match(problem('https://github.com'), /is a URL/);
    for (const bad of ['a_b.com', 'a..b.com', '-a.com', 'a-.com', 'a b.com', 'a/b', 'exa$mple.com', `${'a'.repeat(64)}.com`, `${'a.'.repeat(127)}com`]) {
      assert.match(problem(bad), /not a host name/, bad);
    }
  });

  it('ports are whole numbers from 1 to 65535', () => {
    assert.deepEqual(checkPort(443), { value: 443 });
    assert.deepEqual(checkPort('8080'), { value: 8080 });
    for (const bad of [0, 65536, -1, 1.5, '443x', '', null, Number.NaN]) assert.ok('problem' in checkPort(bad), String(bad));
  });
});

describe('matching a request', () => {
  const list = makeAllowlist(['registry.npmjs.org', '.githubusercontent.com'], [443, 80]);

  it('matches the exact name, in any case and with a trailing dot', () => {
    assert.deepEqual(matchHost(list, 'registry.npmjs.org', 443), { ok: true, host: 'registry.npmjs.org' });
    assert.deepEqual(matchHost(list, 'REGISTRY.npmjs.org.', 80), { ok: true, host: 'registry.npmjs.org' });
  });

  it('an exact entry does not cover names below it; a zone covers names below it, not itself or look-alikes', () => {
    assert.deepEqual(matchHost(list, 'x.registry.npmjs.org', 443), { ok: false, reason: 'not-allowed' });
    assert.deepEqual(matchHost(list, 'raw.githubusercontent.com', 443), { ok: true, host: 'raw.githubusercontent.com' });
    assert.deepEqual(matchHost(list, 'a.b.githubusercontent.com', 443), { ok: true, host: 'a.b.githubusercontent.com' });
    assert.deepEqual(matchHost(list, 'githubusercontent.com', 443), { ok: false, reason: 'not-allowed' });
    assert.deepEqual(matchHost(list, 'evilgithubusercontent.com', 443), { ok: false, reason: 'not-allowed' });
    assert.deepEqual(matchHost(list, 'registry.npmjs.org.evil.com', 443), { ok: false, reason: 'not-allowed' });
  });

  it('IP literals never match, bad names and other ports are refused', () => {
    assert.deepEqual(matchHost(list, '104.16.0.1', 443), { ok: false, reason: 'ip-literal' });
    assert.deepEqual(matchHost(list, '[2606:4700::1]', 443), { ok: false, reason: 'ip-literal' });
    assert.deepEqual(matchHost(list, 'registry.npmjs.org', 22), { ok: false, reason: 'port' });
    assert.deepEqual(matchHost(list, 'bad name', 443), { ok: false, reason: 'bad-name' });
  });

  it('never allows a name that is not listed or below a listed zone (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 70000 }), (host, port) => {
        const r = matchHost(list, host, port);
        if (!r.ok) return true;
        const n = normalizeHost(host);
        return (n === 'registry.npmjs.org' || n.endsWith('.githubusercontent.com')) && (port === 443 || port === 80) && !isIpLiteral(n);
      }),
    );
  });
});

describe('refused addresses', () => {
  it('loopback, link-local (metadata), CGNAT, this network, multicast, reserved and documentation blocks', () => {
    const cases: [string, RegExp][] = [
      ['127.0.0.1', /loopback/],
      ['127.255.255.254', /loopback/],
      ['169.254.169.254', /link-local/],
      ['100.64.0.1', /CGNAT/],
      ['100.127.255.255', /CGNAT/],
      ['0.0.0.0', /this network/],
      ['224.0.0.251', /multicast/],
      ['239.255.255.250', /multicast/],
      ['240.0.0.1', /reserved/],
      ['255.255.255.255', /reserved/],
      ['192.0.2.10', /documentation/],
      ['198.18.0.1', /benchmarking/],
    ];
    for (const [ip, why] of cases) assert.match(refusedBy(ip, []) ?? '', why, ip);
  });

  it('lets public and private addresses through unless they are the engine host or the workspace side', () => {
    for (const ip of ['8.8.8.8', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.128.0.1', '100.63.255.255']) assert.equal(refusedBy(ip, []), undefined, ip);
    const side = [parseCidr('172.20.0.0/16', 'the workspace side'), parseCidr('10.9.8.7', 'the engine host')].filter((c) => c !== undefined);
    assert.equal(refusedBy('172.20.5.5', side), 'the workspace side');
    assert.equal(refusedBy('10.9.8.7', side), 'the engine host');
    assert.equal(refusedBy('10.9.8.8', side), undefined);
  });

  it('refuses IPv6 and anything that is not a plain dotted quad', () => {
    for (const ip of ['::1', 'fd00::1', '2606:4700::1111', '01.2.3.4', '1.2.3', '256.1.1.1', '1.2.3.4 ', '']) assert.ok(refusedBy(ip, []) !== undefined, ip);
  });

  it('parses CIDRs strictly', () => {
    assert.deepEqual(parseCidr('10.0.0.0/8'), { base: parseIpv4('10.0.0.0'), bits: 8, label: '10.0.0.0/8' });
    assert.equal(parseCidr('10.1.2.3/8')?.base, parseIpv4('10.0.0.0'), 'host bits are cleared');
    assert.equal(parseCidr('0.0.0.0/0')?.bits, 0);
    for (const bad of ['10.0.0.0/33', '10.0.0/8', '10.0.0.0/8/1', 'x/8', '10.0.0.0/']) assert.equal(parseCidr(bad), undefined, bad);
  });
});

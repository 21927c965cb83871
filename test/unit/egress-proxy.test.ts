// The proxy's order of work, on loopback: a refused request is never looked up, the
// refusal says what was refused and how to allow it, and each request is one decision
// line. The resolver here is a recording stand-in (the real one, and real connections,
// are proven against real engines in test/integration/egress.test.ts).
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { makeAllowlist } from '../../src/egress-proxy/allowlist.js';
import { parseCidr } from '../../src/egress-proxy/addresses.js';
import { createProxy, parseAbsolute, parseAuthority, type Decision } from '../../src/egress-proxy/proxy.js';

const lookups: string[] = [];
const decisions: Decision[] = [];
const answers = new Map<string, string[]>([
  ['allowed.test', ['127.0.0.1']],
  ['side.test', ['8.8.8.8', '172.20.0.9']],
]);
let port = 0;
let upstream: net.Server;
let upstreamPort = 0;
let upstreamConnections = 0;
let server: ReturnType<typeof createProxy>;

const proxy = (extraPort: number): ReturnType<typeof createProxy> =>
  createProxy({
  allow: makeAllowlist(['allowed.test', 'side.test', 'missing.test', '.zone.test'], [80, 443, extraPort]),
  deny: [parseCidr('172.20.0.0/16', 'the workspace side')].filter((c) => c !== undefined),
  workspace: 'ws1',
  resolve4: (host) => {
    lookups.push(host);
    const a = answers.get(host);
    return a === undefined ? Promise.reject(Object.assign(new Error('nx'), { code: 'ENOTFOUND' })) : Promise.resolve(a);
  },
  log: (d) => decisions.push(d),
});

before(async () => {
  // A listener where a wrongly allowed connection would land (127.0.0.1, refused by the gateway).
  upstream = net.createServer((s) => {
    upstreamConnections++;
    s.destroy();
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamPort = (upstream.address() as net.AddressInfo).port;
  server = proxy(upstreamPort);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await new Promise((r) => upstream.close(r));
});

/** Sends raw bytes, half-closes, and reads the whole answer. */
function send(raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let out = '';
    c.on('data', (d: Buffer) => {
      out += d.toString();
    });
    c.on('end', () => {
      resolve(out);
    });
    c.on('error', reject);
    c.end(raw);
  });
}

function fresh(): void {
  lookups.length = 0;
  decisions.length = 0;
}

describe('egress proxy', () => {
  it('refuses a name off the allowlist without looking it up, and says how to allow it', async () => {
    fresh();
    const out = await send('CONNECT forbidden.test:443 HTTP/1.1\r\nHost: forbidden.test:443\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 403 Forbidden\r\n/);
    assert.match(out, /forbidden\.test is not on its egress allowlist/);
    assert.match(out, /aicli-docker workspace egress ws1 --allow allowed\.test,side\.test,missing\.test,\.zone\.test,forbidden\.test\n/);
    assert.deepEqual(lookups, []);
    assert.deepEqual(decisions.map((d) => [d.decision, d.reason, d.method, d.host, d.port]), [['deny', 'not-allowed', 'CONNECT', 'forbidden.test', 443]]);
    assert.match(decisions[0]?.time ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.equal(decisions[0]?.client, '127.0.0.1');
  });

  it('refuses IP literals, other ports and names below an exact entry, all without a lookup', async () => {
    fresh();
    assert.match(await send('CONNECT 127.0.0.1:443 HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 403 [\s\S]*is an IP address/);
    assert.match(await send('GET http://2130706433/ HTTP/1.1\r\nHost: allowed.test\r\n\r\n'), /^HTTP\/1\.1 403 [\s\S]*is an IP address/);
    assert.match(await send('CONNECT [::1]:443 HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 403 /);
    assert.match(await send('CONNECT allowed.test:22 HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 403 [\s\S]*port 22 is not allowed/);
    assert.match(await send('CONNECT sub.allowed.test:443 HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 403 /);
    assert.match(await send('CONNECT zone.test:443 HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 403 /);
    assert.deepEqual(lookups, []);
    assert.deepEqual(decisions.map((d) => d.reason), ['ip-literal', 'ip-literal', 'ip-literal', 'port', 'not-allowed', 'not-allowed']);
  });

  it('looks an allowed name up once, and refuses it when any address is refused (loopback, the workspace side)', async () => {
    fresh();
    const out = await send(`CONNECT allowed.test:${upstreamPort} HTTP/1.1\r\n\r\n`);
    assert.match(out, /^HTTP\/1\.1 403 [\s\S]*allowed\.test resolves to 127\.0\.0\.1 \(loopback\)/);
    const side = await send('GET http://side.test/ HTTP/1.1\r\nHost: side.test\r\n\r\n');
    assert.match(side, /^HTTP\/1\.1 403 [\s\S]*172\.20\.0\.9 \(the workspace side\)/);
    assert.deepEqual(lookups, ['allowed.test', 'side.test']);
    assert.deepEqual(decisions.map((d) => [d.decision, d.reason, d.address, d.range]), [
      ['deny', 'address', '127.0.0.1', 'loopback'],
      ['deny', 'address', '172.20.0.9', 'the workspace side'],
    ]);
    assert.equal(upstreamConnections, 0, 'nothing was connected to');
  });

  it('a name in an allowed zone is looked up; one that does not resolve gets a 502 and an error decision', async () => {
    fresh();
    const out = await send('CONNECT a.zone.test:443 HTTP/1.1\r\n\r\n');
    assert.match(out, /^HTTP\/1\.1 502 [\s\S]*a\.zone\.test could not be resolved \(ENOTFOUND\)/);
    assert.deepEqual(lookups, ['a.zone.test']);
    assert.deepEqual(decisions.map((d) => [d.decision, d.reason, d.detail]), [['error', 'resolve-failed', 'ENOTFOUND']]);
  });

  it('answers what is not a proxy request with a 400 that says how to use it', async () => {
    fresh();
    assert.match(await send('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400 [\s\S]*use it as an HTTP proxy/);
    assert.match(await send('GET https://allowed.test/ HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400 [\s\S]*go through CONNECT/);
    assert.match(await send('GET http://user:pw@allowed.test/ HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400 [\s\S]*credentials/);
    assert.match(await send('CONNECT allowed.test HTTP/1.1\r\n\r\n'), /^HTTP\/1\.1 400 [\s\S]*HOST:PORT/);
    assert.deepEqual(lookups, []);
    assert.ok(decisions.every((d) => d.decision === 'deny' && d.reason === 'bad-request'));
  });

  it('reads request targets strictly', () => {
    assert.deepEqual(parseAuthority('a.test:443'), { host: 'a.test', port: 443 });
    assert.deepEqual(parseAuthority('[::1]:443'), { host: '[::1]', port: 443 });
    assert.ok('problem' in parseAuthority('a.test'));
    assert.ok('problem' in parseAuthority('a.test:99999x'));
    assert.deepEqual(parseAbsolute('http://A.test:8080/p?q=1'), { host: 'a.test', port: 8080, path: '/p?q=1' });
    assert.deepEqual(parseAbsolute('HTTP://a.test'), { host: 'a.test', port: 80, path: '/' });
    assert.equal((parseAbsolute('http://0x7f.1/') as { host: string }).host, '127.0.0.1', 'URL parsing turns numeric hosts into dotted quads, which never match');
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/features/config/index.js';
import { formatIp, parseCidr, parseIp } from '../../src/features/config/cidr.js';
import { acquireHostLock, hostLockName } from '../../src/features/network/host-lock.js';
import { createdNs, winnerOrder } from '../../src/features/network/lookup.js';
import { toEngineNetwork } from '../../src/engine/networks.js';

describe('subnets and gateways', () => {
  it('reads IPv4 and IPv6 subnets into their canonical form', () => {
    const v4 = parseCidr('10.213.0.0/24');
    assert.ok('cidr' in v4 && v4.cidr.text === '10.213.0.0/24' && v4.cidr.family === 4);
    const v6 = parseCidr('FD00:A1C1:0:0::/64');
    assert.ok('cidr' in v6 && v6.cidr.text === 'fd00:a1c1::/64' && v6.cidr.family === 6, JSON.stringify(v6, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  });
  it('formats IPv6 as RFC 5952 does (longest zero run, lower case)', () => {
    const f = (s: string): string => formatIp(parseIp(s) ?? assert.fail(s));
    assert.equal(f('2001:0db8:0000:0000:0001:0000:0000:0001'), '2001:db8::1:0:0:1');
    assert.equal(f('::'), '::');
    assert.equal(f('::ffff:10.0.0.1'), '::ffff:a00:1');
    assert.equal(f('fd00::'), 'fd00::');
  });
  it('a good pair loads, both families, gateway normalised', async () => {
    const a = await loadConfig({ env: { AICLI_DOCKER_NETWORK_SUBNET: '10.213.0.0/24', AICLI_DOCKER_NETWORK_GATEWAY: '10.213.0.254' } });
    assert.equal(a.config.networkSubnet, '10.213.0.0/24');
    assert.equal(a.config.networkGateway, '10.213.0.254');
    const b = await loadConfig({ env: { AICLI_DOCKER_NETWORK_SUBNET: 'FD00:A1C1::/64', AICLI_DOCKER_NETWORK_GATEWAY: 'fd00:a1c1:0::1' } });
    assert.equal(b.config.networkSubnet, 'fd00:a1c1::/64');
    assert.equal(b.config.networkGateway, 'fd00:a1c1::1');
  });
});

const net = (id: string, created: string): ReturnType<typeof toEngineNetwork> => toEngineNetwork({ Id: id, Name: 'n', Created: created });

describe('the winner order', () => {
  it('reads Created to the nanosecond, whatever the zone', () => {
    assert.equal(createdNs('2026-11-30T03:08:35.243986761Z'), 1796008115243986761n);
    assert.equal(createdNs('2026-11-30T04:08:35.243986761+01:00'), 1796008115243986761n);
    assert.equal(createdNs('2026-11-30T03:08:35Z'), 1796008115000000000n);
    assert.equal(createdNs('yesterday'), undefined);
  });
  it('oldest first, nanoseconds count, then the lowest id; unreadable times last', () => {
    const list = [
      net('cc', '2026-11-30T03:08:35.244733092Z'),
      net('bb', '2026-11-30T03:08:35.243986762Z'),
      net('zz', 'garbage'),
      net('aa', '2026-11-30T03:08:35.243986762Z'),
      net('dd', '2026-11-30T03:08:35.243986761Z'),
    ];
    assert.deepEqual([...list].sort(winnerOrder).map((n) => n.id), ['dd', 'aa', 'bb', 'cc', 'zz']);
    // The same answer whatever order the engine listed them in.
    assert.deepEqual([...list].reverse().sort(winnerOrder).map((n) => n.id), ['dd', 'aa', 'bb', 'cc', 'zz']);
  });
});

describe('the host-local lock', () => {
  it('is held by one at a time, and freed by release()', async () => {
    const key = `test-${process.pid}-${Math.random()}`;
    const a = await acquireHostLock(key, { waitMs: 1000 });
    assert.ok(a !== undefined);
    const b = await acquireHostLock(key, { waitMs: 100 });
    assert.equal(b, undefined, 'a second holder while the first holds it');
    await a.release();
    await a.release();
    const c = await acquireHostLock(key, { waitMs: 1000 });
    assert.ok(c !== undefined);
    await c.release();
  });

  it('is freed by the kernel when its holder is killed with SIGKILL', async () => {
    const key = `test-kill-${process.pid}-${Math.random()}`;
    const name = hostLockName(key);
    // A separate process takes the lock (the same abstract socket), says so, and hangs.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(name)}, () => console.log('held'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => {
          resolve();
        });
        child.once('exit', (code) => {
          reject(new Error(`holder exited early (${String(code)})`));
        });
      });
      assert.equal(await acquireHostLock(key, { waitMs: 150 }), undefined, 'held by the child');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const lock = await acquireHostLock(key, { waitMs: 2000 });
      assert.ok(lock !== undefined, 'the lock of a SIGKILLed holder is free again');
      await lock.release();
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

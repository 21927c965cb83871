// The small rules of issue 10 that need no engine: stats on cgroup v1 and v2, `docker cp`
// arguments, image references, environment entries, archive entry checks, registry
// credentials from the docker CLI's config, pull progress and its printers.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toStatsSample } from '../../src/engine/stats-decode.js';
import { registryAuthHeader } from '../../src/engine/image-api.js';
import { cpDirection, parseCpArg } from '../../src/features/files/cp-path.js';
import { checkLink, safeName } from '../../src/features/files/safe-tar.js';
import { toEnvList } from '../../src/features/exec/env.js';
import { registryCredentials } from '../../src/features/images/credentials.js';
import { PullProgress } from '../../src/features/images/progress.js';
import { parseImageRef } from '../../src/features/images/reference.js';
import { progressPrinter } from '../../src/cli/progress.js';
import { isDockerError, RegistryCredentialsError, UnsafeArchiveError } from '../../src/errors.js';

describe('stats decoding, as docker stats computes it', () => {
  const cpu = (total: number, system: number) => ({ cpu_usage: { total_usage: total, percpu_usage: [1, 2] }, system_cpu_usage: system, online_cpus: 2 });
  it('cgroup v1: memory without total_inactive_file, CPU % from the previous sample, Read/Write ops', () => {
    const s = toStatsSample({
      read: '2024-01-01T00:00:01Z',
      cpu_stats: cpu(2_000_000_000, 20_000_000_000),
      precpu_stats: cpu(1_500_000_000, 18_000_000_000),
      memory_stats: { usage: 100_000_000, limit: 268_435_456, stats: { total_inactive_file: 30_000_000, inactive_file: 1, cache: 40_000_000 } },
      pids_stats: { current: 7, limit: 64 },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 10 }, { op: 'Write', value: 20 }, { op: 'Read', value: 5 }, { op: 'Total', value: 35 }] },
      networks: { eth0: { rx_bytes: 100, tx_bytes: 200 }, eth1: { rx_bytes: 1, tx_bytes: 2 } },
    });
    assert.equal(s.cpuPercent, 50); // 0.5e9 / 2e9 × 2 CPUs × 100
    assert.equal(s.memoryUsedBytes, 70_000_000);
    assert.equal(s.memoryLimitBytes, 268_435_456);
    assert.deepEqual([s.pids, s.pidsLimit, s.blockReadBytes, s.blockWriteBytes, s.netRxBytes, s.netTxBytes], [7, 64, 15, 20, 101, 202]);
  });
  it('cgroup v2: inactive_file, lower-case ops, online CPUs from the per-CPU list when missing', () => {
    const s = toStatsSample({
      cpu_stats: { cpu_usage: { total_usage: 300, percpu_usage: [1, 1, 1, 1] }, system_cpu_usage: 2000 },
      precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 },
      memory_stats: { usage: 50_000, limit: 100_000, stats: { inactive_file: 10_000, anon: 40_000 } },
      pids_stats: { current: 3, limit: 0 },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4096 }, { op: 'write', value: 8192 }] },
    });
    assert.equal(s.cpuPercent, 80); // 200 / 1000 × 4 × 100
    assert.equal(s.memoryUsedBytes, 40_000);
    assert.equal(s.memoryPercent, 40);
    assert.equal(s.pidsLimit, undefined);
    assert.deepEqual([s.blockReadBytes, s.blockWriteBytes], [4096, 8192]);
  });
  it('no previous CPU sample (Podman, one-shot): undefined, unless an earlier answer is given', () => {
    const now = { cpu_stats: cpu(900, 9000), precpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: { usage: 10 } };
    assert.equal(toStatsSample(now).cpuPercent, undefined);
    assert.equal(toStatsSample(now, { cpu_stats: cpu(800, 8000) }).cpuPercent, 20);
  });
});

describe('docker cp arguments', () => {
  it('reads NAME:PATH, local paths, and - as docker cp does', () => {
    assert.deepEqual(parseCpArg('ws:/tmp/x'), { kind: 'workspace', name: 'ws', path: '/tmp/x' });
    assert.deepEqual(parseCpArg('ws:'), { kind: 'workspace', name: 'ws', path: '/' });
    assert.deepEqual(parseCpArg('./a:b'), { kind: 'local', path: './a:b' });
    assert.deepEqual(parseCpArg('/abs/a:b'), { kind: 'local', path: '/abs/a:b' });
    assert.deepEqual(parseCpArg('file.txt'), { kind: 'local', path: 'file.txt' });
    assert.deepEqual(parseCpArg('-'), { kind: 'stream' });
    assert.throws(() => parseCpArg(':/x'), (e: unknown) => isDockerError(e, 'INVALID_ARGUMENT'));
    assert.equal(cpDirection(parseCpArg('a.txt'), parseCpArg('ws:/t')).dir, 'in');
    assert.equal(cpDirection(parseCpArg('ws:/t'), parseCpArg('.')).dir, 'out');
    assert.throws(() => cpDirection(parseCpArg('a:/x'), parseCpArg('b:/y')), /between two workspaces/);
    assert.throws(() => cpDirection(parseCpArg('a'), parseCpArg('b')), /one side must be a workspace path/);
  });
});

describe('archive entries stay inside what is copied', () => {
  it('refuses absolute names, ".." parts, absolute and escaping links; keeps the rest', () => {
    assert.equal(safeName('./a//b/'), 'a/b');
    assert.equal(safeName('.'), '');
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a/..']) assert.throws(() => safeName(bad), UnsafeArchiveError, bad);
    assert.doesNotThrow(() => { checkLink('a/b', 'symlink', '../c'); });
    assert.doesNotThrow(() => { checkLink('a/b', 'symlink', 'c/d'); });
    assert.throws(() => { checkLink('a/b', 'symlink', '../../c'); }, /outside what is copied/);
    assert.throws(() => { checkLink('b', 'symlink', '/etc'); }, /absolute path/);
    assert.throws(() => { checkLink('b', 'link', '../x'); }, UnsafeArchiveError);
  });
});

describe('image references', () => {
  it('normalises as the docker CLI does', () => {
    assert.deepEqual(parseImageRef('busybox'), { given: 'busybox', registry: 'docker.io', name: 'busybox', tag: 'latest', full: 'busybox:latest' });
    const r = parseImageRef('127.0.0.1:5000/team/app:1.2');
    assert.deepEqual([r.registry, r.name, r.tag], ['127.0.0.1:5000', '127.0.0.1:5000/team/app', '1.2']);
    assert.equal(parseImageRef('localhost/app').registry, 'localhost');
    const d = parseImageRef(`app@sha256:${'a'.repeat(64)}`);
    assert.equal(d.full, `app@sha256:${'a'.repeat(64)}`);
    for (const bad of ['', 'UPPER', 'a b', 'app:', 'app@sha256:xyz', 'x/../y']) assert.throws(() => parseImageRef(bad), (e: unknown) => isDockerError(e, 'INVALID_ARGUMENT'), bad);
  });
  it('the auth header is padded base64url JSON, as the docker CLI sends it', () => {
    const h = registryAuthHeader({ username: 'u', password: 'p?>', serverAddress: 'r:1' });
    assert.ok(!/[+/]/.test(h));
    assert.deepEqual(JSON.parse(Buffer.from(h.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString()), { username: 'u', password: 'p?>', serveraddress: 'r:1' });
    assert.equal(h.length % 4, 0);
  });
});

describe('exec environment', () => {
  it('takes a map or KEY=value entries; errors name the key or position, never a value', () => {
    assert.deepEqual(toEnvList({ A: '1', B: 'x=y' }), ['A=1', 'B=x=y']);
    assert.deepEqual(toEnvList(['A=1', 'B=']), ['A=1', 'B=']);
    for (const bad of [['=secret-value'], ['NOVALUE-secret-value'], { 'A=B': 'secret-value' }]) {
      assert.throws(() => toEnvList(bad), (e: unknown) => isDockerError(e, 'INVALID_ARGUMENT') && !e.message.includes('secret-value'));
    }
    assert.throws(() => toEnvList({ K: 'a\0b' }), (e: unknown) => isDockerError(e) && !e.message.includes('a\0b'));
  });
});

describe("registry credentials from the docker CLI's config", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aicli-creds-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const at = async (name: string, config: unknown): Promise<string> => {
    const d = join(dir, name);
    await mkdir(d);
    await writeFile(join(d, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
    return d;
  };

  it('auths: base64 user:password under any key form; an identity token; nothing for others; no file', async () => {
    const d = await at('auths', { auths: { 'https://reg.example:5000/v1/': { auth: Buffer.from('me:pa:ss').toString('base64') }, 'https://index.docker.io/v1/': { identitytoken: 'tok' } } });
    assert.deepEqual(await registryCredentials('reg.example:5000', { env: { DOCKER_CONFIG: d } }), { username: 'me', password: 'pa:ss', serverAddress: 'reg.example:5000' });
    assert.deepEqual(await registryCredentials('docker.io', { env: { DOCKER_CONFIG: d } }), { identityToken: 'tok', serverAddress: 'https://index.docker.io/v1/' });
    assert.equal(await registryCredentials('other:1', { env: { DOCKER_CONFIG: d } }), undefined);
    assert.equal(await registryCredentials('x', { env: { DOCKER_CONFIG: join(dir, 'none') } }), undefined);
  });

  it('credHelpers before credsStore; "<token>" is an identity token; "not found" falls back to auths', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin);
    const helper = async (name: string, body: string): Promise<void> => {
      await writeFile(join(bin, `docker-credential-${name}`), `#!/bin/sh\nread s\n${body}\n`);
      await chmod(join(bin, `docker-credential-${name}`), 0o755);
    };
    await helper('one', 'printf \'{"ServerURL":"%s","Username":"u1","Secret":"s1"}\' "$s"');
    await helper('store', 'printf \'{"ServerURL":"%s","Username":"<token>","Secret":"t2"}\' "$s"');
    await helper('empty', 'echo "credentials not found in native keychain"; exit 1');
    await helper('broken', 'echo "secret-in-stderr-ish" >&2; exit 3');
    const env = (d: string): Record<string, string> => ({ DOCKER_CONFIG: d, PATH: `${bin}:/usr/bin:/bin` });
    const d = await at('helpers', { credsStore: 'store', credHelpers: { 'a.example': 'one' } });
    assert.deepEqual(await registryCredentials('a.example', { env: env(d) }), { username: 'u1', password: 's1', serverAddress: 'a.example' });
    assert.deepEqual(await registryCredentials('b.example', { env: env(d) }), { identityToken: 't2', serverAddress: 'b.example' });
    const e = await at('empty', { credsStore: 'empty', auths: { 'c.example': { auth: Buffer.from('x:y').toString('base64') } } });
    assert.deepEqual(await registryCredentials('c.example', { env: env(e) }), { username: 'x', password: 'y', serverAddress: 'c.example' });
    const b = await at('broken', { credsStore: 'broken' });
    await assert.rejects(registryCredentials('d.example', { env: env(b) }), (err: unknown) => err instanceof RegistryCredentialsError && /docker-credential-broken failed \(exit 3\)/.test(err.message));
    const m = await at('missing', { credsStore: 'nosuchhelper' });
    await assert.rejects(registryCredentials('d.example', { env: env(m) }), /docker-credential-nosuchhelper is not installed/);
    const j = await at('badjson', '{ not json');
    await assert.rejects(registryCredentials('d.example', { env: env(j) }), /is not valid JSON/);
  });
});

describe('pull progress', () => {
  it('per layer, in order of appearance; status messages apart; the printers', () => {
    const p = new PullProgress();
    const events = [
      { status: 'Pulling from team/app', id: '1.2' },
      { status: 'Pulling fs layer', id: 'aaaaaaaaaaaa', progressDetail: {} },
      { status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 50, total: 100 } },
      { status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 100, total: 100 } },
      { status: 'Already exists', id: 'bbbbbbbbbbbb' },
      { status: 'Pull complete', id: 'aaaaaaaaaaaa' },
      { status: 'Digest: sha256:abc' },
    ].map((m) => p.apply(m));
    assert.deepEqual(events.map((e) => (e?.kind === 'layer' ? `${e.layer.id.slice(0, 1)} ${e.layer.status} ${String(e.changed)}` : e?.status)), [
      '1.2: Pulling from team/app',
      'a Pulling fs layer true',
      'a Downloading true',
      'a Downloading false',
      'b Already exists true',
      'a Pull complete true',
      'Digest: sha256:abc',
    ]);
    assert.deepEqual(p.layers.map((l) => l.id.slice(0, 1)), ['a', 'b']);
    let plain = '';
    const pp = progressPrinter('plain', (t) => { plain += t; });
    const q = new PullProgress();
    for (const m of [{ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 1, total: 9 } }, { status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 5, total: 9 } }, { status: 'Done' }]) {
      const e = q.apply(m);
      if (e !== undefined) pp.onProgress(e, q);
    }
    assert.equal(plain, 'aaaaaaaaaaaa: Downloading\nDone\n');
    let tty = '';
    const tp = progressPrinter('tty', (t) => { tty += t; });
    const e = q.apply({ status: 'Downloading', id: 'aaaaaaaaaaaa', progressDetail: { current: 9, total: 9 } });
    if (e !== undefined) tp.onProgress(e, q);
    tp.done();
    assert.match(tty, /aaaaaaaaaaaa: Downloading\s+\[=+>\] 9B\/9B/);
    // Redrawn in place: cursor up one line, clear it.
    assert.ok(tty.includes('\u001b[1A\u001b[2K'), JSON.stringify(tty));
  });
});

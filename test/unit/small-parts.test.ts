import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnsupportedApiVersionError, InvalidArgumentError, InvalidConfigError } from '../../src/errors.js';
import { apiPath, withQuery } from '../../src/engine/path.js';
import { checkPinnedVersion, compareApiVersions, MAX_API_VERSION, negotiateApiVersion } from '../../src/transport/api-version.js';
import { backoffDelay, sleep } from '../../src/transport/retry.js';
import { Deadline } from '../../src/transport/deadline.js';

describe('API version negotiation', () => {
  it('takes the lower of the engine and the client', () => {
    assert.equal(negotiateApiVersion('1.41', 'e'), '1.41');
    assert.equal(negotiateApiVersion('1.45', 'e'), '1.45');
    assert.equal(negotiateApiVersion('1.52', 'e'), MAX_API_VERSION);
  });
  it('refuses an engine older than the minimum, naming both versions', () => {
    assert.throws(() => negotiateApiVersion('1.40', 'unix:///s'), (e: unknown) => e instanceof UnsupportedApiVersionError && /1\.40/.test(e.message) && /1\.41/.test(e.message) && /unix:\/\/\/s/.test(e.message));
  });
  it('compares numerically, not as text', () => {
    assert.ok(compareApiVersions('1.9', '1.10') < 0);
    assert.ok(compareApiVersions('2.0', '1.51') > 0);
  });
  it('checks a pinned version', () => {
    assert.equal(checkPinnedVersion('v1.43', 'DOCKER_API_VERSION'), '1.43');
    assert.throws(() => checkPinnedVersion('latest', 'DOCKER_API_VERSION'), (e: unknown) => e instanceof InvalidConfigError && e.problems[0]?.source === 'DOCKER_API_VERSION');
  });
});

describe('paths', () => {
  it('encodes every interpolated segment', () => {
    assert.equal(apiPath`/networks/${'a/b?c#d'}`, '/networks/a%2Fb%3Fc%23d');
    assert.equal(apiPath`/containers/${'../../info'}/json`, '/containers/..%2F..%2Finfo/json');
    assert.equal(apiPath`/networks/create`, '/networks/create');
  });
  it('refuses a segment that would move the path: "", "." and ".."', () => {
    for (const id of ['', '.', '..']) {
      assert.throws(() => apiPath`/containers/${id}/json`, (e: unknown) => e instanceof InvalidArgumentError && e.message.includes(JSON.stringify(id)) && e.message.includes('/containers/${…}/json'), id);
    }
    assert.equal(apiPath`/containers/${'...'}/json`, '/containers/.../json');
  });
  it('JSON-encodes filters and leaves out undefined', () => {
    assert.equal(withQuery(apiPath`/networks`, { filters: { name: ['aicli'] }, all: true, x: undefined }), '/networks?filters=%7B%22name%22%3A%5B%22aicli%22%5D%7D&all=true');
    assert.equal(withQuery(withQuery(apiPath`/networks`, { a: 1 }), { b: 2 }), '/networks?a=1&b=2');
  });
});

describe('deadline', () => {
  it('fires on its time-out, and says so', async () => {
    const d = new Deadline(30, undefined);
    await new Promise<void>((resolve) => d.once('abort', resolve));
    assert.ok(d.aborted && d.timedOut);
    d.dispose();
  });
  it("fires on the caller's signal with the caller's reason, not as a time-out", () => {
    const ac = new AbortController();
    const d = new Deadline(10_000, ac.signal);
    const reason = new Error('ctrl-c');
    ac.abort(reason);
    assert.ok(d.aborted && !d.timedOut);
    assert.equal(d.reason, reason);
    d.dispose();
  });
  it('after dispose, neither the timer nor the caller can fire it', async () => {
    const ac = new AbortController();
    const d = new Deadline(10, ac.signal);
    d.dispose();
    ac.abort();
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(!d.aborted);
  });
});

describe('backoff', () => {
  it('grows exponentially, stays within bounds, and jitters', () => {
    const p = { retries: 5, minDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffDelay(p, 0, () => 0), 50);
    assert.equal(backoffDelay(p, 0, () => 1), 100);
    assert.equal(backoffDelay(p, 2, () => 1), 400);
    assert.equal(backoffDelay(p, 10, () => 1), 1000);
    assert.equal(backoffDelay(p, 10, () => 0), 500);
  });
  it('sleep wakes early when the call is aborted, and leaves no timer', async () => {
    const ac = new AbortController();
    const deadline = new Deadline(0, ac.signal);
    const started = Date.now();
    setTimeout(() => { ac.abort(new Error('stop')); }, 20);
    await assert.rejects(sleep(10_000, deadline), /stop/);
    deadline.dispose();
    assert.ok(Date.now() - started < 1000);
    assert.equal(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length, 0);
  });
});

describe('connect() input checks, before any engine is contacted', () => {
  it('a malformed DOCKER_API_VERSION is a configuration error naming the variable', async () => {
    const { DockerClient } = await import('../../src/index.js');
    await assert.rejects(DockerClient.connect({ ensureNetwork: false, host: 'unix:///nowhere.sock', env: { DOCKER_API_VERSION: 'latest' } }), (e: unknown) => e instanceof InvalidConfigError && e.problems[0]?.source === 'DOCKER_API_VERSION');
  });
  it('host and context together are refused', async () => {
    const { DockerClient } = await import('../../src/index.js');
    await assert.rejects(DockerClient.connect({ ensureNetwork: false, host: 'unix:///x.sock', context: 'x', env: {} }), InvalidConfigError);
  });
});

describe('dependencies', () => {
  it('undici, whose internal files the transport loads, is pinned to the one version installed', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    const installed = JSON.parse(await readFile(new URL('../../node_modules/undici/package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(pkg.dependencies['undici'], installed.version);
  });
});

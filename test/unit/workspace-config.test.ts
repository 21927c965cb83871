import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DockerApiError, InvalidConfigError, loadConfig, renderConfigTemplate, defaultConfig } from '../../src/index.js';
import { ulimitRefusal } from '../../src/features/workspace/ulimits.js';

describe('workspace configuration keys', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aicli-wscfg-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const fromFile = async (yaml: string): Promise<Awaited<ReturnType<typeof loadConfig>>> => {
    const file = join(dir, `c${Math.random().toString(16).slice(2)}.yaml`);
    await writeFile(file, yaml);
    return loadConfig({ file });
  };

  it('ulimits: SOFT:HARD, one number for both, or a mapping; from a file and from the environment', async () => {
    assert.deepEqual((await fromFile('ulimit_nofile: "2048:8192"\n')).config.ulimitNofile, { soft: 2048, hard: 8192 });
    assert.deepEqual((await fromFile('ulimit_nproc: 1000\n')).config.ulimitNproc, { soft: 1000, hard: 1000 });
    assert.deepEqual((await fromFile('ulimit_nofile: {soft: 100, hard: 200}\n')).config.ulimitNofile, { soft: 100, hard: 200 });
    const env = await loadConfig({ env: { AICLI_DOCKER_ULIMIT_NOFILE: '512', AICLI_DOCKER_ALLOW_UNSAFE: 'Privileged, host-path', AICLI_DOCKER_HEALTHCHECK_INTERVAL: '5s' } });
    assert.deepEqual(env.config.ulimitNofile, { soft: 512, hard: 512 });
    assert.deepEqual(env.config.allowUnsafe, ['privileged', 'host-path']);
    assert.equal(env.config.healthcheckIntervalMs, 5000);
    assert.deepEqual(env.sources.ulimit_nofile, { layer: 'env', name: 'AICLI_DOCKER_ULIMIT_NOFILE' });
  });

  it('bad values name the key, the source and what is expected', async () => {
    const cases: [string, string, RegExp][] = [
      ['ulimit_nofile: "4096:1024"\n', 'ulimit_nofile', /soft limit \(4096\) above its hard limit \(1024\)/],
      ['ulimit_nofile: "lots"\n', 'ulimit_nofile', /SOFT:HARD/],
      ['ulimit_nproc: 0\n', 'ulimit_nproc', /at least 1/],
      ['ulimit_nproc: {soft: 1, max: 2}\n', 'ulimit_nproc', /unknown field "max"/],
      ['ulimit_nofile: 1.5\n', 'ulimit_nofile', /whole number/],
      ['cpu_shares: 1024000\n', 'cpu_shares', /2 to 262144/],
      ['healthcheck_interval: 100ms\n', 'healthcheck_interval', /below 1s/],
      ['allow_unsafe: [privilegd]\n', 'allow_unsafe[0]', /did you mean "privileged"/],
      ['allow_unsafe: privileged\n', 'allow_unsafe', /list/],
    ];
    for (const [yaml, key, says] of cases) {
      await assert.rejects(fromFile(yaml), (e: unknown) => e instanceof InvalidConfigError && e.problems.some((p) => p.key === key && says.test(p.message) && p.source.endsWith('.yaml')), yaml);
    }
  });

  it('config init writes the ulimits as SOFT:HARD, and the file loads to the defaults', async () => {
    const text = renderConfigTemplate();
    assert.match(text, /^ulimit_nofile: "1024:4096"$/m);
    assert.match(text, /^healthcheck_interval: "30s"$/m);
    assert.deepEqual((await fromFile(text)).config, defaultConfig());
  });
});

describe('an engine that refuses the ulimits', () => {
  const target = { method: 'POST', path: '/containers/x/start', endpoint: 'unix:///e.sock' };
  // The engines' own words, as Docker 26 and Podman 4.3 answered on this machine.
  const docker = 'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: unknown';
  const podman = 'runc: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 6: operation not permitted: OCI permission denied';

  it('names the limit, its value, the key and where the key was set', () => {
    const nofile = ulimitRefusal(new DockerApiError(target, 500, docker), defaultConfig(), { ulimit_nofile: { layer: 'env', name: 'AICLI_DOCKER_ULIMIT_NOFILE' } });
    assert.ok(nofile instanceof InvalidConfigError);
    assert.deepEqual(nofile.problems.map((p) => [p.source, p.key]), [['AICLI_DOCKER_ULIMIT_NOFILE', 'ulimit_nofile']]);
    assert.match(nofile.problems[0]?.message ?? '', /nofile=1024:4096.*ulimit -Hn.*Lower ulimit_nofile/);
    const nproc = ulimitRefusal(new DockerApiError(target, 500, podman), defaultConfig(), undefined);
    assert.deepEqual(nproc?.problems.map((p) => p.key), ['ulimit_nproc']);
  });

  it('leaves other errors alone', () => {
    assert.equal(ulimitRefusal(new DockerApiError(target, 500, 'no space left on device'), defaultConfig(), undefined), undefined);
    assert.equal(ulimitRefusal(new Error('rlimit'), defaultConfig(), undefined), undefined);
  });
});

// node:test tracks the promises describe() and it() return; awaiting them is not how suites are written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError } from '../../src/errors.js';
import { checkAgainstEngine, CONFIG_KEYS, defaultConfig, formatConfig, loadConfig, type LoadConfigOptions } from '../../src/features/config/index.js';
import { checkPinnedVersion } from '../../src/transport/api-version.js';
import { discoverEngine } from '../../src/transport/discovery.js';
import { parseHost } from '../../src/transport/endpoint.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aicli-config-load-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function file(text: string, ext = 'yaml'): Promise<string> {
  const path = join(dir, `c${n++}.${ext}`);
  await writeFile(path, text);
  return path;
}

async function rejects(options: LoadConfigOptions): Promise<InvalidConfigError> {
  try {
    await loadConfig(options);
  } catch (error) {
    assert.ok(error instanceof InvalidConfigError, `expected InvalidConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('loadConfig accepted a bad configuration');
}

/** One bad configuration: where it is put, and the key (and source) the problem must name. */
interface BadCase {
  readonly name: string;
  readonly yaml?: string;
  readonly json?: string;
  readonly env?: Record<string, string>;
  readonly flags?: Record<string, string>;
  readonly key: string;
  /** Expected source: 'file' (the file path), else an env var or flag name. */
  readonly source?: string;
  /** Text the message must contain. */
  readonly says?: string;
}

export const BAD_CASES: readonly BadCase[] = [
  { name: 'unknown key with suggestion', yaml: 'memory_limt: 1g\n', key: 'memory_limt', says: 'did you mean "memory_limit"' },
  { name: 'camelCase key', yaml: 'memoryLimit: 1g\n', key: 'memoryLimit', says: 'did you mean "memory_limit"' },
  { name: 'unknown key far from any', yaml: 'colour: blue\n', key: 'colour', says: 'unknown key' },
  { name: 'memory not a size', yaml: 'memory_limit: lots\n', key: 'memory_limit', says: '"lots" is not a size' },
  { name: 'memory below 6 MiB', yaml: 'memory_limit: 4m\n', key: 'memory_limit', says: '6 MiB' },
  { name: 'memory negative', yaml: 'memory_limit: -512m\n', key: 'memory_limit', says: 'negative' },
  { name: 'memory fractional bytes', yaml: 'memory_limit: 1.5\n', key: 'memory_limit', says: 'whole number of bytes' },
  { name: 'memory a list', yaml: 'memory_limit: [1g]\n', key: 'memory_limit', says: 'found a list' },
  { name: 'cpu zero', yaml: 'cpu_limit: 0\n', key: 'cpu_limit', says: 'zero' },
  { name: 'cpu negative', yaml: 'cpu_limit: -2\n', key: 'cpu_limit', says: 'negative' },
  { name: 'cpu below 0.01', yaml: 'cpu_limit: 0.005\n', key: 'cpu_limit', says: '0.01' },
  { name: 'cpu text', yaml: 'cpu_limit: two\n', key: 'cpu_limit', says: '"two"' },
  { name: 'timeout zero', yaml: 'timeout: 0s\n', key: 'timeout', says: 'positive' },
  { name: 'timeout junk', yaml: 'timeout: soon\n', key: 'timeout', says: '"soon" is not a duration' },
  { name: 'timeout above node timers', yaml: 'timeout: 1000h\n', key: 'timeout', says: 'too long' },
  { name: 'timeout sub-millisecond', yaml: 'timeout: 1.0001s\n', key: 'timeout', says: 'millisecond' },
  { name: 'version junk', yaml: 'version: latest\n', key: 'version', says: 'MAJOR.MINOR' },
  { name: 'version ambiguous JSON number', json: '{"version": 1.4}', key: 'version', says: 'as a string' },
  { name: 'host without scheme', yaml: 'host: /var/run/docker.sock\n', key: 'host', says: 'did you mean "unix:///var/run/docker.sock"' },
  { name: 'host bad scheme', yaml: 'host: ftp://engine\n', key: 'host', says: 'tcp://HOST:PORT' },
  { name: 'context bad name', yaml: 'context: "-x"\n', key: 'context', says: 'context name' },
  { name: 'context name of one character (docker context create refuses it)', yaml: 'context: x\n', key: 'context', says: 'one or more letters' },
  { name: 'host with a path, as connect() refuses it', yaml: 'host: tcp://h:2375/base\n', key: 'host', says: 'has a path' },
  { name: 'host with a port out of range', yaml: 'host: tcp://h:99999\n', key: 'host', says: 'not a valid address' },
  { name: 'host on a named pipe, on Linux', yaml: 'host: npipe:////./pipe/docker_engine\n', key: 'host', says: 'Windows only' },
  { name: 'image with spaces', yaml: 'default_image: "alpine latest"\n', key: 'default_image', says: 'image reference' },
  { name: 'shell empty list', yaml: 'default_shell: []\n', key: 'default_shell', says: 'at least one' },
  { name: 'shell not a list', yaml: 'default_shell: /bin/bash\n', key: 'default_shell', says: 'list of strings' },
  { name: 'shell item not a string', yaml: 'default_shell: ["/bin/sh", 3]\n', key: 'default_shell[1]', says: 'number 3' },
  { name: 'network name bad', yaml: 'network_name: "-net"\n', key: 'network_name', says: 'network name' },
  { name: 'network name too long', yaml: `network_name: ${'n'.repeat(65)}\n`, key: 'network_name', says: 'at most 64' },
  { name: 'privileged not boolean', yaml: 'privileged: maybe\n', key: 'privileged', says: 'not a boolean' },
  { name: 'read_only a number', yaml: 'read_only: 2\n', key: 'read_only', says: 'true or false' },
  { name: 'network_internal a list', yaml: 'network_internal: [true]\n', key: 'network_internal', says: 'found a list' },
  { name: 'pids zero', yaml: 'pids_limit: 0\n', key: 'pids_limit', says: '-1 for no limit' },
  { name: 'pids fraction', yaml: 'pids_limit: 1.5\n', key: 'pids_limit', says: 'whole number' },
  { name: 'capability typo', yaml: 'cap_add: [NET_BIND_SERVIC]\n', key: 'cap_add[0]', says: 'did you mean "NET_BIND_SERVICE"' },
  { name: 'cap_drop unknown', yaml: 'cap_drop: [ALL, CAP_FLY]\n', key: 'cap_drop[1]', says: 'not a Linux capability' },
  { name: 'security opt unknown name', yaml: 'security_opts: ["no-new-privilege:true"]\n', key: 'security_opts[0]', says: 'did you mean "no-new-privileges"' },
  { name: 'security opt bad bool', yaml: 'security_opts: ["no-new-privileges:yes"]\n', key: 'security_opts[0]', says: 'true or false' },
  { name: 'tmpfs relative path', yaml: 'tmpfs:\n  tmp: rw\n', key: 'tmpfs.tmp', says: 'absolute path' },
  { name: 'tmpfs bad size', yaml: 'tmpfs:\n  /tmp: "rw,size=lots"\n', key: 'tmpfs./tmp', says: 'bad size' },
  { name: 'tmpfs not a mapping', yaml: 'tmpfs: [/tmp]\n', key: 'tmpfs', says: 'mapping' },
  { name: 'tmpfs over root', yaml: 'tmpfs:\n  /: rw\n', key: 'tmpfs./', says: 'root' },
  { name: 'user bad', yaml: 'user: "a b"\n', key: 'user', says: 'UID:GID' },
  { name: 'top level a list', yaml: '- memory_limit: 1g\n', key: '(file)', says: 'top level must be a mapping' },
  { name: 'YAML duplicate key', yaml: 'cpu_limit: 1\ncpu_limit: 2\n', key: '(file)', says: 'line 2, column 1' },
  { name: 'env size junk', env: { AICLI_DOCKER_MEMORY_LIMIT: '1gigabyte' }, key: 'memory_limit', source: 'AICLI_DOCKER_MEMORY_LIMIT', says: '"1gigabyte"' },
  { name: 'env unknown variable', env: { AICLI_DOCKER_MEMORY_LIMT: '1g' }, key: 'memory_limt', source: 'AICLI_DOCKER_MEMORY_LIMT', says: 'did you mean AICLI_DOCKER_MEMORY_LIMIT' },
  { name: 'env lower-case suffix', env: { AICLI_DOCKER_cpu_limit: '2' }, key: 'cpu_limit', source: 'AICLI_DOCKER_cpu_limit', says: 'AICLI_DOCKER_CPU_LIMIT' },
  { name: 'env AICLI_DOCKER_CONFIG', env: { AICLI_DOCKER_CONFIG: '/x.yaml' }, key: 'config', source: 'AICLI_DOCKER_CONFIG', says: 'AICLI_CONFIG' },
  { name: 'env bad boolean', env: { AICLI_DOCKER_READ_ONLY: 'sure' }, key: 'read_only', source: 'AICLI_DOCKER_READ_ONLY', says: 'not a boolean' },
  { name: 'env bad JSON list', env: { AICLI_DOCKER_CAP_ADD: '["CHOWN"' }, key: 'cap_add', source: 'AICLI_DOCKER_CAP_ADD', says: 'JSON list' },
  { name: 'env bad tmpfs entry', env: { AICLI_DOCKER_TMPFS: '/tmp:rw;run:rw' }, key: 'tmpfs.run', source: 'AICLI_DOCKER_TMPFS', says: 'absolute path' },
  { name: 'env DOCKER_API_VERSION junk', env: { DOCKER_API_VERSION: 'v1' }, key: 'version', source: 'DOCKER_API_VERSION', says: '"v1"' },
  { name: 'env AICLI_CONFIG missing file', env: { AICLI_CONFIG: '/nonexistent/aicli.yaml' }, key: '(file)', source: '/nonexistent/aicli.yaml', says: 'AICLI_CONFIG' },
  { name: 'flag bad timeout', flags: { timeout: 'forever' }, key: 'timeout', source: '--timeout', says: '"forever"' },
  { name: 'flag empty host', flags: { host: '' }, key: 'host', source: '--host', says: 'is empty' },
  { name: 'flag unknown key', flags: { memroy_limit: '1g' }, key: 'memroy_limit', source: '--memroy_limit', says: 'did you mean "memory_limit"' },
  { name: 'network driver unknown', yaml: 'network_driver: overlai\n', key: 'network_driver', says: 'did you mean "overlay"' },
  { name: 'network driver macvlan', env: { AICLI_DOCKER_NETWORK_DRIVER: 'macvlan' }, key: 'network_driver', source: 'AICLI_DOCKER_NETWORK_DRIVER', says: '"bridge" or "overlay"' },
  { name: 'subnet without prefix', yaml: 'network_subnet: 10.213.0.0\n', key: 'network_subnet', says: 'did you mean "10.213.0.0/24"' },
  { name: 'subnet with host bits', yaml: 'network_subnet: 10.213.0.7/24\n', key: 'network_subnet', says: 'did you mean "10.213.0.0/24"' },
  { name: 'subnet bad prefix', yaml: 'network_subnet: 10.213.0.0/33\n', key: 'network_subnet', says: '0 to 32' },
  { name: 'subnet too small', yaml: 'network_subnet: 10.213.0.0/31\n', key: 'network_subnet', says: 'at most /30' },
  { name: 'subnet not an address', yaml: 'network_subnet: tenth/8\n', key: 'network_subnet', says: 'not an IPv4 or IPv6 address' },
  { name: 'subnet IPv6 host bits', yaml: 'network_subnet: "fd00:a1c1::1/64"\n', key: 'network_subnet', says: 'did you mean "fd00:a1c1::/64"' },
  { name: 'gateway with a prefix', yaml: 'network_subnet: 10.213.0.0/24\nnetwork_gateway: 10.213.0.1/24\n', key: 'network_gateway', says: 'without a prefix length' },
  { name: 'gateway without subnet', env: { AICLI_DOCKER_NETWORK_GATEWAY: '10.213.0.1' }, key: 'network_gateway', source: 'AICLI_DOCKER_NETWORK_GATEWAY', says: 'without network_subnet' },
  { name: 'gateway outside subnet', yaml: 'network_subnet: 10.213.0.0/24\n', env: { AICLI_DOCKER_NETWORK_GATEWAY: '10.214.0.1' }, key: 'network_gateway', source: 'AICLI_DOCKER_NETWORK_GATEWAY', says: 'outside network_subnet 10.213.0.0/24' },
  { name: 'gateway of another family', yaml: 'network_subnet: "fd00:a1c1::/64"\nnetwork_gateway: 10.213.0.1\n', key: 'network_gateway', says: 'IPv4 address, but network_subnet fd00:a1c1::/64 is IPv6' },
  { name: 'gateway is the broadcast', yaml: 'network_subnet: 10.213.0.0/24\nnetwork_gateway: 10.213.0.255\n', key: 'network_gateway', says: 'broadcast' },
  { name: 'gateway is the network address', yaml: 'network_subnet: "fd00:a1c1::/64"\nnetwork_gateway: "fd00:a1c1::"\n', key: 'network_gateway', says: 'network address' },
  { name: 'network_adopt not boolean', yaml: 'network_adopt: sometimes\n', key: 'network_adopt', says: 'not a boolean' },
  { name: 'flags host and context together', flags: { host: 'unix:///x.sock', context: 'remote' }, key: 'host', source: '--host', says: 'not both' },
];

describe('bad configurations are rejected, naming the key and the source', () => {
  // Every key aicli-docker knows, not only the cases below: a key added without a check fails here.
  for (const info of CONFIG_KEYS) {
    it(`${info.key} refuses a mapping of mappings from the file, naming the key and the file`, async () => {
      const path = await file(`${info.key}: {"a": {"b": 1}}\n`);
      const error = await rejects({ file: path });
      const problem = error.problems.find((p) => p.source === path && (p.key === info.key || p.key.startsWith(`${info.key}.`)));
      assert.ok(problem, error.message);
      assert.ok(error.message.includes(`${path}: ${problem.key}: `), error.message);
    });
  }
  for (const c of BAD_CASES) {
    it(c.name, async () => {
      const path = c.yaml !== undefined ? await file(c.yaml) : c.json !== undefined ? await file(c.json, 'json') : undefined;
      const error = await rejects({
        ...(path === undefined ? {} : { file: path }),
        env: c.env ?? {},
        overrides: c.flags ?? {},
        overrideSource: (key) => `--${key}`,
      });
      const source = c.source ?? path;
      const match = error.problems.find((p) => p.key === c.key && (source === undefined || p.source === source));
      assert.ok(match, `no problem for key ${c.key} from ${source ?? '?'} in:\n${error.message}`);
      if (c.says !== undefined) assert.ok(match.message.includes(c.says), `"${match.message}" does not say "${c.says}"`);
      // The key, or a source that names it (AICLI_DOCKER_MEMORY_LIMIT, --timeout).
      assert.ok(error.message.includes(`${match.source}: ${c.key}: `) || (match.source !== path && match.source.toLowerCase().replace(/^--|^aicli_docker_/, '') === c.key.toLowerCase()), error.message);
    });
  }
});

describe('every problem is reported at once', () => {
  it('collects problems from the file, the environment and the flags', async () => {
    const path = await file('memory_limit: 1k\ncpu_limit: 0\ncap_add: [FOO, BAR]\nwat: 1\n');
    const error = await rejects({ file: path, env: { AICLI_DOCKER_TIMEOUT: 'x' }, overrides: { timeout: '-1' }, overrideSource: (k) => `--${k}` });
    const keys = error.problems.map((p) => `${p.source === path ? 'file' : p.source}:${p.key}`).sort();
    assert.deepEqual(keys, [
      '--timeout:timeout',
      'AICLI_DOCKER_TIMEOUT:timeout',
      'file:cap_add[0]',
      'file:cap_add[1]',
      'file:cpu_limit',
      'file:memory_limit',
      'file:wat',
    ]);
    assert.match(error.message, /7 problems/);
  });

  it('reports a bad file value even when a higher layer overrides it', async () => {
    const path = await file('memory_limit: tiny\n');
    const error = await rejects({ file: path, env: { AICLI_DOCKER_MEMORY_LIMIT: '1g' } });
    assert.equal(error.problems.length, 1);
    assert.equal(error.problems[0]?.source, path);
  });
});

describe('syntax errors carry line and column', () => {
  it('YAML', async () => {
    const path = await file('memory_limit: 1g\ndefault_shell: [/bin/sh,\ncpu_limit: 1\n');
    const error = await rejects({ file: path });
    assert.match(error.problems[0]?.message ?? '', /^YAML syntax error at line \d+, column \d+: /);
    assert.equal(error.problems[0]?.source, path);
  });
  it('YAML tab indentation points at the tab', async () => {
    const path = await file('tmpfs:\n\t/tmp: rw\n');
    const error = await rejects({ file: path });
    assert.match(error.message, /line 2, column 1/);
  });
  it('JSON', async () => {
    const path = await file('{\n  "cpu_limit": 1,\n}\n', 'json');
    const error = await rejects({ file: path });
    assert.match(error.problems[0]?.message ?? '', /^JSON syntax error at line 3, column 1/);
  });
});

describe('files', () => {
  it('an empty file or a comment-only file gives the defaults', async () => {
    for (const text of ['', '\n\n', '# nothing yet\n']) {
      const loaded = await loadConfig({ file: await file(text) });
      assert.deepEqual(loaded.config, defaultConfig());
    }
  });
  it('reads JSON', async () => {
    const loaded = await loadConfig({ file: await file('{"memory_limit": "1g", "version": "1.44", "cap_add": ["cap_chown"]}', 'json') });
    assert.equal(loaded.config.memoryLimitBytes, 2 ** 30);
    assert.equal(loaded.config.apiVersion, '1.44');
    assert.deepEqual(loaded.config.capAdd, ['CHOWN']);
  });
  it('keeps a YAML version number as written (1.40 is not 1.4)', async () => {
    const loaded = await loadConfig({ file: await file('version: 1.40\n') });
    assert.equal(loaded.config.apiVersion, '1.40');
  });
  it('reads every kind of value from YAML', async () => {
    const loaded = await loadConfig({
      file: await file(
        [
          'host: tcp://127.0.0.1:2375',
          'timeout: 1m30s',
          'memory_limit: 1.5GiB',
          'cpu_limit: 2.5',
          'pids_limit: -1',
          'user: 1000',
          'read_only: no',
          'tmpfs:',
          '  /tmp: rw,size=64m',
          '  /run:',
          'default_shell: [/bin/bash, -l]',
          'context:',
        ].join('\n'),
      ),
    });
    const c = loaded.config;
    assert.equal(c.host, 'tcp://127.0.0.1:2375');
    assert.equal(c.timeoutMs, 90_000);
    assert.equal(c.memoryLimitBytes, 1.5 * 2 ** 30);
    assert.equal(c.cpuLimit, 2.5);
    assert.equal(c.pidsLimit, -1);
    assert.equal(c.user, '1000');
    assert.equal(c.readOnly, false);
    assert.deepEqual(c.tmpfs, { '/tmp': 'rw,size=64m', '/run': '' });
    assert.deepEqual(c.defaultShell, ['/bin/bash', '-l']);
    assert.equal(c.context, undefined);
    assert.deepEqual(loaded.sources.context, { layer: 'default', name: 'default' });
  });
  it('--config must exist', async () => {
    const error = await rejects({ file: join(dir, 'missing.yaml') });
    assert.match(error.message, /does not exist \(named by --config\)/);
  });
  it('finds ${XDG_CONFIG_HOME}/aicli/docker.yaml, else ~/.config/aicli/docker.yaml, only when it exists', async () => {
    const { mkdir } = await import('node:fs/promises');
    const xdg = join(dir, 'xdg');
    await mkdir(join(xdg, 'aicli'), { recursive: true });
    await writeFile(join(xdg, 'aicli', 'docker.yaml'), 'cpu_limit: 3\n');
    const viaXdg = await loadConfig({ env: { XDG_CONFIG_HOME: xdg } });
    assert.equal(viaXdg.file, join(xdg, 'aicli', 'docker.yaml'));
    assert.equal(viaXdg.config.cpuLimit, 3);
    const home = join(dir, 'home');
    await mkdir(join(home, '.config', 'aicli'), { recursive: true });
    await writeFile(join(home, '.config', 'aicli', 'docker.yaml'), 'cpu_limit: 4\n');
    assert.equal((await loadConfig({ homeDir: home })).config.cpuLimit, 4);
    assert.equal((await loadConfig({ env: { HOME: home } })).config.cpuLimit, 4);
    const none = await loadConfig({ homeDir: join(dir, 'nobody') });
    assert.equal(none.file, undefined);
    // AICLI_CONFIG beats the default location; --config beats AICLI_CONFIG.
    const named = await file('cpu_limit: 5\n');
    assert.equal((await loadConfig({ env: { XDG_CONFIG_HOME: xdg, AICLI_CONFIG: named } })).config.cpuLimit, 5);
    const flagged = await file('cpu_limit: 6\n');
    assert.equal((await loadConfig({ file: flagged, env: { XDG_CONFIG_HOME: xdg, AICLI_CONFIG: named } })).config.cpuLimit, 6);
  });
  it('reads through an injected reader and never touches process.env', async () => {
    process.env.AICLI_DOCKER_CPU_LIMIT = '7';
    try {
      const loaded = await loadConfig({ file: '/virtual.yaml', readFile: () => Promise.resolve('cpu_limit: 2\n') });
      assert.equal(loaded.config.cpuLimit, 2);
    } finally {
      delete process.env.AICLI_DOCKER_CPU_LIMIT;
    }
  });
});

describe('precedence: flags > environment > file > defaults', () => {
  it('each layer beats the ones below, and sources say which won', async () => {
    const path = await file('timeout: 10s\nmemory_limit: 256m\ncpu_limit: 2\nhost: unix:///file.sock\n');
    const loaded = await loadConfig({
      file: path,
      env: { AICLI_DOCKER_TIMEOUT: '20s', AICLI_DOCKER_MEMORY_LIMIT: '1g' },
      overrides: { timeout: '40s' },
      overrideSource: (key) => `--${key}`,
    });
    const { config, sources } = loaded;
    assert.equal(config.timeoutMs, 40_000);
    assert.deepEqual(sources.timeout, { layer: 'flag', name: '--timeout' });
    assert.equal(config.memoryLimitBytes, 2 ** 30);
    assert.deepEqual(sources.memory_limit, { layer: 'env', name: 'AICLI_DOCKER_MEMORY_LIMIT' });
    assert.equal(config.cpuLimit, 2);
    assert.deepEqual(sources.cpu_limit, { layer: 'file', name: path });
    assert.equal(config.host, 'unix:///file.sock');
    assert.deepEqual(sources.host, { layer: 'file', name: path });
    assert.equal(config.defaultImage, 'alpine:latest');
    assert.deepEqual(sources.default_image, { layer: 'default', name: 'default' });
    assert.equal(loaded.file, path);
  });

  it('every key can be set by each layer', async () => {
    // A gateway needs its subnet (a rule between keys): it comes along, from the file.
    const companion: Record<string, string> = { network_gateway: 'network_subnet: 10.213.0.0/24\n' };
    for (const info of CONFIG_KEYS) {
      const text = info.example.replace(/^"(.*)"$/, '$1');
      const base = companion[info.key] ?? '';
      const withBase = async (extra: Omit<LoadConfigOptions, 'file'>): Promise<Awaited<ReturnType<typeof loadConfig>>> => (base === '' ? loadConfig(extra) : loadConfig({ ...extra, file: await file(base) }));
      const fromFile = await loadConfig({ file: await file(`${base}${info.key}: ${info.example}\n`) });
      const fromEnv = await withBase({ env: { [info.env]: text } });
      const fromFlag = await withBase({ overrides: { [info.key]: text } });
      assert.equal(fromFile.sources[info.key].layer, 'file', info.key);
      assert.deepEqual(fromEnv.sources[info.key], { layer: 'env', name: info.env });
      assert.deepEqual(fromFlag.sources[info.key], { layer: 'flag', name: `--set ${info.key}` });
      assert.deepEqual(fromEnv.config[info.field], fromFile.config[info.field], info.key);
      assert.deepEqual(fromFlag.config[info.field], fromFile.config[info.field], info.key);
    }
  });

  it('DOCKER_API_VERSION sits below AICLI_DOCKER_VERSION', async () => {
    const docker = await loadConfig({ env: { DOCKER_API_VERSION: '1.43' } });
    assert.equal(docker.config.apiVersion, '1.43');
    assert.deepEqual(docker.sources.version, { layer: 'env', name: 'DOCKER_API_VERSION' });
    const both = await loadConfig({ env: { DOCKER_API_VERSION: '1.43', AICLI_DOCKER_VERSION: 'auto' } });
    assert.equal(both.config.apiVersion, 'auto');
    assert.deepEqual(both.sources.version, { layer: 'env', name: 'AICLI_DOCKER_VERSION' });
  });

  it('lists and tmpfs from the environment: JSON or separated text; empty variables are unset', async () => {
    const a = await loadConfig({ env: { AICLI_DOCKER_CAP_ADD: 'net_bind_service, CAP_CHOWN', AICLI_DOCKER_TMPFS: '/tmp:rw,size=1g;/run:rw', AICLI_DOCKER_USER: '' } });
    assert.deepEqual(a.config.capAdd, ['NET_BIND_SERVICE', 'CHOWN']);
    assert.deepEqual(a.config.tmpfs, { '/tmp': 'rw,size=1g', '/run': 'rw' });
    assert.equal(a.sources.user.layer, 'default');
    const b = await loadConfig({ env: { AICLI_DOCKER_CAP_DROP: '[]', AICLI_DOCKER_TMPFS: '{}', AICLI_DOCKER_DEFAULT_SHELL: '["/bin/bash","-c"]' } });
    assert.deepEqual(b.config.capDrop, []);
    assert.deepEqual(b.config.tmpfs, {});
    assert.deepEqual(b.config.defaultShell, ['/bin/bash', '-c']);
  });

  it('ignores DOCKER_HOST and DOCKER_CONTEXT (discovery reads them) and other AICLI_DOCKER_ variables on request', async () => {
    const loaded = await loadConfig({ env: { DOCKER_HOST: 'tcp://x:1', DOCKER_CONTEXT: 'y', AICLI_DOCKER_LOG_LEVEL: 'debug' }, otherEnvVars: ['AICLI_DOCKER_LOG_LEVEL'] });
    assert.equal(loaded.config.host, undefined);
    assert.equal(loaded.config.context, undefined);
  });
});

describe('the result', () => {
  it('the defaults: negotiated API, 30 s time-out, and a locked-down, bounded workspace', () => {
    const formatted = formatConfig(defaultConfig());
    assert.deepEqual(formatted, {
      host: null,
      context: null,
      version: 'auto',
      timeout: '30s',
      default_image: 'alpine:latest',
      default_shell: ['/bin/sh'],
      network_name: 'aicli-network',
      network_internal: false,
      network_driver: 'bridge',
      network_subnet: null,
      network_gateway: null,
      network_adopt: false,
      cpu_limit: 1,
      memory_limit: 536870912,
      pids_limit: 512,
      privileged: false,
      read_only: true,
      security_opts: ['no-new-privileges:true'],
      cap_drop: ['ALL'],
      cap_add: [],
      tmpfs: { '/tmp': 'rw,noexec,nosuid,size=64m' },
      user: null,
      // Workspaces (issue 9)
      ulimit_nofile: { soft: 1024, hard: 4096 },
      ulimit_nproc: { soft: 4096, hard: 4096 },
      cpu_shares: 512,
      healthcheck_interval: '30s',
      allow_unsafe: [],
      // Swarm workspaces (issue 13)
      orchestrator: 'engine',
      swarm_constraints: [],
      swarm_node_endpoints: {},
      volume_driver: 'local',
      volume_driver_opts: {},
      // Egress (issue 12)
      egress_allow: [],
      egress_ports: [80, 443],
      egress_image: null,
    });
  });

  it('is deeply frozen', async () => {
    const loaded = await loadConfig({ env: { AICLI_DOCKER_CAP_ADD: 'CHOWN' } });
    const c = loaded.config as unknown as Record<string, unknown> & { capAdd: string[]; tmpfs: Record<string, string> };
    assert.throws(() => {
      c.memoryLimitBytes = 1;
    }, TypeError);
    assert.throws(() => c.capAdd.push('KILL'), TypeError);
    assert.throws(() => {
      c.tmpfs['/x'] = 'rw';
    }, TypeError);
    assert.throws(() => {
      (loaded.sources as unknown as Record<string, unknown>).host = {};
    }, TypeError);
    assert.throws(() => (defaultConfig().securityOpts as string[]).push('x'), TypeError);
  });

  it('formatConfig output loads back to the same configuration', async () => {
    const loaded = await loadConfig({ env: { AICLI_DOCKER_TIMEOUT: '1m30s', AICLI_DOCKER_MEMORY_LIMIT: '1.5g', AICLI_DOCKER_USER: '1000:1000', AICLI_DOCKER_VERSION: '1.44' } });
    const again = await loadConfig({ file: await file(JSON.stringify(formatConfig(loaded.config)), 'json') });
    assert.deepEqual(again.config, loaded.config);
  });
});

describe('checkAgainstEngine', () => {
  it('reports a CPU limit above the engine CPU count and memory above its total', () => {
    const config = { ...defaultConfig(), cpuLimit: 8, memoryLimitBytes: 4 * 2 ** 30 };
    const problems = checkAgainstEngine(config, { cpus: 4, memoryBytes: 2 * 2 ** 30 }, { cpu_limit: { layer: 'env', name: 'AICLI_DOCKER_CPU_LIMIT' } });
    assert.deepEqual(problems.map((p) => [p.source, p.key]), [
      ['AICLI_DOCKER_CPU_LIMIT', 'cpu_limit'],
      ['configuration', 'memory_limit'],
    ]);
    assert.match(problems[0]?.message ?? '', /\(4\)/);
  });
  it('is quiet when the engine can give what is asked, or does not say', () => {
    assert.deepEqual(checkAgainstEngine(defaultConfig(), { cpus: 2, memoryBytes: 2 ** 33 }), []);
    assert.deepEqual(checkAgainstEngine({ ...defaultConfig(), cpuLimit: 64 }, { cpus: 0, memoryBytes: 0 }), []);
  });
});

describe('the configuration and connect() apply the same rules', () => {
  const accepted = async (options: LoadConfigOptions): Promise<boolean> => loadConfig(options).then(() => true, (e: unknown) => {
    assert.ok(e instanceof InvalidConfigError, String(e));
    return false;
  });

  it('to API versions: what one accepts the other accepts, read alike', async () => {
    for (const text of ['1.43', 'v1.43', ' 1.44 ', '2.0', 'latest', 'v1', '1.4.3', 'V1.43']) {
      const pinned = (() => {
        try {
          return checkPinnedVersion(text, 'DOCKER_API_VERSION');
        } catch {
          return undefined;
        }
      })();
      const loaded = await loadConfig({ env: { AICLI_DOCKER_VERSION: text } }).then((l) => l.config.apiVersion, () => undefined);
      assert.equal(loaded, pinned, `${JSON.stringify(text)}: configuration ${String(loaded)}, connect() ${String(pinned)}`);
    }
  });

  it('to context names', async () => {
    const configDir = join(dir, 'no-contexts');
    for (const name of ['default', 'remote', 'ab', 'a+b', 'a.b_c-d', 'x', '-x', 'a b', 'é']) {
      const inConfig = await accepted({ env: { AICLI_DOCKER_CONTEXT: name } });
      // Discovery reads a valid name from the store (and finds nothing there); it refuses an invalid one.
      const inDiscovery = await discoverEngine({ env: { DOCKER_CONTEXT: name, DOCKER_CONFIG: configDir }, homeDir: dir }).then(
        () => true,
        (e: unknown) => e instanceof InvalidConfigError && !/is not a docker context name/.test(e.message),
      );
      assert.equal(inConfig, inDiscovery, `${JSON.stringify(name)}: configuration ${inConfig}, discovery ${inDiscovery}`);
    }
  });

  it('to hosts', async () => {
    const hosts = ['unix:///s.sock', 'tcp://h:1', 'https://h', 'ssh://me@h:22', 'tcp://h:1/base', 'tcp://h:99999', 'unix://rel.sock', 'gopher://h', 'npipe:////./pipe/x', '/var/run/docker.sock', 'tcp://u:p@h:1', 'ssh://me:pw@h', 'fd://'];
    for (const host of hosts) {
      const inConfig = await accepted({ env: { AICLI_DOCKER_HOST: host } });
      const inConnect = (() => {
        try {
          parseHost(host);
          return true;
        } catch {
          return false;
        }
      })();
      assert.equal(inConfig, inConnect, `${host}: configuration ${inConfig}, connect() ${inConnect}`);
    }
  });
});

describe('secrets in hosts', () => {
  it('no part of a password is shown, whatever the scheme or the @ in it', async () => {
    for (const host of ['ftp://user:Zq@Xv9@h', 'tcp://user:Zq@Xv9@h:1', 'ssh://user:Zq@Xv9@h', 'user:Zq@Xv9@h:2375', 'gopher://user:Zq@Xv9@h/path']) {
      for (const options of [{ file: await file(`host: "${host}"\n`) }, { env: { AICLI_DOCKER_HOST: host } }, { overrides: { host } }]) {
        const error = await rejects(options);
        assert.ok(!/Zq|Xv9/.test(error.message), error.message);
        assert.match(error.message, /\*\*\*@h/);
      }
    }
  });
});

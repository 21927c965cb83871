// node:test tracks the promises describe() and it() return; awaiting them is not how suites are written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { UsageError, type CommandContext, type GlobalFlags } from '../../src/cli/command.js';
import { configCommand } from '../../src/cli/commands/config.js';
import { CONFIG_KEYS, defaultConfig, loadConfig } from '../../src/features/config/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aicli-config-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function context(
  args: string[],
  options: { flags?: Record<string, boolean>; global?: Partial<GlobalFlags>; env?: Record<string, string>; home?: string } = {},
): { ctx: CommandContext; out: () => string } {
  let out = '';
  const global: GlobalFlags = { host: undefined, context: undefined, config: undefined, timeout: undefined, logLevel: undefined, json: false, ...options.global };
  const ctx: CommandContext = {
    args,
    flags: options.flags ?? {},
    global,
    env: { HOME: join(dir, options.home ?? 'home'), ...options.env },
    cwd: dir,
    logger: silentLogger,
    stdout: (t) => {
      out += t;
    },
    stderr: () => undefined,
  };
  return { ctx, out: () => out };
}

describe('config init', () => {
  it('writes a commented file (mode 0600) that validates and loads to exactly the defaults', async () => {
    const { ctx, out } = context(['init']);
    assert.equal(await configCommand.run(ctx), 0);
    const path = join(dir, 'home', '.config', 'aicli', 'docker.yaml');
    assert.equal(out(), `Wrote ${path}\n`);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const text = await readFile(path, 'utf8');
    assert.match(text, /^# /);
    assert.match(text, /# Environment: AICLI_DOCKER_MEMORY_LIMIT/);
    const loaded = await loadConfig({ file: path });
    assert.deepEqual(loaded.config, defaultConfig());
    const v = context(['validate', path]);
    assert.equal(await configCommand.run(v.ctx), 0);
    assert.equal(v.out(), `OK: ${path}\n`);
  });

  it("explains each default and why, in aicli-docker's own terms", async () => {
    const { ctx } = context(['init', 'explained.yaml']);
    assert.equal(await configCommand.run(ctx), 0);
    const text = await readFile(join(dir, 'explained.yaml'), 'utf8');
    assert.doesNotMatch(text, /\bseed\b/i);
    assert.match(text, /^# The engine API version to speak\. "auto" \(the default\) asks the engine/m);
    assert.match(text, /Docker[\s#]+29[\s#]+refuses[\s#]+all[\s#]+below[\s#]+1\.44/);
    assert.match(text, /^version: "auto"$/m);
  });

  it('docs/configuration.md says what the CLI says about every key, and never speaks of a seed', async () => {
    const doc = await readFile(join(ROOT, 'docs', 'configuration.md'), 'utf8');
    // Line breaks and code quotes are the doc's own layout; the words must be the CLI's.
    const plain = (text: string): string => text.replace(/`/g, '').replace(/\s+/g, ' ');
    const body = plain(doc);
    for (const info of CONFIG_KEYS) assert.ok(body.includes(plain(info.description)), `docs/configuration.md lacks the description of ${info.key}`);
    for (const file of ['README.md', 'ARCHITECTURE.md', 'docs/configuration.md']) {
      assert.doesNotMatch(await readFile(join(ROOT, file), 'utf8'), /\bseed\b/i, file);
    }
  });

  it('refuses to overwrite without --force, and changes nothing', async () => {
    const path = join(dir, 'mine.yaml');
    await writeFile(path, 'cpu_limit: 2\n', { mode: 0o644 });
    await assert.rejects(configCommand.run(context(['init', 'mine.yaml']).ctx), (e: unknown) => e instanceof UsageError && /--force/.test(e.message));
    assert.equal(await readFile(path, 'utf8'), 'cpu_limit: 2\n');
    assert.equal(await configCommand.run(context(['init', 'mine.yaml'], { flags: { force: true } }).ctx), 0);
    assert.deepEqual((await loadConfig({ file: path })).config, defaultConfig());
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });

  it('writes to --config when no FILE is given', async () => {
    const path = join(dir, 'sub', 'dir', 'flag.yaml');
    assert.equal(await configCommand.run(context(['init'], { global: { config: path } }).ctx), 0);
    assert.deepEqual((await loadConfig({ file: path })).config, defaultConfig());
  });
});

describe('config show', () => {
  // A home without a configuration file: only defaults, environment and flags.
  const home = 'empty-home';
  it('prints file key names, durations as strings and sizes as bytes (valid YAML)', async () => {
    const { ctx, out } = context(['show'], { env: { AICLI_DOCKER_MEMORY_LIMIT: '1g' }, global: { timeout: '2s' } , home });
    assert.equal(await configCommand.run(ctx), 0);
    assert.match(out(), /^memory_limit: 1073741824$/m);
    assert.match(out(), /^timeout: "2s"$/m);
    assert.match(out(), /^host: null$/m);
    const path = join(dir, 'shown.yaml');
    await writeFile(path, out());
    const again = await loadConfig({ file: path });
    assert.equal(again.config.memoryLimitBytes, 2 ** 30);
    assert.equal(again.config.timeoutMs, 2000);
  });

  it('--json prints one object', async () => {
    const { ctx, out } = context(['show'], { global: { json: true } , home });
    await configCommand.run(ctx);
    const parsed = JSON.parse(out()) as Record<string, unknown>;
    assert.equal(parsed.timeout, '30s');
    assert.equal(parsed.memory_limit, 536870912);
    assert.deepEqual(parsed.default_shell, ['/bin/sh']);
  });

  it('--sources says where each value came from', async () => {
    const env = { AICLI_DOCKER_CPU_LIMIT: '2' };
    const text = context(['show'], { flags: { sources: true }, env, global: { host: 'unix:///x.sock' } , home });
    await configCommand.run(text.ctx);
    assert.match(text.out(), /^cpu_limit: 2 +# env AICLI_DOCKER_CPU_LIMIT$/m);
    assert.match(text.out(), /^host: "unix:\/\/\/x.sock" +# flag --host$/m);
    assert.match(text.out(), /^read_only: true +# default$/m);
    const json = context(['show'], { flags: { sources: true }, env, global: { json: true } , home });
    await configCommand.run(json.ctx);
    const parsed = JSON.parse(json.out()) as { values: Record<string, unknown>; sources: Record<string, unknown> };
    assert.equal(parsed.values.cpu_limit, 2);
    assert.deepEqual(parsed.sources.cpu_limit, { layer: 'env', name: 'AICLI_DOCKER_CPU_LIMIT' });
  });
});

describe('config validate and usage errors', () => {
  it('throws InvalidConfigError (exit 2) listing every problem', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'memory_limt: 1g\ncpu_limit: 0\n');
    await assert.rejects(configCommand.run(context(['validate', path]).ctx), (e: unknown) => e instanceof InvalidConfigError && e.problems.length === 2);
  });
  it('rejects unknown subcommands with a suggestion', async () => {
    await assert.rejects(configCommand.run(context(['shwo']).ctx), (e: unknown) => e instanceof UsageError && /did you mean "show"/.test(e.message));
    await assert.rejects(configCommand.run(context([]).ctx), UsageError);
    await assert.rejects(configCommand.run(context(['show', 'extra']).ctx), UsageError);
  });
});

/** The real CLI, for the exit codes. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: join(dir, 'cli-home'), ...env } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('the real CLI', { timeout: 60_000 }, () => {
  const bad: [string, string, string][] = [
    ['unknown key', 'memory_limt: 1g\n', 'memory_limt'],
    ['memory below 6 MiB', 'memory_limit: 1m\n', 'memory_limit'],
    ['cpu zero', 'cpu_limit: 0\n', 'cpu_limit'],
    ['bad capability', 'cap_add: [FLY]\n', 'cap_add[0]'],
    ['YAML syntax', 'tmpfs: {/tmp: rw\n', 'line 2, column 1'],
  ];
  for (const [name, text, says] of bad) {
    it(`config validate exits 2 for ${name}`, async () => {
      const path = join(dir, `cli-${name.replace(/\W+/g, '-')}.yaml`);
      await writeFile(path, text);
      const r = await cli(['config', 'validate', path]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(says), r.stderr);
      assert.ok(r.stderr.includes(path), r.stderr);
    });
  }
  it('a bad environment variable exits 2 for any config command', async () => {
    const r = await cli(['config', 'show'], { AICLI_DOCKER_TIMEOUT: 'soon' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\n {2}- AICLI_DOCKER_TIMEOUT: "soon" is not a duration; expected a duration such as 500ms/);
  });
  it('a good file validates with exit 0', async () => {
    const path = join(dir, 'good.yaml');
    await writeFile(path, 'memory_limit: 1g\n');
    const r = await cli(['config', 'validate', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `OK: ${path}\n`);
  });
});

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { defaultConfigPath, formatConfig, renderConfigTemplate, yamlLine, type ValueSource } from '../../index.js';
import { closest } from '../../suggest.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { homeOf, loadCliConfig } from '../connect.js';

const SUBCOMMANDS = ['show', 'validate', 'init'];

function describeSource(source: ValueSource): string {
  return source.layer === 'default' ? 'default' : `${source.layer} ${source.name}`;
}

function noMoreArgs(ctx: CommandContext, allowed: number): void {
  const extra = ctx.args.slice(1 + allowed);
  if (extra.length > 0) throw new UsageError(`config ${ctx.args[0] ?? ''}: unexpected argument "${extra[0] ?? ''}". See --help.`);
}

async function show(ctx: CommandContext): Promise<number> {
  noMoreArgs(ctx, 0);
  const loaded = await loadCliConfig(ctx);
  const values = formatConfig(loaded.config);
  const withSources = ctx.flags['sources'] === true;
  if (ctx.global.json) {
    const out = withSources ? { file: loaded.file ?? null, values, sources: loaded.sources } : values;
    ctx.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  // Plain output is valid YAML (sources as comments), so it can be saved as a file.
  const lines = Object.entries(values).map(([key, value]) => yamlLine(key, value));
  if (!withSources) {
    ctx.stdout(`${lines.join('\n')}\n`);
    return 0;
  }
  const width = Math.max(...lines.map((l) => l.length));
  const keys = Object.keys(values) as (keyof typeof values)[];
  const annotated = lines.map((line, i) => {
    const key = keys[i];
    return key === undefined ? line : `${line.padEnd(width)}  # ${describeSource(loaded.sources[key])}`;
  });
  ctx.stdout(`# file: ${loaded.file ?? '(none)'}\n${annotated.join('\n')}\n`);
  return 0;
}

async function validate(ctx: CommandContext): Promise<number> {
  noMoreArgs(ctx, 1);
  // Problems are thrown as InvalidConfigError: the CLI prints them and exits 2.
  const loaded = await loadCliConfig(ctx, ctx.args[1]);
  const what = loaded.file ?? '(no configuration file; defaults and environment)';
  ctx.stdout(ctx.global.json ? `${JSON.stringify({ ok: true, file: loaded.file ?? null }, null, 2)}\n` : `OK: ${what}\n`);
  return 0;
}

async function init(ctx: CommandContext): Promise<number> {
  noMoreArgs(ctx, 1);
  const named = ctx.args[1] ?? ctx.global.config ?? (ctx.env.AICLI_CONFIG === '' ? undefined : ctx.env.AICLI_CONFIG);
  const target = named === undefined ? defaultConfigPath(ctx.env, homeOf(ctx)) : resolve(ctx.cwd, named);
  if (target === undefined) throw new UsageError('config init: no home directory or XDG_CONFIG_HOME; name the file: config init FILE');
  const force = ctx.flags['force'] === true;
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  try {
    // `wx` refuses an existing file atomically: no check-then-write race.
    await writeFile(target, renderConfigTemplate(), { mode: 0o600, flag: force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EEXIST') {
      throw new UsageError(`config init: ${target} already exists; nothing was changed. Use --force to overwrite it.`);
    }
    throw error;
  }
  // An overwritten file keeps its old mode; the configuration is the user's alone.
  if (force) await chmod(target, 0o600);
  ctx.stdout(ctx.global.json ? `${JSON.stringify({ written: target }, null, 2)}\n` : `Wrote ${target}\n`);
  return 0;
}

export const configCommand: Command = {
  name: 'config',
  summary: 'Show, validate or create the configuration (flags > environment > file > defaults).',
  usage:
    'aicli-docker config show [--sources] [--json]\n' +
    '       aicli-docker config validate [FILE]\n' +
    '       aicli-docker config init [FILE] [--force]',
  flags: [
    { name: 'sources', type: 'boolean', description: 'config show: also say where each value came from (default, file, env, flag)' },
    { name: 'force', type: 'boolean', description: 'config init: overwrite an existing file' },
  ],
  async run(ctx) {
    const sub = ctx.args[0];
    switch (sub) {
      case 'show':
        return show(ctx);
      case 'validate':
        return validate(ctx);
      case 'init':
        return init(ctx);
      case undefined:
        throw new UsageError('config: missing subcommand; expected show, validate or init. See --help.');
      default: {
        const near = closest(sub, SUBCOMMANDS);
        throw new UsageError(`config: unknown subcommand "${sub}"${near === undefined ? '' : `; did you mean "${near}"?`} Expected show, validate or init.`);
      }
    }
  },
};

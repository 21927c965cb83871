import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { DockerClient, loadConfig, type LoadedConfig } from '../index.js';
import type { CommandContext } from './command.js';

export function homeOf(ctx: CommandContext): string {
  return ctx.env['HOME'] ?? homedir();
}

/**
 * The configuration as every command sees it: flags > environment > file > defaults.
 * `file` (from `config validate FILE`) takes the place of --config.
 */
export async function loadCliConfig(ctx: CommandContext, file?: string, flags?: CommandOverrides): Promise<LoadedConfig> {
  const g = ctx.global;
  const chosen = file ?? g.config;
  return loadConfig({
    ...(chosen === undefined ? {} : { file: resolve(ctx.cwd, chosen), fileNamedBy: file === undefined ? '--config' : `the argument of \`config ${String(ctx.args[0])}\`` }),
    env: ctx.env,
    overrides: { host: g.host, context: g.context, timeout: g.timeout, ...flags?.values },
    overrideSource: (key) => flags?.names[key] ?? `--${key}`,
    homeDir: homeOf(ctx),
  });
}

/** A command's flags that set configuration keys: values by key, and each key's flag name. */
export interface CommandOverrides {
  readonly values: Readonly<Record<string, string | undefined>>;
  readonly names: Readonly<Record<string, string>>;
}

export async function connectCli(ctx: CommandContext, flags?: CommandOverrides): Promise<DockerClient> {
  const config = await loadCliConfig(ctx, undefined, flags);
  // A CLI run makes a few calls and exits: node:http starts ~50 ms faster than undici.
  return DockerClient.connect({ config, env: ctx.env, logger: ctx.logger, httpClient: 'node' });
}

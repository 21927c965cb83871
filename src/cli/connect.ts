import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { DockerClient, loadConfig, type ConnectOptions, type LoadedConfig } from '../index.js';
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

export interface CliConnectOptions {
  /** Connect options a command adds (e.g. a shorter ping limit for `monitor`). */
  readonly extra?: Omit<ConnectOptions, 'config' | 'env' | 'logger'>;
  /** The configuration, when the command loaded it already. */
  readonly loaded?: LoadedConfig | undefined;
  /** The command's own flags that set configuration keys. */
  readonly flags?: CommandOverrides | undefined;
}

export async function connectCli(ctx: CommandContext, options: CliConnectOptions = {}): Promise<DockerClient> {
  const config = options.loaded ?? (await loadCliConfig(ctx, undefined, options.flags));
  const extra = options.extra ?? {};
  // A CLI run makes a few calls and exits: node:http starts ~50 ms faster than undici.
  // No command creates the aicli network as a side effect unless it asks (`network ensure`, workspaces).
  return DockerClient.connect({ httpClient: 'node', ensureNetwork: false, ...extra, config, env: ctx.env, logger: ctx.logger });
}

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
export async function loadCliConfig(ctx: CommandContext, file?: string): Promise<LoadedConfig> {
  const g = ctx.global;
  const chosen = file ?? g.config;
  return loadConfig({
    ...(chosen === undefined ? {} : { file: resolve(ctx.cwd, chosen) }),
    env: ctx.env,
    overrides: { host: g.host, context: g.context, timeout: g.timeout },
    overrideSource: (key) => `--${key}`,
    homeDir: homeOf(ctx),
  });
}

/** `extra`: connect options a command adds (e.g. a shorter ping limit for `monitor`). */
export async function connectCli(ctx: CommandContext, extra: Omit<ConnectOptions, 'config' | 'env' | 'logger'> = {}, loaded?: LoadedConfig): Promise<DockerClient> {
  const config = loaded ?? (await loadCliConfig(ctx));
  // A CLI run makes a few calls and exits: node:http starts ~50 ms faster than undici.
  return DockerClient.connect({ httpClient: 'node', ...extra, config, env: ctx.env, logger: ctx.logger });
}

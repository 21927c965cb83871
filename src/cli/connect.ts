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

export async function connectCli(ctx: CommandContext): Promise<DockerClient> {
  const config = await loadCliConfig(ctx);
  // A CLI run makes a few calls and exits: node:http starts ~50 ms faster than undici.
  // No command creates the aicli network as a side effect: `network ensure` asks for it.
  return DockerClient.connect({ config, env: ctx.env, logger: ctx.logger, httpClient: 'node', ensureNetwork: false });
}

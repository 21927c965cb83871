import { DockerClient, loadConfig, type LoadedConfig } from '../index.js';
import type { CommandContext } from './command.js';

/** The configuration as the CLI sees it: flags > environment > file > defaults. */
export async function loadCliConfig(ctx: CommandContext): Promise<LoadedConfig> {
  const g = ctx.global;
  const overrides: Record<string, string> = {};
  if (g.host !== undefined) overrides['host'] = g.host;
  if (g.context !== undefined) overrides['context'] = g.context;
  if (g.timeout !== undefined) overrides['timeout'] = g.timeout;
  return loadConfig({
    ...(g.config === undefined ? {} : { file: g.config }),
    env: ctx.env,
    overrides,
    overrideSource: (key) => `--${key}`,
  });
}

export async function connectCli(ctx: CommandContext): Promise<DockerClient> {
  const config = await loadCliConfig(ctx);
  // A CLI run makes a few calls and exits: node:http starts ~50 ms faster than undici.
  return DockerClient.connect({ config, env: ctx.env, logger: ctx.logger, httpClient: 'node' });
}

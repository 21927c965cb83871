/**
 * When the engine refuses the workspace's ulimits (it cannot grant more than its own hard
 * limits: Podman's and rootless engines' defaults often ask for more), runc says only
 * "error setting rlimit type 7: operation not permitted". This names the limit and the
 * key to change instead.
 */
import { DockerApiError, InvalidConfigError, type ConfigProblem } from '../../errors.js';
import type { ConfigKey, DockerConfig, ValueSource } from '../config/index.js';

/** RLIMIT_* numbers on Linux (asm-generic/resource.h), as runc reports them. */
const RLIMIT_TYPES: Readonly<Record<string, 'nofile' | 'nproc'>> = { '6': 'nproc', '7': 'nofile' };

const KEYS = {
  nofile: { key: 'ulimit_nofile', field: 'ulimitNofile', env: 'AICLI_DOCKER_ULIMIT_NOFILE', hard: 'ulimit -Hn' },
  nproc: { key: 'ulimit_nproc', field: 'ulimitNproc', env: 'AICLI_DOCKER_ULIMIT_NPROC', hard: 'ulimit -Hu' },
} as const;

/** An InvalidConfigError naming the refused ulimit and its key, or undefined when `err` is something else. */
export function ulimitRefusal(
  err: unknown,
  config: DockerConfig,
  sources: Readonly<Partial<Record<ConfigKey, ValueSource>>> | undefined,
): InvalidConfigError | undefined {
  if (!(err instanceof DockerApiError) || !/rlimit/i.test(err.daemonMessage)) return undefined;
  const type = /rlimit type (\d+)/i.exec(err.daemonMessage)?.[1];
  const named = type === undefined ? undefined : RLIMIT_TYPES[type];
  const which = named !== undefined ? [named] : (['nofile', 'nproc'] as const).filter((n) => err.daemonMessage.includes(n));
  const limits = which.length > 0 ? which : (['nofile', 'nproc'] as const);
  const problems: ConfigProblem[] = limits.map((name) => {
    const k = KEYS[name];
    const { soft, hard } = config[k.field];
    return {
      source: sources?.[k.key]?.name ?? 'configuration',
      key: k.key,
      message:
        `the engine refused to start the workspace with ${name}=${soft}:${hard} ("${err.daemonMessage}"): ` +
        `an engine cannot grant more than its own hard limit (\`${k.hard}\` where the engine runs). ` +
        `Lower ${k.key} (${k.env}), then remove the workspace and create it again.`,
    };
  });
  return new InvalidConfigError(problems, { cause: err });
}

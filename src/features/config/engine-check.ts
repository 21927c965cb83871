/** Limits only a connected engine can tell: how many CPUs and how much memory it has. */
import type { ConfigProblem } from '../../errors.js';
import type { ValueSource } from './source.js';
import type { ConfigKey, DockerConfig } from './schema.js';
import { formatSize } from './units.js';

export interface EngineCapacity {
  /** NCPU from the engine's info; 0 or less when unknown. */
  readonly cpus: number;
  /** MemTotal from the engine's info; 0 or less when unknown. */
  readonly memoryBytes: number;
}

const MIB = 1024 * 1024;

function mib(bytes: number): string {
  return bytes % MIB === 0 ? formatSize(bytes) : `${(bytes / MIB).toFixed(1)} MiB`;
}

/**
 * What `config` asks for that `engine` cannot give. The engine itself refuses a CPU
 * limit above its CPU count when a container is created; this says so at connect time.
 */
export function checkAgainstEngine(
  config: DockerConfig,
  engine: EngineCapacity,
  sources?: Readonly<Partial<Record<ConfigKey, ValueSource>>>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const source = (key: ConfigKey): string => sources?.[key]?.name ?? 'configuration';
  if (engine.cpus > 0 && config.cpuLimit > engine.cpus) {
    problems.push({
      source: source('cpu_limit'),
      key: 'cpu_limit',
      message: `${config.cpuLimit} is more CPUs than the engine has (${engine.cpus}); the engine refuses containers asking for more, so expected at most ${engine.cpus}`,
    });
  }
  if (engine.memoryBytes > 0 && config.memoryLimitBytes > engine.memoryBytes) {
    problems.push({
      source: source('memory_limit'),
      key: 'memory_limit',
      message: `${config.memoryLimitBytes} bytes (${mib(config.memoryLimitBytes)}) is more memory than the engine has (${engine.memoryBytes} bytes, ${mib(engine.memoryBytes)}); expected at most that`,
    });
  }
  return problems;
}

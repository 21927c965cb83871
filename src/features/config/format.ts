/**
 * The configuration as the file spells it: for `config show`, for `config init`, and
 * for anyone who wants to write a configuration back out.
 */
import { CONFIG_KEYS, defaultConfig, type ConfigKey, type DockerConfig } from './schema.js';
import { formatDuration, formatSize } from './units.js';
import { toJson } from './values.js';

/**
 * File key names; durations as strings (`30s`), sizes as integer bytes, unset values
 * as null. Loading the result as a file gives `config` back.
 */
export function formatConfig(config: DockerConfig): Record<ConfigKey, unknown> {
  const out: Partial<Record<ConfigKey, unknown>> = {};
  for (const { key, field, type } of CONFIG_KEYS) {
    const value: unknown = config[field];
    out[key] = type === 'duration' && typeof value === 'number' ? formatDuration(value) : value === undefined ? null : structuredClone(value);
  }
  return out as Record<ConfigKey, unknown>;
}

/** JSON on one line with spaces after `,` and `:`; JSON is YAML, so this is a YAML flow value. */
export function flowValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flowValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${flowValue(v)}`).join(', ')}}`;
  }
  return toJson(value) ?? 'null';
}

/** One `key: value` line that is valid YAML. */
export function yamlLine(key: string, value: unknown): string {
  return `${key}: ${flowValue(value)}`;
}

/** Human units for the file `config init` writes; they load to the same values. */
function templateValue(key: ConfigKey, config: DockerConfig): unknown {
  if (key === 'memory_limit') return formatSize(config.memoryLimitBytes);
  if (key === 'ulimit_nofile' || key === 'ulimit_nproc') {
    const { soft, hard } = key === 'ulimit_nofile' ? config.ulimitNofile : config.ulimitNproc;
    return `${soft}:${hard}`;
  }
  return formatConfig(config)[key];
}

function wrap(text: string, width = 88): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/)) {
    if (line.length + word.length + 1 > width && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

/** The commented default file `config init` writes. It loads to exactly defaultConfig(). */
export function renderConfigTemplate(): string {
  const config = defaultConfig();
  const out = [
    '# aicli-docker configuration, written by `aicli-docker config init`.',
    '#',
    '# Precedence: command-line flags > environment (AICLI_DOCKER_<KEY>) > this file > defaults.',
    '# Durations: 500ms, 30s, 2m, 1m30s (a bare integer is milliseconds).',
    '# Sizes: 512m, 1g, 1.5GiB, 512MB - all binary multiples, as Docker reads them (a bare integer is bytes).',
    '# Every key is optional; a key left out (or commented out) keeps its default.',
    '# The values below are the defaults, each with why it is so: a workspace is locked down',
    '# and bounded unless you say otherwise.',
    '# Reference: docs/configuration.md',
    '',
  ];
  for (const info of CONFIG_KEYS) {
    out.push(...wrap(info.description), `# Environment: ${info.env}`);
    const value = templateValue(info.key, config);
    out.push(value === null ? `# ${info.key}: ${info.example}` : yamlLine(info.key, value), '');
  }
  return out.join('\n');
}

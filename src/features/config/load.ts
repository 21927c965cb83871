/**
 * Layering: defaults < file < environment < flags. Every layer is checked in full,
 * even where a higher layer overrides it (a bad file is bad whatever the environment
 * says), and every problem from every layer is reported in one InvalidConfigError.
 * Pure: the environment and the file reader are passed in.
 */
import { readFile as fsReadFile } from 'node:fs/promises';
import { InvalidConfigError, type ConfigProblem } from '../../errors.js';
import { chooseConfigFile, readConfigFile } from './file.js';
import { crossKeyProblems } from './cross-check.js';
import { checkerOf, deepFreeze, defaultConfig, envName, fieldOf, isConfigKey, KEY_NAMES, quoteOf, type ConfigKey, type DockerConfig } from './schema.js';
import { closest } from '../../suggest.js';
import type { RawValue } from './values.js';
import type { ValueSource } from './source.js';

export type { ValueSource } from './source.js';

export interface LoadedConfig {
  readonly config: DockerConfig;
  readonly sources: Readonly<Record<ConfigKey, ValueSource>>;
  /** The file read, if any. */
  readonly file: string | undefined;
}

export interface LoadConfigOptions {
  /** From `--config`: must exist. */
  readonly file?: string | undefined;
  /** What named `file`, for "does not exist" messages. Default: `--config`. */
  readonly fileNamedBy?: string | undefined;
  /** The environment to read (AICLI_DOCKER_*, DOCKER_API_VERSION, AICLI_CONFIG, XDG_CONFIG_HOME, HOME). Default: none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The flag layer, by file key (`{ timeout: '2s' }`), parsed like environment values. */
  readonly overrides?: Readonly<Record<string, string | undefined>>;
  /** How a flag is named in messages and sources. Default: `--set <key>`. */
  readonly overrideSource?: (key: string) => string;
  /** For `~/.config` when XDG_CONFIG_HOME is unset. Default: env.HOME. */
  readonly homeDir?: string;
  readonly readFile?: (path: string) => Promise<string>;
  /** AICLI_DOCKER_* variables that belong to someone else and are not to be reported as unknown keys. */
  readonly otherEnvVars?: Iterable<string>;
}

const ENV_PREFIX = 'AICLI_DOCKER_';
/** Read by the docker CLI too; below AICLI_DOCKER_VERSION. (DOCKER_HOST and DOCKER_CONTEXT belong to discovery.) */
const DOCKER_API_VERSION = 'DOCKER_API_VERSION';

type Layer = Map<ConfigKey, { value: unknown; source: ValueSource }>;

function unknownKey(name: string): string {
  const near = closest(name, KEY_NAMES);
  return `unknown key "${name}"${near === undefined ? `; known keys: ${KEY_NAMES.join(', ')}` : `; did you mean "${near}"?`}`;
}

function checkInto(layer: Layer, problems: ConfigProblem[], key: ConfigKey, raw: RawValue, source: ValueSource): void {
  const result = checkerOf(key)(raw, quoteOf(key));
  if (result.ok) layer.set(key, { value: result.value, source });
  else for (const issue of result.issues) problems.push({ source: source.name, key: `${key}${issue.path}`, message: issue.message });
}

function fileLayer(path: string, data: Readonly<Record<string, unknown>>, problems: ConfigProblem[]): Layer {
  const layer: Layer = new Map();
  for (const [name, value] of Object.entries(data)) {
    if (!isConfigKey(name)) {
      problems.push({ source: path, key: name, message: unknownKey(name) });
      continue;
    }
    // `key:` with no value (null) leaves the key to lower layers.
    if (value === null || value === undefined) continue;
    checkInto(layer, problems, name, { from: 'file', value }, { layer: 'file', name: path });
  }
  return layer;
}

function envLayer(env: Readonly<Record<string, string | undefined>>, others: ReadonlySet<string>, problems: ConfigProblem[]): Layer {
  const layer: Layer = new Map();
  const known = KEY_NAMES.map(envName);
  // Empty variables count as unset, as the docker CLI treats them.
  const apiVersion = env[DOCKER_API_VERSION];
  if (apiVersion !== undefined && apiVersion !== '') {
    checkInto(layer, problems, 'version', { from: 'text', value: apiVersion }, { layer: 'env', name: DOCKER_API_VERSION });
  }
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (!name.startsWith(ENV_PREFIX) || others.has(name) || value === undefined || value === '') continue;
    const key = name.slice(ENV_PREFIX.length).toLowerCase();
    if (!isConfigKey(key) || envName(key) !== name) {
      const near = name === 'AICLI_DOCKER_CONFIG' ? 'AICLI_CONFIG' : closest(name, known);
      problems.push({ source: name, key, message: `unknown environment variable ${name}${near === undefined ? `; expected AICLI_DOCKER_<KEY> for a key such as ${envName('memory_limit')}` : `; did you mean ${near}?`}` });
      continue;
    }
    checkInto(layer, problems, key, { from: 'text', value }, { layer: 'env', name });
  }
  return layer;
}

function flagLayer(overrides: Readonly<Record<string, string | undefined>>, sourceOf: (key: string) => string, problems: ConfigProblem[]): Layer {
  const layer: Layer = new Map();
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const source = sourceOf(key);
    if (!isConfigKey(key)) {
      problems.push({ source, key, message: unknownKey(key) });
      continue;
    }
    checkInto(layer, problems, key, { from: 'text', value }, { layer: 'flag', name: source });
  }
  return layer;
}

/**
 * The effective configuration: flags > environment > file > defaults, with where each
 * value came from. Throws InvalidConfigError listing every problem found.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? {};
  const problems: ConfigProblem[] = [];
  const layers: Layer[] = [];

  const choice = chooseConfigFile({ file: options.file, fileNamedBy: options.fileNamedBy, env, homeDir: options.homeDir ?? env.HOME });
  let file: string | undefined;
  if (choice !== undefined) {
    const read = await readConfigFile(choice, options.readFile ?? ((path) => fsReadFile(path, 'utf8')));
    if (read.kind === 'problems') problems.push(...read.problems);
    if (read.kind === 'data') {
      file = choice.path;
      layers.push(fileLayer(choice.path, read.data, problems));
    }
  }
  layers.push(envLayer(env, new Set(options.otherEnvVars ?? []), problems));
  const sourceOf = options.overrideSource ?? ((key: string) => `--set ${key}`);
  const flags = flagLayer(options.overrides ?? {}, sourceOf, problems);
  layers.push(flags);

  // The docker CLI refuses --host with --context; in a file or the environment one may refine the other.
  const flagHost = flags.get('host');
  if (flagHost !== undefined && flags.has('context')) {
    problems.push({ source: flagHost.source.name, key: 'host', message: `both ${flagHost.source.name} and ${sourceOf('context')} were given; name either an engine address or a docker context, not both` });
  }
  if (problems.length > 0) throw new InvalidConfigError(problems);

  const config: Record<string, unknown> = { ...defaultConfig() };
  const sources = Object.fromEntries(KEY_NAMES.map((key) => [key, { layer: 'default', name: 'default' }])) as Record<ConfigKey, ValueSource>;
  for (const layer of layers) {
    for (const [key, { value, source }] of layer) {
      config[fieldOf(key)] = value;
      sources[key] = source;
    }
  }
  const crossed = crossKeyProblems(config as unknown as DockerConfig, sources);
  if (crossed.length > 0) throw new InvalidConfigError(crossed);
  return deepFreeze({ config: config as unknown as DockerConfig, sources, file });
}

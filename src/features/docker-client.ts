import { homedir } from 'node:os';
import { ClientClosedError, InvalidConfigError, type ApiVersionPin, type ConfigProblem } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { EngineApi, type CallOptions } from '../engine/engine-api.js';
import { toPingResult } from '../engine/decode.js';
import { rememberEngineProfile } from '../engine/engine-kind.js';
import type { PingResult, SystemInfo, VersionInfo } from '../engine/types.js';
import { checkPinnedVersion, negotiateApiVersion } from '../transport/api-version.js';
import { openEngine, type OpenOptions, type TimeLimit } from '../transport/connect.js';
import { checkTimeoutMs } from '../transport/deadline.js';
import { discoverEngine, type DiscoveryInput, type Env, type Sourced } from '../transport/discovery.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../transport/retry.js';
import type { HttpClientKind } from '../transport/exchange.js';
import { checkAgainstEngine, defaultConfig, type DockerConfig, type LoadedConfig, type ValueSource } from './config/index.js';
import {
  ensureNetwork,
  inspectNetwork,
  removeNetwork,
  type EnsureNetworkOptions,
  type EnsureNetworkResult,
  type NetworkStatus,
  type RemoveNetworkOptions,
  type RemoveNetworkResult,
} from './network/index.js';

/** Every default of connect(), in one place. */
export const CONNECT_DEFAULTS = Object.freeze({
  /**
   * The first ping's limit when no time-out was set: an engine that does not answer it
   * within 5 s is taken for dead, so a wrong socket is reported quickly, not after the 30 s
   * a request may take. A time-out you set (`timeoutMs`, `--timeout`, `timeout`) replaces it.
   */
  pingTimeoutMs: 5_000,
  /** Likewise for opening a connection. */
  connectTimeoutMs: 5_000,
  retry: DEFAULT_RETRY,
  /** undici: ~2x the throughput of node:http; `node` starts ~50 ms faster (the CLI's choice). */
  httpClient: 'undici',
  /** For ssh:// hosts, as the docker CLI does: the user's own ssh, its config and keys. */
  sshCommand: Object.freeze(['ssh']),
  labelPrefix: 'aicli',
});

export interface ConnectOptions {
  /** An engine address (`unix://`, `tcp://`, `https://`, `ssh://`); beats every other source. */
  readonly host?: string | undefined;
  /** A docker context name; beats DOCKER_HOST. Not together with `host`. */
  readonly context?: string | undefined;
  /** How `host`/`context` are named in messages (the CLI passes `--host`). */
  readonly hostSource?: string;
  /** Loaded configuration (see loadConfig); its sources decide precedence. Default: defaultConfig(). */
  readonly config?: LoadedConfig | DockerConfig;
  /** Environment for discovery (DOCKER_HOST, DOCKER_CONTEXT, DOCKER_TLS_VERIFY, ...). Default: process.env. */
  readonly env?: Env;
  readonly homeDir?: string;
  readonly fsRoot?: string;
  /** `auto` (negotiate) or a pinned MAJOR.MINOR; overrides the configuration. */
  readonly apiVersion?: string;
  /**
   * Per-request time-out in ms (0: none); default: the configuration's `timeout` (30 s).
   * A time-out set here or in the configuration also bounds connecting and the first ping.
   */
  readonly timeoutMs?: number;
  /** Default: the time-out you set, else 5 s. */
  readonly connectTimeoutMs?: number;
  /** Default: the time-out you set, else 5 s. */
  readonly pingTimeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** The HTTP client under the transport: `undici` (default) or `node` (node:http). */
  readonly httpClient?: HttpClientKind;
  /** For ssh:// hosts: the ssh client and its options, e.g. `['ssh', '-F', 'my_config']`. */
  readonly sshCommand?: readonly string[];
  readonly logger?: Logger;
  readonly signal?: AbortSignal;
  /**
   * Make sure the aicli network exists before connect() returns (its id: `client.networkId`).
   * Default true; `false` skips it (read-only tools, tests); an object passes options
   * (extra `labels`, `recreate`) to ensureNetwork().
   */
  readonly ensureNetwork?: boolean | Omit<EnsureNetworkOptions, 'signal' | 'logger'>;
}

export interface EndpointInfo {
  /** The URL used, e.g. `unix:///var/run/docker.sock` or `tcp://127.0.0.1:2376`. */
  readonly url: string;
  /** Which discovery step chose it: `--host`, `DOCKER_HOST`, `DOCKER_CONTEXT (context "x")`, `default socket`... */
  readonly source: string;
  readonly tls: boolean;
}

export interface EngineStatus {
  readonly endpoint: string;
  readonly source: string;
  readonly apiVersion: string;
  readonly apiVersionNegotiated: boolean;
  readonly serverVersion: string;
  readonly serverApiVersion: string;
  readonly os: string;
  readonly arch: string;
  readonly healthy: boolean;
  readonly pingLatencyMs: number;
  readonly experimental: boolean;
  /** Configuration that the engine cannot honour (e.g. cpu_limit above its CPU count). */
  readonly warnings: readonly ConfigProblem[];
  /** The aicli network as configured: looked at, never created by status(). */
  readonly network: NetworkSummary;
}

/** What status() says of the aicli network (null: absent). */
export interface NetworkSummary extends Pick<NetworkStatus, 'name' | 'present' | 'managed' | 'adopted' | 'drift' | 'duplicates'> {
  readonly id: string | null;
  readonly driver: string | null;
}

function isLoaded(c: LoadedConfig | DockerConfig): c is LoadedConfig {
  return 'config' in c && 'sources' in c;
}

/** Splits the configured host/context into "beats DOCKER_HOST" (flag, env) and "weaker" (file). */
function configuredEndpoint(loaded: LoadedConfig | undefined): Pick<DiscoveryInput, 'host' | 'context' | 'fileHost' | 'fileContext'> {
  if (loaded === undefined) return {};
  const pick = (key: 'host' | 'context'): { strong?: Sourced; weak?: Sourced } => {
    const value = loaded.config[key];
    const src = loaded.sources[key];
    if (value === undefined) return {};
    return src.layer === 'file' ? { weak: { value, source: src.name } } : { strong: { value, source: src.name } };
  };
  const h = pick('host');
  const c = pick('context');
  return { host: h.strong, context: c.strong, fileHost: h.weak, fileContext: c.weak };
}

/**
 * The pinned API version and what pinned it, or undefined to negotiate. A loaded
 * configuration already folded DOCKER_API_VERSION in, below AICLI_DOCKER_VERSION.
 */
function pinOf(options: ConnectOptions, env: Env, config: DockerConfig, loaded: LoadedConfig | undefined): ApiVersionPin | undefined {
  const [raw, source, layer]: [string | undefined, string, ApiVersionPin['layer']] =
    options.apiVersion !== undefined
      ? [options.apiVersion, 'the apiVersion option', 'option']
      : options.config === undefined
        ? [env['DOCKER_API_VERSION'], 'DOCKER_API_VERSION', 'env']
        : loaded !== undefined && loaded.sources.version.layer !== 'default'
          ? [config.apiVersion, loaded.sources.version.name, loaded.sources.version.layer]
          : [config.apiVersion, "the config option's apiVersion", 'option'];
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'auto') return undefined;
  return { version: checkPinnedVersion(raw, source), source, layer };
}

/** How a configuration source is named in a time-out message. */
function setByOf(source: ValueSource): string | undefined {
  switch (source.layer) {
    case 'default':
      return undefined;
    case 'file':
      return `\`timeout\` in ${source.name}`;
    default:
      return source.name;
  }
}

/**
 * The request, connect and first-ping limits, and what set each. A time-out the user set
 * (option, flag, environment or file) governs all three; without one, connecting and the
 * first ping get aicli-docker's 5 s, so a dead engine is named quickly. 0 means no limit for
 * requests, never for the first ping.
 */
function timeLimits(options: ConnectOptions, config: DockerConfig, loaded: LoadedConfig | undefined): Pick<OpenOptions, 'requestTimeout' | 'connectTimeout' | 'pingTimeout'> {
  const request: TimeLimit =
    options.timeoutMs !== undefined
      ? { ms: checkTimeoutMs(options.timeoutMs, 'timeoutMs'), setBy: 'the timeoutMs option' }
      : loaded !== undefined
        ? { ms: config.timeoutMs, setBy: setByOf(loaded.sources.timeout) }
        : { ms: config.timeoutMs, setBy: config.timeoutMs === defaultConfig().timeoutMs ? undefined : 'the `timeout` of the configuration given' };
  const chosen = request.setBy !== undefined && request.ms > 0 ? request : undefined;
  const first = (given: number | undefined, name: string, fallback: number): TimeLimit =>
    given !== undefined ? { ms: checkTimeoutMs(given, name), setBy: `the ${name} option` } : (chosen ?? { ms: request.ms > 0 ? Math.min(fallback, request.ms) : fallback, setBy: undefined });
  return {
    requestTimeout: request,
    connectTimeout: first(options.connectTimeoutMs, 'connectTimeoutMs', CONNECT_DEFAULTS.connectTimeoutMs),
    pingTimeout: first(options.pingTimeoutMs, 'pingTimeoutMs', CONNECT_DEFAULTS.pingTimeoutMs),
  };
}

/**
 * A connected Docker engine client. Create it with `DockerClient.connect()`; it holds
 * sockets, so `close()` it (or `await using` it) when done.
 */
export class DockerClient implements AsyncDisposable {
  readonly api: EngineApi;
  readonly endpoint: EndpointInfo;
  readonly config: DockerConfig;
  readonly labelPrefix: string = CONNECT_DEFAULTS.labelPrefix;
  readonly apiVersionNegotiated: boolean;
  readonly #sources: LoadedConfig['sources'] | undefined;
  readonly #logger: Logger;
  #closed = false;
  #networkId: string | undefined;
  #input: LoadedConfig | DockerConfig | undefined;

  private constructor(api: EngineApi, endpoint: EndpointInfo, loaded: LoadedConfig | { config: DockerConfig; sources?: undefined }, negotiated: boolean, logger: Logger) {
    this.api = api;
    this.endpoint = endpoint;
    this.config = loaded.config;
    this.#sources = loaded.sources;
    this.apiVersionNegotiated = negotiated;
    this.#logger = logger;
  }

  /** Finds the engine the docker CLI would use, pings it (5 s limit) and agrees on an API version. */
  static async connect(options: ConnectOptions = {}): Promise<DockerClient> {
    if (options.host !== undefined && options.context !== undefined) {
      throw new InvalidConfigError([{ source: options.hostSource ?? 'options', key: 'host', message: 'host and context were both given; name either an engine address or a docker context, not both' }]);
    }
    const env = options.env ?? process.env;
    const loaded = options.config !== undefined && isLoaded(options.config) ? options.config : undefined;
    const config = loaded?.config ?? (options.config as DockerConfig | undefined) ?? defaultConfig();
    const logger = options.logger ?? silentLogger;
    const source = options.hostSource;
    const fromConfig = configuredEndpoint(loaded);
    const input: DiscoveryInput = {
      ...fromConfig,
      ...(options.host === undefined ? {} : { host: { value: options.host, source: source ?? 'host option' } }),
      ...(options.context === undefined ? {} : { context: { value: options.context, source: source ?? 'context option' } }),
      env,
      homeDir: options.homeDir ?? env['HOME'] ?? homedir(),
      ...(options.fsRoot === undefined ? {} : { fsRoot: options.fsRoot }),
    };
    const pin = pinOf(options, env, config, loaded);
    const pinned = pin?.version;
    const limits = timeLimits(options, config, loaded);
    const discovery = await discoverEngine(input);
    const opened = await openEngine(discovery, {
      ...limits,
      retry: { ...CONNECT_DEFAULTS.retry, ...options.retry },
      httpClient: options.httpClient ?? CONNECT_DEFAULTS.httpClient,
      sshCommand: options.sshCommand ?? CONNECT_DEFAULTS.sshCommand,
      logger,
      signal: options.signal,
    });
    const ping = toPingResult(opened.ping.headers);
    let apiVersion: string;
    try {
      apiVersion = pinned ?? negotiateApiVersion(ping.apiVersion, opened.candidate.endpoint.url);
    } catch (err) {
      await opened.transport.close();
      throw err;
    }
    const endpoint: EndpointInfo = {
      url: opened.candidate.endpoint.url,
      source: opened.candidate.source,
      tls: opened.candidate.endpoint.kind === 'tcp' && opened.candidate.endpoint.tls,
    };
    logger.info({ endpoint: endpoint.url, source: endpoint.source, apiVersion, negotiated: pinned === undefined }, 'docker engine connected');
    const client = new DockerClient(new EngineApi(opened.transport, apiVersion, pin), endpoint, loaded ?? { config }, pinned === undefined, logger);
    // Docker or Podman, as the ping's headers say (issue 14): known without a request of its own.
    rememberEngineProfile(client.api, opened.ping.headers);
    if (options.ensureNetwork !== false) {
      // As the configuration's design has it: the client is handed back only once its network exists.
      try {
        await client.ensureNetwork({ ...(typeof options.ensureNetwork === 'object' ? options.ensureNetwork : {}), signal: options.signal });
      } catch (err) {
        await client.close();
        throw err;
      }
    }
    return client;
  }

  /** The id of the aicli network, once ensureNetwork() (or connect()) has made sure of it. */
  get networkId(): string | undefined {
    return this.#networkId;
  }

  /** Makes sure the aicli network exists, once (see ensureNetwork in features/network). */
  async ensureNetwork(options: Omit<EnsureNetworkOptions, 'logger'> = {}): Promise<EnsureNetworkResult> {
    this.#assertOpen('ensureNetwork');
    const result = await ensureNetwork(this.api, this.#configInput(), this.#logger === silentLogger ? options : { ...options, logger: this.#logger });
    this.#networkId = result.id;
    return result;
  }

  /** The aicli network as configured: present, managed, drift. Read-only. */
  async inspectNetwork(options: CallOptions = {}): Promise<NetworkStatus> {
    this.#assertOpen('inspectNetwork');
    return inspectNetwork(this.api, this.#configInput(), options);
  }

  /** Removes the aicli network: refused while containers are attached unless `force`. */
  async removeNetwork(options: Omit<RemoveNetworkOptions, 'logger'> = {}): Promise<RemoveNetworkResult> {
    this.#assertOpen('removeNetwork');
    const result = await removeNetwork(this.api, this.#configInput(), { ...options, logger: this.#logger });
    if (this.#networkId !== undefined && result.removed.includes(this.#networkId)) this.#networkId = undefined;
    return result;
  }

  #configInput(): LoadedConfig | DockerConfig {
    this.#input ??= this.#sources === undefined ? this.config : Object.freeze({ config: this.config, sources: this.#sources, file: undefined });
    return this.#input;
  }

  get apiVersion(): string {
    return this.api.apiVersion;
  }

  /** Where each configuration value came from (file, variable, flag), when connect() was given a loaded configuration. */
  get configSources(): LoadedConfig['sources'] | undefined {
    return this.#sources;
  }

  /** The logger given to connect() (silent by default), for features built on this client. */
  get logger(): Logger {
    return this.#logger;
  }

  async ping(options: CallOptions = {}): Promise<PingResult> {
    this.#assertOpen('ping');
    return this.api.ping(options);
  }

  async version(options: CallOptions = {}): Promise<VersionInfo> {
    this.#assertOpen('version');
    return this.api.version(options);
  }

  async info(options: CallOptions = {}): Promise<SystemInfo> {
    this.#assertOpen('info');
    return this.api.info(options);
  }

  /** Ping latency, versions, and what of the configuration this engine cannot honour. */
  async status(options: CallOptions = {}): Promise<EngineStatus> {
    this.#assertOpen('status');
    // /info has all /version would add, and each takes ~20 ms on Docker 20.10 (the engine
    // asks containerd and runc): one of them, in parallel with the ping, keeps the CLI fast.
    const started = process.hrtime.bigint();
    const timedPing = this.api.ping(options).then((p) => ({ ping: p, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    const [{ ping, ms: pingLatencyMs }, info, net] = await Promise.all([timedPing, this.api.info(options), inspectNetwork(this.api, this.#configInput(), options)]);
    return {
      endpoint: this.endpoint.url,
      source: this.endpoint.source,
      apiVersion: this.apiVersion,
      apiVersionNegotiated: this.apiVersionNegotiated,
      serverVersion: info.serverVersion,
      serverApiVersion: ping.apiVersion ?? 'unknown',
      os: info.osType,
      arch: info.architecture ?? 'unknown',
      healthy: true,
      pingLatencyMs: Math.round(pingLatencyMs * 1000) / 1000,
      experimental: ping.experimental,
      warnings: checkAgainstEngine(this.config, { cpus: info.cpus, memoryBytes: info.memoryBytes }, this.#sources),
      network: { name: net.name, present: net.present, managed: net.managed, adopted: net.adopted, id: net.id ?? null, driver: net.driver ?? null, drift: net.drift, duplicates: net.duplicates },
    };
  }

  /** Closes every socket; in-flight calls fail with ClientClosedError. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#logger.debug({ endpoint: this.endpoint.url }, 'docker client closed');
    await this.api.transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new ClientClosedError(operation);
  }
}

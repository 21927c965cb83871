/**
 * One error hierarchy for every layer (modelled on undici's lib/core/errors.js).
 *
 * Every class has a stable `code`; `cause` is always kept. `instanceof` works across
 * copies of this module (two versions installed side by side) because it checks a
 * brand registered with `Symbol.for`, not the prototype chain.
 */

const kCodes = Symbol.for('aicli-docker.error.codes');

export type ErrorCode =
  | 'DOCKER_ERROR'
  | 'DOCKER_NOT_AVAILABLE'
  | 'DOCKER_CONNECTION_LOST'
  | 'DOCKER_TIMEOUT'
  | 'DOCKER_ABORTED'
  | 'DOCKER_TLS_ERROR'
  | 'DOCKER_API_ERROR'
  | 'DOCKER_NOT_FOUND'
  | 'NETWORK_NOT_FOUND'
  | 'IMAGE_NOT_FOUND'
  | 'CONTAINER_NOT_FOUND'
  | 'DOCKER_CONFLICT'
  | 'DOCKER_PROTOCOL_ERROR'
  | 'INVALID_CONFIG'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED_API_VERSION'
  | 'UNSUPPORTED_ENDPOINT'
  | 'CLIENT_CLOSED'
  | 'API_VERSION_TOO_OLD'
  // Workspaces (issue 9)
  | 'WORKSPACE_NOT_FOUND'
  | 'WORKSPACE_CONFLICT'
  | 'POLICY_VIOLATION'
  // Swarm workspaces (issue 13)
  | 'SWARM_UNSUPPORTED'
  | 'NOT_SWARM_MANAGER'
  | 'NODE_ENDPOINT_UNKNOWN'
  | 'WORKSPACE_NOT_HARDENED'
  | 'SWARM_WORKSPACE_ERROR'
  // Inside a workspace (issue 10): exec, files, images.
  | 'EXEC_TIMEOUT'
  | 'IMAGE_PULL_FAILED'
  | 'IMAGE_LOAD_FAILED'
  | 'REGISTRY_CREDENTIALS'
  | 'UNSAFE_ARCHIVE'
  | 'PATH_NOT_FOUND'
  | 'CONTAINER_NOT_RUNNING'
  // network feature
  | 'NETWORK_NOT_MANAGED'
  | 'NETWORK_IN_USE'
  // Egress (issue 12)
  | 'EGRESS_IMAGE_UNAVAILABLE'
  | 'EGRESS_NOT_FOUND'
  | 'EGRESS_UNSUPPORTED'
  // Podman (issue 14)
  | 'ENGINE_UNSUPPORTED';

export class DockerError extends Error {
  static readonly code: ErrorCode = 'DOCKER_ERROR';
  declare readonly [kCodes]: readonly ErrorCode[];
  readonly code: ErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const codes: ErrorCode[] = [];
    for (let c = new.target as unknown; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
      const code = (c as { code?: ErrorCode }).code;
      if (code !== undefined && Object.hasOwn(c, 'code')) codes.push(code);
    }
    Object.defineProperty(this, kCodes, { value: Object.freeze(codes), enumerable: false });
    this.code = codes[0] ?? 'DOCKER_ERROR';
    this.name = new.target.name;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    const codes = (value as { [kCodes]?: unknown } | null | undefined)?.[kCodes];
    return Array.isArray(codes) && codes.includes((this as unknown as { code: ErrorCode }).code);
  }
}

/** True for any error of this library, from any copy of it. */
export function isDockerError(value: unknown, code?: ErrorCode): value is DockerError {
  if (!(value instanceof DockerError)) return false;
  return code === undefined || (value as { [kCodes]: readonly ErrorCode[] })[kCodes].includes(code);
}

/** Where an engine was looked for and why it was not used. */
export interface DiscoveryAttempt {
  readonly source: string;
  readonly endpoint?: string;
  readonly reason: string;
}

export interface RequestTarget {
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
}

function where(t: RequestTarget): string {
  return `${t.method} ${t.path} on ${t.endpoint}`;
}

/** The engine could not be reached at all (nothing listening, no socket, refused, unresolvable). */
export class DockerNotAvailableError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_NOT_AVAILABLE';
  readonly endpoint: string | undefined;
  readonly attempts: readonly DiscoveryAttempt[];
  constructor(message: string, options: { endpoint?: string; attempts?: readonly DiscoveryAttempt[]; cause?: unknown }) {
    super(message, options);
    this.endpoint = options.endpoint;
    this.attempts = Object.freeze([...(options.attempts ?? [])]);
  }
}

/** The connection broke after the request was sent (reset, closed mid-response). */
export class DockerConnectionLostError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_CONNECTION_LOST';
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  /** The call must not run twice and may have reached the engine: it was not sent again. */
  readonly mayHaveTakenEffect: boolean;
  constructor(target: RequestTarget, detail: string, options?: { cause?: unknown; mayHaveTakenEffect?: boolean }) {
    const unsure = options?.mayHaveTakenEffect === true;
    super(
      `Connection to the Docker engine was lost during ${where(target)}: ${detail}. ` +
        (unsure
          ? `${target.method} ${target.path} may have reached the engine, so it was not sent again: check whether it took effect before repeating it. The engine (or the connection to it) may have failed; see its logs.`
          : 'The engine may have restarted or crashed; check its logs and retry.'),
      options,
    );
    this.method = target.method;
    this.path = target.path;
    this.endpoint = target.endpoint;
    this.mayHaveTakenEffect = unsure;
  }
}

/** `connect`: opening the connection; `ping`: the first ping of connect(); `request`: any other call. */
export type TimeoutPhase = 'connect' | 'request' | 'ping';

export class DockerTimeoutError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_TIMEOUT';
  readonly phase: TimeoutPhase;
  readonly timeoutMs: number;
  /** What set the limit (`--timeout`, `AICLI_DOCKER_TIMEOUT`, the timeoutMs option); undefined: aicli-docker's default. */
  readonly setBy: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  constructor(target: RequestTarget, phase: TimeoutPhase, timeoutMs: number, options?: { cause?: unknown; setBy?: string | undefined }) {
    const setBy = options?.setBy;
    const limit = formatMs(timeoutMs);
    const what =
      phase === 'connect'
        ? `Connecting to the Docker engine at ${target.endpoint} for ${target.method} ${target.path} took longer than ${limit}`
        : `The Docker engine at ${target.endpoint} did not answer ${target.method} ${target.path} within ${limit}`;
    const why =
      setBy !== undefined
        ? `set by ${setBy}`
        : phase === 'ping'
          ? "aicli-docker's limit for the first ping, which a time-out you set replaces"
          : phase === 'connect'
            ? "aicli-docker's default connect limit"
            : "aicli-docker's default time-out";
    const fix = setBy !== undefined ? `raise ${setBy}` : 'set a longer time-out (--timeout, AICLI_DOCKER_TIMEOUT, `timeout` in the configuration file, or the timeoutMs option)';
    super(`${what} (${why}). Check that the engine is running and responsive (\`docker info\`), or ${fix}.`, options);
    this.phase = phase;
    this.timeoutMs = timeoutMs;
    this.setBy = setBy;
    this.method = target.method;
    this.path = target.path;
    this.endpoint = target.endpoint;
  }
}

/** The caller's AbortSignal fired. `cause` is the signal's reason. */
export class DockerAbortedError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_ABORTED';
  constructor(target: RequestTarget, reason: unknown) {
    super(`${where(target)} was aborted by the caller.`, { cause: reason });
  }
}

export class DockerTlsError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_TLS_ERROR';
  readonly path: string | undefined;
  readonly endpoint: string | undefined;
  constructor(message: string, options: { path?: string; endpoint?: string; cause?: unknown }) {
    super(message, options);
    this.path = options.path;
    this.endpoint = options.endpoint;
  }
}

/** `HTTP 404: no such network.`, or `HTTP 404 with no message.`: the engine's words, as one sentence. */
export function engineSaid(statusCode: number, message: string): string {
  const text = message.trim().replace(/[.\s]+$/, '');
  return text === '' ? `HTTP ${statusCode} with no message.` : `HTTP ${statusCode}: ${text}.`;
}

/** The engine answered with an error status. `daemonMessage` is its own words. */
export class DockerApiError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_API_ERROR';
  readonly statusCode: number;
  readonly method: string;
  readonly path: string;
  readonly endpoint: string;
  readonly daemonMessage: string;
  constructor(target: RequestTarget, statusCode: number, daemonMessage: string, hint?: string, options?: { cause?: unknown }) {
    super(`${where(target)} failed with ${engineSaid(statusCode, daemonMessage)}${hint === undefined ? '' : ` ${hint}`}`, options);
    this.statusCode = statusCode;
    this.method = target.method;
    this.path = target.path;
    this.endpoint = target.endpoint;
    this.daemonMessage = daemonMessage;
  }
}

export type ResourceKind = 'network' | 'image' | 'container' | 'volume' | 'exec' | 'object';

export class DockerNotFoundError extends DockerApiError {
  static override readonly code: ErrorCode = 'DOCKER_NOT_FOUND';
  readonly resource: ResourceKind;
  constructor(target: RequestTarget, daemonMessage: string, resource: ResourceKind = 'object') {
    super(target, 404, daemonMessage, notFoundHint(resource));
    this.resource = resource;
  }
}

function notFoundHint(resource: ResourceKind): string {
  switch (resource) {
    case 'image':
      return 'Pull or build the image first, or check its name and tag.';
    case 'network':
      return 'Check the network name, or let aicli create it.';
    case 'container':
      return 'The container may have been removed; list containers with `docker ps -a`.';
    default:
      return 'Check the name or id.';
  }
}

export class NetworkNotFoundError extends DockerNotFoundError {
  static override readonly code: ErrorCode = 'NETWORK_NOT_FOUND';
  constructor(target: RequestTarget, daemonMessage: string) {
    super(target, daemonMessage, 'network');
  }
}

export class ImageNotFoundError extends DockerNotFoundError {
  static override readonly code: ErrorCode = 'IMAGE_NOT_FOUND';
  constructor(target: RequestTarget, daemonMessage: string) {
    super(target, daemonMessage, 'image');
  }
}

export class ContainerNotFoundError extends DockerNotFoundError {
  static override readonly code: ErrorCode = 'CONTAINER_NOT_FOUND';
  constructor(target: RequestTarget, daemonMessage: string) {
    super(target, daemonMessage, 'container');
  }
}

export class DockerConflictError extends DockerApiError {
  static override readonly code: ErrorCode = 'DOCKER_CONFLICT';
  constructor(target: RequestTarget, daemonMessage: string) {
    super(target, 409, daemonMessage, 'Another object already uses that name or the object is in use.');
  }
}

/**
 * A create refused because the name is taken: Docker's 409, or the words Podman's compatible
 * service (500) and Swarm's name check use. Such a create made nothing.
 */
export function isNameConflict(err: unknown): boolean {
  return err instanceof DockerConflictError || (err instanceof DockerApiError && /is already in use|already exists|name conflicts with an existing object/i.test(err.daemonMessage));
}

/** The engine's answer could not be read (truncated, not JSON where JSON was due). */
export class DockerProtocolError extends DockerError {
  static override readonly code: ErrorCode = 'DOCKER_PROTOCOL_ERROR';
  constructor(target: RequestTarget, detail: string, options?: { cause?: unknown }) {
    super(`The Docker engine's answer to ${where(target)} could not be read: ${detail}.`, options);
  }
}

/** One problem in a configuration: where it is, what was found, what is expected. */
export interface ConfigProblem {
  /** A file path, an environment variable name, a flag, or `option`. */
  readonly source: string;
  /** The key path, e.g. `memory_limit` or `tmpfs[1].size`. */
  readonly key: string;
  readonly message: string;
}

export class InvalidConfigError extends DockerError {
  static override readonly code: ErrorCode = 'INVALID_CONFIG';
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    const lines = problems.map((p) => `  - ${p.source}: ${namesKey(p.source, p.key) ? '' : `${p.key}: `}${p.message}`);
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, options);
    this.problems = Object.freeze([...problems]);
  }
}

/** Whether a source already names the key (`--timeout`, `AICLI_DOCKER_TIMEOUT` for `timeout`): then the key is not said twice. */
function namesKey(source: string, key: string): boolean {
  return source.replace(/^--/, '').replace(/^AICLI_DOCKER_/, '').toLowerCase().replace(/-/g, '_') === key;
}

/** A bad argument to a library call (a name, an id, a label). */
export class InvalidArgumentError extends DockerError {
  static override readonly code: ErrorCode = 'INVALID_ARGUMENT';
  readonly argument: string;
  constructor(argument: string, message: string) {
    super(`Invalid ${argument}: ${message}`);
    this.argument = argument;
  }
}

export class UnsupportedApiVersionError extends DockerError {
  static override readonly code: ErrorCode = 'UNSUPPORTED_API_VERSION';
  readonly serverVersion: string;
  readonly minimumVersion: string;
  readonly endpoint: string;
  constructor(endpoint: string, serverVersion: string, minimumVersion: string) {
    super(
      `The Docker engine at ${endpoint} speaks API ${serverVersion}, older than ${minimumVersion}, the oldest aicli-docker supports. ` +
        'Upgrade the engine (Docker 20.10 or newer).',
    );
    this.serverVersion = serverVersion;
    this.minimumVersion = minimumVersion;
    this.endpoint = endpoint;
  }
}

export class UnsupportedEndpointError extends DockerError {
  static override readonly code: ErrorCode = 'UNSUPPORTED_ENDPOINT';
  readonly endpoint: string;
  constructor(endpoint: string, message: string) {
    super(message);
    this.endpoint = endpoint;
  }
}

export class ClientClosedError extends DockerError {
  static override readonly code: ErrorCode = 'CLIENT_CLOSED';
  constructor(operation: string) {
    super(`${operation} was called on a closed Docker client. Connect a new client.`);
  }
}

// --- Workspaces (issue 9) ------------------------------------------------------------

/** No workspace of that name on the engine (only containers aicli labelled are looked at). */
export class WorkspaceNotFoundError extends DockerError {
  static override readonly code: ErrorCode = 'WORKSPACE_NOT_FOUND';
  readonly workspace: string;
  readonly endpoint: string;
  constructor(workspace: string, endpoint: string) {
    super(`No workspace named "${workspace}" on ${endpoint}. List the workspaces with \`aicli-docker workspace ls\`, or create it with \`aicli-docker workspace create ${workspace}\`.`);
    this.workspace = workspace;
    this.endpoint = endpoint;
  }
}

/** A container holds the workspace's name but aicli did not make it: it is left alone. */
export class WorkspaceConflictError extends DockerError {
  static override readonly code: ErrorCode = 'WORKSPACE_CONFLICT';
  readonly workspace: string;
  readonly containerName: string;
  readonly containerId: string;
  constructor(workspace: string, containerName: string, containerId: string, endpoint: string) {
    super(
      `A container named "${containerName}" (${containerId.slice(0, 12)}) already exists on ${endpoint}, and aicli did not make it ` +
        `(it lacks aicli's workspace labels), so workspace "${workspace}" cannot use that name. Nothing was changed. ` +
        `Rename or remove that container (\`docker rename ${containerName} NEW\`), or pick another workspace name.`,
    );
    this.workspace = workspace;
    this.containerName = containerName;
    this.containerId = containerId;
  }
}

/** One setting that breaks a workspace's isolation. */
export interface PolicyViolation extends ConfigProblem {
  /** The rule broken, as `allow_unsafe` names it (`privileged`, `host-path`, ...). */
  readonly rule: string;
}

/**
 * Settings that break a workspace's isolation, found before anything was created. A
 * configuration problem (CLI exit 2): each entry names the setting, where it was set,
 * and how to allow it explicitly.
 */
export class PolicyViolationError extends InvalidConfigError {
  static override readonly code: ErrorCode = 'POLICY_VIOLATION';
  readonly violations: readonly PolicyViolation[];
  constructor(violations: readonly PolicyViolation[]) {
    super(violations);
    const lines = violations.map((v) => `  - ${v.source}: ${v.key}: ${v.message}`);
    const n = violations.length;
    this.message = `Refused: ${n === 1 ? 'this setting breaks' : `these ${n} settings break`} the workspace's isolation; nothing was created.\n${lines.join('\n')}`;
    this.violations = Object.freeze([...violations]);
  }
}

export function formatMs(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}

// Foundation fixes (issue 6, and issue 13's pinned-version message).

/** A pinned API version (DOCKER_API_VERSION, `version`, the apiVersion option) and what pinned it. */
export interface ApiVersionPin {
  readonly version: string;
  /** `DOCKER_API_VERSION`, `AICLI_DOCKER_VERSION`, a configuration file path, `apiVersion option`. */
  readonly source: string;
  readonly layer: 'env' | 'file' | 'flag' | 'option';
}

/** What to change so the pin goes: unset the variable, edit the file, or change the option. */
function unpinHint(pin: ApiVersionPin, minimum: string | undefined): string {
  const newer = minimum === undefined ? 'a version the engine accepts' : `${minimum} or newer`;
  switch (pin.layer) {
    case 'env':
      return `Unset ${pin.source} to let aicli-docker agree on a version with the engine, or set it to ${newer}.`;
    case 'file':
      return `Set \`version: auto\` in ${pin.source} to let aicli-docker agree on a version with the engine, or pin ${newer} there.`;
    case 'flag':
      return `Drop ${pin.source} to let aicli-docker agree on a version with the engine, or give ${newer}.`;
    default:
      return `Leave out ${pin.source} (or make it "auto") to let aicli-docker agree on a version with the engine, or pin ${newer}.`;
  }
}

/**
 * The engine refuses the pinned API version as too old (Docker 25+ below its minimum,
 * Docker 29 below 1.44). The message names what pinned it and what to change, in
 * place of the engine's "please upgrade your client" (kept in `daemonMessage`).
 */
export class ApiVersionTooOldError extends DockerApiError {
  static override readonly code: ErrorCode = 'API_VERSION_TOO_OLD';
  readonly pinnedVersion: string;
  readonly pinnedBy: string;
  /** The engine's minimum, when it says it. */
  readonly minimumVersion: string | undefined;
  constructor(target: RequestTarget, statusCode: number, daemonMessage: string, pin: ApiVersionPin, minimumVersion: string | undefined) {
    super(target, statusCode, daemonMessage);
    const floor = minimumVersion === undefined ? 'a newer one' : `${minimumVersion} or newer`;
    const pinnedBy = pin.layer === 'file' ? `\`version\` in ${pin.source}` : pin.source;
    this.message =
      `The Docker engine at ${target.endpoint} refuses API ${pin.version}, which ${pinnedBy} pins: it accepts ${floor} ` +
      `(${target.method} ${target.path} failed with HTTP ${statusCode}). ${unpinHint(pin, minimumVersion)}`;
    this.pinnedVersion = pin.version;
    this.pinnedBy = pin.source;
    this.minimumVersion = minimumVersion;
  }
}

// --- Swarm workspaces (issue 13) ---

/**
 * A workspace setting that a Swarm service cannot carry, or an engine whose API cannot carry
 * it (each problem names the key, what is missing and the fix). Nothing was created. Exit 2.
 */
export class SwarmUnsupportedError extends InvalidConfigError {
  static override readonly code: ErrorCode = 'SWARM_UNSUPPORTED';
  constructor(problems: readonly ConfigProblem[]) {
    super(problems);
    const lines = problems.map((p) => `  - ${p.key}: ${p.message}`);
    this.message = `A Swarm workspace cannot be made as configured; nothing was created (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
  }
}

/** `orchestrator: swarm` (or a Swarm call) on an engine that is not an active Swarm manager. Exit 2. */
export class NotSwarmManagerError extends InvalidConfigError {
  static override readonly code: ErrorCode = 'NOT_SWARM_MANAGER';
  readonly endpoint: string;
  constructor(endpoint: string, state: string, source: string) {
    super([{ source, key: 'orchestrator', message: `the engine at ${endpoint} is not a Swarm manager (swarm state: ${state})` }]);
    this.endpoint = endpoint;
    this.message =
      `The engine at ${endpoint} is not a Swarm manager (swarm state: ${state}), but ${source} asks for Swarm workspaces. ` +
      'Point aicli at a manager (--host, DOCKER_HOST), run `docker swarm init` there, or set orchestrator: engine.';
  }
}

/** A workspace runs on a node whose engine endpoint aicli does not know. Exit 2. */
export class NodeEndpointUnknownError extends InvalidConfigError {
  static override readonly code: ErrorCode = 'NODE_ENDPOINT_UNKNOWN';
  readonly node: string;
  constructor(node: string, nodeId: string, purpose: string) {
    super([{ source: 'swarm', key: `swarm_node_endpoints.${node}`, message: `no engine endpoint known for node ${node}` }]);
    this.node = node;
    this.message =
      `Cannot ${purpose}: it runs on Swarm node ${node} (${nodeId}), and aicli does not know how to reach that node's engine ` +
      '(the manager cannot exec, read logs, copy files or read stats for another node). Set it either way: ' +
      `label the node (\`docker node update --label-add aicli.engine=tcp://HOST:2376 ${node}\`; any endpoint aicli supports: unix://, tcp:// with TLS, ssh://), ` +
      `or map its hostname in the configuration (swarm_node_endpoints: {"${node}": "ssh://user@${node}"}).`;
  }
}

/** The container Swarm started does not hold the hardening asked for; the workspace was removed. */
export class WorkspaceNotHardenedError extends DockerError {
  static override readonly code: ErrorCode = 'WORKSPACE_NOT_HARDENED';
  readonly workspace: string;
  readonly node: string;
  readonly problems: readonly string[];
  constructor(workspace: string, node: string, problems: readonly string[], removed: boolean) {
    super(
      `Workspace "${workspace}" started on Swarm node ${node} without the hardening it was created with: ${problems.join('; ')}. ` +
        (removed ? 'It was removed. ' : 'Removing it failed; remove it with `workspace rm`. ') +
        "The node's engine is probably older than the manager (each node applies the spec with its own Docker version): upgrade it to Docker 25 or newer, or keep workspaces off it with a placement constraint.",
    );
    this.workspace = workspace;
    this.node = node;
    this.problems = Object.freeze([...problems]);
  }
}

/** A Swarm workspace is not in a state the operation needs (not running, failed to start), with Swarm's own reason. */
export class SwarmWorkspaceError extends DockerError {
  static override readonly code: ErrorCode = 'SWARM_WORKSPACE_ERROR';
  readonly workspace: string;
  readonly state: string;
  constructor(workspace: string, state: string, message: string) {
    super(message);
    this.workspace = workspace;
    this.state = state;
  }
}

// --- Inside a workspace (issue 10): exec, files, images -----------------------------------

/** A command ran past its time-out; it was killed inside the container (`killed`), not only left. */
export class ExecTimeoutError extends DockerError {
  static override readonly code: ErrorCode = 'EXEC_TIMEOUT';
  readonly timeoutMs: number;
  readonly killed: boolean;
  readonly container: string;
  constructor(container: string, command: string, timeoutMs: number, killed: boolean, options?: { cause?: unknown }) {
    super(
      `The command "${command}" in ${container} ran longer than ${formatMs(timeoutMs)} and ${killed ? 'was killed' : 'could not be confirmed killed (the container may lack sh, grep or kill)'}. ` +
        'Raise timeoutMs, or make the command finish sooner.',
      options,
    );
    this.timeoutMs = timeoutMs;
    this.killed = killed;
    this.container = container;
  }
}

/** A pull (or push) failed: the engine answered 200, then reported the error inside the stream. */
export class ImagePullError extends DockerError {
  static override readonly code: ErrorCode = 'IMAGE_PULL_FAILED';
  readonly image: string;
  readonly daemonMessage: string;
  constructor(image: string, daemonMessage: string, hint: string, options?: { cause?: unknown }) {
    super(`Pulling ${image} failed: ${daemonMessage}. ${hint}`, options);
    this.image = image;
    this.daemonMessage = daemonMessage;
  }
}

export class ImageLoadError extends DockerError {
  static override readonly code: ErrorCode = 'IMAGE_LOAD_FAILED';
  readonly source: string;
  readonly daemonMessage: string;
  constructor(source: string, daemonMessage: string, options?: { cause?: unknown }) {
    super(`Loading an image from ${source} failed: ${daemonMessage}. Check that it is a tarball made by \`docker save\` (or \`docker image save\`).`, options);
    this.source = source;
    this.daemonMessage = daemonMessage;
  }
}

/** Registry credentials could not be read (config.json, a credential helper). Never holds a secret. */
export class RegistryCredentialsError extends DockerError {
  static override readonly code: ErrorCode = 'REGISTRY_CREDENTIALS';
  readonly registry: string;
  constructor(registry: string, message: string, options?: { cause?: unknown }) {
    super(`Cannot read the credentials for ${registry}: ${message}`, options);
    this.registry = registry;
  }
}

/** An archive entry would land outside its target (`..`, an absolute or escaping link). Nothing was written. */
export class UnsafeArchiveError extends DockerError {
  static override readonly code: ErrorCode = 'UNSAFE_ARCHIVE';
  readonly entry: string;
  constructor(entry: string, reason: string) {
    super(`Refused the archive: entry ${JSON.stringify(entry)} ${reason}. Nothing was copied; remove or fix that entry.`);
    this.entry = entry;
  }
}

/** A path to copy from or into does not exist (in a container, or on this host). */
export class PathNotFoundError extends DockerError {
  static override readonly code: ErrorCode = 'PATH_NOT_FOUND';
  readonly path: string;
  readonly where: string;
  constructor(path: string, where: string, hint: string, options?: { cause?: unknown }) {
    super(`No such file or folder ${path} ${where}. ${hint}`, options);
    this.path = path;
    this.where = where;
  }
}

/** A command was to run in a container that is not running (stopped, paused, restarting). */
export class ContainerNotRunningError extends DockerError {
  static override readonly code: ErrorCode = 'CONTAINER_NOT_RUNNING';
  readonly container: string;
  readonly daemonMessage: string;
  constructor(container: string, daemonMessage: string, options?: { cause?: unknown }) {
    super(`Cannot run a command in ${container}: ${daemonMessage}. Start it first (\`aicli-docker workspace start NAME\`), then try again.`, options);
    this.container = container;
    this.daemonMessage = daemonMessage;
  }
}

// --- network feature -------------------------------------------------------------

/**
 * A network named like aicli's exists but does not carry `aicli.managed=true`: aicli
 * refuses to use, change or remove it. A configuration refusal (INVALID_CONFIG: CLI exit 2).
 */
export class NetworkNotManagedError extends InvalidConfigError {
  static override readonly code: ErrorCode = 'NETWORK_NOT_MANAGED';
  readonly network: string;
  readonly networkId: string;
  constructor(problem: ConfigProblem, network: string, networkId: string) {
    super([problem]);
    this.network = network;
    this.networkId = networkId;
  }
}

/** Containers are attached to the network, so it was not removed or replaced (CLI exit 1). */
export class NetworkInUseError extends DockerError {
  static override readonly code: ErrorCode = 'NETWORK_IN_USE';
  readonly network: string;
  readonly networkId: string;
  /** Names (or ids, when the engine gives no name) of the attached containers. */
  readonly containers: readonly string[];
  constructor(network: string, networkId: string, containers: readonly string[], action: string, fix: string, options?: { cause?: unknown }) {
    const shown = containers.length === 0 ? 'containers (the engine did not name them)' : `${containers.length} container${containers.length === 1 ? '' : 's'}: ${containers.join(', ')}`;
    super(`Cannot ${action} the network "${network}" (id ${networkId.slice(0, 12)}): it has ${shown} attached; nothing was changed. ${fix}`, options);
    this.network = network;
    this.networkId = networkId;
    this.containers = Object.freeze([...containers]);
  }
}

// Egress (issue 12).

/** No egress gateway image can be used: it cannot be made here, or the engine refused it. Set egress_image. */
export class EgressImageError extends DockerError {
  static override readonly code: ErrorCode = 'EGRESS_IMAGE_UNAVAILABLE';
}

/** A workspace has no egress gateway (it was created without an allowlist, or not at all). */
export class EgressNotFoundError extends DockerError {
  static override readonly code: ErrorCode = 'EGRESS_NOT_FOUND';
  readonly workspace: string;
  constructor(workspace: string, message?: string) {
    super(
      message ??
        `Workspace "${workspace}" has no egress gateway: it was created without an egress allowlist, or does not exist. ` +
          'Create it with --egress-allow (or egress_allow in the configuration) to limit its network to named hosts.',
    );
    this.workspace = workspace;
  }
}

/** The engine cannot isolate a workspace behind a gateway (it drops the bridge option that keeps the host off its network). */
export class EgressUnsupportedError extends DockerError {
  static override readonly code: ErrorCode = 'EGRESS_UNSUPPORTED';
}
// --- Podman (issue 14) -------------------------------------------------------------

/**
 * The engine cannot do what the configuration asks (Podman has no Swarm orchestrator, no
 * overlay networks, ...): refused before anything is created, naming the engine and the
 * missing piece. A configuration refusal (INVALID_CONFIG: CLI exit 2).
 */
export class EngineUnsupportedError extends InvalidConfigError {
  static override readonly code: ErrorCode = 'ENGINE_UNSUPPORTED';
  /** `Podman 4.3.1`. */
  readonly engine: string;
  readonly endpoint: string;
  /** What was asked: `Swarm workspaces`. */
  readonly feature: string;
  /** What the engine lacks: `a Swarm orchestrator`. */
  readonly missing: string;
  constructor(
    details: { engine: string; endpoint: string; feature: string; missing: string; why: string; fix: string; source: string; key: string },
    options?: { cause?: unknown },
  ) {
    const said = `${details.feature} needs ${details.missing}, and ${details.engine} (at ${details.endpoint}) has none: ${details.why}`;
    super([{ source: details.source, key: details.key, message: `${said}. Nothing was created. ${details.fix}` }], options);
    this.engine = details.engine;
    this.endpoint = details.endpoint;
    this.feature = details.feature;
    this.missing = details.missing;
    this.message = `${said} (asked by ${details.source}). Nothing was created. ${details.fix}`;
  }
}

/**
 * The configuration keys: file name (snake_case), typed field (camelCase), default,
 * checker and documentation, in one table so docs, `config init`, "did you mean" and
 * validation cannot drift apart.
 */
import { CPUS_EXPECTED, DURATION_EXPECTED, formatDuration, SIZE_EXPECTED } from './units.js';
import { closest } from '../../suggest.js';
import {
  booleanCheck,
  cpusCheck,
  durationCheck,
  integerCheck,
  listCheck,
  mapCheck,
  ok,
  bad,
  sizeCheck,
  stringCheck,
  describe,
  type Check,
} from './values.js';
import { egressAllowCheck, egressPortsCheck } from './egress-keys.js';

/** `auto` negotiates with the engine; otherwise `MAJOR.MINOR`. */
export type ApiVersion = 'auto' | `${number}.${number}`;

export interface DockerConfig {
  /** Undefined: discovered like the docker CLI (DOCKER_HOST, context, platform default). */
  readonly host: string | undefined;
  /** A docker context name; undefined: the current one. */
  readonly context: string | undefined;
  readonly apiVersion: ApiVersion;
  readonly timeoutMs: number;
  readonly defaultImage: string;
  readonly defaultShell: readonly string[];
  readonly networkName: string;
  readonly networkInternal: boolean;
  readonly cpuLimit: number;
  readonly memoryLimitBytes: number;
  /** -1: no limit. */
  readonly pidsLimit: number;
  readonly privileged: boolean;
  readonly readOnly: boolean;
  readonly securityOpts: readonly string[];
  /** Upper case, without `CAP_`; `ALL` for all. */
  readonly capDrop: readonly string[];
  readonly capAdd: readonly string[];
  /** Absolute container path → mount options, as in `docker run --tmpfs PATH:OPTIONS`. */
  readonly tmpfs: Readonly<Record<string, string>>;
  readonly user: string | undefined;
  // Egress (issue 12).
  /** Host names a workspace may reach through its egress gateway; empty: no allowlist (a normal network). */
  readonly egressAllow: readonly string[];
  readonly egressPorts: readonly number[];
  /** Undefined: the gateway image is made on the engine from this Node. */
  readonly egressImage: string | undefined;
}

const FIELDS = {
  host: 'host',
  context: 'context',
  version: 'apiVersion',
  timeout: 'timeoutMs',
  default_image: 'defaultImage',
  default_shell: 'defaultShell',
  network_name: 'networkName',
  network_internal: 'networkInternal',
  cpu_limit: 'cpuLimit',
  memory_limit: 'memoryLimitBytes',
  pids_limit: 'pidsLimit',
  privileged: 'privileged',
  read_only: 'readOnly',
  security_opts: 'securityOpts',
  cap_drop: 'capDrop',
  cap_add: 'capAdd',
  tmpfs: 'tmpfs',
  user: 'user',
  egress_allow: 'egressAllow',
  egress_ports: 'egressPorts',
  egress_image: 'egressImage',
} as const satisfies Record<string, keyof DockerConfig>;

/** A key as written in the file (`memory_limit`). */
export type ConfigKey = keyof typeof FIELDS;
type FieldOf<K extends ConfigKey> = DockerConfig[(typeof FIELDS)[K]];

/** Docker's own floor (linuxMinMemory): smaller limits are refused by the engine. */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;
/** Node timers overflow above 2^31-1 ms (about 24.8 days) and then fire at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** The engine refuses `--cpus` below 0.01. */
export const MIN_CPUS = 0.01;

const HOST_SCHEMES = ['unix', 'tcp', 'http', 'https', 'npipe', 'ssh'];

/** Capabilities Docker knows (capability(7)); `ALL` means all of them. */
export const CAPABILITIES: readonly string[] = [
  'AUDIT_CONTROL', 'AUDIT_READ', 'AUDIT_WRITE', 'BLOCK_SUSPEND', 'BPF', 'CHECKPOINT_RESTORE', 'CHOWN',
  'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'IPC_LOCK', 'IPC_OWNER', 'KILL', 'LEASE',
  'LINUX_IMMUTABLE', 'MAC_ADMIN', 'MAC_OVERRIDE', 'MKNOD', 'NET_ADMIN', 'NET_BIND_SERVICE', 'NET_BROADCAST',
  'NET_RAW', 'PERFMON', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYSLOG', 'SYS_ADMIN', 'SYS_BOOT',
  'SYS_CHROOT', 'SYS_MODULE', 'SYS_NICE', 'SYS_PACCT', 'SYS_PTRACE', 'SYS_RAWIO', 'SYS_RESOURCE',
  'SYS_TIME', 'SYS_TTY_CONFIG', 'WAKE_ALARM',
];

function capability(s: string): { value: string } | { problem: string } {
  const name = s.trim().toUpperCase().replace(/^CAP_/, '');
  if (name === 'ALL' || CAPABILITIES.includes(name)) return { value: name };
  const near = closest(name, [...CAPABILITIES, 'ALL']);
  return { problem: `is not a Linux capability${near === undefined ? '; expected e.g. NET_BIND_SERVICE, CHOWN or ALL' : `; did you mean "${near}"?`}` };
}

/** Go's strconv.ParseBool, which the engine uses for security option values. */
const GO_BOOLS = ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'];
/** What the engine accepts in HostConfig.SecurityOpt, plus the CLI's systempaths. */
const SECURITY_OPTS = ['no-new-privileges', 'seccomp', 'apparmor', 'label', 'writable-cgroups', 'systempaths'];

function securityOpt(s: string): { value: string } | { problem: string } {
  if (s === 'no-new-privileges' || s === 'disable') return { value: s };
  const sep = s.includes('=') ? '=' : ':';
  const at = s.indexOf(sep);
  if (at === -1) return { problem: 'is not a security option; expected NAME=VALUE such as no-new-privileges:true or seccomp=unconfined' };
  const name = s.slice(0, at);
  const value = s.slice(at + 1);
  if (!SECURITY_OPTS.includes(name)) {
    const near = closest(name, SECURITY_OPTS);
    return { problem: `has an unknown option name "${name}"${near === undefined ? `; expected one of ${SECURITY_OPTS.join(', ')}` : `; did you mean "${near}"?`}` };
  }
  if ((name === 'no-new-privileges' || name === 'writable-cgroups') && !GO_BOOLS.includes(value)) {
    return { problem: `must set ${name} to true or false` };
  }
  if (value === '') return { problem: `has no value for ${name}` };
  return { value: s };
}

const TMPFS_SIZE = /^\d+[kmgtpe%]?$/i;

function tmpfsEntry(path: string, options: string, quote: (v: unknown) => string): string | undefined {
  if (!path.startsWith('/')) return `${quote(path)} is not an absolute path; expected e.g. /tmp`;
  if (path === '/') return 'cannot mount a tmpfs over the root; use read_only: false instead';
  if (/[:,\s]/.test(path)) return `${quote(path)} must not contain ":", "," or spaces (docker splits --tmpfs on them)`;
  if (options === '') return undefined;
  for (const option of options.split(',')) {
    const eq = option.indexOf('=');
    const name = eq === -1 ? option : option.slice(0, eq);
    const value = eq === -1 ? undefined : option.slice(eq + 1);
    if (!/^[a-z_]+$/.test(name)) return `${quote(options)} has a bad option ${quote(option)}; expected comma-separated options such as rw,noexec,nosuid,size=64m`;
    if (name === 'size' && (value === undefined || !TMPFS_SIZE.test(value))) return `${quote(options)} has a bad size ${quote(option)}; expected size=64m (k, m, g or %)`;
    if (name === 'mode' && (value === undefined || !/^[0-7]{3,4}$/.test(value))) return `${quote(options)} has a bad mode ${quote(option)}; expected octal such as mode=1777`;
  }
  return undefined;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const versionCheck: Check<ApiVersion> = (raw, quote) => {
  let value = raw.value;
  // JSON has no way to keep "1.40" apart from 1.4; accept a number only when unambiguous.
  if (typeof value === 'number' && /^\d+\.\d\d$/.test(String(value))) value = String(value);
  if (typeof value !== 'string') return bad(`expected "auto" or an API version such as "1.44" (as a string), found ${describe(value, quote)}`);
  const v = value.trim();
  if (v === 'auto') return ok('auto');
  if (/^\d+\.\d+$/.test(v)) return ok(v as ApiVersion);
  return bad(`${quote(value)} is not an API version; expected "auto" or MAJOR.MINOR such as 1.44`);
};

/** Metadata for one key, as documented and as `config init` writes it. */
export interface KeyInfo {
  readonly key: ConfigKey;
  readonly field: keyof DockerConfig;
  /** `AICLI_DOCKER_<KEY>`. */
  readonly env: string;
  /** `string`, `duration`, `size`, `list of strings`, ... */
  readonly type: string;
  readonly description: string;
  /** A value in file (YAML) syntax, for docs and commented-out lines. */
  readonly example: string;
  /** Values of secret keys are never printed in messages (no key is secret today). */
  readonly secret: boolean;
}

interface KeySpec<K extends ConfigKey> {
  readonly type: string;
  readonly default: FieldOf<K>;
  readonly description: string;
  readonly example: string;
  readonly secret?: boolean;
  readonly check: Check<FieldOf<K>>;
}

type Specs = { readonly [K in ConfigKey]: KeySpec<K> };

const SPECS: Specs = {
  host: {
    type: 'string (URL)',
    default: undefined,
    description:
      'The Docker engine to use. Unset: found the way the docker CLI finds it (DOCKER_HOST, DOCKER_CONTEXT, the current context, then the platform default such as unix:///var/run/docker.sock).',
    example: 'unix:///var/run/docker.sock',
    check: stringCheck('a Docker host URL such as unix:///var/run/docker.sock', (s) => {
      const scheme = /^([a-z0-9+.-]+):\/\/./i.exec(s.trim())?.[1]?.toLowerCase();
      if (scheme !== undefined && HOST_SCHEMES.includes(scheme)) return undefined;
      const hint = s.startsWith('/') ? `; did you mean "unix://${s}"?` : '';
      return `is not a Docker host; expected unix:///path/to/docker.sock, tcp://HOST:PORT or ssh://USER@HOST (also http://, https://, npipe://)${hint}`;
    }),
  },
  context: {
    type: 'string',
    default: undefined,
    description: 'A docker context name (see `docker context ls`) to take the engine from. Unset: DOCKER_CONTEXT or the current context.',
    example: 'default',
    check: stringCheck('a docker context name', (s) =>
      /^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/.test(s) ? undefined : 'is not a docker context name; expected letters, digits and _ . + - such as "default"',
    ),
  },
  version: {
    type: '"auto" or MAJOR.MINOR',
    default: 'auto',
    description:
      'The engine API version to speak. "auto" asks the engine and uses the newest version both sides support. The seed fixed 1.41, but Docker 29 refuses API versions below 1.44, so negotiation is the default; pin a version only to test against an old API.',
    example: '"1.44"',
    check: versionCheck,
  },
  timeout: {
    type: 'duration',
    default: 30_000,
    description: 'How long one request to the engine may take before it fails.',
    example: '30s',
    check: durationCheck(DURATION_EXPECTED, (n) =>
      n <= 0 ? `must be positive; ${DURATION_EXPECTED}` : n > MAX_TIMEOUT_MS ? `is too long; at most ${formatDuration(MAX_TIMEOUT_MS)} (2147483647 ms)` : undefined,
    ),
  },
  default_image: {
    type: 'string',
    default: 'alpine:latest',
    description: 'The image a workspace starts from when none is given.',
    example: 'alpine:3.20',
    check: stringCheck('an image reference such as alpine:latest', (s) =>
      s !== '' && !/\s/.test(s) ? undefined : 'is not an image reference; expected NAME[:TAG][@DIGEST] such as alpine:latest',
    ),
  },
  default_shell: {
    type: 'list of strings',
    default: ['/bin/sh'],
    description: 'The command (and arguments) run for an interactive shell in a workspace.',
    example: '["/bin/bash", "-l"]',
    check: listCheck('a list of strings such as ["/bin/sh"]', (s) => (s === '' ? { problem: 'is empty; expected a program or an argument' } : { value: s }), {
      nonEmpty: true,
    }),
  },
  network_name: {
    type: 'string',
    default: 'aicli-network',
    description: 'The bridge network aicli creates (once) and attaches workspaces to.',
    example: 'aicli-network',
    check: stringCheck('a network name', (s) =>
      s.length > 64
        ? `is ${s.length} characters long; expected at most 64`
        : NAME.test(s)
          ? undefined
          : 'is not a valid network name; expected a letter or digit, then letters, digits, "_", "." or "-"',
    ),
  },
  network_internal: {
    type: 'boolean',
    default: false,
    description: 'Create the aicli network as internal: workspaces reach each other but not the outside world (no registry, no package mirrors, no AI API). Off by default because agents need their API.',
    example: 'true',
    check: booleanCheck,
  },
  cpu_limit: {
    type: 'CPUs (decimal)',
    default: 1,
    description: 'CPUs a workspace may use, as `docker run --cpus` (0.5 = half a CPU).',
    example: '2.5',
    check: cpusCheck(CPUS_EXPECTED, (n) => (n < MIN_CPUS ? `is below ${MIN_CPUS}, the smallest CPU limit the engine accepts` : undefined)),
  },
  memory_limit: {
    type: 'size',
    default: 512 * 1024 * 1024,
    description: 'Memory a workspace may use, as `docker run --memory`. At least 6 MiB (the engine refuses less); there is no "unlimited".',
    example: '1g',
    check: sizeCheck(SIZE_EXPECTED, (n) => (n < MIN_MEMORY_BYTES ? `is below 6 MiB (${MIN_MEMORY_BYTES} bytes), the smallest memory limit the engine accepts` : undefined)),
  },
  pids_limit: {
    type: 'integer',
    default: 512,
    description: 'Processes (and threads) a workspace may run at once, as `docker run --pids-limit`: stops fork bombs. -1 means no limit.',
    example: '1024',
    check: integerCheck('a positive number of processes, or -1 for no limit', (n) =>
      n === -1 || n > 0 ? undefined : 'is not a process limit; expected a positive number, or -1 for no limit',
    ),
  },
  privileged: {
    type: 'boolean',
    default: false,
    description: 'Run workspaces privileged (all capabilities, all devices, no seccomp/AppArmor). Almost never wanted.',
    example: 'false',
    check: booleanCheck,
  },
  read_only: {
    type: 'boolean',
    default: true,
    description: 'Mount the container root filesystem read-only; writable places come from `tmpfs` and the workspace mount.',
    example: 'true',
    check: booleanCheck,
  },
  security_opts: {
    type: 'list of strings',
    default: ['no-new-privileges:true'],
    description: 'Security options, as `docker run --security-opt` (no-new-privileges, seccomp=..., apparmor=..., label=...).',
    example: '["no-new-privileges:true", "seccomp=unconfined"]',
    check: listCheck('a list of security options such as ["no-new-privileges:true"]', securityOpt),
  },
  cap_drop: {
    type: 'list of capabilities',
    default: ['ALL'],
    description: 'Linux capabilities to drop, as `docker run --cap-drop`. Names with or without CAP_, any case.',
    example: '["ALL"]',
    check: listCheck('a list of capabilities such as ["ALL"]', capability),
  },
  cap_add: {
    type: 'list of capabilities',
    default: [],
    description: 'Linux capabilities to add back after cap_drop, as `docker run --cap-add`.',
    example: '["NET_BIND_SERVICE"]',
    check: listCheck('a list of capabilities such as ["NET_BIND_SERVICE"]', capability),
  },
  tmpfs: {
    type: 'mapping of path to options',
    default: { '/tmp': 'rw,noexec,nosuid,size=64m' },
    description: 'tmpfs mounts (absolute path → mount options), as `docker run --tmpfs PATH:OPTIONS`: writable scratch space on a read-only root. Setting it replaces the default mapping.',
    example: '{"/tmp": "rw,noexec,nosuid,size=64m", "/run": "rw,size=8m"}',
    check: mapCheck('a mapping of absolute paths to mount options, e.g. {"/tmp": "rw,size=64m"}', tmpfsEntry),
  },
  user: {
    type: 'string',
    default: undefined,
    description: 'The user (and group) processes run as: NAME, UID, NAME:GROUP or UID:GID, as `docker run --user`. Unset: the image\'s user.',
    example: '"1000:1000"',
    check: stringCheck(
      'a user such as "1000:1000" or "agent"',
      (s) => (/^[a-zA-Z0-9_][a-zA-Z0-9_.-]*(:[a-zA-Z0-9_][a-zA-Z0-9_.-]*)?$/.test(s) ? undefined : 'is not a user; expected NAME, UID, NAME:GROUP or UID:GID'),
      { integers: true },
    ),
  },
  egress_allow: {
    type: 'list of host names',
    default: [],
    description:
      'Host names a workspace may reach, and nothing else: it gets a network of its own whose only way out is an egress gateway (a proxy), and no DNS. Exact names; a leading dot (".example.com") allows every name below it, which is weaker (lookups under that zone become a channel). IP addresses never match. Empty: no allowlist.',
    example: '["registry.npmjs.org", "github.com", ".githubusercontent.com"]',
    check: egressAllowCheck,
  },
  egress_ports: {
    type: 'list of ports',
    default: [80, 443],
    description: 'The TCP ports an allowed name may be reached on, through the egress gateway.',
    example: '[80, 443, 8443]',
    check: egressPortsCheck,
  },
  egress_image: {
    type: 'string',
    default: undefined,
    description:
      'The egress gateway image. Unset: made on the engine itself from the Node that runs aicli (once per version, nothing pulled); set it when the engine has another OS or architecture, or to use an image from your own registry.',
    example: 'registry.example.com/aicli/egress-gateway:1',
    check: stringCheck('an image reference such as registry.example.com/aicli/egress-gateway:1', (s) =>
      s !== '' && !/\s/.test(s) ? undefined : 'is not an image reference; expected NAME[:TAG][@DIGEST]',
    ),
  },
};

export const envName = (key: string): string => `AICLI_DOCKER_${key.toUpperCase()}`;

/** Every key, in documentation order. */
export const CONFIG_KEYS: readonly KeyInfo[] = Object.freeze(
  (Object.keys(FIELDS) as ConfigKey[]).map((key) =>
    Object.freeze({
      key,
      field: FIELDS[key],
      env: envName(key),
      type: SPECS[key].type,
      description: SPECS[key].description,
      example: SPECS[key].example,
      secret: SPECS[key].secret ?? false,
    }),
  ),
);

export const KEY_NAMES: readonly ConfigKey[] = Object.freeze(Object.keys(FIELDS) as ConfigKey[]);

export function isConfigKey(name: string): name is ConfigKey {
  return Object.hasOwn(FIELDS, name);
}

export function fieldOf<K extends ConfigKey>(key: K): (typeof FIELDS)[K] {
  return FIELDS[key];
}

/** The checker for a key, typed loosely: the loader stores whatever it returns under the key's field. */
export function checkerOf(key: ConfigKey): Check<unknown> {
  return SPECS[key].check;
}

export function isSecret(key: ConfigKey): boolean {
  return SPECS[key].secret ?? false;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const DEFAULTS: DockerConfig = deepFreeze(
  Object.fromEntries(KEY_NAMES.map((key) => [FIELDS[key], structuredClone(SPECS[key].default)])) as unknown as DockerConfig,
);

/** The built-in defaults (the seed's, plus the hardening keys), frozen. */
export function defaultConfig(): DockerConfig {
  return DEFAULTS;
}

/**
 * The configuration keys: file name (snake_case), typed field (camelCase), default,
 * checker and documentation, in one table so docs, `config init`, "did you mean" and
 * validation cannot drift apart.
 */
import { CPUS_EXPECTED, DURATION_EXPECTED, formatDuration, SIZE_EXPECTED } from './units.js';
import { closest } from '../../suggest.js';
import { MAX_TIMEOUT_MS } from '../../transport/deadline.js';
import { API_VERSION_EXPECTED, parseApiVersion } from '../../transport/api-version.js';
import { contextNameProblem } from '../../transport/context-store.js';
import { maskHostCredentials, readHost } from '../../transport/endpoint.js';
import { POLICY_RULE_NAMES, type PolicyRule } from '../workspace/policy-rules.js';
import { CIDR_EXPECTED, formatIp, IP_EXPECTED, parseCidr, parseIp } from './cidr.js';
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
  hideValue,
  quoteValue,
  type Check,
  type Quote,
} from './values.js';
import { egressAllowCheck, egressPortsCheck } from './egress-keys.js';

/** `bridge`: one engine. `overlay`: a Swarm (the engine must be a manager). */
export type NetworkDriver = 'bridge' | 'overlay';
export const NETWORK_DRIVERS: readonly NetworkDriver[] = ['bridge', 'overlay'];

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
  readonly networkDriver: NetworkDriver;
  /** CIDR, canonical (`10.213.0.0/24`); undefined: the engine picks one. */
  readonly networkSubnet: string | undefined;
  /** An address inside networkSubnet; undefined: the engine picks one. */
  readonly networkGateway: string | undefined;
  /** Use a same-named network aicli did not create, as it is. */
  readonly networkAdopt: boolean;
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
  // Workspaces (issue 9)
  /** Open files per process (RLIMIT_NOFILE). */
  readonly ulimitNofile: Ulimit;
  /** Processes per user (RLIMIT_NPROC). */
  readonly ulimitNproc: Ulimit;
  /** Relative CPU weight under contention (1024 is the engine's default). */
  readonly cpuShares: number;
  /** How often the engine runs a workspace's health check, in ms. */
  readonly healthcheckIntervalMs: number;
  /** Isolation rules lifted on purpose (see POLICY_RULES). */
  readonly allowUnsafe: readonly PolicyRule[];
  // Swarm workspaces (issue 13)
  /** `engine`: containers on the engine; `swarm`: Swarm services; `auto`: swarm when the engine is an active Swarm manager. */
  readonly orchestrator: Orchestrator;
  /** Swarm placement constraints, e.g. `node.labels.zone==a`. */
  readonly swarmConstraints: readonly string[];
  /** Node hostname → engine endpoint, for exec, logs, cp and stats on the node that runs a workspace. */
  readonly swarmNodeEndpoints: Readonly<Record<string, string>>;
  /** The driver of a workspace's data volume (`local`: node-local, does not follow a moved workspace). */
  readonly volumeDriver: string;
  readonly volumeDriverOpts: Readonly<Record<string, string>>;
  // Egress (issue 12)
  /** Host names a workspace may reach through its egress gateway; empty: no allowlist (a normal network). */
  readonly egressAllow: readonly string[];
  readonly egressPorts: readonly number[];
  /** Undefined: the gateway image is made on the engine from this Node. */
  readonly egressImage: string | undefined;
}

/** A resource limit as `docker run --ulimit NAME=SOFT:HARD` sets it. */
export interface Ulimit {
  readonly soft: number;
  readonly hard: number;
}

/** How workspaces are run: containers on one engine, or services on a Swarm cluster. */
export type Orchestrator = 'engine' | 'swarm' | 'auto';

const FIELDS = {
  host: 'host',
  context: 'context',
  version: 'apiVersion',
  timeout: 'timeoutMs',
  default_image: 'defaultImage',
  default_shell: 'defaultShell',
  network_name: 'networkName',
  network_internal: 'networkInternal',
  network_driver: 'networkDriver',
  network_subnet: 'networkSubnet',
  network_gateway: 'networkGateway',
  network_adopt: 'networkAdopt',
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
  // Workspaces (issue 9)
  ulimit_nofile: 'ulimitNofile',
  ulimit_nproc: 'ulimitNproc',
  cpu_shares: 'cpuShares',
  healthcheck_interval: 'healthcheckIntervalMs',
  allow_unsafe: 'allowUnsafe',
  // Swarm workspaces (issue 13)
  orchestrator: 'orchestrator',
  swarm_constraints: 'swarmConstraints',
  swarm_node_endpoints: 'swarmNodeEndpoints',
  volume_driver: 'volumeDriver',
  volume_driver_opts: 'volumeDriverOpts',
  // Egress (issue 12)
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
export { MAX_TIMEOUT_MS };
/** The engine refuses `--cpus` below 0.01. */
export const MIN_CPUS = 0.01;

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

const orchestratorCheck: Check<Orchestrator> = (raw, quote) => {
  const v = typeof raw.value === 'string' ? raw.value.trim().toLowerCase() : raw.value;
  return v === 'engine' || v === 'swarm' || v === 'auto' ? ok(v) : bad(`${describe(raw.value, quote)} is not an orchestrator; expected "engine", "swarm" or "auto"`);
};

/** `node.labels.zone==a`, `node.role != manager`: a Swarm constraint expression (normalised), or what is wrong with it. */
export function swarmConstraint(s: string): { value: string } | { problem: string } {
  const m = /^\s*([a-zA-Z][a-zA-Z0-9_.-]*)\s*(==|!=)\s*(\S.*?)\s*$/.exec(s);
  if (m === null) return { problem: 'is not a placement constraint; expected KEY==VALUE or KEY!=VALUE such as node.labels.zone==a or node.role==worker' };
  const [, key = '', op = '', value = ''] = m;
  if (!/^(node\.(id|hostname|role|platform\.os|platform\.arch|labels\..+)|engine\.labels\..+)$/.test(key)) {
    return { problem: `has an unknown attribute "${key}"; expected node.id, node.hostname, node.role, node.platform.os, node.platform.arch, node.labels.KEY or engine.labels.KEY` };
  }
  return { value: `${key}${op}${value}` };
}

/** The `host` key's scheme check, for other keys that hold engine URLs. */
function engineUrlProblem(value: string, quote: (v: unknown) => string): string | undefined {
  // The same reader as `host` and discovery: one rule for what an engine address is.
  const reading = readHost(value);
  return reading.ok ? undefined : `${quote(maskHostCredentials(value))} ${reading.problem}`;
}

const versionCheck: Check<ApiVersion> = (raw, quote) => {
  let value = raw.value;
  // JSON has no way to keep "1.40" apart from 1.4; accept a number only when unambiguous.
  if (typeof value === 'number' && /^\d+\.\d\d$/.test(String(value))) value = String(value);
  if (typeof value !== 'string') return bad(`expected "auto" or an API version such as "1.44" (as a string), found ${describe(value, quote)}`);
  if (value.trim() === 'auto') return ok('auto');
  const v = parseApiVersion(value);
  return v === undefined ? bad(`${quote(value)} is not an API version; ${API_VERSION_EXPECTED}`) : ok(v as ApiVersion);
};

/** Above this the kernel refuses any rlimit the engine could set (2^31-1 keeps it portable). */
const MAX_ULIMIT = 2 ** 31 - 1;
const ULIMIT_EXPECTED = 'expected SOFT:HARD such as "1024:4096", one number for both, or {soft: 1024, hard: 4096}';

/** `docker run --ulimit` syntax (`1024:4096`, `4096`), a number, or a mapping {soft, hard}. */
const ulimitCheck: Check<Ulimit> = (raw, quote) => {
  const value = raw.value;
  let soft: unknown;
  let hard: unknown;
  if (typeof value === 'number') {
    soft = value;
    hard = value;
  } else if (typeof value === 'string') {
    const m = /^\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(value);
    if (m === null) return bad(`${quote(value)} is not a limit; ${ULIMIT_EXPECTED}`);
    soft = Number(m[1]);
    hard = Number(m[2] ?? m[1]);
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'soft' && k !== 'hard');
    if (extra.length > 0) return bad(`has an unknown field "${extra[0] ?? ''}"; ${ULIMIT_EXPECTED}`);
    soft = o['soft'];
    hard = o['hard'] ?? o['soft'];
  } else {
    return bad(`${ULIMIT_EXPECTED}, found ${describe(value, quote)}`);
  }
  if (!Number.isSafeInteger(soft) || !Number.isSafeInteger(hard)) return bad(`${quote(value)} is not a whole number; ${ULIMIT_EXPECTED}`);
  const s = soft as number;
  const h = hard as number;
  if (s < 1 || h < 1) return bad(`${quote(value)} must be at least 1`);
  if (s > MAX_ULIMIT || h > MAX_ULIMIT) return bad(`${quote(value)} is too large; at most ${MAX_ULIMIT}`);
  if (s > h) return bad(`${quote(value)} has a soft limit (${s}) above its hard limit (${h}); the soft limit must be at most the hard one`);
  return ok({ soft: s, hard: h });
};

function policyRule(s: string): { value: string } | { problem: string } {
  const name = s.trim().toLowerCase();
  if ((POLICY_RULE_NAMES as readonly string[]).includes(name)) return { value: name };
  const near = closest(name, POLICY_RULE_NAMES);
  return { problem: `is not an isolation rule${near === undefined ? '' : `; did you mean "${near}"?`} Expected one of ${POLICY_RULE_NAMES.join(', ')}` };
}
const networkDriverCheck: Check<NetworkDriver> = (raw, quote) => {
  const value = raw.value;
  if (typeof value !== 'string') return bad(`expected "bridge" or "overlay", found ${describe(value, quote)}`);
  const v = value.trim().toLowerCase();
  if ((NETWORK_DRIVERS as readonly string[]).includes(v)) return ok(v as NetworkDriver);
  const near = closest(v, NETWORK_DRIVERS);
  return bad(`${quote(value)} is not a network driver aicli supports; expected "bridge" or "overlay"${near === undefined ? '' : `; did you mean "${near}"?`}`);
};

/** A subnet, kept in canonical form so it compares equal to what the engine reports. */
const subnetCheck: Check<string> = (raw, quote) => {
  if (typeof raw.value !== 'string') return bad(`expected ${CIDR_EXPECTED}, found ${describe(raw.value, quote)}`);
  const parsed = parseCidr(raw.value.trim());
  return 'cidr' in parsed ? ok(parsed.cidr.text) : bad(`${quote(raw.value)} ${parsed.problem}`);
};

const gatewayCheck: Check<string> = (raw, quote) => {
  if (typeof raw.value !== 'string') return bad(`expected ${IP_EXPECTED}, found ${describe(raw.value, quote)}`);
  const text = raw.value.trim();
  const ip = parseIp(text);
  if (ip !== undefined) return ok(formatIp(ip));
  const hint = text.includes('/') ? '; the gateway is one address, without a prefix length' : '';
  return bad(`${quote(raw.value)} is not an IP address; expected ${IP_EXPECTED}${hint}`);
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
  /** How a bad value is shown; default quoteValue, hideValue for secret keys. */
  readonly quote?: Quote;
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
      // The reading discovery uses, so a host the file accepts is one that connect() accepts.
      const reading = readHost(s);
      return reading.ok ? undefined : reading.problem;
    }),
    quote: (value) => quoteValue(typeof value === 'string' ? maskHostCredentials(value) : value),
  },
  context: {
    type: 'string',
    default: undefined,
    description: 'A docker context name (see `docker context ls`) to take the engine from. Unset: DOCKER_CONTEXT or the current context.',
    example: 'default',
    check: stringCheck('a docker context name', contextNameProblem),
  },
  version: {
    type: '"auto" or MAJOR.MINOR',
    default: 'auto',
    description:
      'The engine API version to speak. "auto" (the default) asks the engine and speaks the newest version both sides support, so one configuration works with every engine from Docker 20.10 (API 1.41) to the newest, which refuse versions they no longer support (Docker 29 refuses all below 1.44). Pin a version (DOCKER_API_VERSION pins it too) only to test against an older API; an engine that refuses a pinned version is reported with what pinned it.',
    example: '"1.44"',
    check: versionCheck,
  },
  timeout: {
    type: 'duration',
    default: 30_000,
    description:
      'How long one request to the engine may take before it fails: 30s by default, long enough for a busy engine, short enough that a hung one is reported. A time-out you set also bounds connecting and the first ping (otherwise 5s each, so a dead engine is named at once).',
    example: '30s',
    check: durationCheck(DURATION_EXPECTED, (n) =>
      n <= 0 ? `must be positive; ${DURATION_EXPECTED}` : n > MAX_TIMEOUT_MS ? `is too long; at most ${formatDuration(MAX_TIMEOUT_MS)} (2147483647 ms)` : undefined,
    ),
  },
  default_image: {
    type: 'string',
    default: 'alpine:latest',
    description: 'The image a workspace starts from when none is given: alpine:latest by default, small and quick to pull.',
    example: 'alpine:3.20',
    check: stringCheck('an image reference such as alpine:latest', (s) =>
      s !== '' && !/\s/.test(s) ? undefined : 'is not an image reference; expected NAME[:TAG][@DIGEST] such as alpine:latest',
    ),
  },
  default_shell: {
    type: 'list of strings',
    default: ['/bin/sh'],
    description: 'The command (and arguments) run for an interactive shell in a workspace: /bin/sh by default, which every image has.',
    example: '["/bin/bash", "-l"]',
    check: listCheck('a list of strings such as ["/bin/sh"]', (s) => (s === '' ? { problem: 'is empty; expected a program or an argument' } : { value: s }), {
      nonEmpty: true,
    }),
  },
  network_name: {
    type: 'string',
    default: 'aicli-network',
    description: 'The network aicli creates (once, never twice) and attaches workspaces to.',
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
  network_driver: {
    type: '"bridge" or "overlay"',
    default: 'bridge',
    description:
      'The driver of the aicli network. "bridge" joins workspaces on one engine; "overlay" makes an attachable overlay network across a Swarm, and needs an engine that is a Swarm manager (aicli refuses, rather than silently making a bridge).',
    example: 'overlay',
    check: networkDriverCheck,
  },
  network_subnet: {
    type: 'string (CIDR)',
    default: undefined,
    description:
      'The subnet of the aicli network, IPv4 or IPv6 (the network address, with host bits zero). Unset: the engine picks a free one. Set it when the engine\'s choice collides with a network of yours (a VPN, an office LAN).',
    example: '10.213.0.0/24',
    check: subnetCheck,
  },
  network_gateway: {
    type: 'string (IP address)',
    default: undefined,
    description: 'The gateway address of the aicli network: inside network_subnet, which it needs. Unset: the engine picks one (the first address).',
    example: '10.213.0.1',
    check: gatewayCheck,
  },
  network_adopt: {
    type: 'boolean',
    default: false,
    description:
      'Use a network named network_name that aicli did not create (no aicli.managed=true label) as it is: never changed, recreated or removed by aicli. Off: such a network is refused, untouched.',
    example: 'true',
    check: booleanCheck,
  },
  cpu_limit: {
    type: 'CPUs (decimal)',
    default: 1,
    description: 'CPUs a workspace may use, as `docker run --cpus` (0.5 = half a CPU): 1 by default, so one busy agent cannot starve the machine.',
    example: '2.5',
    check: cpusCheck(CPUS_EXPECTED, (n) => (n < MIN_CPUS ? `is below ${MIN_CPUS}, the smallest CPU limit the engine accepts` : undefined)),
  },
  memory_limit: {
    type: 'size',
    default: 512 * 1024 * 1024,
    description: 'Memory a workspace may use, as `docker run --memory`: 512 MiB by default, enough for an agent and its tools, while a leak cannot take the host\'s memory. At least 6 MiB (the engine refuses less); there is no "unlimited".',
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
    description: 'Mount the container root filesystem read-only (the default: an agent cannot change the image it runs in); writable places come from `tmpfs` and the workspace mount.',
    example: 'true',
    check: booleanCheck,
  },
  security_opts: {
    type: 'list of strings',
    default: ['no-new-privileges:true'],
    description: 'Security options, as `docker run --security-opt` (no-new-privileges, seccomp=..., apparmor=..., label=...). The default, no-new-privileges:true, keeps any process in a workspace from gaining privileges through setuid programs.',
    example: '["no-new-privileges:true", "seccomp=unconfined"]',
    check: listCheck('a list of security options such as ["no-new-privileges:true"]', securityOpt),
  },
  cap_drop: {
    type: 'list of capabilities',
    default: ['ALL'],
    description: 'Linux capabilities to drop, as `docker run --cap-drop`: ALL by default, since an agent needs none; add back only what a tool needs with cap_add. Names with or without CAP_, any case.',
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
    description: 'tmpfs mounts (absolute path → mount options), as `docker run --tmpfs PATH:OPTIONS`: writable scratch space on a read-only root. The default gives tools a 64 MiB /tmp where nothing can be run (noexec, nosuid). Setting it replaces the default mapping.',
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
  // Workspaces (issue 9)
  ulimit_nofile: {
    type: 'ulimit (SOFT:HARD)',
    default: { soft: 1024, hard: 4096 },
    description:
      'Open files per process in a workspace (RLIMIT_NOFILE), as `docker run --ulimit nofile=SOFT:HARD`. Given explicitly because some engines (Podman) otherwise ask for more than the host grants and refuse to start the container. Soft 1024 is the limit select() needs; programs that want more raise it up to the hard limit (Node and Go do at start). Keep the hard limit at or below the engine\'s own (`ulimit -Hn` where the engine runs).',
    example: '"1024:4096"',
    check: ulimitCheck,
  },
  ulimit_nproc: {
    type: 'ulimit (SOFT:HARD)',
    default: { soft: 4096, hard: 4096 },
    description:
      "Processes per user in a workspace (RLIMIT_NPROC), as `docker run --ulimit nproc=SOFT:HARD`. The kernel counts every process of the container's user id on the host (root is exempt), so keep it well above `pids_limit`, which is what stops a fork bomb, and at or below the engine's own hard limit (`ulimit -Hu` where the engine runs).",
    example: '"4096:4096"',
    check: ulimitCheck,
  },
  cpu_shares: {
    type: 'integer',
    default: 512,
    description:
      "A workspace's CPU weight when CPUs are contended, as `docker run --cpu-shares` (the engine's default is 1024): 512 lets the user's own work come first. cpu_limit caps the CPUs whatever the weight.",
    example: '256',
    check: integerCheck('a CPU weight from 2 to 262144', (n) => (n >= 2 && n <= 262_144 ? undefined : 'is out of range; expected a CPU weight from 2 to 262144')),
  },
  healthcheck_interval: {
    type: 'duration',
    default: 30_000,
    description:
      "How often the engine runs a workspace's health check (`test -d /workspace`, run in the workspace). Each check is a process in the workspace; shorter intervals notice trouble sooner and cost more. At least 1s. A new workspace is `starting` until its first check, one interval after it starts.",
    example: '10s',
    check: durationCheck(DURATION_EXPECTED, (n) => (n < 1000 ? 'is below 1s, the shortest health check interval aicli uses' : n > MAX_TIMEOUT_MS ? 'is too long' : undefined)),
  },
  allow_unsafe: {
    type: 'list of rule names',
    default: [],
    description: `Isolation rules to lift on purpose, by name: ${POLICY_RULE_NAMES.join(', ')}. A workspace whose settings break one of these is refused before anything is created, naming the setting. Lift one only for a workspace you would trust with the host.`,
    example: '["privileged"]',
    check: listCheck('a list of rule names such as ["privileged"]', policyRule) as Check<readonly PolicyRule[]>,
  },
  // Swarm workspaces (issue 13)
  orchestrator: {
    type: '"engine", "swarm" or "auto"',
    default: 'engine',
    description:
      'How workspaces run: "engine" makes containers on the engine aicli talks to; "swarm" makes one Swarm service per workspace on the cluster that engine manages (placed, restarted and moved by Swarm); "auto" picks swarm when the engine is an active Swarm manager. The default stays "engine" so that a machine that happens to be a Swarm manager keeps its workspaces local unless asked.',
    example: 'swarm',
    check: orchestratorCheck,
  },
  swarm_constraints: {
    type: 'list of strings',
    default: [],
    description:
      'Swarm placement constraints for every workspace (`--constraint` adds more), as `docker service create --constraint`: node.hostname, node.role, node.labels.KEY, engine.labels.KEY, node.platform.os ... with == or !=.',
    example: '["node.labels.aicli==true", "node.role==worker"]',
    check: listCheck('a list of placement constraints such as ["node.labels.zone==a"]', swarmConstraint),
  },
  swarm_node_endpoints: {
    type: 'mapping of node hostname to engine URL',
    default: {},
    description:
      "Where each Swarm node's engine listens, by node hostname: exec, logs, cp and stats of a workspace go to the engine of the node that runs it (the manager cannot do them). Beats the node label aicli.engine (set with `docker node update --label-add aicli.engine=URL NODE`). Any host aicli connects to: unix://, tcp:// (TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH), ssh://.",
    example: '{"node-1": "ssh://admin@node-1", "node-2": "tcp://10.0.0.2:2376"}',
    check: mapCheck('a mapping of node hostnames to engine URLs, e.g. {"node-1": "ssh://admin@node-1"}', (key, value, quote) =>
      key === '' ? 'has an empty node hostname' : engineUrlProblem(value, quote),
    ),
  },
  volume_driver: {
    type: 'string',
    default: 'local',
    description:
      "The volume driver of a Swarm workspace's data volume at /workspace. \"local\" keeps the data on the node that runs the workspace: if Swarm moves the workspace (its node failed), it starts with an empty volume on the new node and the old data stays on the old one. A shared driver (NFS through local with options, or a plugin) lets the data follow.",
    example: 'local',
    check: stringCheck('a volume driver name such as local', (s) => (/^[a-zA-Z0-9][a-zA-Z0-9_./:-]*$/.test(s) ? undefined : 'is not a volume driver name; expected e.g. local or vieux/sshfs')),
  },
  volume_driver_opts: {
    type: 'mapping of option to value',
    default: {},
    description: 'Options for volume_driver, as `docker volume create --opt`: e.g. type, o and device for an NFS share through the local driver.',
    example: '{"type": "nfs", "o": "addr=10.0.0.1,rw", "device": ":/exports/aicli"}',
    check: mapCheck('a mapping of driver options, e.g. {"type": "nfs"}', (key) => (/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(key) ? undefined : `${JSON.stringify(key)} is not an option name; expected letters, digits, "_", "." or "-"`)),
  },
  // Egress (issue 12)
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

/** How a value of this key is shown in a message: hidden for secrets, credentials masked for hosts. */
export function quoteOf(key: ConfigKey): Quote {
  return SPECS[key].quote ?? (isSecret(key) ? hideValue : quoteValue);
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

/** The built-in defaults, frozen: secure and resource-limited (each key's description says why). */
export function defaultConfig(): DockerConfig {
  return DEFAULTS;
}

/**
 * What a workspace may not be, checked on the final ContainerCreate body (after every
 * patch), before anything is created. Pure: bind sources are resolved through symbolic
 * links before the body gets here (see host-paths.ts), so a link to /etc is seen as /etc.
 *
 * A refused setting names where it was set (the origin map) and how to lift the rule on
 * purpose (`allow_unsafe`).
 */
import { PolicyViolationError, type PolicyViolation } from '../../errors.js';
import type { ContainerCreateBody, MountSpec } from '../../engine/types.js';
import { POLICY_RULES, type PolicyRule } from './policy-rules.js';

export { POLICY_RULES, POLICY_RULE_NAMES, type PolicyRule } from './policy-rules.js';

/** Where one body field was set: the setting's name and its source (a file, a variable, a flag, an option). */
export interface SettingOrigin {
  readonly setting: string;
  readonly source: string;
}

export interface PolicyContext {
  /** Rules lifted on purpose (allow_unsafe). */
  readonly allow?: Iterable<PolicyRule>;
  /** Body field path (`HostConfig.Privileged`, `HostConfig.Mounts[1]`) → where it was set. */
  readonly origins?: ReadonlyMap<string, SettingOrigin>;
  /** The engine's own socket on this machine (resolved), when the engine is local. */
  readonly engineSocket?: string | undefined;
  /** Resolved bind source → the path as given, to show links in messages. */
  readonly givenPaths?: ReadonlyMap<string, string>;
}

/**
 * Capabilities that reach past the container: each one is a documented escape or host
 * control (mounts, modules, raw devices, other processes' memory, the network stack,
 * the clock, kernel logs and BPF, LSM policy, reading any file by handle).
 */
export const DANGEROUS_CAPABILITIES: readonly string[] = Object.freeze([
  'ALL', 'SYS_ADMIN', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_PTRACE', 'SYS_BOOT', 'SYS_TIME', 'DAC_READ_SEARCH',
  'NET_ADMIN', 'MAC_ADMIN', 'MAC_OVERRIDE', 'BPF', 'PERFMON', 'SYSLOG', 'AUDIT_CONTROL', 'LINUX_IMMUTABLE',
]);

/** Folders whose every file is the host's: mounting any of them, or anything inside, is refused (CIS 5.6). */
const SENSITIVE_TREES: readonly string[] = ['/etc', '/proc', '/sys', '/dev', '/boot', '/run', '/var/run'];
/** Folders refused as they are (and their parents), though a folder inside may be fine (/usr/src/app). */
const SENSITIVE_FOLDERS: readonly string[] = ['/usr', '/lib', '/lib32', '/lib64', '/libx32', '/bin', '/sbin'];
const ENGINE_SOCKET_NAMES: readonly string[] = ['docker.sock', 'podman.sock', 'containerd.sock', 'crio.sock', 'dockershim.sock'];

/** Go's strconv.ParseBool false values (the engine reads security option values with it). */
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

const within = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);
const ancestorOf = (path: string, of: string): boolean => path === '/' || of.startsWith(`${path}/`);

function trimSlashes(path: string): string {
  const t = path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return t === '' ? '/' : t;
}

/** Why a host path is sensitive, or undefined. */
export function sensitiveHostPath(path: string): string | undefined {
  const p = trimSlashes(path);
  if (p === '/') return "it is the host's root";
  for (const tree of SENSITIVE_TREES) {
    if (within(p, tree)) return `it is ${p === tree ? '' : 'inside '}${tree}, which belongs to the host`;
    if (ancestorOf(p, tree)) return `it holds ${tree}`;
  }
  for (const folder of SENSITIVE_FOLDERS) {
    if (p === folder) return `it is the host's ${folder}`;
    if (ancestorOf(p, folder)) return `it holds ${folder}`;
  }
  return undefined;
}

/** Why a host path exposes the engine, or undefined. */
export function engineSocketPath(path: string, engineSocket: string | undefined): string | undefined {
  const p = trimSlashes(path);
  if (engineSocket !== undefined) {
    if (p === engineSocket) return "it is the engine's socket";
    if (ancestorOf(p, engineSocket)) return `it holds the engine's socket (${engineSocket})`;
  }
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (ENGINE_SOCKET_NAMES.includes(base)) return `it is an engine socket (${base})`;
  return undefined;
}

interface BindRef {
  readonly source: string;
  readonly target: string;
  readonly propagation: string | undefined;
  readonly field: string;
}

/** Every bind mount of a body, from Mounts and from Binds (`SRC:DST[:OPTS]`). */
export function bindMounts(body: ContainerCreateBody): BindRef[] {
  const out: BindRef[] = [];
  (body.HostConfig.Mounts ?? []).forEach((m: MountSpec, i) => {
    if (m.Type === 'bind' && m.Source !== undefined) out.push({ source: m.Source, target: m.Target, propagation: m.BindOptions?.Propagation, field: `HostConfig.Mounts[${i}]` });
  });
  (body.HostConfig.Binds ?? []).forEach((b, i) => {
    const [source = '', target = '', opts = ''] = b.split(':');
    // A named volume (no leading /) is not a host path.
    if (source.startsWith('/')) {
      const propagation = opts.split(',').find((o) => /^r?(shared|slave|private)$/.test(o));
      out.push({ source, target, propagation, field: `HostConfig.Binds[${i}]` });
    }
  });
  return out;
}

function securityOptProblem(opt: string): string | undefined {
  const sep = /[=:]/.exec(opt);
  const name = sep === null ? opt : opt.slice(0, sep.index);
  const value = sep === null ? '' : opt.slice(sep.index + 1);
  if (name === 'seccomp' && value === 'unconfined') return 'turns the seccomp filter off (CIS 5.22): every system call reaches the kernel';
  if (name === 'apparmor' && value === 'unconfined') return 'turns AppArmor off (CIS 5.1)';
  if (name === 'label' && (value === 'disable' || value === 'type:spc_t')) return 'turns SELinux separation off (CIS 5.2)';
  if (name === 'systempaths' && value === 'unconfined') return 'unmasks /proc and /sys paths the engine hides from containers';
  if (name === 'writable-cgroups' && !GO_FALSE.has(value)) return 'makes the cgroup file system writable from inside';
  if (name === 'no-new-privileges' && GO_FALSE.has(value)) return 'turns no-new-privileges off (CIS 5.26): setuid programs could gain privileges';
  return undefined;
}

function hasNoNewPrivileges(opts: readonly string[]): boolean {
  return opts.some((o) => o === 'no-new-privileges' || (/^no-new-privileges[=:]/.test(o) && !GO_FALSE.has(o.slice('no-new-privileges'.length + 1))));
}

const NAMESPACES = [
  ['NetworkMode', 'network', '5.10'],
  ['PidMode', 'PID', '5.16'],
  ['IpcMode', 'IPC', '5.17'],
  ['UTSMode', 'UTS', '5.21'],
  ['UsernsMode', 'user', '5.31'],
] as const;

interface Finding {
  readonly rule: PolicyRule;
  readonly field: string;
  readonly what: string;
}

/** Every setting of `body` that breaks a rule, lifted ones included. */
export function policyFindings(body: ContainerCreateBody, context: Pick<PolicyContext, 'engineSocket' | 'givenPaths'> = {}): Finding[] {
  const hc = body.HostConfig;
  const found: Finding[] = [];
  if (hc.Privileged === true) {
    found.push({ rule: 'privileged', field: 'HostConfig.Privileged', what: 'privileged mode gives the workspace every capability and every host device, without seccomp or AppArmor (CIS 5.5): the agent could take over the host' });
  }
  for (const cap of hc.CapAdd ?? []) {
    const name = cap.toUpperCase().replace(/^CAP_/, '');
    if (DANGEROUS_CAPABILITIES.includes(name)) {
      found.push({ rule: 'capability', field: 'HostConfig.CapAdd', what: `capability ${name} reaches past the container (CIS 5.4)${name === 'ALL' || name === 'SYS_ADMIN' ? ': with it the agent can mount, load code into the kernel and escape' : ''}` });
    }
  }
  const opts = hc.SecurityOpt ?? [];
  for (const opt of opts) {
    const problem = securityOptProblem(opt);
    if (problem !== undefined) found.push({ rule: 'security-opt', field: 'HostConfig.SecurityOpt', what: `"${opt}" ${problem}` });
  }
  // An explicit `no-new-privileges:false` was reported above; here, one that is simply missing.
  if (!hasNoNewPrivileges(opts) && !opts.some((o) => /^no-new-privileges[=:]/.test(o))) {
    found.push({ rule: 'security-opt', field: 'HostConfig.SecurityOpt', what: 'no-new-privileges is not set (CIS 5.26): setuid programs in the image could gain privileges; keep "no-new-privileges:true"' });
  }
  for (const [field, label, cis] of NAMESPACES) {
    if (hc[field] === 'host') found.push({ rule: 'host-namespace', field: `HostConfig.${field}`, what: `the workspace would share the host's ${label} namespace (CIS ${cis})` });
  }
  const mode = hc.NetworkMode ?? '';
  if (mode === '' || mode === 'bridge' || mode === 'default') {
    found.push({ rule: 'host-resource', field: 'HostConfig.NetworkMode', what: `the workspace would be on the engine's default bridge network (CIS 5.30), shared with every other container; use a network of its own (network_name)` });
  }
  if ((hc.Devices ?? []).length > 0) {
    found.push({ rule: 'host-resource', field: 'HostConfig.Devices', what: `host devices (${(hc.Devices ?? []).map((d) => d.PathOnHost).join(', ')}) would be passed in` });
  }
  if (hc.CgroupParent !== undefined && hc.CgroupParent !== '') {
    found.push({ rule: 'host-resource', field: 'HostConfig.CgroupParent', what: `cgroup parent "${hc.CgroupParent}" takes the workspace out of the engine's default cgroup (CIS 5.25)` });
  }
  for (const m of bindMounts(body)) {
    const given = context.givenPaths?.get(m.source);
    const shown = given !== undefined && given !== m.source ? `${given} (which resolves to ${m.source})` : m.source;
    const socket = engineSocketPath(m.source, context.engineSocket);
    // Both rules may apply (`/` holds the socket too): lifting one leaves the other.
    if (socket !== undefined) {
      found.push({ rule: 'engine-socket', field: m.field, what: `the mount of ${shown} at ${m.target}: ${socket}, and whoever can talk to the engine controls the host (CIS 5.32)` });
    }
    const sensitive = sensitiveHostPath(m.source);
    if (sensitive !== undefined) found.push({ rule: 'host-path', field: m.field, what: `the mount of ${shown} at ${m.target}: ${sensitive} (CIS 5.6)` });
    if (m.propagation === 'shared' || m.propagation === 'rshared') {
      found.push({ rule: 'host-path', field: m.field, what: `the mount of ${shown} at ${m.target} has ${m.propagation} propagation: mounts made inside would reach the host (CIS 5.20)` });
    }
  }
  return found;
}

function originOf(field: string, origins: ReadonlyMap<string, SettingOrigin> | undefined): SettingOrigin {
  const exact = origins?.get(field);
  if (exact !== undefined) return exact;
  // `HostConfig.Mounts[2]` set by a patch that replaced `HostConfig.Mounts`.
  const whole = origins?.get(field.replace(/\[\d+\]$/, ''));
  return whole ?? { setting: field, source: 'the workspace spec' };
}

function liftHint(rule: PolicyRule): string {
  return `Remove it, or lift the rule on purpose: allow_unsafe: [${rule}] in the configuration file, AICLI_DOCKER_ALLOW_UNSAFE=${rule}, or --allow-unsafe ${rule}.`;
}

/** The findings the context does not allow, as violations naming setting, source and fix. */
export function policyViolations(body: ContainerCreateBody, context: PolicyContext = {}): PolicyViolation[] {
  const allowed = new Set(context.allow ?? []);
  return policyFindings(body, context)
    .filter((f) => !allowed.has(f.rule))
    .map((f) => {
      const origin = originOf(f.field, context.origins);
      return { source: origin.source, key: origin.setting, rule: f.rule, message: `${f.what}. ${liftHint(f.rule)}` };
    });
}

/** Throws PolicyViolationError listing every setting of `body` that breaks an unlifted rule. */
export function checkWorkspacePolicy(body: ContainerCreateBody, context: PolicyContext = {}): void {
  const violations = policyViolations(body, context);
  if (violations.length > 0) throw new PolicyViolationError(violations);
}

/** What each rule guards, for `--help` and the docs. */
export function describeRule(rule: PolicyRule): string {
  return POLICY_RULES[rule];
}

/**
 * The hardened container of a workspace, as the Engine API's ContainerCreate body.
 *
 * buildWorkspaceSpec is pure: configuration + options in, body out (no clock, no file
 * system, no engine), so the same body can be checked by the policy, patched (egress:
 * NetworkMode/EndpointsConfig, Dns, Env), shown (`plan`), turned into a Swarm service
 * spec, or handed to the docker CLI as flags by the bench. The checklist is the CIS
 * Docker Benchmark, section 5; the item numbers are noted where a field serves one.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { ContainerCreateBody, EndpointSpec, HostConfigSpec, MountSpec } from '../../engine/types.js';
import type { DockerConfig } from '../config/index.js';
import { LABELS, type LabelSet } from '../labels.js';
import { checkSanitized, workspaceLabels } from './names.js';

/** Where the project folder appears in the workspace. */
export const WORKSPACE_DIR = '/workspace';

/**
 * CIS 5.15: restart on failure, at most 5 times. A stopped workspace stays stopped; one
 * whose main process dies is brought back, but not forever.
 */
export const RESTART_POLICY = Object.freeze({ Name: 'on-failure', MaximumRetryCount: 5 } as const);

/**
 * The workspace's main process: a shell that waits. Agents run their commands through
 * exec. The trap makes PID 1 exit at once on `stop` (a shell as PID 1 otherwise ignores
 * SIGTERM and the engine waits the whole grace period before killing it).
 */
export const KEEP_ALIVE = "trap 'exit 0' TERM INT HUP; sleep 2147483647 & wait";

/**
 * The health check (CIS 5.27): the workspace can start a process and sees its project.
 * An exec form without a shell and without spaces in any argument: images without the
 * configured shell still pass, and Podman's service (which splits arguments at spaces)
 * runs it as written.
 */
export const HEALTH_TEST: readonly string[] = Object.freeze(['CMD', 'test', '-d', WORKSPACE_DIR]);
const HEALTH_TIMEOUT_MS = 5_000;
const HEALTH_RETRIES = 3;
const NS_PER_MS = 1_000_000;

/** A host folder or file bind-mounted into the workspace, its source already resolved. */
export interface WorkspaceMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly?: boolean;
}

export interface WorkspaceSpecOptions {
  /** A sanitized name (see sanitizeName). */
  readonly id: string;
  readonly name: string;
  /** Default: the configuration's default_image. */
  readonly image?: string | undefined;
  /** The project folder on the engine's host (resolved): bound at /workspace. Without it, /workspace is an anonymous volume. */
  readonly project?: string | undefined;
  /** More bind mounts, sources resolved. */
  readonly mounts?: readonly WorkspaceMount[] | undefined;
  /** Environment of the workspace's processes. Values are never logged. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** `aicli.ephemeral=true`: the workspace belongs to the process that made it. */
  readonly ephemeral?: boolean | undefined;
  /** `aicli.create.start=true`: the create goes on to start it (so, never started, it is half-made). */
  readonly startOnCreate?: boolean | undefined;
  /** Extra labels (e.g. `aicli.test=true`); aicli's own keys cannot be set here. */
  readonly labels?: LabelSet | undefined;
  /** The owner labels (ownerLabels()) of the process creating it. */
  readonly owner: LabelSet;
  /** When it is created (aicli.created). */
  readonly created: Date;
}

const RESERVED_LABELS: ReadonlySet<string> = new Set(Object.values(LABELS));

/** Extra labels: non-empty keys, string values, none of aicli's own keys. */
export function checkExtraLabels(labels: LabelSet | undefined, what = 'labels'): LabelSet {
  if (labels === undefined) return {};
  for (const [key, value] of Object.entries(labels)) {
    if (key === '' || /[\s=]/.test(key)) throw new InvalidArgumentError(what, `label key ${JSON.stringify(key)} is empty or holds "=" or spaces`);
    if (typeof value !== 'string') throw new InvalidArgumentError(what, `label ${key} must have a string value`);
    if (RESERVED_LABELS.has(key)) {
      throw new InvalidArgumentError(what, `label ${key} is aicli's own and is set by aicli; use another key (aicli.test and your own prefixes are fine)`);
    }
  }
  return labels;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `KEY=value` strings, sorted by name; names checked, values never shown. */
export function envList(env: Readonly<Record<string, string>> | undefined, what = 'env'): string[] {
  if (env === undefined) return [];
  return Object.entries(env)
    .map(([key, value]) => {
      if (!ENV_NAME.test(key)) throw new InvalidArgumentError(what, `${JSON.stringify(key)} is not a variable name; expected letters, digits and "_", not starting with a digit`);
      if (typeof value !== 'string' || value.includes('\0')) throw new InvalidArgumentError(what, `the value of ${key} must be a string without NUL bytes (the value is not shown)`);
      return `${key}=${value}`;
    })
    .sort();
}

/** Every label a workspace container carries. */
export function workspaceContainerLabels(options: Pick<WorkspaceSpecOptions, 'id' | 'name' | 'ephemeral' | 'startOnCreate' | 'labels' | 'owner' | 'created'>): LabelSet {
  return {
    ...checkExtraLabels(options.labels),
    ...options.owner,
    ...workspaceLabels(options.id, options.name, options.created),
    [LABELS.role]: 'workspace',
    ...(options.ephemeral === true ? { [LABELS.ephemeral]: 'true' } : {}),
    ...(options.startOnCreate === true ? { [LABELS.createStart]: 'true' } : {}),
  };
}

/** Networks the engine itself defines: nothing to create, and no aliases on them. */
export function isPredefinedNetworkMode(mode: string): boolean {
  return mode === '' || mode === 'none' || mode === 'host' || mode === 'bridge' || mode === 'default' || mode.startsWith('container:');
}

function workspaceMounts(options: WorkspaceSpecOptions): MountSpec[] {
  // CIS 5.20: rprivate, so no mount made on either side reaches the other.
  const project: MountSpec =
    options.project === undefined
      ? { Type: 'volume', Target: WORKSPACE_DIR }
      : { Type: 'bind', Source: options.project, Target: WORKSPACE_DIR, BindOptions: { Propagation: 'rprivate' } };
  const extra = (options.mounts ?? []).map(
    (m): MountSpec => ({ Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly === true, BindOptions: { Propagation: 'rprivate' } }),
  );
  const targets = new Set<string>([WORKSPACE_DIR]);
  for (const m of extra) {
    if (targets.has(m.Target)) throw new InvalidArgumentError('mounts', `two mounts target ${m.Target}; each container path can hold one mount`);
    targets.add(m.Target);
  }
  return [project, ...extra];
}

/**
 * The ContainerCreate body of a workspace: the configuration's limits and hardening, the
 * project at /workspace, the aicli network, the workspace's labels, a health check and
 * a bounded restart policy.
 */
export function buildWorkspaceSpec(config: DockerConfig, options: WorkspaceSpecOptions): ContainerCreateBody {
  const id = checkSanitized(options.id, 'workspace id');
  const shell = config.defaultShell;
  const network = config.networkName;
  const hostConfig: HostConfigSpec = {
    NanoCpus: Math.round(config.cpuLimit * 1e9),
    // CIS 5.12: a CPU weight of its own (neither 0 nor the default 1024).
    CpuShares: config.cpuShares,
    // CIS 5.11: a memory limit; swap equal to memory means no swap at all.
    Memory: config.memoryLimitBytes,
    MemorySwap: config.memoryLimitBytes,
    // CIS 5.29: a PIDs limit stops fork bombs (-1 is "none" to the engine).
    PidsLimit: config.pidsLimit,
    Ulimits: [
      { Name: 'nofile', Soft: config.ulimitNofile.soft, Hard: config.ulimitNofile.hard },
      { Name: 'nproc', Soft: config.ulimitNproc.soft, Hard: config.ulimitNproc.hard },
    ],
    // CIS 5.13: read-only root, writable tmpfs where the configuration says.
    ReadonlyRootfs: config.readOnly,
    Tmpfs: { ...config.tmpfs },
    // CIS 5.26 (no-new-privileges), 5.22 (the default seccomp profile: not named here).
    SecurityOpt: [...config.securityOpts],
    // CIS 5.4 / 5.5: capabilities dropped, not privileged.
    CapDrop: [...config.capDrop],
    CapAdd: [...config.capAdd],
    Privileged: config.privileged,
    RestartPolicy: { ...RESTART_POLICY },
    Mounts: workspaceMounts(options),
    // CIS 5.30: a network of its own, not the default bridge; 5.10/5.16/5.17/5.21/5.31:
    // no host namespace (IPC private rather than the engine's "shareable").
    NetworkMode: network,
    IpcMode: 'private',
  };
  const endpoints: Record<string, EndpointSpec> = isPredefinedNetworkMode(network) ? {} : { [network]: { Aliases: [id] } };
  return {
    Image: options.image ?? config.defaultImage,
    Entrypoint: [...shell],
    Cmd: ['-c', KEEP_ALIVE],
    ...(config.user === undefined ? {} : { User: config.user }),
    Env: envList(options.env),
    Labels: workspaceContainerLabels(options),
    Hostname: id,
    WorkingDir: WORKSPACE_DIR,
    Healthcheck: {
      Test: [...HEALTH_TEST],
      Interval: config.healthcheckIntervalMs * NS_PER_MS,
      Timeout: HEALTH_TIMEOUT_MS * NS_PER_MS,
      Retries: HEALTH_RETRIES,
      StartPeriod: config.healthcheckIntervalMs * NS_PER_MS,
    },
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
}

/**
 * A change to a workspace's body made by another feature or by the caller: the egress
 * allowlist (NetworkMode, EndpointsConfig, Dns, Env), a CLI flag (`--pid host`). The
 * policy checks the body after every patch, and names `source` for what a patch set.
 */
export interface WorkspaceSpecPatch {
  /** Where it was set, for messages: `--pid`, `egress`, `hostConfig option`. */
  readonly source: string;
  /** The setting's name in messages; default: the body field (`HostConfig.PidMode`). */
  readonly setting?: string;
  /** Merged by variable name; the patch's value wins. */
  readonly Env?: readonly string[];
  /** Merged key by key; aicli's own keys cannot be changed. */
  readonly Labels?: LabelSet;
  /** Merged field by field (a field given replaces the body's). */
  readonly HostConfig?: Partial<HostConfigSpec>;
  /** Replaces the body's. */
  readonly NetworkingConfig?: ContainerCreateBody['NetworkingConfig'];
  readonly User?: string;
  readonly Healthcheck?: ContainerCreateBody['Healthcheck'];
}

function envName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq === -1 ? entry : entry.slice(0, eq);
}

/** The body with `patch` applied (a new object; `body` is not changed). */
export function applySpecPatch(body: ContainerCreateBody, patch: WorkspaceSpecPatch): ContainerCreateBody {
  let out: ContainerCreateBody = { ...body };
  if (patch.Env !== undefined) {
    const replaced = new Set(patch.Env.map(envName));
    out = { ...out, Env: [...(body.Env ?? []).filter((e) => !replaced.has(envName(e))), ...patch.Env] };
  }
  if (patch.Labels !== undefined) out = { ...out, Labels: { ...body.Labels, ...checkExtraLabels(patch.Labels, `labels of ${patch.source}`) } };
  if (patch.HostConfig !== undefined) out = { ...out, HostConfig: { ...body.HostConfig, ...patch.HostConfig } };
  if (patch.NetworkingConfig !== undefined) out = { ...out, NetworkingConfig: patch.NetworkingConfig };
  if (patch.User !== undefined) out = { ...out, User: patch.User };
  if (patch.Healthcheck !== undefined) out = { ...out, Healthcheck: patch.Healthcheck };
  return out;
}

/** The body fields a patch sets (`HostConfig.PidMode`, `Env`), for the policy's messages. */
export function patchedFields(patch: WorkspaceSpecPatch): string[] {
  const fields: string[] = [];
  for (const key of ['Env', 'Labels', 'NetworkingConfig', 'User', 'Healthcheck'] as const) if (patch[key] !== undefined) fields.push(key);
  for (const key of Object.keys(patch.HostConfig ?? {})) fields.push(`HostConfig.${key}`);
  return fields;
}

/**
 * Workspaces: what users and the CLI call. One flow for every backend:
 *
 *   name → id → host paths resolved → buildWorkspaceSpec (pure) → patches → bind
 *   sources resolved → policy (on the final body) → backend.create → [start]
 *
 * Nothing reaches the engine before the policy has passed.
 */
import { InvalidArgumentError, PolicyViolationError, type PolicyViolation } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import type { ContainerCreateBody } from '../../engine/types.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { ConfigKey, DockerConfig, ValueSource } from '../config/index.js';
import { egressPatch, workspaceEgress, type WorkspaceEgress, type WorkspaceEgressOptions } from '../egress/index.js';
import { ownerLabels, type LabelSet } from '../labels.js';
import type { CreateResult, StopOptions, WorkspaceBackend, WorkspaceInfo } from './backend.js';
import { ContainerBackend } from './container-backend.js';
import { localEngineSocket, resolveBindSources, resolveMounts, resolveProject } from './host-paths.js';
import { generateContainerName, sanitizeName } from './names.js';
import { policyViolations, type SettingOrigin } from './policy.js';
import { POLICY_RULE_NAMES, type PolicyRule } from './policy-rules.js';
import { applySpecPatch, buildWorkspaceSpec, checkExtraLabels, patchedFields, WORKSPACE_DIR, type WorkspaceMount, type WorkspaceSpecPatch } from './spec.js';
import { ulimitRefusal } from './ulimits.js';

/** What a Workspaces facade needs of a client (DockerClient has it all). */
export interface WorkspaceClient {
  readonly api: EngineApi;
  readonly config: DockerConfig;
  readonly endpoint: { readonly url: string };
  readonly configSources?: Readonly<Partial<Record<ConfigKey, ValueSource>>> | undefined;
  readonly logger?: Logger;
}

/** The one place that picks how workspaces run (a Swarm service backend joins here). */
export function workspaceBackend(client: WorkspaceClient, options: { logger?: Logger | undefined } = {}): WorkspaceBackend {
  return new ContainerBackend(client.api, client.config, { logger: options.logger ?? client.logger });
}

/** Names of the create options, as messages show them (the CLI passes its flags). */
export type OptionNames = Partial<Record<'name' | 'image' | 'project' | 'mounts' | 'env' | 'labels' | 'allowUnsafe', string>>;

export interface CreateWorkspaceOptions extends CallOptions {
  /** Any text with a letter or digit; sanitized (see sanitizeName): `My Project` is `my-project`. */
  readonly name: string;
  /** Default: the configuration's default_image. It must be on the engine. */
  readonly image?: string | undefined;
  /** A folder on this machine (relative to `cwd`), mounted at /workspace. */
  readonly project?: string | undefined;
  /** More bind mounts. */
  readonly mounts?: readonly WorkspaceMount[] | undefined;
  /** Environment of the workspace's processes; values never reach a log or a message. */
  readonly env?: Readonly<Record<string, string>> | undefined;
  /** Extra labels (tests pass `{ 'aicli.test': 'true' }`); also put on the aicli network if this call creates it. */
  readonly labels?: LabelSet | undefined;
  /** `aicli.ephemeral=true`: the workspace belongs to this process (cleanup --orphans removes it once the process is gone). */
  readonly ephemeral?: boolean | undefined;
  /** Start it too (a create that finds it existing starts it as well). */
  readonly start?: boolean | undefined;
  /** Changes to the body from other features or the caller, applied in order; the policy checks the result. */
  readonly patches?: readonly WorkspaceSpecPatch[] | undefined;
  /** Rules lifted for this workspace, on top of the configuration's allow_unsafe. */
  readonly allowUnsafe?: readonly PolicyRule[] | undefined;
  /** For a relative `project` or mount source. Default: process.cwd(). */
  readonly cwd?: string | undefined;
  readonly optionNames?: OptionNames | undefined;
  /** Egress settings of this workspace over the configuration's (egress_allow, egress_ports, egress_image). */
  readonly egress?: WorkspaceEgressOptions | undefined;
}

/** A workspace as it would be created: the body, and what the policy refuses in it. */
export interface WorkspacePlan {
  readonly id: string;
  readonly name: string;
  readonly containerName: string;
  readonly body: ContainerCreateBody;
  readonly violations: readonly PolicyViolation[];
  /** Its egress allowlist, if any: the body carries its patch; create makes the gateway. */
  readonly egress: WorkspaceEgress | undefined;
}

function configOrigin(key: ConfigKey, sources: WorkspaceClient['configSources']): SettingOrigin {
  const source = sources?.[key];
  return { setting: key, source: source === undefined ? 'configuration' : source.layer === 'default' ? 'default' : source.name };
}

export class Workspaces {
  readonly backend: WorkspaceBackend;
  readonly #client: WorkspaceClient;
  readonly #logger: Logger;

  constructor(client: WorkspaceClient, options: { backend?: WorkspaceBackend; logger?: Logger } = {}) {
    this.#client = client;
    this.#logger = options.logger ?? client.logger ?? silentLogger;
    this.backend = options.backend ?? workspaceBackend(client, { logger: this.#logger });
  }

  /** Builds the workspace's body and checks it; creates nothing. */
  async plan(options: CreateWorkspaceOptions): Promise<WorkspacePlan> {
    const { config, configSources: sources } = this.#client;
    const names = options.optionNames ?? {};
    const id = sanitizeName(options.name, names.name ?? 'workspace name');
    const cwd = options.cwd ?? process.cwd();
    const labels = checkExtraLabels(options.labels, names.labels ?? 'labels');
    for (const rule of options.allowUnsafe ?? []) {
      if (!POLICY_RULE_NAMES.includes(rule)) throw new InvalidArgumentError(names.allowUnsafe ?? 'allowUnsafe', `"${rule}" is not an isolation rule; expected one of ${POLICY_RULE_NAMES.join(', ')}`);
    }
    if (options.image !== undefined && (options.image.trim() === '' || /\s/.test(options.image))) {
      throw new InvalidArgumentError(names.image ?? 'image', `${JSON.stringify(options.image)} is not an image reference; expected NAME[:TAG][@DIGEST] such as alpine:3.20`);
    }
    const project = options.project === undefined ? undefined : await resolveProject(options.project, cwd, names.project ?? 'project');
    const mounts = await resolveMounts(options.mounts ?? [], cwd, names.mounts ?? 'mounts');
    let body = buildWorkspaceSpec(config, {
      id,
      name: id,
      image: options.image,
      project,
      mounts,
      env: options.env,
      ephemeral: options.ephemeral,
      labels,
      owner: ownerLabels(),
      created: new Date(),
    });
    const origins = new Map<string, SettingOrigin>([
      ['HostConfig.Privileged', configOrigin('privileged', sources)],
      ['HostConfig.CapAdd', configOrigin('cap_add', sources)],
      ['HostConfig.SecurityOpt', configOrigin('security_opts', sources)],
      ['HostConfig.NetworkMode', configOrigin('network_name', sources)],
      ['HostConfig.Mounts[0]', { setting: 'project', source: project === undefined ? 'default' : (names.project ?? 'project option') }],
    ]);
    mounts.forEach((_, i) => origins.set(`HostConfig.Mounts[${i + 1}]`, { setting: `mounts[${i}]`, source: names.mounts ?? 'mounts option' }));
    // An allowlist is one more patch (its network, DNS, proxy variables): the policy sees the result.
    const egressSource = (key: ConfigKey): string => (options.egress?.allow !== undefined && key === 'egress_allow' ? 'egress option' : configOrigin(key, sources).source);
    const egress = workspaceEgress(config, options.egress, egressSource);
    const patches = egress === undefined ? (options.patches ?? []) : [{ source: egressSource('egress_allow'), setting: 'egress_allow', ...egressPatch(id) }, ...(options.patches ?? [])];
    for (const patch of patches) {
      body = applySpecPatch(body, patch);
      for (const field of patchedFields(patch)) {
        origins.set(field, { setting: patch.setting ?? field, source: patch.source });
        // A patch that replaces a list owns each of its items too.
        for (const key of [...origins.keys()]) if (key.startsWith(`${field}[`)) origins.delete(key);
      }
    }
    const resolved = await resolveBindSources(body);
    // Show links as they were given: `--project ./link (a link to /etc)`.
    if (project !== undefined && options.project !== undefined && !resolved.givenPaths.has(project)) resolved.givenPaths.set(project, options.project);
    mounts.forEach((m, i) => {
      const given = options.mounts?.[i]?.source;
      if (given !== undefined && given !== m.source && !resolved.givenPaths.has(m.source)) resolved.givenPaths.set(m.source, given);
    });
    const violations = policyViolations(resolved.body, {
      allow: [...config.allowUnsafe, ...(options.allowUnsafe ?? [])],
      origins,
      engineSocket: await localEngineSocket(this.#client.endpoint.url),
      givenPaths: resolved.givenPaths,
    });
    return { id, name: id, containerName: generateContainerName(id), body: resolved.body, violations, egress };
  }

  /**
   * Creates the workspace, or returns the existing one (`created: false`). Settings that
   * break isolation are refused first (PolicyViolationError), with nothing created.
   */
  async create(options: CreateWorkspaceOptions): Promise<CreateResult> {
    const plan = await this.plan(options);
    if (plan.violations.length > 0) throw new PolicyViolationError(plan.violations);
    const call = { signal: options.signal, timeoutMs: options.timeoutMs };
    const result = await this.backend.create(
      { id: plan.id, name: plan.name, containerName: plan.containerName, body: plan.body, config: this.#client.config, labels: options.labels ?? {}, egress: plan.egress },
      call,
    );
    if (!result.created) this.#warnIfDifferent(plan, result.info);
    if (options.start !== true && result.ready === undefined) return result;
    try {
      if (options.start === true) await this.backend.start(plan.name, call);
      // The egress gateway started while the workspace was made: done once it runs.
      await result.ready?.();
    } catch (err) {
      const refusal = ulimitRefusal(err, this.#client.config, this.#client.configSources);
      // Made just now and not usable (limits the engine cannot grant, no gateway): removed
      // with what it came with, so that nothing is left and a create anew makes a new one.
      if (result.created && (refusal !== undefined || result.ready !== undefined)) await this.backend.remove(plan.name, call).catch(() => undefined);
      throw refusal ?? err;
    }
    return { info: await this.backend.inspect(plan.name, call), created: result.created };
  }

  /** A create that found the workspace returns it as it is; say so when it was asked for otherwise. */
  #warnIfDifferent(plan: WorkspacePlan, existing: WorkspaceInfo): void {
    const asked = plan.body.HostConfig.Mounts?.find((m) => m.Target === WORKSPACE_DIR && m.Type === 'bind')?.Source;
    const differs: string[] = [];
    if (existing.image !== plan.body.Image) differs.push(`image ${existing.image} (asked: ${plan.body.Image})`);
    if (existing.project !== asked) differs.push(`project ${existing.project ?? '(none)'} (asked: ${asked ?? '(none)'})`);
    const allow = (list: readonly string[] | undefined): string => (list === undefined || list.length === 0 ? '(none)' : list.join(','));
    if (existing.egress !== undefined || plan.egress !== undefined) {
      if (allow(existing.egress?.allow) !== allow(plan.egress?.allow)) differs.push(`egress allowlist ${allow(existing.egress?.allow)} (asked: ${allow(plan.egress?.allow)}; \`workspace egress ${plan.name} --allow\` changes it)`);
    }
    if (differs.length > 0) {
      this.#logger.warn({ workspace: plan.name, container: existing.id }, `workspace exists with ${differs.join(', ')}; it is returned as it is: remove it first to create it anew`);
    }
  }

  async start(name: string, options: CallOptions = {}): Promise<void> {
    try {
      await this.backend.start(name, options);
    } catch (err) {
      throw ulimitRefusal(err, this.#client.config, this.#client.configSources) ?? err;
    }
  }

  /** SIGTERM, then SIGKILL after `timeoutSeconds` (default 10). */
  async stop(name: string, options: StopOptions = {}): Promise<void> {
    checkSeconds(options.timeoutSeconds);
    await this.backend.stop(name, options);
  }

  async restart(name: string, options: StopOptions = {}): Promise<void> {
    checkSeconds(options.timeoutSeconds);
    try {
      await this.backend.restart(name, options);
    } catch (err) {
      throw ulimitRefusal(err, this.#client.config, this.#client.configSources) ?? err;
    }
  }

  /** Force-removes it with its anonymous volumes; false when there was none. */
  async remove(name: string, options: CallOptions = {}): Promise<boolean> {
    return this.backend.remove(name, options);
  }

  async inspect(name: string, options: CallOptions = {}): Promise<WorkspaceInfo> {
    return this.backend.inspect(name, options);
  }

  /** Every workspace on the engine, by name. */
  async list(options: CallOptions = {}): Promise<WorkspaceInfo[]> {
    return this.backend.list(options);
  }
}

function checkSeconds(seconds: number | undefined): void {
  if (seconds !== undefined && (!Number.isSafeInteger(seconds) || seconds < 0)) {
    throw new InvalidArgumentError('stop time-out', `${String(seconds)} is not a whole, non-negative number of seconds`);
  }
}

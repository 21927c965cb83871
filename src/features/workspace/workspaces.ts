/**
 * Workspaces: what users and the CLI call. One flow for every backend:
 *
 *   name → id → host paths resolved → buildWorkspaceSpec (pure) → patches → bind
 *   sources resolved → policy (on the final body) → backend.create → [start]
 *
 * Nothing reaches the engine before the policy has passed. How the body is made real (a
 * container, a Swarm service) is the backend's: workspaceBackend() picks it once, from
 * `orchestrator`, and everything here goes through it.
 */
import { InvalidArgumentError, PolicyViolationError, type PolicyViolation } from '../../errors.js';
import type { CallOptions } from '../../engine/engine-api.js';
import type { ContainerCreateBody } from '../../engine/types.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { Env } from '../../transport/discovery.js';
import type { ConfigKey } from '../config/index.js';
import { swarmConstraint } from '../config/schema.js';
import { egressPatch, workspaceEgress, type WorkspaceEgress, type WorkspaceEgressOptions } from '../egress/index.js';
import { ownerLabels, type LabelSet } from '../labels.js';
import { chooseOrchestrator, orchestratorSource } from '../swarm/orchestrator.js';
import { SwarmBackend } from '../swarm/swarm-backend.js';
import type { CreateResult, RemoveOptions, StopOptions, WorkspaceBackend, WorkspaceInfo, WorkspaceSpec, WorkspaceTarget } from './backend.js';
import { ContainerBackend } from './container-backend.js';
import { localEngineSocket, resolveBindSources, resolveMounts, resolveProject } from './host-paths.js';
import { generateContainerName, sanitizeName } from './names.js';
import { PULL_POLICIES, type WorkspacePullOptions } from './pull.js';
import { policyViolations, type SettingOrigin } from './policy.js';
import { POLICY_RULE_NAMES, type PolicyRule } from './policy-rules.js';
import type { WorkspaceClient } from './backend.js';
import { applySpecPatch, buildWorkspaceSpec, checkExtraLabels, patchedFields, WORKSPACE_DIR, type WorkspaceMount, type WorkspaceSpecPatch } from './spec.js';
import { ulimitRefusal } from './ulimits.js';

export interface WorkspaceBackendOptions extends CallOptions {
  readonly logger?: Logger | undefined;
  /** Environment for the engines a backend connects to itself (Swarm nodes: DOCKER_TLS_VERIFY, DOCKER_CERT_PATH). Default: process.env. */
  readonly env?: Env | undefined;
}

/**
 * The one place that picks how workspaces run, from the configuration's `orchestrator`:
 * `engine`: containers on the client's engine (no call); `swarm`: services on the Swarm
 * cluster that engine manages (NotSwarmManagerError when it is not a manager); `auto`:
 * swarm on an active manager, else engine (one /info call, which the Swarm backend reuses).
 * Close the backend when done (the Swarm one holds connections to node engines).
 */
export async function workspaceBackend(client: WorkspaceClient, options: WorkspaceBackendOptions = {}): Promise<WorkspaceBackend> {
  const logger = options.logger ?? client.logger;
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  const source = orchestratorSource(client.configSources?.orchestrator);
  const choice = await chooseOrchestrator(client, { ...call, source });
  if (choice.mode === 'engine') return new ContainerBackend(client.api, client.config, { logger });
  return SwarmBackend.open(client, { ...call, info: choice.info, source, logger, env: options.env });
}

/** Names of the create options, as messages show them (the CLI passes its flags). */
export type OptionNames = Partial<Record<'name' | 'image' | 'project' | 'mounts' | 'env' | 'labels' | 'allowUnsafe' | 'constraints' | 'pull', string>>;

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
  /** An image the engine does not have is pulled (default), with progress; see WorkspacePullOptions. */
  readonly pull?: WorkspacePullOptions | undefined;
  /** Changes to the body from other features or the caller, applied in order; the policy checks the result. */
  readonly patches?: readonly WorkspaceSpecPatch[] | undefined;
  /** Rules lifted for this workspace, on top of the configuration's allow_unsafe. */
  readonly allowUnsafe?: readonly PolicyRule[] | undefined;
  /**
   * Placement constraints (`node.labels.zone==a`, as `docker service create --constraint`),
   * added to swarm_constraints. Only a backend that places workspaces on nodes (Swarm) takes
   * them; the container backend refuses them.
   */
  readonly constraints?: readonly string[] | undefined;
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
  /** Placement constraints of this workspace (checked), on top of swarm_constraints. */
  readonly constraints: readonly string[];
  readonly violations: readonly PolicyViolation[];
  /** Its egress allowlist, if any: the body carries its patch; create makes the gateway. */
  readonly egress: WorkspaceEgress | undefined;
}

export interface WorkspacesOptions {
  /** The backend to use; default: the one workspaceBackend() picks from `orchestrator`, on first use. */
  readonly backend?: WorkspaceBackend;
  readonly logger?: Logger;
  /** For the engines a backend connects to itself (Swarm nodes). Default: process.env. */
  readonly env?: Env;
}

function configOrigin(key: ConfigKey, sources: WorkspaceClient['configSources']): SettingOrigin {
  const source = sources?.[key];
  return { setting: key, source: source === undefined ? 'configuration' : source.layer === 'default' ? 'default' : source.name };
}

/**
 * The workspaces of one client. Its backend is chosen on first use (see workspaceBackend)
 * and kept; close the facade (or `await using` it) to release what that backend holds.
 */
export class Workspaces implements AsyncDisposable {
  readonly #client: WorkspaceClient;
  readonly #logger: Logger;
  readonly #env: Env | undefined;
  /** Given by the caller (theirs to close), or chosen here (closed by close()). */
  readonly #given: WorkspaceBackend | undefined;
  #chosen: Promise<WorkspaceBackend> | undefined;
  #closed = false;

  constructor(client: WorkspaceClient, options: WorkspacesOptions = {}) {
    this.#client = client;
    this.#logger = options.logger ?? client.logger ?? silentLogger;
    this.#given = options.backend;
    this.#env = options.env;
  }

  /** The backend workspaces go through: chosen once, from `orchestrator` (one /info call for swarm or auto). */
  async backend(options: CallOptions = {}): Promise<WorkspaceBackend> {
    if (this.#given !== undefined) return this.#given;
    if (this.#closed) throw new Error('Workspaces is closed; make a new one');
    if (this.#chosen === undefined) {
      const chosen = workspaceBackend(this.#client, { logger: this.#logger, env: this.#env, signal: options.signal, timeoutMs: options.timeoutMs });
      this.#chosen = chosen;
      // A failed choice (engine unreachable, not a manager) is not kept: the next call tries again.
      chosen.catch(() => {
        if (this.#chosen === chosen) this.#chosen = undefined;
      });
    }
    return this.#chosen;
  }

  /** Releases what a backend chosen here holds (a backend passed in is the caller's). Safe twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const chosen = this.#chosen;
    this.#chosen = undefined;
    await chosen?.then((b) => b.close(), () => undefined);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
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
    const constraints = (options.constraints ?? []).map((c) => {
      const checked = swarmConstraint(c);
      if ('problem' in checked) throw new InvalidArgumentError(names.constraints ?? 'constraints', `${JSON.stringify(c)} ${checked.problem}`);
      return checked.value;
    });
    const policy = options.pull?.policy;
    if (policy !== undefined && !PULL_POLICIES.includes(policy)) {
      throw new InvalidArgumentError(names.pull ?? 'pull', `${JSON.stringify(policy)} is not a pull policy; expected one of ${PULL_POLICIES.join(', ')}`);
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
      startOnCreate: options.start === true,
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
    return { id, name: id, containerName: generateContainerName(id), body: resolved.body, constraints, violations, egress };
  }

  /**
   * Creates the workspace, or returns the existing one (`created: false`). Settings that
   * break isolation are refused first (PolicyViolationError), with nothing created.
   */
  async create(options: CreateWorkspaceOptions): Promise<CreateResult> {
    const plan = await this.plan(options);
    if (plan.violations.length > 0) throw new PolicyViolationError(plan.violations);
    const call = { signal: options.signal, timeoutMs: options.timeoutMs };
    const backend = await this.backend(call);
    const spec: WorkspaceSpec = {
      id: plan.id,
      name: plan.name,
      containerName: plan.containerName,
      body: plan.body,
      config: this.#client.config,
      labels: options.labels ?? {},
      constraints: plan.constraints,
      ...(options.pull === undefined ? {} : { pull: options.pull }),
      egress: plan.egress,
    };
    const result = await backend.create(spec, call);
    if (!result.created) this.#warnIfDifferent(plan, result.info);
    if (options.start !== true && result.ready === undefined) return result;
    try {
      if (options.start === true) await backend.start(plan.name, call);
      // The egress gateway started while the workspace was made: done once it runs.
      await result.ready?.();
    } catch (startErr) {
      // A gateway that failed to start takes its network with it, and the workspace's own start
      // then fails for the missing network: the gateway's failure is the one that says why.
      const err = result.ready === undefined ? startErr : await result.ready().then(() => startErr, (gatewayErr: unknown) => gatewayErr);
      const refusal = ulimitRefusal(err, this.#client.config, this.#client.configSources);
      // Made just now and not usable (limits the engine cannot grant, no gateway): removed
      // with what it came with, so that nothing is left and a create anew makes a new one.
      if (result.created && (refusal !== undefined || result.ready !== undefined)) await backend.remove(plan.name, call).catch(() => undefined);
      throw refusal ?? err;
    }
    return { info: await backend.inspect(plan.name, call), created: result.created };
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
    const backend = await this.backend(options);
    try {
      await backend.start(name, options);
    } catch (err) {
      throw ulimitRefusal(err, this.#client.config, this.#client.configSources) ?? err;
    }
  }

  /** SIGTERM, then SIGKILL after `timeoutSeconds` (default 10). */
  async stop(name: string, options: StopOptions = {}): Promise<void> {
    checkSeconds(options.timeoutSeconds);
    await (await this.backend(options)).stop(name, options);
  }

  async restart(name: string, options: StopOptions = {}): Promise<void> {
    checkSeconds(options.timeoutSeconds);
    const backend = await this.backend(options);
    try {
      await backend.restart(name, options);
    } catch (err) {
      throw ulimitRefusal(err, this.#client.config, this.#client.configSources) ?? err;
    }
  }

  /** Force-removes it with its data (anonymous volumes; Swarm: its data volume on every node) unless `keepData`; false when there was none. */
  async remove(name: string, options: RemoveOptions = {}): Promise<boolean> {
    return (await this.backend(options)).remove(name, options);
  }

  async inspect(name: string, options: CallOptions = {}): Promise<WorkspaceInfo> {
    return (await this.backend(options)).inspect(name, options);
  }

  /** Every workspace, by name. */
  async list(options: CallOptions = {}): Promise<WorkspaceInfo[]> {
    return (await this.backend(options)).list(options);
  }

  /**
   * Where exec, logs, cp and stats of workspace `name` go: the engine that runs its container
   * (the client's own; with Swarm, the engine of the workspace's node) and the container.
   * WorkspaceNotFoundError when there is none.
   */
  async locate(name: string, options: CallOptions = {}): Promise<WorkspaceTarget> {
    return (await this.backend(options)).locate(name, options);
  }
}

function checkSeconds(seconds: number | undefined): void {
  if (seconds !== undefined && (!Number.isSafeInteger(seconds) || seconds < 0)) {
    throw new InvalidArgumentError('stop time-out', `${String(seconds)} is not a whole, non-negative number of seconds`);
  }
}

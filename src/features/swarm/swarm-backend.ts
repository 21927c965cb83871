/**
 * Workspaces as Swarm services: one replicated service (1 replica) per workspace, placed,
 * restarted and moved by Swarm. aicli chooses the spec (the engine spec's hardening, carried
 * over by toServiceSpec) and reads the state; it schedules nothing itself.
 *
 * Calls: `list()` and `nodes()` are three calls each (services, tasks, nodes), whatever the
 * number of workspaces. Anything that needs a container (exec, logs, archives, stats, and the
 * hardening check after start) goes to the engine of the node that runs it (NodeEngines).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DockerAbortedError,
  DockerConflictError,
  DockerNotFoundError,
  ImageNotFoundError,
  InvalidArgumentError,
  isDockerError,
  SwarmUnsupportedError,
  SwarmWorkspaceError,
  WorkspaceNotHardenedError,
} from '../../errors.js';
import type { CallOptions } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import {
  createService,
  inspectService,
  listNodes,
  listServices,
  listTasks,
  removeService,
  swarmMembership,
  updateService,
  type ServiceSpec,
  type SwarmNode,
  type SwarmService,
  type SwarmTask,
} from '../../engine/swarm.js';
import { silentLogger, type Logger } from '../../logger.js';
import { notSwarmManager } from '../podman/capabilities.js';
import { compareApiVersions } from '../../transport/api-version.js';
import type { Env } from '../../transport/discovery.js';
import type { DockerConfig } from '../config/index.js';
import { swarmConstraint } from '../config/schema.js';
import { DockerClient } from '../docker-client.js';
import { LABELS } from '../labels.js';
import { hardeningProblems, type ContainerInspect } from './hardening.js';
import { ensureSwarmNetwork, isNameConflict } from './network-standin.js';
import { NodeEngines } from './routing.js';
import { MIN_SWARM_API, SWARM_API_NEEDS, toServiceSpec } from './service-spec.js';
import { dataMount, dataNodes, hostnameOf, nodeViews, workspaceView, workspaceViews, type DataLocation, type SwarmNodeInfo, type SwarmWorkspaceInfo, type TaskRecord, type WorkspaceView } from './snapshot.js';
import {
  buildContainerSpec,
  checkWorkspaceName,
  WorkspaceNotFoundError,
  workspaceLabels,
  type CreateWorkspaceOptions,
  type WorkspaceBackend,
} from './workspace-standin.js';

/** Every default of the Swarm backend, in one place. */
export const SWARM_DEFAULTS = Object.freeze({
  /** Between two looks at a workspace's tasks while waiting for it (one small call each). */
  pollIntervalMs: 50,
  /** How long create/start/restart wait for the workspace to run before returning its state as it is. */
  startTimeoutMs: 120_000,
  /** How long remove waits for a node to let go of the data volume. */
  volumeRemoveTimeoutMs: 30_000,
  /** Stop grace for `sleep`-like commands that ignore SIGTERM (with Init, they get it). */
  stopGracePeriodMs: 2_000,
  /** Before a restart or a move (Swarm's default: 5 s). */
  restartDelayMs: 1_000,
  /**
   * create/start return `pending` once the scheduler has said why for this long: a node that
   * is letting go of a removed workspace frees its reservation only a moment later.
   */
  pendingGraceMs: 2_000,
  dataTarget: '/workspace',
});

export interface SwarmBackendOptions extends CallOptions {
  /** Default: the client's configuration. */
  readonly config?: DockerConfig;
  /** Environment for node connections (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH for tcp:// nodes). Default: process.env. */
  readonly env?: Env;
  readonly logger?: Logger;
  /** How to open a node's engine. Default: DockerClient.connect({ host, env, config }). */
  readonly connectNode?: (host: string) => Promise<DockerClient>;
  /** Where `orchestrator: swarm` was set, for the not-a-manager message. */
  readonly source?: string;
  readonly pollIntervalMs?: number;
  readonly startTimeoutMs?: number;
}

export interface SwarmCreateOptions extends CreateWorkspaceOptions {
  /** Placement constraints added to the configuration's `swarm_constraints` (the CLI's --constraint). */
  readonly constraints?: readonly string[] | undefined;
  /** Wait until the workspace runs, is pending with the scheduler's reason, or fails (default true). */
  readonly wait?: boolean | undefined;
}

export interface SwarmWorkspaceDetails extends SwarmWorkspaceInfo {
  readonly serviceName: string;
  readonly taskId: string | null;
  readonly containerId: string | null;
  readonly limits: { readonly cpus: number | null; readonly memoryBytes: number | null; readonly pids: number | null };
  readonly constraints: readonly string[];
  readonly networks: readonly string[];
  readonly data: DataLocation;
  /** Tasks of the workspace, newest first (Swarm keeps the last few). */
  readonly history: readonly TaskRecord[];
}

/** A node engine to run things in a workspace's container: exec, logs, archives, stats. */
export interface WorkspaceEngine {
  readonly client: DockerClient;
  readonly containerId: string;
  /** Hostname of the node. */
  readonly node: string;
  readonly nodeId: string;
  readonly taskId: string;
  readonly endpoint: string;
}

export interface SwarmRemoveResult {
  readonly name: string;
  /** Nodes whose copy of the data volume was removed. */
  readonly dataRemovedOn: readonly string[];
  /** Nodes that may still hold a copy, and why it was not removed. */
  readonly dataLeftOn: readonly { readonly node: string; readonly reason: string }[];
}

/** A node engine that could not be reached (as opposed to one that answered). */
const UNREACHABLE = ['DOCKER_NOT_AVAILABLE', 'DOCKER_TIMEOUT', 'DOCKER_TLS_ERROR', 'DOCKER_CONNECTION_LOST', 'UNSUPPORTED_API_VERSION'] as const;

const WORKSPACE_FILTER = { label: [`${LABELS.managed}=true`, LABELS.workspaceName] };

/** The service (and its volume) of workspace `name`. Service names are DNS labels: no `_`. */
export function serviceNameOf(name: string): string {
  return `workspace-${name}`;
}

export function volumeNameOf(name: string): string {
  return `workspace-${name}-data`;
}

/**
 * Workspaces on the Swarm cluster managed by `client`'s engine. Open it with
 * `SwarmBackend.open(client)`; it holds connections to node engines, so close it.
 */
export class SwarmBackend implements WorkspaceBackend {
  readonly client: DockerClient;
  readonly config: DockerConfig;
  /** The manager's Docker version, for messages. */
  readonly serverVersion: string;
  readonly #engines: NodeEngines;
  readonly #logger: Logger;
  readonly #pollMs: number;
  readonly #startTimeoutMs: number;
  /** Containers whose hardening was read back from their node's engine. */
  readonly #verified = new Set<string>();
  #closed = false;

  private constructor(client: DockerClient, options: SwarmBackendOptions, serverVersion: string) {
    this.client = client;
    this.config = options.config ?? client.config;
    this.serverVersion = serverVersion;
    this.#logger = options.logger ?? silentLogger;
    this.#pollMs = options.pollIntervalMs ?? SWARM_DEFAULTS.pollIntervalMs;
    this.#startTimeoutMs = options.startTimeoutMs ?? SWARM_DEFAULTS.startTimeoutMs;
    const env = options.env ?? process.env;
    const connect = options.connectNode ?? ((host: string) => DockerClient.connect({ host, env, config: this.config, ensureNetwork: false, logger: this.#logger }));
    this.#engines = new NodeEngines(connect, () => this.config.swarmNodeEndpoints, this.#logger);
  }

  /** Checks (one /info call) that `client`'s engine is an active Swarm manager. */
  static async open(client: DockerClient, options: SwarmBackendOptions = {}): Promise<SwarmBackend> {
    const info = await client.api.info({ signal: options.signal, timeoutMs: options.timeoutMs });
    const m = swarmMembership(info.raw);
    if (!m.manager) {
      const state = m.state === 'active' ? 'active, as a worker: only managers can run services' : m.state;
      throw notSwarmManager(info.raw, client.endpoint.url, state, options.source ?? 'orchestrator: swarm');
    }
    return new SwarmBackend(client, options, info.serverVersion);
  }

  /** Makes the workspace's service (idempotent per name) and waits until it runs, is pending with the scheduler's reason, or fails. */
  async create(options: SwarmCreateOptions): Promise<SwarmWorkspaceInfo> {
    this.#assertOpen();
    const name = checkWorkspaceName(options.name);
    const call = { signal: options.signal, timeoutMs: options.timeoutMs };
    const api = this.client.api;
    // Below 1.44 the engine takes a service's no-new-privileges and drops it without a word.
    if (compareApiVersions(api.apiVersion, MIN_SWARM_API) < 0) {
      const need = SWARM_API_NEEDS.noNewPrivileges;
      throw new SwarmUnsupportedError([
        {
          source: 'engine',
          key: 'orchestrator',
          message:
            `Swarm workspaces need ${need.what}, which a service carries only from Engine API ${need.api} (Docker ${need.docker}); ` +
            `the manager at ${this.client.endpoint.url} (Docker ${this.serverVersion}) is spoken to at API ${api.apiVersion}, where it would start workspaces without it. ` +
            `Upgrade the manager and every node to Docker ${need.docker} or newer${this.client.apiVersionNegotiated ? '' : `, or unpin the API version (${api.apiVersion} is pinned)`}, or set orchestrator: engine`,
        },
      ]);
    }
    if (options.project !== undefined) {
      throw new SwarmUnsupportedError([
        {
          source: 'workspace spec',
          key: 'project',
          message: `a project folder (${options.project}) exists on this machine only, and a Swarm workspace may run on any node: its files live in the volume at ${SWARM_DEFAULTS.dataTarget} (copy them in), and volume_driver chooses where that volume lives`,
        },
      ]);
    }
    const constraints = (options.constraints ?? []).map((c) => {
      const checked = swarmConstraint(c);
      if ('problem' in checked) throw new InvalidArgumentError('placement constraint', `${JSON.stringify(c)} ${checked.problem}`);
      return checked.value;
    });
    const extra = options.labels ?? {};
    const labels = { ...workspaceLabels(name, name), ...extra };
    const body = buildContainerSpec(this.config, { name, image: options.image, labels });
    const { spec, networks, notes } = toServiceSpec(body, {
      serviceName: serviceNameOf(name),
      apiVersion: api.apiVersion,
      labels,
      dataVolume: {
        name: volumeNameOf(name),
        target: SWARM_DEFAULTS.dataTarget,
        driver: this.config.volumeDriver,
        driverOptions: this.config.volumeDriverOpts,
        labels,
      },
      constraints: [...this.config.swarmConstraints, ...constraints],
      stopGracePeriodMs: SWARM_DEFAULTS.stopGracePeriodMs,
      restartDelayMs: SWARM_DEFAULTS.restartDelayMs,
    });
    for (const note of notes) this.#logger.info({ workspace: name }, note);
    for (const network of networks) await ensureSwarmNetwork(api, network, extra, call);

    let id: string;
    try {
      const made = await createService(api, spec, call);
      id = made.id;
      for (const w of made.warnings) this.#logger.warn({ workspace: name }, w);
      this.#logger.info({ workspace: name, service: id }, 'swarm workspace created');
    } catch (err) {
      // A second create of the same name (another process, a retry): the existing one, if it is ours.
      if (!isNameConflict(err)) throw err;
      const existing = await this.#find(name, call);
      return (await this.#view(existing, call)).info;
    }
    if (options.wait === false) return (await this.#view(await inspectService(api, id, call), call)).info;
    return this.#settle(name, id, (v) => v.info.state !== 'starting' && !(v.info.state === 'pending' && v.task?.Status.Err === undefined), call, true);
  }

  async start(name: string, options: CallOptions = {}): Promise<SwarmWorkspaceInfo> {
    const service = await this.#find(name, options);
    if ((service.Spec.Mode.Replicated?.Replicas ?? 1) === 0) await this.#update(name, (s) => ({ ...s, Mode: { Replicated: { Replicas: 1 } } }), options);
    return this.#settle(name, service.ID, (v) => v.info.state !== 'starting' && !(v.info.state === 'pending' && v.task?.Status.Err === undefined), options, false);
  }

  /**
   * Scales the service to 0. Swarm forgets the tasks of a slot it scales away, so the node that
   * held the data is kept in a label (LABELS.swarmDataOn): a later start may land elsewhere.
   */
  async stop(name: string, options: CallOptions = {}): Promise<SwarmWorkspaceInfo> {
    const before = await this.#view(await this.#find(name, options), options);
    const service = before.service;
    const held = dataNodes(service.Spec.Labels);
    const node = before.info.node;
    if (node !== null && !held.includes(node)) held.push(node);
    await this.#update(
      name,
      (s) => ({ ...s, Labels: { ...s.Labels, ...(held.length > 0 ? { [LABELS.swarmDataOn]: held.join(',') } : {}) }, Mode: { Replicated: { Replicas: 0 } } }),
      options,
    );
    // Stopped when no task of it is still running anywhere.
    return this.#settle(name, service.ID, (v) => v.history.every((t) => t.state !== 'running' && t.state !== 'starting'), options, false);
  }

  /** A new container for the workspace (Swarm replaces the task; with a local volume, on the same node unless it cannot). */
  async restart(name: string, options: CallOptions = {}): Promise<SwarmWorkspaceInfo> {
    const before = await this.#view(await this.#find(name, options), options);
    await this.#update(
      name,
      (s) => ({ ...s, Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ...s.TaskTemplate, ForceUpdate: (s.TaskTemplate.ForceUpdate ?? 0) + 1 } }),
      options,
    );
    const old = before.task?.ID;
    return this.#settle(
      name,
      before.service.ID,
      (v) => v.task !== null && v.task.ID !== old && v.info.state !== 'starting' && !(v.info.state === 'pending' && v.task.Status.Err === undefined),
      options,
      false,
    );
  }

  /** Removes the workspace and its data volume on every node that ran it (see removeWorkspace for what was left). */
  async remove(name: string, options: CallOptions = {}): Promise<void> {
    const r = await this.removeWorkspace(name, options);
    for (const left of r.dataLeftOn) this.#logger.warn({ workspace: name, node: left.node, reason: left.reason }, 'data volume left on a node');
  }

  /**
   * Removes the service, then (unless `keepData`) the data volume on every node that ran the
   * workspace; a node that cannot be reached keeps its copy, and the result says which.
   */
  async removeWorkspace(name: string, options: CallOptions & { keepData?: boolean } = {}): Promise<SwarmRemoveResult> {
    this.#assertOpen();
    const api = this.client.api;
    const call = { signal: options.signal, timeoutMs: options.timeoutMs };
    const service = await this.#find(name, call);
    const [before, nodes] = await Promise.all([listTasks(api, { service: [service.ID] }, call), listNodes(api, undefined, call)]);
    await removeService(api, service.ID, call);
    this.#logger.info({ workspace: name, service: service.ID }, 'swarm workspace removed');
    const byId = new Map(nodes.map((n) => [n.ID, n]));
    const ready = (nodeId: string): SwarmNode | undefined => (byId.get(nodeId)?.Status.State === 'ready' ? byId.get(nodeId) : undefined);
    // Its running containers first: the node's agent stops them too, but only after a 2 s gossip delay.
    await Promise.all(
      before.map(async (t) => {
        const node = ready(t.NodeID ?? '');
        const id = t.Status.ContainerStatus?.ContainerID ?? '';
        if (node === undefined || id === '') return;
        const engine = await this.#engines.clientFor(node, `remove workspace "${name}"`).catch(() => undefined);
        if (engine !== undefined) await this.#removeContainer(engine, id, call).catch(() => undefined);
      }),
    );
    // Then until no task of it holds a reservation: what it reserved is free when remove returns,
    // and no container of it can appear any more (one may have been starting).
    const after = await this.#released(service.ID, name, byId, call);
    const volume = dataMount(service)?.Source;
    if (options.keepData === true || volume === undefined) return { name, dataRemovedOn: [], dataLeftOn: [] };
    const removedOn: string[] = [];
    const leftOn: { node: string; reason: string }[] = [];
    // Nodes known to have run it (task history, and the label stop keeps: Swarm prunes history);
    // every other node whose engine aicli can reach is asked too, in case history was pruned.
    const labelled = new Set(dataNodes(service.Spec.Labels));
    const known = new Set([...before, ...after].map((t) => t.NodeID ?? '').filter((id) => id !== ''));
    for (const n of nodes) if (labelled.has(hostnameOf(n) ?? '')) known.add(n.ID);
    const reachable = (n: SwarmNode): boolean => {
      try {
        this.#engines.endpointOf(n, 'remove');
        return n.Status.State === 'ready';
      } catch {
        return false;
      }
    };
    const candidates = new Set([...known, ...nodes.filter(reachable).map((n) => n.ID)]);
    await Promise.all(
      [...candidates].map(async (nodeId) => {
        const node = byId.get(nodeId);
        const host = hostnameOf(node) ?? nodeId;
        if (node === undefined || node.Status.State !== 'ready') {
          leftOn.push({ node: host, reason: `node is ${node?.Status.State ?? 'gone'}` });
          return;
        }
        try {
          const engine = await this.#engines.clientFor(node, `remove the data volume ${volume} of workspace "${name}"`);
          const left = await engine.api.json<{ Id: string }[]>({
            method: 'GET',
            path: apiPath`/containers/json`,
            query: { all: true, filters: { label: [`com.docker.swarm.service.id=${service.ID}`] } },
            ...call,
          });
          await Promise.all(left.map((c) => this.#removeContainer(engine, c.Id, call)));
          if (await this.#removeVolume(engine, volume, call)) removedOn.push(host);
        } catch (err) {
          leftOn.push({ node: host, reason: err instanceof Error ? err.message : String(err) });
        }
      }),
    );
    return { name, dataRemovedOn: removedOn.sort(), dataLeftOn: leftOn.sort((a, b) => (a.node < b.node ? -1 : 1)) };
  }

  /**
   * State, node, message, limits, placement, networks, where the data lives and what stayed
   * behind after moves; health from the node's engine when it can be reached.
   */
  async inspect(name: string, options: CallOptions = {}): Promise<SwarmWorkspaceDetails> {
    this.#assertOpen();
    const v = await this.#view(await this.#find(name, options), options);
    const t = v.service.Spec.TaskTemplate;
    const limits = t.Resources?.Limits ?? {};
    // Swarm stores attached networks by ID: one call for their names.
    const ids = (t.Networks ?? []).map((n) => n.Target);
    const named = ids.length === 0 ? [] : await this.client.api.json<{ Id: string; Name: string }[]>({ method: 'GET', path: apiPath`/networks`, query: { filters: { id: ids } }, ...options });
    const health = v.task === null || v.nodeRecord === null || v.info.state !== 'running' ? null : await this.#health(v.task, v.nodeRecord, options);
    return {
      ...v.info,
      health,
      serviceName: v.service.Spec.Name,
      taskId: v.task?.ID ?? null,
      containerId: v.task?.Status.ContainerStatus?.ContainerID ?? null,
      limits: { cpus: limits.NanoCPUs === undefined ? null : limits.NanoCPUs / 1e9, memoryBytes: limits.MemoryBytes ?? null, pids: limits.Pids ?? null },
      constraints: t.Placement?.Constraints ?? [],
      networks: ids.map((id) => named.find((n) => n.Id === id)?.Name ?? id),
      data: v.data,
      history: v.history,
    };
  }

  /** Every workspace: three API calls (services, tasks, nodes), whatever their number. */
  async list(options: CallOptions = {}): Promise<SwarmWorkspaceInfo[]> {
    this.#assertOpen();
    const api = this.client.api;
    const [services, tasks, nodes] = await Promise.all([
      listServices(api, WORKSPACE_FILTER, options),
      // Tasks are filtered by their service's labels: no per-service call.
      listTasks(api, WORKSPACE_FILTER, options),
      listNodes(api, undefined, options),
    ]);
    return workspaceViews(services, tasks, nodes).map((v) => v.info);
  }

  /** Every node: state, availability, reserved and free CPU and memory, its workspaces and engine endpoint. Three calls. */
  async nodes(options: CallOptions = {}): Promise<SwarmNodeInfo[]> {
    this.#assertOpen();
    const api = this.client.api;
    const [nodes, tasks, services] = await Promise.all([
      listNodes(api, undefined, options),
      // Every service's tasks count against a node's resources, not only workspaces'.
      listTasks(api, { 'desired-state': ['running'] }, options),
      listServices(api, WORKSPACE_FILTER, options),
    ]);
    return nodeViews(nodes, tasks, services, (n) => {
      try {
        return this.#engines.endpointOf(n, 'list nodes');
      } catch {
        return undefined;
      }
    });
  }

  /**
   * A connected client for the engine of the node that runs workspace `name`, and its container:
   * what exec, logs, archives and stats take. The container's hardening is read back from that
   * engine first (once per container); a container without it is removed (WorkspaceNotHardenedError).
   */
  async engineForWorkspace(name: string, options: CallOptions = {}): Promise<WorkspaceEngine> {
    this.#assertOpen();
    const v = await this.#view(await this.#find(name, options), options);
    if (v.info.state !== 'running' || v.task === null || v.nodeRecord === null) {
      throw new SwarmWorkspaceError(
        name,
        v.info.state,
        `Workspace "${name}" is ${v.info.state}${v.info.node === null ? '' : ` on node ${v.info.node}`}${v.info.message === '' ? '' : ` (${v.info.message})`}: there is no container to reach yet. ` +
          'See `aicli-docker workspace ls`; start it with `workspace start` if it is stopped.',
      );
    }
    return this.#verify(name, v.service, v.task, v.nodeRecord, options);
  }

  /** Closes the node engines' connections (not the manager's client, which the caller owns). Safe twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#engines.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // --- internals ---------------------------------------------------------------------

  #assertOpen(): void {
    if (this.#closed) throw new Error('SwarmBackend is closed; open a new one');
  }

  /** The workspace's service, by name; a service aicli did not make is never touched. */
  async #find(name: string, options: CallOptions): Promise<SwarmService> {
    const serviceName = serviceNameOf(checkWorkspaceName(name));
    let service: SwarmService;
    try {
      service = await inspectService(this.client.api, serviceName, options);
    } catch (err) {
      if (err instanceof DockerNotFoundError) throw new WorkspaceNotFoundError(name, `the Swarm cluster of ${this.client.endpoint.url}`);
      throw err;
    }
    const labels = service.Spec.Labels ?? {};
    // GET /services/{x} also matches ID prefixes: the name must be exactly ours.
    if (service.Spec.Name !== serviceName || labels[LABELS.managed] !== 'true' || labels[LABELS.workspaceName] !== name) {
      throw new DockerConflictError(
        { method: 'GET', path: apiPath`/services/${serviceName}`, endpoint: this.client.endpoint.url },
        `service ${service.Spec.Name} (${service.ID}) was not made by aicli for workspace "${name}"; aicli leaves it alone`,
      );
    }
    return service;
  }

  /** The view of one service: its tasks and the nodes (two calls). */
  async #view(service: SwarmService, options: CallOptions): Promise<WorkspaceView> {
    const api = this.client.api;
    const [tasks, nodes] = await Promise.all([listTasks(api, { service: [service.ID] }, options), listNodes(api, undefined, options)]);
    return workspaceView(service, tasks, new Map(nodes.map((n) => [n.ID, n])));
  }

  /** Read, change, write; a write based on a stale version is refused by the engine (nothing done) and redone. */
  async #update(name: string, change: (spec: ServiceSpec) => ServiceSpec, options: CallOptions): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const service = await this.#find(name, options);
      try {
        await updateService(this.client.api, service.ID, service.Version.Index, change(service.Spec), options);
        return;
      } catch (err) {
        if (attempt < 5 && isDockerError(err, 'DOCKER_API_ERROR') && /out of sequence/i.test((err as { daemonMessage?: string }).daemonMessage ?? '')) continue;
        throw err;
      }
    }
  }

  /**
   * Polls the service until `done` says so or the start time-out passes (then returns the
   * state as it is: Swarm keeps working on it). A workspace that ran is checked on its node.
   * On a first start that fails (image missing, mount refused), the service is removed.
   */
  async #settle(name: string, serviceId: string, done: (v: WorkspaceView) => boolean, options: CallOptions, removeOnFailure: boolean): Promise<SwarmWorkspaceInfo> {
    const api = this.client.api;
    const end = Date.now() + this.#startTimeoutMs;
    // The service and the nodes once; then one call (its tasks) per look.
    const [service, nodeList] = await Promise.all([inspectService(api, serviceId, options), listNodes(api, undefined, options)]);
    let nodes: ReadonlyMap<string, SwarmNode> = new Map(nodeList.map((n) => [n.ID, n]));
    let pendingSince: number | undefined;
    for (;;) {
      const tasks = await listTasks(api, { service: [serviceId] }, options);
      if (tasks.some((t: SwarmTask) => t.NodeID !== undefined && t.NodeID !== '' && !nodes.has(t.NodeID))) {
        nodes = new Map((await listNodes(api, undefined, options)).map((n) => [n.ID, n]));
      }
      const v = workspaceView(service, tasks, nodes);
      // A first start that fails (image missing, mount refused) fails the same way on retry: Swarm's reason, nothing left.
      const failed = removeOnFailure ? tasks.find((t) => t.Status.State === 'failed' || t.Status.State === 'rejected') : undefined;
      if (failed !== undefined) await this.#failed(name, service, failed, nodes, options);
      const waiting = v.info.state === 'pending' && (v.task?.Status.Err ?? '') !== '';
      pendingSince = waiting ? (pendingSince ?? Date.now()) : undefined;
      const settled = done(v) && !(waiting && Date.now() - (pendingSince ?? 0) < SWARM_DEFAULTS.pendingGraceMs);
      if (settled || Date.now() > end) {
        if (v.info.state === 'running' && v.task !== null && v.nodeRecord !== null) {
          try {
            await this.#verify(name, service, v.task, v.nodeRecord, options);
          } catch (err) {
            // The workspace runs, but its node's engine cannot be reached from here: nothing can
            // exec into it either until that is fixed (engineForWorkspace checks first); say so.
            const why = isDockerError(err, 'NODE_ENDPOINT_UNKNOWN')
              ? `no engine endpoint known for node ${v.info.node ?? '?'} (set the node label aicli.engine or swarm_node_endpoints)`
              : UNREACHABLE.some((code) => isDockerError(err, code))
                ? `the engine of node ${v.info.node ?? '?'} did not answer (${(err as Error).message})`
                : undefined;
            if (why === undefined) throw err;
            return { ...v.info, message: [v.info.message, `hardening not checked yet: ${why}`].filter((m) => m !== '').join('; ') };
          }
        }
        return v.info;
      }
      await this.#pause(options, serviceId);
    }
  }

  async #pause(options: CallOptions, serviceId: string): Promise<void> {
    try {
      await sleep(this.#pollMs, undefined, options.signal === undefined ? undefined : { signal: options.signal });
    } catch (err) {
      throw new DockerAbortedError({ method: 'GET', path: apiPath`/tasks?service=${serviceId}`, endpoint: this.client.endpoint.url }, options.signal?.reason ?? err);
    }
  }

  /** A first start failed: remove the service (nothing left behind) and say why, in Swarm's words. */
  async #failed(name: string, service: SwarmService, task: SwarmTask, nodes: ReadonlyMap<string, SwarmNode>, options: CallOptions): Promise<never> {
    await removeService(this.client.api, service.ID, options).catch(() => undefined);
    const why = task.Status.Err ?? task.Status.Message ?? 'the task failed';
    const where = hostnameOf(nodes.get(task.NodeID ?? '')) ?? 'its node';
    const image = service.Spec.TaskTemplate.ContainerSpec.Image;
    if (/no such image|pull access denied|manifest unknown|not found: manifest|repository does not exist/i.test(why)) {
      throw new ImageNotFoundError(
        { method: 'POST', path: apiPath`/services/create`, endpoint: this.client.endpoint.url },
        `workspace "${name}" could not start on node ${where}: ${why}. Every node pulls the image itself: push ${image} to a registry the nodes can reach. The workspace was removed`,
      );
    }
    throw new SwarmWorkspaceError(name, 'failed', `Workspace "${name}" failed to start on node ${where}: ${why}. It was removed; nothing is left.`);
  }

  /** Reads the container back from its node's engine (once per container); removes the workspace if it lacks the hardening. */
  async #verify(name: string, service: SwarmService, task: SwarmTask, node: SwarmNode, options: CallOptions): Promise<WorkspaceEngine> {
    const containerId = task.Status.ContainerStatus?.ContainerID ?? '';
    const host = hostnameOf(node) ?? node.ID;
    const client = await this.#engines.clientFor(node, `reach workspace "${name}"`);
    const endpoint = client.endpoint.url;
    if (!this.#verified.has(containerId)) {
      const inspect = await client.api.json<ContainerInspect>({ method: 'GET', path: apiPath`/containers/${containerId}/json`, resource: 'container', ...options });
      const problems = hardeningProblems(service.Spec.TaskTemplate, inspect);
      if (problems.length > 0) {
        this.#logger.error({ workspace: name, node: host, problems }, 'swarm workspace started without its hardening; removing it');
        const removed = await removeService(this.client.api, service.ID, options).then(
          () => true,
          () => false,
        );
        // Its data volume on that node too (best effort: the container goes first, within seconds).
        const volume = dataMount(service)?.Source;
        await this.#removeContainer(client, containerId, options).catch(() => undefined);
        if (removed && volume !== undefined) await this.#removeVolume(client, volume, options).catch(() => undefined);
        throw new WorkspaceNotHardenedError(name, host, problems, removed);
      }
      this.#verified.add(containerId);
    }
    return { client, containerId, node: host, nodeId: node.ID, taskId: task.ID, endpoint };
  }

  /** The container's health status from its node's engine; null without a health check or a known endpoint. */
  async #health(task: SwarmTask, node: SwarmNode, options: CallOptions): Promise<string | null> {
    const id = task.Status.ContainerStatus?.ContainerID ?? '';
    if (id === '') return null;
    try {
      const engine = await this.#engines.clientFor(node, 'read its health');
      const c = await engine.api.json<{ State?: { Health?: { Status?: string } } }>({ method: 'GET', path: apiPath`/containers/${id}/json`, resource: 'container', ...options });
      return c.State?.Health?.Status ?? null;
    } catch (err) {
      this.#logger.debug({ node: hostnameOf(node), error: err instanceof Error ? err.message : String(err) }, 'health not read from the node');
      return null;
    }
  }

  /**
   * Waits until no task of a removed service still holds a reservation on a ready node, so that
   * when remove returns, what it reserved can be given to the next workspace. A down node's
   * tasks are left to Swarm.
   */
  async #released(serviceId: string, name: string, nodes: ReadonlyMap<string, SwarmNode>, options: CallOptions): Promise<SwarmTask[]> {
    const end = Date.now() + SWARM_DEFAULTS.volumeRemoveTimeoutMs;
    const ended: ReadonlySet<string> = new Set(['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned']);
    // By the service's labels: filtering by a service that no longer exists is a 404.
    const filter = { label: [`${LABELS.managed}=true`, `${LABELS.workspaceName}=${name}`] };
    for (;;) {
      const tasks = await listTasks(this.client.api, filter, options);
      const mine = tasks.filter((t) => t.ServiceID === serviceId);
      const holding = mine.filter((t) => !ended.has(t.Status.State) && nodes.get(t.NodeID ?? '')?.Status.State === 'ready');
      if (holding.length === 0 || Date.now() > end) return mine;
      await this.#pause(options, serviceId);
    }
  }

  /** Force-removes a container of a removed workspace on its node (gone already: fine). */
  async #removeContainer(engine: DockerClient, id: string, options: CallOptions): Promise<void> {
    try {
      await engine.api.json({ method: 'DELETE', path: apiPath`/containers/${id}`, query: { force: true }, resource: 'container', idempotent: true, ...options });
    } catch (err) {
      // 404: gone; 409: the agent is removing it right now.
      if (!(err instanceof DockerNotFoundError) && !(err instanceof DockerConflictError)) throw err;
    }
  }

  /** DELETE the volume on one node (false: it had none), waiting while a container still uses it (409: nothing was done). */
  async #removeVolume(engine: DockerClient, volume: string, options: CallOptions): Promise<boolean> {
    const end = Date.now() + SWARM_DEFAULTS.volumeRemoveTimeoutMs;
    for (;;) {
      try {
        await engine.api.json({ method: 'DELETE', path: apiPath`/volumes/${volume}`, resource: 'volume', ...options });
        return true;
      } catch (err) {
        if (err instanceof DockerNotFoundError) return false;
        if (!(err instanceof DockerConflictError) || Date.now() > end) throw err;
      }
      await this.#pause(options, volume);
    }
  }
}

/**
 * Workspaces as Swarm services: one replicated service (1 replica) per workspace, placed,
 * restarted and moved by Swarm. The WorkspaceBackend that workspaceBackend() picks when
 * `orchestrator` says swarm: the Workspaces facade builds and checks the workspace's body
 * (buildWorkspaceSpec, the policy) as for a container; this backend turns it into a service
 * spec (toServiceSpec: the same hardening) and reads the state. It schedules nothing itself.
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
  isDockerError,
  isNameConflict,
  SwarmUnsupportedError,
  SwarmWorkspaceError,
  WorkspaceNotFoundError,
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
import type { SystemInfo } from '../../engine/types.js';
import { silentLogger, type Logger } from '../../logger.js';
import { notSwarmManager } from '../podman/capabilities.js';
import { compareApiVersions } from '../../transport/api-version.js';
import type { Env } from '../../transport/discovery.js';
import type { DockerConfig } from '../config/index.js';
import { DockerClient } from '../docker-client.js';
import { LABELS } from '../labels.js';
import { ensureNetwork, findNetwork } from '../network/index.js';
import type { CreateResult, RemoveOptions, StopOptions, WorkspaceBackend, WorkspaceClient, WorkspaceSpec, WorkspaceTarget } from '../workspace/backend.js';
import { sanitizeName } from '../workspace/names.js';
import { WORKSPACE_DIR } from '../workspace/spec.js';
import { hardeningProblems, type ContainerInspect } from './hardening.js';
import { NodeEngines } from './routing.js';
import { MIN_SWARM_API, SWARM_API_NEEDS, toServiceSpec, type ServiceSpecResult } from './service-spec.js';
import {
  dataMount,
  dataNodes,
  hostnameOf,
  nodeViews,
  SWARM_KIND,
  workspaceView,
  workspaceViews,
  type SwarmNodeInfo,
  type SwarmWorkspaceInfo,
  type TaskRecord,
  type WorkspaceView,
} from './snapshot.js';

/** Every default of the Swarm backend, in one place. */
export const SWARM_DEFAULTS = Object.freeze({
  /** Between two looks at a workspace's tasks while waiting for it (one small call each). */
  pollIntervalMs: 50,
  /** How long create/start/restart wait for the workspace to run before returning its state as it is. */
  startTimeoutMs: 120_000,
  /** How long remove waits for a node to let go of the data volume. */
  volumeRemoveTimeoutMs: 30_000,
  /** Stop grace: the workspace's shell exits on SIGTERM (and Init passes it on); anything else is killed after this. */
  stopGracePeriodMs: 2_000,
  /** Before a restart or a move (Swarm's default: 5 s). */
  restartDelayMs: 1_000,
  /**
   * Health probes this often until the first passes: Swarm says a task runs only then (the
   * engine's default is 5 s before the first probe). After that, healthcheck_interval.
   */
  healthStartIntervalMs: 1_000,
  /**
   * create/start return `pending` once the scheduler has said why for this long: a node that
   * is letting go of a removed workspace frees its reservation only a moment later.
   */
  pendingGraceMs: 2_000,
  dataTarget: WORKSPACE_DIR,
});

/** What the Swarm backend needs of a client connected to a manager: what every backend needs. */
export type SwarmHost = WorkspaceClient;

export interface SwarmBackendOptions extends CallOptions {
  /** Default: the client's configuration. */
  readonly config?: DockerConfig;
  /** Environment for node connections (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH for tcp:// nodes). Default: process.env. */
  readonly env?: Env | undefined;
  readonly logger?: Logger | undefined;
  /** How to open a node's engine. Default: DockerClient.connect({ host, env, config }). */
  readonly connectNode?: (host: string) => Promise<DockerClient>;
  /** Where `orchestrator: swarm` was set, for the not-a-manager message. */
  readonly source?: string | undefined;
  /** The manager's /info, when the caller read it already (workspaceBackend does): no second call. */
  readonly info?: SystemInfo | undefined;
  readonly pollIntervalMs?: number;
  readonly startTimeoutMs?: number;
}

export interface SwarmCreateOptions extends CallOptions {
  /** Wait until the workspace runs, is pending with the scheduler's reason, or fails (default true). */
  readonly wait?: boolean | undefined;
}

export interface SwarmCreateResult extends CreateResult {
  readonly info: SwarmWorkspaceInfo;
}

export interface SwarmWorkspaceDetails extends SwarmWorkspaceInfo {
  readonly serviceName: string;
  readonly taskId: string | null;
  readonly containerId: string | null;
  readonly constraints: readonly string[];
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

/**
 * The service of workspace `id`: `workspace-<id>`. Service names are DNS labels (no `_`, at
 * most 63 characters): a longer one is shortened with a hash, as sanitizeName does.
 */
export function serviceNameOf(id: string): string {
  return sanitizeName(`workspace-${id}`);
}

/** The data volume of workspace `id` (one per node that runs it, unless the driver shares it). */
export function volumeNameOf(id: string): string {
  return `workspace-${id}-data`;
}

/**
 * The ServiceSpec of a workspace (pure): its checked body through toServiceSpec, with the data
 * volume at /workspace (volume_driver), the placement constraints (swarm_constraints and the
 * workspace's own), an init process, a short stop grace and a quick first health probe.
 */
export function workspaceServiceSpec(spec: Pick<WorkspaceSpec, 'name' | 'body' | 'config' | 'constraints'>, apiVersion: string): ServiceSpecResult {
  const labels = spec.body.Labels ?? {};
  return toServiceSpec(spec.body, {
    serviceName: serviceNameOf(spec.name),
    apiVersion,
    labels,
    dataVolume: {
      name: volumeNameOf(spec.name),
      target: SWARM_DEFAULTS.dataTarget,
      driver: spec.config.volumeDriver,
      driverOptions: spec.config.volumeDriverOpts,
      labels,
    },
    constraints: [...spec.config.swarmConstraints, ...(spec.constraints ?? [])],
    stopGracePeriodMs: SWARM_DEFAULTS.stopGracePeriodMs,
    restartDelayMs: SWARM_DEFAULTS.restartDelayMs,
    init: true,
    healthStartIntervalMs: SWARM_DEFAULTS.healthStartIntervalMs,
  });
}

interface NetworkFacts {
  readonly name: string;
  readonly driver: string;
  readonly scope: string;
  readonly encrypted: boolean;
}

/** Refuses a network a Swarm workspace cannot (or must not) use; names the key. */
function checkSwarmNetwork(n: NetworkFacts, source: string): void {
  if (n.driver !== 'overlay' || n.scope !== 'swarm') {
    throw new SwarmUnsupportedError([
      {
        source,
        key: 'network_name',
        message: `network "${n.name}" is ${n.driver === '' ? 'a network the manager has not allocated' : `a ${n.driver} network`} (scope ${n.scope}); a Swarm service can only join a swarm-scoped overlay network. Choose another network_name, or remove "${n.name}" so that aicli makes it as an attachable overlay`,
      },
    ]);
  }
  if (n.encrypted) {
    throw new SwarmUnsupportedError([
      {
        source,
        key: 'network_name',
        message:
          `network "${n.name}" is an encrypted overlay. Its traffic needs IPsec (ESP) in the kernel of every node; where a kernel lacks it, containers start and nothing gets through, and the only sign is a warning in the engine's log. ` +
          'aicli cannot check every node, so it does not put workspaces on encrypted overlays: use an unencrypted overlay (isolated by Swarm, on a network you trust) for network_name',
      },
    ]);
  }
}

/**
 * Workspaces on the Swarm cluster managed by `client`'s engine. Open it with
 * `SwarmBackend.open(client)` (or let workspaceBackend() choose it); it holds connections to
 * node engines, so close it.
 */
export class SwarmBackend implements WorkspaceBackend {
  readonly kind = SWARM_KIND;
  readonly client: SwarmHost;
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

  private constructor(client: SwarmHost, options: SwarmBackendOptions, serverVersion: string) {
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

  /** Checks (one /info call, unless `options.info` has it) that `client`'s engine is an active Swarm manager. */
  static async open(client: SwarmHost, options: SwarmBackendOptions = {}): Promise<SwarmBackend> {
    const info = options.info ?? (await client.api.info({ signal: options.signal, timeoutMs: options.timeoutMs }));
    const m = swarmMembership(info.raw);
    if (!m.manager) {
      const state = m.state === 'active' ? 'active, as a worker: only managers can run services' : m.state;
      throw notSwarmManager(info.raw, client.endpoint.url, state, options.source ?? 'orchestrator: swarm');
    }
    return new SwarmBackend(client, options, info.serverVersion);
  }

  /**
   * Makes the workspace's service from its checked body (idempotent per name: a second create
   * returns the existing one, `created: false`) and waits until it runs, is pending with the
   * scheduler's reason, or fails. Refused, with nothing created: an engine spoken to below API
   * 1.44, and anything a service cannot carry (a project folder, privileged, ...).
   */
  async create(spec: WorkspaceSpec, options: SwarmCreateOptions = {}): Promise<SwarmCreateResult> {
    this.#assertOpen();
    const name = spec.name;
    const call = { signal: options.signal, timeoutMs: options.timeoutMs };
    const api = this.client.api;
    // The egress gateway is a container on one engine, beside its workspace; a task may run on
    // any node, so the allowlist could not be enforced: refused before anything exists.
    if (spec.egress !== undefined) {
      throw new SwarmUnsupportedError([
        {
          source: this.client.configSources?.egress_allow?.name ?? 'egress_allow',
          key: 'egress_allow',
          message:
            'a Swarm workspace cannot have an egress allowlist: its gateway is a container beside the workspace on one engine, and Swarm may run the workspace on any node. ' +
            'Leave egress_allow empty for Swarm workspaces, or set orchestrator: engine to run this one as a container with its gateway',
        },
      ]);
    }
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
            `Upgrade the manager and every node to Docker ${need.docker} or newer${this.client.apiVersionNegotiated === false ? `, or unpin the API version (${api.apiVersion} is pinned)` : ''}, or set orchestrator: engine`,
        },
      ]);
    }
    this.#checkNetworkDriver(spec.config);
    const { spec: service, networks, notes } = workspaceServiceSpec(spec, api.apiVersion);
    for (const note of notes) this.#logger.debug({ workspace: name }, note);
    for (const network of networks) await this.#network(network, spec, call);

    let id: string;
    try {
      const made = await createService(api, service, call);
      id = made.id;
      for (const w of made.warnings) this.#logger.warn({ workspace: name }, w);
      this.#logger.info({ workspace: name, service: id }, 'swarm workspace created');
    } catch (err) {
      // A second create of the same name (another process, a retry): the existing one, if it is ours.
      if (!isNameConflict(err)) throw err;
      const existing = await this.#find(name, call);
      return { info: (await this.#view(existing, call)).info, created: false };
    }
    if (options.wait === false) return { info: (await this.#view(await inspectService(api, id, call), call)).info, created: true };
    const info = await this.#settle(name, id, (v) => v.info.state !== 'starting' && !(v.info.state === 'pending' && v.task?.Status.Err === undefined), call, true);
    return { info, created: true };
  }

  /** With orchestrator swarm the aicli network is an overlay; a bridge asked for on purpose is a contradiction, said so. */
  #checkNetworkDriver(config: DockerConfig): void {
    const source = this.client.configSources?.network_driver;
    if (config.networkDriver === 'overlay' || source === undefined || source.layer === 'default') return;
    throw new SwarmUnsupportedError([
      {
        source: source.name,
        key: 'network_driver',
        message: `"${config.networkDriver}": Swarm workspaces join the aicli network across nodes, as an attachable overlay; set network_driver: overlay (or leave it unset: with orchestrator swarm aicli makes an overlay)`,
      },
    ]);
  }

  /**
   * A network the service joins: refused if it cannot carry a Swarm workspace (not a
   * swarm-scoped overlay, or encrypted); the aicli network is made by the network feature, as
   * an attachable overlay, when it is missing.
   */
  async #network(name: string, spec: WorkspaceSpec, call: CallOptions): Promise<void> {
    const api = this.client.api;
    const source = this.client.configSources?.network_name?.name ?? 'configuration';
    const found = await findNetwork(api, name, call);
    if (found !== undefined) checkSwarmNetwork({ name, driver: found.driver, scope: found.scope, encrypted: (found.raw['Options'] as Record<string, string> | null | undefined)?.['encrypted'] !== undefined }, source);
    // Another network (an egress patch's) is the caller's to make; the engine says if it is missing.
    if (name !== spec.config.networkName) return;
    const made = await ensureNetwork(api, { ...spec.config, networkDriver: 'overlay' }, { labels: spec.labels, logger: this.#logger, ...call });
    checkSwarmNetwork({ name, driver: made.driver, scope: made.scope, encrypted: false }, source);
  }

  async start(name: string, options: CallOptions = {}): Promise<SwarmWorkspaceInfo> {
    const service = await this.#find(name, options);
    if ((service.Spec.Mode.Replicated?.Replicas ?? 1) === 0) await this.#update(name, (s) => ({ ...s, Mode: { Replicated: { Replicas: 1 } } }), options);
    return this.#settle(name, service.ID, (v) => v.info.state !== 'starting' && !(v.info.state === 'pending' && v.task?.Status.Err === undefined), options, false);
  }

  /**
   * Scales the service to 0 (its containers get the service's stop grace period: `timeoutSeconds`
   * does not apply). Swarm forgets the tasks of a slot it scales away, so the node that held the
   * data is kept in a label (LABELS.swarmDataOn): a later start may land elsewhere.
   */
  async stop(name: string, options: StopOptions = {}): Promise<SwarmWorkspaceInfo> {
    const call = { signal: options.signal, timeoutMs: options.timeoutMs };
    const before = await this.#view(await this.#find(name, call), call);
    const service = before.service;
    const held = dataNodes(service.Spec.Labels);
    const node = before.info.node;
    if (node !== null && !held.includes(node)) held.push(node);
    await this.#update(
      name,
      (s) => ({ ...s, Labels: { ...s.Labels, ...(held.length > 0 ? { [LABELS.swarmDataOn]: held.join(',') } : {}) }, Mode: { Replicated: { Replicas: 0 } } }),
      call,
    );
    // Stopped when no task of it is still running anywhere.
    return this.#settle(name, service.ID, (v) => v.history.every((t) => t.state !== 'running' && t.state !== 'starting'), call, false);
  }

  /** A new container for the workspace (Swarm replaces the task; with a local volume, on the same node unless it cannot). */
  async restart(name: string, options: StopOptions = {}): Promise<SwarmWorkspaceInfo> {
    const call = { signal: options.signal, timeoutMs: options.timeoutMs };
    const before = await this.#view(await this.#find(name, call), call);
    await this.#update(
      name,
      (s) => ({ ...s, Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ...s.TaskTemplate, ForceUpdate: (s.TaskTemplate.ForceUpdate ?? 0) + 1 } }),
      call,
    );
    const old = before.task?.ID;
    return this.#settle(
      name,
      before.service.ID,
      (v) => v.task !== null && v.task.ID !== old && v.info.state !== 'starting' && !(v.info.state === 'pending' && v.task.Status.Err === undefined),
      call,
      false,
    );
  }

  /**
   * Removes the workspace and (unless `keepData`) its data volume on every node that ran it;
   * false when there was none. Where data was removed is logged, and a node that kept a copy is
   * a warning (removeWorkspace returns both).
   */
  async remove(name: string, options: RemoveOptions = {}): Promise<boolean> {
    let r: SwarmRemoveResult;
    try {
      r = await this.removeWorkspace(name, options);
    } catch (err) {
      if (err instanceof WorkspaceNotFoundError) return false;
      throw err;
    }
    if (r.dataRemovedOn.length > 0) this.#logger.info({ workspace: r.name, nodes: r.dataRemovedOn }, 'data volume removed');
    for (const left of r.dataLeftOn) this.#logger.warn({ workspace: r.name, node: left.node, reason: left.reason }, `its data volume may remain on node ${left.node}`);
    return true;
  }

  /**
   * Removes the service, then (unless `keepData`) the data volume on every node that ran the
   * workspace; a node that cannot be reached keeps its copy, and the result says which.
   */
  async removeWorkspace(given: string, options: RemoveOptions = {}): Promise<SwarmRemoveResult> {
    this.#assertOpen();
    const api = this.client.api;
    const call = { signal: options.signal, timeoutMs: options.timeoutMs };
    const name = sanitizeName(given);
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
   * The workspace with what the manager knows (state, node, message, limits, placement, where
   * its data lives and what stayed behind after moves, its task history), and its health from
   * its node's engine when that can be reached.
   */
  async inspect(name: string, options: CallOptions = {}): Promise<SwarmWorkspaceDetails> {
    this.#assertOpen();
    const v = await this.#view(await this.#find(name, options), options);
    const t = v.service.Spec.TaskTemplate;
    // Without a task's attachments, the spec names its networks by id: one call for their names.
    const unnamed = v.info.networks.filter((n) => n.name === n.id).map((n) => n.id);
    const named = unnamed.length === 0 ? [] : await this.client.api.json<{ Id: string; Name: string }[]>({ method: 'GET', path: apiPath`/networks`, query: { filters: { id: unnamed } }, ...options });
    const networks = v.info.networks.map((n) => ({ ...n, name: named.find((x) => x.Id === n.id)?.Name ?? n.name }));
    const read = v.task === null || v.nodeRecord === null || v.info.state !== 'running' ? null : await this.#health(v.task, v.nodeRecord, options);
    const health = read === null ? v.info.health : read === 'starting' || read === 'healthy' || read === 'unhealthy' ? read : 'none';
    return {
      ...v.info,
      health,
      networks,
      network: networks[0]?.name,
      serviceName: v.service.Spec.Name,
      taskId: v.task?.ID ?? null,
      containerId: v.task?.Status.ContainerStatus?.ContainerID ?? null,
      constraints: t.Placement?.Constraints ?? [],
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
    const shown = v.info.name;
    if (v.info.state !== 'running' || v.task === null || v.nodeRecord === null) {
      throw new SwarmWorkspaceError(
        shown,
        v.info.state,
        `Workspace "${shown}" is ${v.info.state}${v.info.node === null ? '' : ` on node ${v.info.node}`}${v.info.message === '' ? '' : ` (${v.info.message})`}: there is no container to reach yet. ` +
          'See `aicli-docker workspace ls`; start it with `workspace start` if it is stopped.',
      );
    }
    return this.#verify(shown, v.service, v.task, v.nodeRecord, options);
  }

  /** The engine of the workspace's node and its container there (see engineForWorkspace). */
  async locate(name: string, options: CallOptions = {}): Promise<WorkspaceTarget> {
    const e = await this.engineForWorkspace(name, options);
    return { api: e.client.api, container: e.containerId, workspace: sanitizeName(name), node: e.node };
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
  async #find(given: string, options: CallOptions): Promise<SwarmService> {
    const name = sanitizeName(given);
    const serviceName = serviceNameOf(name);
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
    /** Per container: why its hardening could not be read (its node's engine out of reach); not tried again at each look. */
    const unreadable = new Map<string, string>();
    for (;;) {
      const tasks = await listTasks(api, { service: [serviceId] }, options);
      if (tasks.some((t: SwarmTask) => t.NodeID !== undefined && t.NodeID !== '' && !nodes.has(t.NodeID))) {
        nodes = new Map((await listNodes(api, undefined, options)).map((n) => [n.ID, n]));
      }
      const v = workspaceView(service, tasks, nodes);
      // A first start that fails (image missing, mount refused) fails the same way on retry: Swarm's reason, nothing left.
      const failed = removeOnFailure ? tasks.find((t) => t.Status.State === 'failed' || t.Status.State === 'rejected') : undefined;
      if (failed !== undefined) await this.#failed(name, service, failed, nodes, options);
      // The hardening is read as soon as the task has a container, not only once its health
      // check passed: a node that drops part of it is found at once (a Docker 20.10 node also
      // ignores the start interval, so its first check would come a whole interval later).
      const container = v.task?.Status.ContainerStatus?.ContainerID ?? '';
      if (container !== '' && v.task !== null && v.nodeRecord !== null && (v.info.state === 'starting' || v.info.state === 'running') && !this.#verified.has(container) && !unreadable.has(container)) {
        const why = await this.#tryVerify(name, service, v.task, v.nodeRecord, options);
        if (why !== undefined) unreadable.set(container, why);
      }
      const waiting = v.info.state === 'pending' && (v.task?.Status.Err ?? '') !== '';
      pendingSince = waiting ? (pendingSince ?? Date.now()) : undefined;
      const settled = done(v) && !(waiting && Date.now() - (pendingSince ?? 0) < SWARM_DEFAULTS.pendingGraceMs);
      if (settled || Date.now() > end) {
        // The workspace runs, but its node's engine cannot be reached from here: nothing can
        // exec into it either until that is fixed (engineForWorkspace checks first); say so.
        const why = v.info.state === 'running' ? unreadable.get(container) : undefined;
        if (why !== undefined) return { ...v.info, message: [v.info.message, `hardening not checked yet: ${why}`].filter((m) => m !== '').join('; ') };
        return v.info;
      }
      await this.#pause(options, serviceId);
    }
  }

  /**
   * #verify, for the wait: undefined when the container holds its hardening (or is gone
   * already: the next look finds its successor), the reason when its node's engine cannot be
   * reached; WorkspaceNotHardenedError (the workspace removed) when it lacks the hardening.
   */
  async #tryVerify(name: string, service: SwarmService, task: SwarmTask, node: SwarmNode, options: CallOptions): Promise<string | undefined> {
    try {
      await this.#verify(name, service, task, node, options);
      return undefined;
    } catch (err) {
      if (err instanceof DockerNotFoundError) return undefined;
      const host = hostnameOf(node) ?? node.ID;
      if (isDockerError(err, 'NODE_ENDPOINT_UNKNOWN')) return `no engine endpoint known for node ${host} (set the node label aicli.engine or swarm_node_endpoints)`;
      if (UNREACHABLE.some((code) => isDockerError(err, code))) return `the engine of node ${host} did not answer (${(err as Error).message})`;
      throw err;
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

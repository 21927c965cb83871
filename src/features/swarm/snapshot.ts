/**
 * Where each Swarm workspace runs and in what state, from one listing of services, tasks and
 * nodes. Pure: the three lists come from the caller (three API calls, whatever the number of
 * workspaces). Rules that keep the answer honest while a workspace moves:
 *   - `running` only for a task the manager sees running on a node it sees ready; a task still
 *     "running" on a node that is down is `lost`, never a stale node shown as running;
 *   - the current task is the newest one Swarm wants running (a replacement on its way is
 *     `starting` on its new node, or `pending` without one), never an old one shutting down;
 *   - the message is the scheduler's own (e.g. "no suitable node (insufficient resources on
 *     2 nodes)"), plus what a move meant for the data.
 */
import type { SwarmMount, SwarmNode, SwarmService, SwarmTask, TaskSpec, TaskState } from '../../engine/swarm.js';
import { LABELS } from '../labels.js';
import type { WorkspaceDataInfo, WorkspaceHealth, WorkspaceInfo, WorkspaceLimits, WorkspaceMountInfo, WorkspaceNetworkInfo } from '../workspace/backend.js';

/** The backend name Swarm workspaces carry (WorkspaceInfo.backend). */
export const SWARM_KIND = 'swarm';

/**
 * A Swarm workspace as `workspace ls` shows it: the fields of every workspace, plus where it
 * runs, why it is in its state, and where its data lives. `id` and `containerName` are the
 * service's.
 */
export interface SwarmWorkspaceInfo extends WorkspaceInfo {
  /** Hostname of the node that runs (or is starting) it; null while pending or stopped. */
  readonly node: string | null;
  /** The scheduler's reason, what a move did, or what to do. */
  readonly message: string;
  readonly data: WorkspaceDataInfo;
}

/** Where a workspace's data lives, and what stayed behind after moves. */
export type DataLocation = WorkspaceDataInfo;

export interface TaskRecord {
  readonly taskId: string;
  readonly node: string | null;
  readonly state: TaskState;
  readonly desiredState: TaskState;
  readonly since: string | null;
  readonly message: string;
  readonly containerId: string | null;
}

export interface WorkspaceView {
  readonly info: SwarmWorkspaceInfo;
  readonly service: SwarmService;
  /** The task the state comes from (null: none yet, or stopped). */
  readonly task: SwarmTask | null;
  readonly nodeRecord: SwarmNode | null;
  readonly data: DataLocation;
  /** Newest first. */
  readonly history: readonly TaskRecord[];
}

/** Tasks Swarm wants running: `running`, or `ready` while a restart delay runs out. */
const WANTED: ReadonlySet<TaskState> = new Set(['running', 'ready']);
const PENDING: ReadonlySet<TaskState> = new Set(['new', 'allocated', 'pending']);
const STARTING: ReadonlySet<TaskState> = new Set(['assigned', 'accepted', 'preparing', 'ready', 'starting']);

export function hostnameOf(node: SwarmNode | undefined): string | null {
  if (node === undefined) return null;
  return node.Description?.Hostname ?? node.Spec.Name ?? node.ID;
}

function newestFirst(a: SwarmTask, b: SwarmTask): number {
  return (b.CreatedAt < a.CreatedAt ? -1 : b.CreatedAt > a.CreatedAt ? 1 : 0) || b.Version.Index - a.Version.Index;
}

/** The hostnames of LABELS.swarmDataOn (comma-separated): nodes that held the data when the workspace was stopped. */
export function dataNodes(labels: Readonly<Record<string, string>> | undefined): string[] {
  return (labels?.[LABELS.swarmDataOn] ?? '').split(',').filter((h) => h !== '');
}

/** The data volume's mount at /workspace (aicli's own), if the service has one. */
export function dataMount(service: SwarmService): SwarmMount | undefined {
  return service.Spec.TaskTemplate.ContainerSpec.Mounts?.find((m) => m.Type === 'volume' && m.Target === '/workspace');
}

const SHARED_LOCAL_TYPES = new Set(['nfs', 'nfs4', 'cifs', 'smb3']);

/** Does the data of this mount follow a workspace to another node? */
export function dataFollows(mount: SwarmMount | undefined): boolean {
  if (mount === undefined) return false;
  const driver = mount.VolumeOptions?.DriverConfig?.Name ?? 'local';
  if (driver !== 'local') return true;
  const type = mount.VolumeOptions?.DriverConfig?.Options?.['type'];
  return type !== undefined && SHARED_LOCAL_TYPES.has(type);
}

function short(t: string | undefined): string | null {
  return t === undefined || t === '' || t.startsWith('0001-') ? null : t.replace(/\.\d+Z$/, 'Z');
}

/** Swarm's restart condition in the engine's words (`on-failure:5`). */
function restartText(rp: TaskSpec['RestartPolicy']): string {
  const condition = rp?.Condition ?? 'any';
  if (condition === 'none') return 'no';
  if (condition === 'any') return 'always';
  return rp?.MaxAttempts !== undefined && rp.MaxAttempts > 0 ? `on-failure:${rp.MaxAttempts}` : 'on-failure';
}

function limitsOf(t: TaskSpec): WorkspaceLimits {
  const l = t.Resources?.Limits ?? {};
  const c = t.ContainerSpec;
  const ulimits: Record<string, { soft: number; hard: number }> = {};
  for (const u of c.Ulimits ?? []) ulimits[u.Name] = { soft: u.Soft, hard: u.Hard };
  const positive = (n: number | undefined): number | undefined => (n === undefined || n <= 0 ? undefined : n);
  const nano = positive(l.NanoCPUs);
  const memory = positive(l.MemoryBytes);
  return {
    cpus: nano === undefined ? undefined : nano / 1e9,
    // A service has no CPU shares: its containers get the engine's default weight.
    cpuShares: undefined,
    // Nor swap: an engine gives a container with a memory limit and no swap limit twice the
    // memory in all (as much swap as memory, where the node has swap).
    memorySwapBytes: memory === undefined ? undefined : memory * 2,
    memoryBytes: memory,
    pidsLimit: positive(l.Pids),
    ulimits,
    readOnlyRootfs: c.ReadOnly === true,
    restartPolicy: restartText(t.RestartPolicy),
  };
}

function mountsOf(t: TaskSpec): WorkspaceMountInfo[] {
  return (t.ContainerSpec.Mounts ?? []).map((m) => ({ type: m.Type, source: m.Source ?? '', target: m.Target, readOnly: m.ReadOnly === true }));
}

/** From the task's attachments (names and addresses, no extra call); the spec's network ids otherwise. */
function networksOf(t: TaskSpec, task: SwarmTask | undefined): WorkspaceNetworkInfo[] {
  const wanted = t.Networks ?? [];
  const aliasesOf = (id: string, name: string): readonly string[] => wanted.find((n) => n.Target === id || n.Target === name)?.Aliases ?? [];
  const attached = task?.NetworksAttachments ?? [];
  if (attached.length > 0) {
    return attached
      .filter((a) => a.Network?.Spec?.Name !== undefined && wanted.some((n) => n.Target === a.Network?.ID || n.Target === a.Network?.Spec?.Name))
      .map((a) => {
        const id = a.Network?.ID ?? '';
        const name = a.Network?.Spec?.Name ?? id;
        return { name, id, ipAddress: a.Addresses?.[0]?.replace(/\/\d+$/, ''), aliases: aliasesOf(id, name) };
      });
  }
  return wanted.map((n) => ({ name: n.Target, id: n.Target, ipAddress: undefined, aliases: n.Aliases ?? [] }));
}

/**
 * Swarm runs a task with a health check only once its first check passed, and replaces one
 * whose check fails: a running task is healthy as far as the manager knows (inspect asks the
 * node's engine for the current result).
 */
function healthOf(state: string, t: TaskSpec): WorkspaceHealth {
  const test = t.ContainerSpec.Healthcheck?.Test ?? [];
  if (test.length === 0 || test[0] === 'NONE') return 'none';
  return state === 'running' ? 'healthy' : state === 'starting' ? 'starting' : 'none';
}

function taskMessage(t: SwarmTask): string {
  const err = t.Status.Err ?? '';
  return err !== '' ? err : (t.Status.Message ?? '');
}

/** Builds the view of one workspace service from its tasks and the cluster's nodes. */
export function workspaceView(service: SwarmService, tasks: readonly SwarmTask[], nodes: ReadonlyMap<string, SwarmNode>): WorkspaceView {
  const labels = service.Spec.Labels ?? {};
  const name = labels[LABELS.workspaceName] ?? service.Spec.Name;
  const mine = tasks.filter((t) => t.ServiceID === service.ID).sort(newestFirst);
  const replicas = service.Spec.Mode.Replicated?.Replicas ?? 1;
  const current = replicas === 0 ? undefined : mine.find((t) => WANTED.has(t.DesiredState));
  const nodeOf = (t: SwarmTask | undefined): SwarmNode | undefined => (t?.NodeID === undefined || t.NodeID === '' ? undefined : nodes.get(t.NodeID));
  const mount = dataMount(service);
  const follows = dataFollows(mount);

  let state: string;
  let node: string | null = null;
  let message = '';
  if (replicas === 0) {
    state = 'stopped';
    message = 'stopped (0 replicas); `workspace start` runs it again';
  } else if (current === undefined) {
    const last = mine[0];
    if (last !== undefined && (last.Status.State === 'failed' || last.Status.State === 'rejected')) {
      state = 'failed';
      message = taskMessage(last);
    } else {
      state = 'pending';
      message = 'waiting for the scheduler';
    }
  } else {
    const s = current.Status.State;
    const where = nodeOf(current);
    if (PENDING.has(s)) {
      state = 'pending';
      message = taskMessage(current) || 'waiting for a node';
    } else if (STARTING.has(s)) {
      state = 'starting';
      node = hostnameOf(where) ?? current.NodeID ?? null;
      message = current.Status.Message ?? s;
    } else if (s === 'running') {
      if (where === undefined) {
        state = 'lost';
        message = `its node ${current.NodeID ?? '(unknown)'} is no longer in the cluster; Swarm will start it on another node`;
      } else if (where.Status.State !== 'ready') {
        state = 'lost';
        node = hostnameOf(where);
        message = `node ${node ?? where.ID} is ${where.Status.State}${where.Status.Message ? ` (${where.Status.Message})` : ''}; Swarm will start the workspace on another node`;
      } else {
        state = 'running';
        node = hostnameOf(where);
      }
    } else if (s === 'failed' || s === 'rejected') {
      state = 'failed';
      node = hostnameOf(where);
      message = taskMessage(current);
    } else {
      state = s === 'complete' ? 'exited' : 'stopped';
      node = hostnameOf(where);
      message = taskMessage(current);
    }
  }

  // Nodes that ran it before (a task that got as far as a container), other than the current one.
  const currentNodeId = current?.NodeID;
  const leftOn: { node: string; since: string }[] = [];
  for (const t of mine) {
    if (t === current || t.NodeID === undefined || t.NodeID === '' || t.NodeID === currentNodeId) continue;
    if (t.Status.ContainerStatus?.ContainerID === undefined || t.Status.ContainerStatus.ContainerID === '') continue;
    const host = hostnameOf(nodes.get(t.NodeID)) ?? t.NodeID;
    if (!leftOn.some((l) => l.node === host)) leftOn.push({ node: host, since: short(t.Status.Timestamp) ?? short(t.UpdatedAt) ?? '' });
  }
  // Nodes a stopped workspace left its data on (Swarm forgets the tasks of a slot scaled to 0).
  for (const host of dataNodes(labels)) {
    if (host !== node && !leftOn.some((l) => l.node === host)) leftOn.push({ node: host, since: '' });
  }
  const volume = mount?.Source ?? null;
  let note: string;
  if (volume === null) note = 'no data volume';
  else if (follows) note = `volume ${volume} (driver ${mount?.VolumeOptions?.DriverConfig?.Name ?? 'local'}) is shared: the data follows the workspace`;
  else if (node !== null && state !== 'pending') note = `volume ${volume} on node ${node} (local to that node)`;
  else note = `volume ${volume} is local to the node that runs the workspace`;
  if (!follows && leftOn.length > 0) {
    note += `; older data stayed on ${leftOn.map((l) => l.node).join(', ')} when the workspace moved (a local volume does not follow; set volume_driver for storage that does)`;
    if (state === 'running' || state === 'starting') {
      const from = leftOn[0];
      message = [message, `moved from ${from?.node ?? '?'}: its data did not follow (it stayed in volume ${volume} on ${from?.node ?? '?'}; this node started with an empty one)`]
        .filter((m) => m !== '' && m !== 'running' && m !== 'started')
        .join('; ');
    }
  }
  if (state === 'running' && (message === 'started' || message === 'running')) message = '';

  const created = labels[LABELS.created] ?? short(service.CreatedAt) ?? '';
  const data: DataLocation = { volume, driver: mount === undefined ? null : (mount.VolumeOptions?.DriverConfig?.Name ?? 'local'), follows, node: follows ? null : node, leftOn, note };
  const template = service.Spec.TaskTemplate;
  const shown = current ?? mine[0];
  const ended = state === 'exited' || state === 'failed';
  const networks = networksOf(template, shown);
  const info: SwarmWorkspaceInfo = {
    name,
    workspaceId: labels[LABELS.workspaceId] ?? name,
    id: service.ID,
    containerName: service.Spec.Name,
    backend: SWARM_KIND,
    state,
    health: healthOf(state, template),
    image: template.ContainerSpec.Image.replace(/@sha256:[0-9a-f]{64}$/, ''),
    imageId: undefined,
    created,
    startedAt: state === 'running' ? (short(current?.Status.Timestamp) ?? undefined) : undefined,
    finishedAt: ended ? (short(shown?.Status.Timestamp) ?? undefined) : undefined,
    exitCode: ended ? shown?.Status.ContainerStatus?.ExitCode : undefined,
    ephemeral: labels[LABELS.ephemeral] === 'true',
    // A host folder exists on one machine only: Swarm workspaces keep their files in the data volume.
    project: undefined,
    user: template.ContainerSpec.User === '' ? undefined : template.ContainerSpec.User,
    limits: limitsOf(template),
    mounts: mountsOf(template),
    network: networks[0]?.name,
    networks,
    labels,
    node,
    message,
    data,
  };
  return {
    info,
    service,
    task: current ?? null,
    nodeRecord: nodeOf(current) ?? null,
    data,
    history: mine.map((t) => ({
      taskId: t.ID,
      node: hostnameOf(nodeOf(t)) ?? t.NodeID ?? null,
      state: t.Status.State,
      desiredState: t.DesiredState,
      since: short(t.Status.Timestamp),
      message: taskMessage(t),
      containerId: t.Status.ContainerStatus?.ContainerID ?? null,
    })),
  };
}

/** Every workspace, by name. */
export function workspaceViews(services: readonly SwarmService[], tasks: readonly SwarmTask[], nodes: readonly SwarmNode[]): WorkspaceView[] {
  const byId = new Map(nodes.map((n) => [n.ID, n]));
  const byService = new Map<string, SwarmTask[]>();
  for (const t of tasks) {
    const list = byService.get(t.ServiceID) ?? [];
    list.push(t);
    byService.set(t.ServiceID, list);
  }
  return services
    .map((s) => workspaceView(s, byService.get(s.ID) ?? [], byId))
    .sort((a, b) => (a.info.name < b.info.name ? -1 : a.info.name > b.info.name ? 1 : 0));
}

/** One node as `aicli-docker nodes` shows it. */
export interface SwarmNodeInfo {
  readonly id: string;
  readonly hostname: string;
  readonly role: 'worker' | 'manager';
  readonly leader: boolean;
  /** ready, down, unknown, disconnected. */
  readonly state: string;
  /** active, pause, drain. */
  readonly availability: string;
  readonly engineVersion: string | null;
  readonly address: string | null;
  readonly cpus: number;
  readonly memoryBytes: number;
  /** Reserved by every task Swarm wants running there (workspaces and anything else). */
  readonly reserved: { readonly cpus: number; readonly memoryBytes: number };
  readonly free: { readonly cpus: number; readonly memoryBytes: number };
  readonly workspaces: readonly string[];
  /** The engine endpoint exec, logs, cp and stats use; null when neither the label nor the configuration names one. */
  readonly endpoint: string | null;
  readonly endpointSource: 'configuration' | 'label' | null;
  readonly message: string;
}

const CPU = 1e9;

/**
 * Nodes with what is reserved on them. `tasks` are the tasks Swarm wants running (every
 * service's: the scheduler counts them all), `workspaceServices` names the workspaces.
 */
export function nodeViews(
  nodes: readonly SwarmNode[],
  tasks: readonly SwarmTask[],
  workspaceServices: readonly SwarmService[],
  endpointOf: (node: SwarmNode) => { url: string; source: 'configuration' | 'label' } | undefined,
): SwarmNodeInfo[] {
  const names = new Map(workspaceServices.map((s) => [s.ID, s.Spec.Labels?.[LABELS.workspaceName] ?? s.Spec.Name]));
  return nodes
    .map((n) => {
      const here = tasks.filter((t) => t.NodeID === n.ID && t.DesiredState === 'running' && !['complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned'].includes(t.Status.State));
      let cpus = 0;
      let memory = 0;
      for (const t of here) {
        cpus += t.Spec?.Resources?.Reservations?.NanoCPUs ?? 0;
        memory += t.Spec?.Resources?.Reservations?.MemoryBytes ?? 0;
      }
      const totalCpus = n.Description?.Resources?.NanoCPUs ?? 0;
      const totalMemory = n.Description?.Resources?.MemoryBytes ?? 0;
      const endpoint = endpointOf(n);
      const workspaces = [...new Set(here.map((t) => names.get(t.ServiceID)).filter((x): x is string => x !== undefined))].sort();
      return {
        id: n.ID,
        hostname: hostnameOf(n) ?? n.ID,
        role: n.Spec.Role,
        leader: n.ManagerStatus?.Leader === true,
        state: n.Status.State,
        availability: n.Spec.Availability,
        engineVersion: n.Description?.Engine?.EngineVersion ?? null,
        address: n.Status.Addr ?? null,
        cpus: totalCpus / CPU,
        memoryBytes: totalMemory,
        reserved: { cpus: cpus / CPU, memoryBytes: memory },
        free: { cpus: Math.max(0, totalCpus - cpus) / CPU, memoryBytes: Math.max(0, totalMemory - memory) },
        workspaces,
        endpoint: endpoint?.url ?? null,
        endpointSource: endpoint?.source ?? null,
        message: n.Status.Message ?? '',
      };
    })
    .sort((a, b) => (a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0));
}

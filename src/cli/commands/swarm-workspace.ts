/**
 * The Swarm side of `workspace create | ls | inspect | rm | start | stop | restart`: handlers
 * that the workspace command calls once the orchestrator resolves to `swarm` (at merge, issue
 * 9's command dispatches here; until then the STAND-IN command in workspace-standin.ts does).
 * Each handler prints and returns the exit code; errors are thrown and mapped by the CLI.
 */
import {
  DockerClient,
  formatSize,
  resolveOrchestrator,
  SwarmBackend,
  type LoadedConfig,
  type SwarmNodeInfo,
  type SwarmWorkspaceDetails,
  type SwarmWorkspaceInfo,
} from '../../index.js';
import { UsageError, type CommandContext, type FlagSpec } from '../command.js';
import { connectCli, loadCliConfig } from '../connect.js';

/** Flags the workspace command gains for Swarm (merge them into its flag list). */
export const SWARM_WORKSPACE_FLAGS: readonly FlagSpec[] = [
  { name: 'image', type: 'string', valueName: 'IMAGE', description: 'create: the image (default: default_image)' },
  { name: 'constraint', type: 'string', multiple: true, valueName: 'EXPR', description: 'create, Swarm: a placement constraint such as node.labels.zone==a (repeatable; adds to swarm_constraints)' },
  { name: 'keep-data', type: 'boolean', description: 'rm, Swarm: keep the data volume on the nodes' },
];

export interface SwarmSession extends AsyncDisposable {
  readonly client: DockerClient;
  /** Undefined when the orchestrator resolved to `engine`. */
  readonly backend: SwarmBackend | undefined;
  readonly loaded: LoadedConfig;
}

/** Connects, resolves `orchestrator` (or takes `force`), and opens the Swarm backend when it says swarm. */
export async function openSwarmSession(ctx: CommandContext, force?: 'swarm'): Promise<SwarmSession> {
  const loaded = await loadCliConfig(ctx);
  const client = await connectCli(ctx, { loaded });
  try {
    const source = loaded.sources.orchestrator;
    const sourceName = force !== undefined ? `aicli-docker ${ctx.args[0] ?? 'nodes'}` : source.layer === 'default' ? 'orchestrator (default)' : `orchestrator in ${source.name}`;
    const mode = await resolveOrchestrator(client, { source: sourceName, ...(force === undefined ? {} : { orchestrator: force }) });
    const backend = mode === 'swarm' ? await SwarmBackend.open(client, { env: ctx.env, logger: ctx.logger, source: sourceName }) : undefined;
    return {
      client,
      backend,
      loaded,
      async [Symbol.asyncDispose]() {
        await backend?.close();
        await client.close();
      },
    };
  } catch (err) {
    await client.close();
    throw err;
  }
}

function one(ctx: CommandContext, verb: string): string {
  const [name, ...rest] = ctx.args.slice(1);
  if (name === undefined) throw new UsageError(`workspace ${verb}: missing NAME. See --help.`);
  if (rest.length > 0) throw new UsageError(`workspace ${verb}: unexpected argument "${rest[0] ?? ''}". See --help.`);
  return name;
}

const json = (ctx: CommandContext, value: unknown): void => {
  ctx.stdout(`${JSON.stringify(value, null, 2)}\n`);
};

function line(info: SwarmWorkspaceInfo): string {
  const where = info.node === null ? '' : ` on node ${info.node}`;
  return `${info.name}: ${info.state}${where}${info.message === '' ? '' : ` (${info.message})`}`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}

export async function swarmCreate(ctx: CommandContext, backend: SwarmBackend): Promise<number> {
  const name = one(ctx, 'create');
  const image = typeof ctx.flags['image'] === 'string' ? ctx.flags['image'] : undefined;
  const constraints = Array.isArray(ctx.flags['constraint']) ? ctx.flags['constraint'] : [];
  const info = await backend.create({ name, image, constraints });
  if (ctx.global.json) json(ctx, info);
  else ctx.stdout(`${line(info)}\n`);
  return 0;
}

export async function swarmList(ctx: CommandContext, backend: SwarmBackend): Promise<number> {
  if (ctx.args.length > 1) throw new UsageError(`workspace ls: unexpected argument "${ctx.args[1] ?? ''}". See --help.`);
  const list = await backend.list();
  if (ctx.global.json) {
    json(ctx, list);
    return 0;
  }
  ctx.stdout(table([['NAME', 'STATE', 'NODE', 'IMAGE', 'CREATED', 'MESSAGE'], ...list.map((w) => [w.name, w.state, w.node ?? '-', w.image, w.created, w.message])]));
  return 0;
}

export async function swarmInspect(ctx: CommandContext, backend: SwarmBackend): Promise<number> {
  const d: SwarmWorkspaceDetails = await backend.inspect(one(ctx, 'inspect'));
  if (ctx.global.json) {
    json(ctx, d);
    return 0;
  }
  const rows: [string, string][] = [
    ['Name', d.name],
    ['State', `${d.state}${d.health === null ? '' : ` (${d.health})`}`],
    ['Node', d.node ?? '-'],
    ['Message', d.message === '' ? '-' : d.message],
    ['Service', `${d.serviceName} (${d.id})`],
    ['Image', d.image],
    ['Created', d.created],
    ['Limits', `${d.limits.cpus ?? '-'} CPUs, ${d.limits.memoryBytes === null ? '-' : formatSize(d.limits.memoryBytes)} memory, ${d.limits.pids ?? '-'} PIDs (reserved as much)`],
    ['Placement', d.constraints.length === 0 ? '-' : d.constraints.join(', ')],
    ['Networks', d.networks.join(', ') || '-'],
    ['Data', d.data.note],
  ];
  ctx.stdout(rows.map(([k, v]) => `${k.padEnd(11)}${v}`).join('\n') + '\nHistory\n');
  ctx.stdout(table([['  TASK', 'NODE', 'STATE', 'DESIRED', 'SINCE', 'MESSAGE'], ...d.history.map((t) => [`  ${t.taskId.slice(0, 12)}`, t.node ?? '-', t.state, t.desiredState, t.since ?? '-', t.message])]));
  return 0;
}

export async function swarmRemove(ctx: CommandContext, backend: SwarmBackend): Promise<number> {
  const name = one(ctx, 'rm');
  const r = await backend.removeWorkspace(name, { keepData: ctx.flags['keep-data'] === true });
  if (ctx.global.json) {
    json(ctx, { removed: true, ...r });
    return 0;
  }
  ctx.stdout(`Removed workspace ${name}${r.dataRemovedOn.length === 0 ? '' : ` and its data on ${r.dataRemovedOn.join(', ')}`}\n`);
  for (const left of r.dataLeftOn) ctx.stderr(`warning: its data volume may remain on node ${left.node}: ${left.reason}\n`);
  return 0;
}

function lifecycle(verb: 'start' | 'stop' | 'restart') {
  return async (ctx: CommandContext, backend: SwarmBackend): Promise<number> => {
    const info = await backend[verb](one(ctx, verb));
    if (ctx.global.json) json(ctx, info);
    else ctx.stdout(`${line(info)}\n`);
    return 0;
  };
}

/** `workspace <verb>` on Swarm. */
export const SWARM_WORKSPACE_HANDLERS: Readonly<Record<string, (ctx: CommandContext, backend: SwarmBackend) => Promise<number>>> = {
  create: swarmCreate,
  ls: swarmList,
  inspect: swarmInspect,
  rm: swarmRemove,
  start: lifecycle('start'),
  stop: lifecycle('stop'),
  restart: lifecycle('restart'),
};

const human = (bytes: number): string => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)}GiB` : `${Math.round(bytes / 2 ** 20)}MiB`);

/** `aicli-docker nodes`: one line per node. */
export function formatNodes(nodes: readonly SwarmNodeInfo[]): string {
  const cpu = (n: number): string => (Math.round(n * 100) / 100).toString();
  return table([
    ['HOSTNAME', 'ROLE', 'STATE', 'AVAILABILITY', 'CPUS RESERVED/TOTAL', 'MEMORY RESERVED/TOTAL', 'WORKSPACES', 'ENDPOINT'],
    ...nodes.map((n) => [
      n.hostname,
      `${n.role}${n.leader ? ' (leader)' : ''}`,
      n.state,
      n.availability,
      `${cpu(n.reserved.cpus)}/${cpu(n.cpus)}`,
      `${human(n.reserved.memoryBytes)}/${human(n.memoryBytes)}`,
      n.workspaces.length === 0 ? '-' : n.workspaces.join(','),
      n.endpoint === null ? '(unset: label aicli.engine or swarm_node_endpoints)' : `${n.endpoint} (${n.endpointSource ?? ''})`,
    ]),
  ]);
}

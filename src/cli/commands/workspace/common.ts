/** What the workspace subcommands share: one name argument, a connected facade, output. */
import { Workspaces, type DockerClient, type WorkspaceInfo } from '../../../index.js';
import { UsageError, type CommandContext } from '../../command.js';
import { connectCli, type CommandOverrides } from '../../connect.js';

/** The single NAME argument of `workspace SUB NAME`. */
export function nameArg(ctx: CommandContext, sub: string): string {
  const [name, extra] = ctx.args;
  if (name === undefined) throw new UsageError(`workspace ${sub}: missing the workspace NAME. See --help.`);
  if (extra !== undefined) throw new UsageError(`workspace ${sub}: unexpected argument "${extra}"; expected one NAME. See --help.`);
  return name;
}

export interface Session extends AsyncDisposable {
  readonly client: DockerClient;
  readonly workspaces: Workspaces;
}

/** A connected client and its Workspaces, whose backend `orchestrator` chooses (on first use). */
export async function openWorkspaces(ctx: CommandContext, overrides?: CommandOverrides): Promise<Session> {
  const client = await connectCli(ctx, { flags: overrides });
  const workspaces = new Workspaces(client, { logger: ctx.logger, env: ctx.env });
  return {
    client,
    workspaces,
    async [Symbol.asyncDispose]() {
      try {
        await workspaces.close();
      } finally {
        await client.close();
      }
    },
  };
}

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

const shortId = (id: string): string => id.slice(0, 12);

/** What the engine object of a workspace is called, by backend (WorkspaceInfo.backend). */
const OBJECT_NOUN: Readonly<Record<string, string>> = { container: 'container', swarm: 'service' };

/** `container workspace_x (572a5387608d)`, `service workspace-x (k3x0...)`. */
export function objectText(info: WorkspaceInfo): string {
  return `${OBJECT_NOUN[info.backend] ?? info.backend} ${info.containerName} (${shortId(info.id)})`;
}

/** `running (healthy)`, `exited (0)`, `created`; with where it runs and why, when the backend says (`pending: no suitable node (...)`). */
export function stateText(info: WorkspaceInfo): string {
  const state = info.state === 'exited' && info.exitCode !== undefined ? `exited (${info.exitCode})` : info.health === 'none' ? info.state : `${info.state} (${info.health})`;
  const where = typeof info.node === 'string' ? ` on node ${info.node}` : '';
  const why = info.message === undefined || info.message === '' ? '' : `: ${info.message}`;
  return `${state}${where}${why}`;
}

function sizeText(bytes: number | undefined): string {
  if (bytes === undefined) return 'unlimited';
  return bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30} GiB` : bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : `${bytes} bytes`;
}

/** `inspect` in text: one `Key  value` line each. */
export function infoLines(info: WorkspaceInfo): string {
  const l = info.limits;
  const ulimits = Object.entries(l.ulimits)
    .map(([name, u]) => `${name}=${u.soft}:${u.hard}`)
    .join(' ');
  const noun = OBJECT_NOUN[info.backend] ?? info.backend;
  const rows: [string, string][] = [
    ['Name', info.name],
    [noun.charAt(0).toUpperCase() + noun.slice(1), `${info.containerName} (${shortId(info.id)})`],
    ['State', stateText(info)],
    ['Image', info.image],
    ['Created', info.created],
    ['Project', info.project ?? '(none: /workspace is a volume)'],
    ['User', info.user ?? "(the image's)"],
    ['Network', info.networks.map((n) => `${n.name}${n.ipAddress === undefined ? '' : ` ${n.ipAddress}`}`).join(', ') || (info.network ?? '')],
    ['CPUs', `${l.cpus ?? 'unlimited'} (shares ${l.cpuShares ?? 'default'})`],
    ['Memory', `${sizeText(l.memoryBytes)} (swap total ${sizeText(l.memorySwapBytes)})`],
    ['PIDs', String(l.pidsLimit ?? 'unlimited')],
    ['Ulimits', ulimits || '(engine defaults)'],
    ['Read-only root', l.readOnlyRootfs ? 'yes' : 'no'],
    ['Restart', l.restartPolicy],
    ['Ephemeral', info.ephemeral ? 'yes' : 'no'],
    ['Mounts', info.mounts.map((m) => `${m.source || '(anonymous)'} -> ${m.target} (${m.type}${m.readOnly ? ', ro' : ''})`).join('; ')],
    ...(info.data === undefined ? [] : [['Data', info.data.note] as [string, string]]),
    ['Egress', egressText(info, true)],
  ];
  return rows.map(([k, v]) => `${k.padEnd(16)}${v}`).join('\n') + '\n';
}

/** The allowlist and whether its gateway runs; `-` without one (a normal network). */
export function egressText(info: WorkspaceInfo, long = false): string {
  const e = info.egress;
  if (e === undefined) return long ? '(no allowlist: the network as configured)' : '-';
  const names = e.allow.length === 0 ? '(nothing)' : e.allow.join(long ? ', ' : ',');
  const gateway = e.gateway.running ? 'gateway running' : `gateway ${e.gateway.state}: nothing gets out`;
  return long ? `${names} (ports ${e.ports.join(', ')}); ${gateway} (${e.gateway.name})` : `${names} (${gateway})`;
}

export { shortId };

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

export async function openWorkspaces(ctx: CommandContext, overrides?: CommandOverrides): Promise<Session> {
  const client = await connectCli(ctx, { flags: overrides });
  return {
    client,
    workspaces: new Workspaces(client, { logger: ctx.logger }),
    [Symbol.asyncDispose]: () => client.close(),
  };
}

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

const shortId = (id: string): string => id.slice(0, 12);

/** `running (healthy)`, `exited (0)`, `created`. */
export function stateText(info: WorkspaceInfo): string {
  if (info.state === 'exited' && info.exitCode !== undefined) return `exited (${info.exitCode})`;
  return info.health === 'none' ? info.state : `${info.state} (${info.health})`;
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
  const rows: [string, string][] = [
    ['Name', info.name],
    ['Container', `${info.containerName} (${shortId(info.id)})`],
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

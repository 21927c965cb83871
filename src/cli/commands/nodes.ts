/** `aicli-docker nodes`: the Swarm nodes, what is reserved on them, their workspaces and engine endpoints. */
import { SwarmBackend, type SwarmNodeInfo } from '../../index.js';
import { UsageError, type Command } from '../command.js';
import { connectCli } from '../connect.js';

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}

const human = (bytes: number): string => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)}GiB` : `${Math.round(bytes / 2 ** 20)}MiB`);

/** One line per node. */
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

export const nodesCommand: Command = {
  name: 'nodes',
  summary: 'Show the Swarm nodes: state, availability, CPU and memory reserved and free, workspaces, engine endpoint.',
  usage: 'aicli-docker nodes [--json]',
  flags: [],
  async run(ctx) {
    if (ctx.args.length > 0) throw new UsageError(`nodes: unexpected argument "${ctx.args[0] ?? ''}". See --help.`);
    await using client = await connectCli(ctx);
    // Nodes exist only on a Swarm manager, whatever `orchestrator` says.
    await using backend = await SwarmBackend.open(client, { env: ctx.env, logger: ctx.logger, source: 'aicli-docker nodes' });
    const nodes = await backend.nodes();
    if (ctx.global.json) ctx.stdout(`${JSON.stringify(nodes, null, 2)}\n`);
    else ctx.stdout(formatNodes(nodes));
    return 0;
  },
};

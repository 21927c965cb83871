import { UsageError, type Command } from '../command.js';
import { formatNodes, openSwarmSession } from './swarm-workspace.js';
import { NotSwarmManagerError } from '../../index.js';

export const nodesCommand: Command = {
  name: 'nodes',
  summary: 'Show the Swarm nodes: state, availability, CPU and memory reserved and free, workspaces, engine endpoint.',
  usage: 'aicli-docker nodes [--json]',
  flags: [],
  async run(ctx) {
    if (ctx.args.length > 0) throw new UsageError(`nodes: unexpected argument "${ctx.args[0] ?? ''}". See --help.`);
    // Nodes exist only on a Swarm manager, whatever `orchestrator` says.
    await using session = await openSwarmSession(ctx, 'swarm');
    const backend = session.backend;
    if (backend === undefined) throw new NotSwarmManagerError(session.client.endpoint.url, 'inactive', 'nodes');
    const nodes = await backend.nodes();
    if (ctx.global.json) ctx.stdout(`${JSON.stringify(nodes, null, 2)}\n`);
    else ctx.stdout(formatNodes(nodes));
    return 0;
  },
};

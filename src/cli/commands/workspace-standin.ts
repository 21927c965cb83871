// STAND-IN until issue 9 lands: issue 9 owns the `workspace` command. This one only reaches the
// Swarm handlers (swarm-workspace.ts) so they can be tested through the CLI; at merge, issue 9's
// command calls SWARM_WORKSPACE_HANDLERS when the orchestrator resolves to swarm, takes
// SWARM_WORKSPACE_FLAGS into its flags, and this file and its COMMANDS entry are deleted.
import { UsageError, type Command } from '../command.js';
import { openSwarmSession, SWARM_WORKSPACE_FLAGS, SWARM_WORKSPACE_HANDLERS } from './swarm-workspace.js';

export const workspaceCommand: Command = {
  name: 'workspace',
  summary: 'Workspaces (this build: on a Swarm cluster only; set orchestrator: swarm or auto).',
  usage: 'aicli-docker workspace create NAME [--image IMG] [--constraint EXPR]... | ls | inspect NAME | rm NAME [--keep-data] | start NAME | stop NAME | restart NAME',
  flags: SWARM_WORKSPACE_FLAGS,
  async run(ctx) {
    const verb = ctx.args[0];
    const handler = verb === undefined ? undefined : SWARM_WORKSPACE_HANDLERS[verb];
    if (handler === undefined) {
      throw new UsageError(`workspace: ${verb === undefined ? 'missing subcommand' : `unknown subcommand "${verb}"`}; expected ${Object.keys(SWARM_WORKSPACE_HANDLERS).join(', ')}. See --help.`);
    }
    await using session = await openSwarmSession(ctx);
    if (session.backend === undefined) {
      throw new UsageError('workspace: engine workspaces arrive with the workspace feature; this build handles orchestrator: swarm (or auto on a Swarm manager) only.');
    }
    return await handler(ctx, session.backend);
  },
};

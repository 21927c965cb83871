// STAND-IN until issue 9 lands: its `workspace` command (create, ls, inspect, start, stop,
// rm) takes the subcommand maps of other features into its own; this one only
// dispatches to them (egress, for now).
import { closest } from '../../suggest.js';
import { UsageError, type Command } from '../command.js';
import { egressSubcommands, type WorkspaceSubcommand } from './workspace-egress.js';

const SUBCOMMANDS: Readonly<Record<string, WorkspaceSubcommand>> = { ...egressSubcommands };

export const workspaceCommand: Command = {
  name: 'workspace',
  summary: 'Work with workspaces: egress allowlists.',
  usage: Object.values(SUBCOMMANDS).map((s, i) => `${i === 0 ? '' : '       '}${s.usage}`).join('\n'),
  flags: Object.values(SUBCOMMANDS).flatMap((s) => s.flags),
  async run(ctx) {
    const word = ctx.args[0];
    const names = Object.keys(SUBCOMMANDS);
    if (word === undefined) throw new UsageError(`workspace: missing subcommand; expected ${names.join(', ')}. See --help.`);
    const sub = SUBCOMMANDS[word];
    if (sub === undefined) {
      const near = closest(word, names);
      throw new UsageError(`workspace: unknown subcommand "${word}"${near === undefined ? '' : `; did you mean "${near}"?`} Expected ${names.join(', ')}.`);
    }
    return sub.run({ ...ctx, args: ctx.args.slice(1) });
  },
};

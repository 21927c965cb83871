// STAND-IN until issue 9 lands: the workspace branch makes the real `workspace` command with its
// table of subcommands (create, ls, inspect, start, stop, restart, rm); at merge, add the entries
// of INSIDE_SUBCOMMANDS (workspace-inside.ts) to that table and delete this file.
import { closest } from '../../suggest.js';
import { UsageError, type Command, type FlagSpec } from '../command.js';
import { INSIDE_SUBCOMMANDS } from './workspace-inside.js';

const TABLE = INSIDE_SUBCOMMANDS;
const names = Object.keys(TABLE);
const flags: FlagSpec[] = [];
for (const sub of Object.values(TABLE)) for (const f of sub.flags) if (!flags.some((x) => x.name === f.name)) flags.push(f);

export const workspaceCommand: Command = {
  name: 'workspace',
  summary: 'Work inside a workspace: exec, logs, cp, stats',
  usage: Object.values(TABLE).map((s, i) => `${i === 0 ? '' : '       '}${s.usage}`).join('\n'),
  flags,
  async run(ctx) {
    const sub = ctx.args[0];
    if (sub === undefined) throw new UsageError(`workspace: missing subcommand; expected one of ${names.join(', ')}. See --help.`);
    const entry = (TABLE as Readonly<Record<string, (typeof TABLE)[keyof typeof TABLE] | undefined>>)[sub];
    if (entry === undefined) {
      const near = closest(sub, names);
      throw new UsageError(`workspace: unknown subcommand "${sub}"${near === undefined ? '' : `; did you mean "${near}"?`} Expected one of ${names.join(', ')}.`);
    }
    return entry.run(ctx);
  },
};

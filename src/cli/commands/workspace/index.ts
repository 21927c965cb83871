/**
 * `aicli-docker workspace SUBCOMMAND`: a table of subcommands, each a small handler file
 * loaded only when it runs. A new subcommand (exec, logs, cp, stats) is one entry here
 * and one file.
 */
import { closest } from '../../../suggest.js';
import { UsageError, type Command, type CommandContext, type FlagSpec } from '../../command.js';
import { egressSubcommands } from '../workspace-egress.js';
import { INSIDE_SUBCOMMANDS } from '../workspace-inside.js';

export interface WorkspaceSubcommand {
  readonly summary: string;
  /** After `aicli-docker workspace `. */
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** The handler; `ctx.args` holds what follows the subcommand. */
  readonly load: () => Promise<(ctx: CommandContext) => Promise<number>>;
}

const TIME_FLAG: FlagSpec = {
  name: 'time',
  type: 'string',
  valueName: 'SECONDS',
  description: "stop, restart: seconds to wait after SIGTERM before SIGKILL (default 10; on Swarm the service's stop grace period applies)",
};

export const WORKSPACE_SUBCOMMANDS: Readonly<Record<string, WorkspaceSubcommand>> = {
  create: {
    summary: 'Create a workspace (or find the existing one): hardened, limited, on the aicli network (on Swarm: a service, running once made)',
    usage: 'create NAME [--image IMG] [--pull missing|never] [--project DIR] [--ephemeral] [--start] [--egress-allow LIST] [--constraint EXPR]... [--json]',
    flags: [
      { name: 'image', type: 'string', valueName: 'IMG', description: 'create: the image (default: default_image); pulled when the engine does not have it' },
      { name: 'pull', type: 'string', valueName: 'POLICY', description: 'create: missing (default): pull the image if the engine lacks it, progress on stderr; never: fail instead' },
      { name: 'project', type: 'string', valueName: 'DIR', description: 'create: the project folder, mounted at /workspace' },
      { name: 'ephemeral', type: 'boolean', description: 'create: the workspace belongs to this process (cleanup --orphans removes it later)' },
      { name: 'start', type: 'boolean', description: 'create: start it too' },
      { name: 'label', type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'create: an extra label (repeatable)' },
      { name: 'env', type: 'string', multiple: true, valueName: 'KEY[=VALUE]', description: 'create: an environment variable (repeatable; KEY alone takes it from here)' },
      { name: 'mount', type: 'string', multiple: true, valueName: 'SRC:DST[:ro]', description: 'create: another bind mount (repeatable)' },
      { name: 'cap-add', type: 'string', multiple: true, valueName: 'CAP', description: 'create: a capability to add (repeatable; sets cap_add)' },
      { name: 'network', type: 'string', valueName: 'NAME', description: 'create: the network (sets network_name)' },
      { name: 'pid', type: 'string', valueName: 'MODE', description: 'create: PID namespace mode, as docker run --pid' },
      { name: 'ipc', type: 'string', valueName: 'MODE', description: 'create: IPC namespace mode, as docker run --ipc' },
      { name: 'uts', type: 'string', valueName: 'MODE', description: 'create: UTS namespace mode, as docker run --uts' },
      { name: 'userns', type: 'string', valueName: 'MODE', description: 'create: user namespace mode, as docker run --userns' },
      { name: 'allow-unsafe', type: 'string', multiple: true, valueName: 'RULE', description: 'create: lift an isolation rule on purpose (repeatable; sets allow_unsafe)' },
      { name: 'constraint', type: 'string', multiple: true, valueName: 'EXPR', description: 'create, Swarm: a placement constraint such as node.labels.zone==a (repeatable; adds to swarm_constraints)' },
      { name: 'egress-allow', type: 'string', valueName: 'LIST', description: 'create: the only host names it may reach, comma-separated, through a gateway (sets egress_allow; "" for none)' },
      { name: 'egress-image', type: 'string', valueName: 'IMG', description: 'create: the egress gateway image (sets egress_image; default: made from this Node)' },
    ],
    load: async () => (await import('./create.js')).createWorkspace,
  },
  ls: {
    summary: 'List the workspaces: name, state, health, image, created, id (on Swarm also the node and the scheduler\'s reason)',
    usage: 'ls [--json]',
    flags: [],
    load: async () => (await import('./ls.js')).listWorkspaces,
  },
  inspect: {
    summary: 'Show one workspace: state, health, limits, mounts, network',
    usage: 'inspect NAME [--json]',
    flags: [],
    load: async () => (await import('./inspect.js')).inspectWorkspace,
  },
  start: {
    summary: 'Start a workspace',
    usage: 'start NAME [--json]',
    flags: [],
    load: async () => (await import('./lifecycle.js')).startWorkspace,
  },
  stop: {
    summary: 'Stop a workspace (SIGTERM, then SIGKILL after --time seconds)',
    usage: 'stop NAME [--time SECONDS] [--json]',
    flags: [TIME_FLAG],
    load: async () => (await import('./lifecycle.js')).stopWorkspace,
  },
  restart: {
    summary: 'Restart a workspace',
    usage: 'restart NAME [--time SECONDS] [--json]',
    flags: [TIME_FLAG],
    load: async () => (await import('./lifecycle.js')).restartWorkspace,
  },
  rm: {
    summary: 'Remove a workspace (running or not) and its data: its anonymous volumes (on Swarm: its data volume on every node)',
    usage: 'rm NAME [--keep-data] [--json]',
    flags: [{ name: 'keep-data', type: 'boolean', description: "rm: keep the workspace's data (its anonymous volumes; on Swarm its data volume on the nodes)" }],
    load: async () => (await import('./lifecycle.js')).removeWorkspace,
  },
  // Inside a workspace: exec, logs, cp, stats (their handlers take the subcommand in ctx.args).
  ...Object.fromEntries(
    Object.entries(INSIDE_SUBCOMMANDS).map(([name, sub]): [string, WorkspaceSubcommand] => [
      name,
      {
        summary: sub.summary,
        usage: sub.usage.replace(/^aicli-docker workspace /, ''),
        flags: sub.flags,
        load: () => Promise.resolve((ctx: CommandContext) => sub.run({ ...ctx, args: [name, ...ctx.args] })),
      },
    ]),
  ),
  // The egress allowlist of a workspace (its handler takes what follows the subcommand).
  ...Object.fromEntries(
    Object.entries(egressSubcommands).map(([name, sub]): [string, WorkspaceSubcommand] => [
      name,
      { summary: sub.summary, usage: sub.usage.replace(/^aicli-docker workspace /, ''), flags: sub.flags, load: () => Promise.resolve((ctx: CommandContext) => sub.run(ctx)) },
    ]),
  ),
};

/** Every subcommand's flags, once each: the CLI parses them all, then each subcommand checks its own. */
function allFlags(): FlagSpec[] {
  const seen = new Map<string, FlagSpec>();
  for (const sub of Object.values(WORKSPACE_SUBCOMMANDS)) {
    for (const f of sub.flags) {
      const had = seen.get(f.name);
      // One flag may serve two subcommands (create --env, exec -e): keep its short form.
      if (had === undefined) seen.set(f.name, f);
      else if (had.short === undefined && f.short !== undefined) seen.set(f.name, { ...had, short: f.short });
    }
  }
  return [...seen.values()];
}

function usageText(): string {
  return Object.values(WORKSPACE_SUBCOMMANDS)
    .map((s) => `aicli-docker workspace ${s.usage}`)
    .join('\n       ');
}

export const workspaceCommand: Command = {
  name: 'workspace',
  summary: `Create and manage workspaces: ${Object.keys(WORKSPACE_SUBCOMMANDS).join(', ')}.`,
  usage: usageText(),
  flags: allFlags(),
  async run(ctx) {
    const name = ctx.args[0];
    const names = Object.keys(WORKSPACE_SUBCOMMANDS);
    if (name === undefined) throw new UsageError(`workspace: missing subcommand; expected one of ${names.join(', ')}. See --help.`);
    const sub = Object.hasOwn(WORKSPACE_SUBCOMMANDS, name) ? WORKSPACE_SUBCOMMANDS[name] : undefined;
    if (sub === undefined) {
      const near = closest(name, names);
      throw new UsageError(`workspace: unknown subcommand "${name}".${near === undefined ? '' : ` Did you mean "${near}"?`} Expected one of ${names.join(', ')}.`);
    }
    const own = new Set(sub.flags.map((f) => f.name));
    for (const [flag, value] of Object.entries(ctx.flags)) {
      if (value !== undefined && !own.has(flag)) throw new UsageError(`workspace ${name}: --${flag} does not apply here. Usage: aicli-docker workspace ${sub.usage}`);
    }
    const handler = await sub.load();
    return handler({ ...ctx, args: ctx.args.slice(1) });
  },
};

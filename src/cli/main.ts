import { createStreamLogger, LOG_LEVELS, type LogLevel } from '../logger.js';
import { commandWords, formatFlags, GLOBAL_FLAGS, parseAll } from './args.js';
import { UsageError, type CliStreams, type Command } from './command.js';
import { exitCodeFor } from './exit-codes.js';
import { isDockerError } from '../errors.js';
import { closest } from '../suggest.js';

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** The raw standard streams (run.ts passes the process's). */
  readonly streams?: CliStreams;
}

// Each command is loaded only when it runs: `status` must not pay for `config init`.
const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<Command> }>> = {
  status: { summary: 'Check the engine: endpoint, API version, health', load: async () => (await import('./commands/status.js')).statusCommand },
  info: { summary: 'Show what the engine reports about itself', load: async () => (await import('./commands/info.js')).infoCommand },
  config: { summary: 'Show, validate or create the configuration', load: async () => (await import('./commands/config.js')).configCommand },
  workspace: { summary: 'Create and manage workspaces (create, ls, inspect, start, stop, restart, rm, exec, logs, cp, stats, egress)', load: async () => (await import('./commands/workspace/index.js')).workspaceCommand },
  monitor: { summary: 'Check the engine at an interval until interrupted', load: async () => (await import('./commands/monitor.js')).monitorCommand },
  events: { summary: "Follow the engine's events across restarts", load: async () => (await import('./commands/events.js')).eventsCommand },
  doctor: { summary: 'Check what workspaces need, each with its fix', load: async () => (await import('./commands/doctor.js')).doctorCommand },
  // Swarm workspaces (issue 13)
  nodes: { summary: 'Show the Swarm nodes, what is reserved on them, their endpoints', load: async () => (await import('./commands/nodes.js')).nodesCommand },
  // Inside a workspace (issue 10)
  image: { summary: 'Pull an image (with progress) or load a tarball', load: async () => (await import('./commands/image.js')).imageCommand },
  cleanup: { summary: 'Remove managed containers and networks (--orphans: only what a gone process left)', load: async () => (await import('./commands/cleanup.js')).cleanupCommand },
  // The aicli network (issue 7)
  network: { summary: 'Ensure, inspect or remove the aicli network', load: async () => (await import('./commands/network.js')).networkCommand },
};

function usage(): string {
  const cmds = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
    .join('\n');
  return `Usage: aicli-docker [flags] <command> [flags]\n\nCommands:\n${cmds}\n\nGlobal flags:\n${formatFlags(GLOBAL_FLAGS)}\n\nExit codes: 0 ok, 1 failure, 2 bad usage or configuration, 69 engine unavailable.\n`;
}

/** Our package.json, found from dist/cli/ or from the CLI bundle in dist/. */
async function packageVersion(): Promise<string> {
  // node:module is loaded only for --version: every other run would pay for it.
  const { createRequire } = await import('node:module');
  const load = createRequire(import.meta.url);
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = load(path) as { name?: string; version?: string };
      if (pkg.name === 'aicli-docker' && pkg.version !== undefined) return pkg.version;
    } catch {
      // Not at this level; try the next.
    }
  }
  return 'unknown';
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let json = argv.includes('--json');
  try {
    const words = commandWords(argv);
    const name = words[0];
    const entry = name === undefined ? undefined : COMMANDS[name];
    if (name !== undefined && entry === undefined) {
      const near = closest(name, Object.keys(COMMANDS));
      throw new UsageError(`unknown command "${name}".${near === undefined ? '' : ` Did you mean "${near}"?`} Commands: ${Object.keys(COMMANDS).join(', ')}.`);
    }
    const command = entry === undefined ? undefined : await entry.load();
    const parsed = parseAll(argv, command?.flags ?? []);
    json = parsed.global.json;
    if (parsed.values['version'] === true) {
      io.stdout(`${await packageVersion()}\n`);
      return 0;
    }
    if (command === undefined || parsed.values['help'] === true) {
      const own = command === undefined || command.flags.length === 0 ? '' : `Flags:\n${formatFlags(command.flags)}\n\n`;
      io.stdout(command === undefined ? usage() : `Usage: ${command.usage}\n\n${command.summary}\n\n${own}Global flags:\n${formatFlags(GLOBAL_FLAGS)}\n`);
      return command === undefined && parsed.values['help'] !== true ? 2 : 0;
    }
    const level = parsed.global.logLevel ?? 'warn';
    if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level "${level}" is not a level; expected one of ${LOG_LEVELS.join(', ')}.`);
    const logger = createStreamLogger({ level: level as LogLevel, json, write: io.stderr });
    const flags = Object.fromEntries(command.flags.map((f) => [f.name, parsed.values[f.name]])) as Record<string, string | boolean | string[] | undefined>;
    return await command.run({ args: parsed.positionals.slice(1), flags, global: parsed.global, env: io.env, cwd: io.cwd, logger, stdout: io.stdout, stderr: io.stderr, streams: io.streams });
  } catch (err) {
    const code = exitCodeFor(err);
    const e = err instanceof Error ? err : new Error(String(err));
    const errorCode = (e as { code?: unknown }).code;
    if (json) io.stdout(`${JSON.stringify({ error: { code: typeof errorCode === 'string' ? errorCode : e.name, message: e.message } }, null, 2)}\n`);
    io.stderr(`aicli-docker: ${e.message}\n`);
    if (code === 1 && !isDockerError(err)) io.stderr(`${e.stack ?? ''}\n`.split('\n').slice(1, 4).join('\n') + '\n');
    return code;
  }
}

// `workspace exec | logs | cp | stats`: what runs inside a workspace. A table of handlers,
// merged into the `workspace` command's table; each resolves the workspace name to an engine
// and a container through the workspace backend (withWorkspace: the client's engine for a
// container workspace, the engine of its node for a Swarm one), then calls the library there.
import { Writable } from 'node:stream';
import {
  copyIn,
  copyOut,
  cpDirection,
  execStream,
  InvalidArgumentError,
  logs,
  parseCpArg,
  parseDuration,
  stats,
  type CopyResult,
  type EngineApi,
  type StatsSample,
} from '../../index.js';
import { UsageError, type CliStreams, type CommandContext, type FlagSpec } from '../command.js';
import { openWorkspaces } from './workspace/common.js';
import { humanBytes } from '../progress.js';

export interface WorkspaceSubcommand {
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** `ctx.args` starts with the subcommand's name. */
  run(ctx: CommandContext): Promise<number>;
}

function nameArg(ctx: CommandContext, rest: 'none' | 'some'): { name: string; rest: string[] } {
  const [sub = '', name, ...more] = ctx.args;
  if (name === undefined) throw new UsageError(`workspace ${sub}: missing the workspace NAME. See --help.`);
  if (rest === 'none' && more.length > 0) throw new UsageError(`workspace ${sub}: unexpected argument "${more[0] ?? ''}". See --help.`);
  return { name, rest: more };
}

/** A Writable over ctx.stdout/stderr, for runs without the process's own streams (in-process tests). */
function textSink(write: (text: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      write(chunk.toString('utf8'));
      cb();
    },
  });
}

/** Aborts on Ctrl-C or SIGTERM while a real process runs the command (the command inside is killed too). */
function onInterrupt(streams: CliStreams | undefined): { signal: AbortSignal; interrupted: () => boolean; dispose: () => void } {
  const ac = new AbortController();
  if (streams === undefined) return { signal: ac.signal, interrupted: () => false, dispose: () => undefined };
  const stop = (): void => { ac.abort(new Error('interrupted')); };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: ac.signal,
    interrupted: () => ac.signal.aborted,
    dispose: () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    },
  };
}

/** `-e K=V`, or `-e K` to pass this environment's K on (skipped when unset, as docker does). */
function envFlags(ctx: CommandContext): Record<string, string> {
  const raw = ctx.flags['env'];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const out: Record<string, string> = {};
  for (const e of list) {
    const eq = e.indexOf('=');
    if (eq === 0) throw new InvalidArgumentError('-e', 'an entry has no name before "="; expected KEY=VALUE or KEY');
    if (eq > 0) out[e.slice(0, eq)] = e.slice(eq + 1);
    else {
      const v = ctx.env[e];
      if (v !== undefined) out[e] = v;
    }
  }
  return out;
}

const str = (ctx: CommandContext, k: string): string | undefined => {
  const v = ctx.flags[k];
  return typeof v === 'string' ? v : undefined;
};

/** The one resolver of exec, logs, cp and stats: the workspace's engine and container, from its backend. */
async function withWorkspace<T>(ctx: CommandContext, name: string, fn: (api: EngineApi, container: string) => Promise<T>): Promise<T> {
  await using session = await openWorkspaces(ctx);
  const target = await session.workspaces.locate(name);
  return await fn(target.api, target.container);
}

const execCmd: WorkspaceSubcommand = {
  summary: 'Run a command in a workspace; its stdout and stderr come through apart, and its exit code is ours',
  usage: 'aicli-docker workspace exec NAME [-i] [-t] [-e KEY=VALUE]... [-w DIR] [-u USER] -- COMMAND [ARG...]',
  flags: [
    { name: 'interactive', short: 'i', type: 'boolean', description: 'exec: pass standard input to the command (closed at its end)' },
    { name: 'tty', short: 't', type: 'boolean', description: 'exec: give the command a terminal, of this terminal\'s size' },
    { name: 'env', short: 'e', type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'exec: set a variable (KEY alone passes this one on); repeatable' },
    { name: 'workdir', short: 'w', type: 'string', valueName: 'DIR', description: 'exec: working folder inside the workspace' },
    { name: 'user', short: 'u', type: 'string', valueName: 'USER', description: 'exec: user[:group] or uid[:gid] to run as' },
  ],
  async run(ctx) {
    const { name, rest: cmd } = nameArg(ctx, 'some');
    if (cmd.length === 0) throw new UsageError('workspace exec: missing the COMMAND; write it after --, e.g. `workspace exec my-ws -- ls -la`.');
    const streams = ctx.streams;
    const interactive = ctx.flags['interactive'] === true;
    const tty = ctx.flags['tty'] === true;
    const out = streams?.stdout ?? textSink(ctx.stdout);
    const size = tty && streams?.stdout.isTTY === true && streams.stdout.columns !== undefined && streams.stdout.rows !== undefined ? { rows: streams.stdout.rows, cols: streams.stdout.columns } : undefined;
    const int = onInterrupt(streams);
    const raw = interactive && tty && streams?.stdin.isTTY === true ? streams.stdin : undefined;
    try {
      return await withWorkspace(ctx, name, async (api, container) => {
        const h = await execStream(api, container, cmd, {
          env: envFlags(ctx),
          ...(str(ctx, 'workdir') === undefined ? {} : { workdir: str(ctx, 'workdir') ?? '' }),
          ...(str(ctx, 'user') === undefined ? {} : { user: str(ctx, 'user') ?? '' }),
          tty: size ?? tty,
          ...(interactive && streams !== undefined ? { stdin: streams.stdin } : {}),
          stdout: out,
          stderr: streams?.stderr ?? textSink(ctx.stderr),
          signal: int.signal,
          logger: ctx.logger,
        });
        raw?.setRawMode?.(true);
        const onResize = (): void => {
          const s = streams?.stdout;
          if (s?.columns !== undefined && s.rows !== undefined) h.resize({ rows: s.rows, cols: s.columns }).catch(() => undefined);
        };
        if (size !== undefined) streams?.stdout.on('resize', onResize);
        try {
          const { exitCode } = await h.wait();
          return exitCode;
        } catch (err) {
          if (int.interrupted()) return 130;
          throw err;
        } finally {
          streams?.stdout.removeListener('resize', onResize);
          await h.close();
        }
      });
    } finally {
      raw?.setRawMode?.(false);
      // Whatever is left unread on our stdin is not the command's any more.
      if (interactive) streams?.stdin.destroy();
      int.dispose();
    }
  },
};

/** --since: Unix seconds, an RFC 3339 time, or a duration back from now (10m, 2h). */
function sinceFlag(value: string | undefined, now = Date.now()): Date | number | undefined {
  if (value === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  try {
    return new Date(now - parseDuration(value));
  } catch {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return new Date(t);
    throw new InvalidArgumentError('--since', `"${value}" is not a time: give a duration back from now (10m, 2h), an RFC 3339 time, or Unix seconds`);
  }
}

const logsCmd: WorkspaceSubcommand = {
  summary: 'Show (or follow) what a workspace logs, stdout to stdout and stderr to stderr',
  usage: 'aicli-docker workspace logs NAME [-f] [--since TIME] [--tail N] [--timestamps] [--json]',
  flags: [
    { name: 'follow', short: 'f', type: 'boolean', description: 'logs: keep following (across restarts) until the workspace stops' },
    { name: 'since', type: 'string', valueName: 'TIME', description: 'logs: from this time: 10m, 2h, an RFC 3339 time or Unix seconds' },
    { name: 'tail', type: 'string', valueName: 'N', description: 'logs: only the last N lines' },
    { name: 'timestamps', type: 'boolean', description: 'logs: put the time before each line' },
  ],
  async run(ctx) {
    const { name } = nameArg(ctx, 'none');
    const tailRaw = str(ctx, 'tail');
    const tail = tailRaw === undefined || tailRaw === 'all' ? undefined : Number(tailRaw);
    if (tail !== undefined && (!Number.isSafeInteger(tail) || tail < 0)) throw new InvalidArgumentError('--tail', `"${tailRaw ?? ''}" is not a line count`);
    const since = sinceFlag(str(ctx, 'since'));
    const stamps = ctx.flags['timestamps'] === true;
    const int = onInterrupt(ctx.streams);
    try {
      return await withWorkspace(ctx, name, async (api, container) => {
        const lines = logs(api, container, { follow: ctx.flags['follow'] === true, ...(tail === undefined ? {} : { tail }), ...(since === undefined ? {} : { since }), signal: int.signal, logger: ctx.logger });
        for await (const l of lines) {
          if (ctx.global.json) ctx.stdout(`${JSON.stringify(l)}\n`);
          else (l.stream === 'stderr' ? ctx.stderr : ctx.stdout)(`${stamps ? `${l.time} ` : ''}${l.line}\n`);
        }
        return 0;
      });
    } finally {
      int.dispose();
    }
  },
};

const cpCmd: WorkspaceSubcommand = {
  summary: 'Copy files or folders between a workspace and here (one side NAME:PATH; - is a tar stream)',
  usage: 'aicli-docker workspace cp SRC NAME:DST | NAME:SRC DST   (SRC/. copies a folder\'s contents)',
  flags: [],
  async run(ctx) {
    const [, src, dst, extra] = ctx.args;
    if (src === undefined || dst === undefined) throw new UsageError('workspace cp: expected SRC and DST, one of them NAME:PATH. See --help.');
    if (extra !== undefined) throw new UsageError(`workspace cp: unexpected argument "${extra}". See --help.`);
    const way = cpDirection(parseCpArg(src), parseCpArg(dst));
    const int = onInterrupt(ctx.streams);
    try {
      const r: CopyResult = await withWorkspace(ctx, way.name, async (api, container) => {
        const options = { signal: int.signal, logger: ctx.logger };
        if (way.dir === 'in') {
          const from = way.from.kind === 'stream' ? ctx.streams?.stdin : way.from.kind === 'local' ? way.from.path : undefined;
          if (from === undefined) throw new UsageError('workspace cp: - needs a standard input');
          return copyIn(api, container, from, way.containerPath, options);
        }
        const to = way.to.kind === 'stream' ? ctx.streams?.stdout : way.to.kind === 'local' ? way.to.path : undefined;
        if (to === undefined) throw new UsageError('workspace cp: - needs a standard output');
        return copyOut(api, container, way.containerPath, to, options);
      });
      if (r.target === '-') return 0;
      if (ctx.global.json) ctx.stdout(`${JSON.stringify(r)}\n`);
      else ctx.stdout(`Copied ${r.entries} ${r.entries === 1 ? 'entry' : 'entries'} (${humanBytes(r.bytes)}) to ${way.dir === 'in' ? `${way.name}:${r.target}` : r.target}\n`);
      return 0;
    } finally {
      int.dispose();
    }
  },
};

function statsRows(name: string, s: StatsSample): string {
  const cpu = s.cpuPercent === undefined ? '-' : `${s.cpuPercent.toFixed(2)}%`;
  const head = ['NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];
  const row = [
    name,
    cpu,
    `${humanBytes(s.memoryUsedBytes)} / ${humanBytes(s.memoryLimitBytes)}`,
    `${s.memoryPercent.toFixed(2)}%`,
    `${humanBytes(s.netRxBytes)} / ${humanBytes(s.netTxBytes)}`,
    `${humanBytes(s.blockReadBytes)} / ${humanBytes(s.blockWriteBytes)}`,
    s.pidsLimit === undefined ? String(s.pids) : `${s.pids} / ${s.pidsLimit}`,
  ];
  const w = head.map((h, i) => Math.max(h.length, (row[i] ?? '').length) + 3);
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(w[i] ?? 0)).join('').trimEnd();
  return `${line(head)}\n${line(row)}\n`;
}

const statsCmd: WorkspaceSubcommand = {
  summary: 'Show a workspace\'s CPU, memory, PIDs, network and block I/O (one sample)',
  usage: 'aicli-docker workspace stats NAME [--json]',
  flags: [],
  async run(ctx) {
    const { name } = nameArg(ctx, 'none');
    const s = await withWorkspace(ctx, name, (api, container) => stats(api, container));
    ctx.stdout(ctx.global.json ? `${JSON.stringify({ name, ...s }, null, 2)}\n` : statsRows(name, s));
    return 0;
  },
};

/** The four subcommands of `workspace` that work inside one; merge into the workspace command's table. */
export const INSIDE_SUBCOMMANDS: Readonly<Record<'exec' | 'logs' | 'cp' | 'stats', WorkspaceSubcommand>> = Object.freeze({
  exec: execCmd,
  logs: logsCmd,
  cp: cpCmd,
  stats: statsCmd,
});

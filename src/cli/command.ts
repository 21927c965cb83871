import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../logger.js';

/** A flag a command accepts, for node:util parseArgs and for --help. */
export interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** A one-letter form, e.g. `i` for `-i` (docker's exec flags). */
  readonly short?: string;
  readonly valueName?: string;
  readonly description: string;
}

export interface GlobalFlags {
  readonly host: string | undefined;
  readonly context: string | undefined;
  readonly config: string | undefined;
  readonly timeout: string | undefined;
  readonly logLevel: string | undefined;
  readonly json: boolean;
}

export interface CommandContext {
  /** Positionals after the command name (and subcommand, for `config`). */
  readonly args: readonly string[];
  /** Command-specific flag values, by flag name. */
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly global: GlobalFlags;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly logger: Logger;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The process's own streams, for commands that pass bytes through (exec, cp -, logs -f). */
  readonly streams?: CliStreams | undefined;
}

/** Raw standard streams; absent when the CLI runs in-process without a terminal (tests). */
export interface CliStreams {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  readonly stderr: Writable & { isTTY?: boolean };
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  /** Returns the process exit code. Errors thrown are mapped by the CLI (see exit-codes.ts). */
  run(ctx: CommandContext): Promise<number>;
}

/** Bad usage: unknown flag, missing argument. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

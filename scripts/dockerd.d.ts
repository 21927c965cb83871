// Types for scripts/dockerd.js (plain Node, imported by TypeScript tests and the bench).

export interface DockerdOptions {
  readonly version?: '20' | '26' | '28';
  /** A folder that must not exist yet (created here, mode 0700); keep it short. */
  readonly dir: string;
  readonly name?: string;
  readonly dns?: readonly string[];
  readonly iptables?: boolean;
  readonly extraArgs?: readonly string[];
  readonly daemonJson?: Record<string, unknown>;
  readonly prefix?: readonly string[];
  readonly env?: Record<string, string>;
}

/** The options' old name, kept for the tests that use it. */
export type StartDockerdOptions = DockerdOptions;

export interface PrivateEngine extends AsyncDisposable {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly socketPath: string;
  /** unix:///…/docker.sock */
  readonly host: string;
  readonly log: string;
  /** The engine's PID (changes on start()). */
  readonly pid: number;
  /** Resolves with how the process ended. */
  readonly exited: Promise<string>;
  /** Starts (again) with the same folders; resolves once it answers /_ping. */
  start(): Promise<PrivateEngine>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 15 s); safe twice. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now. */
  kill(): Promise<void>;
  restart(): Promise<PrivateEngine>;
  /** Stops it and removes its folder (unmounting what it mounted). */
  destroy(): Promise<void>;
}

export const DOCKERD: Readonly<Record<'20' | '26' | '28', string>>;
export const API_VERSION: Readonly<Record<'20' | '26' | '28', string>>;
export function startDockerd(options: DockerdOptions): Promise<PrivateEngine>;
export function unixGet(socketPath: string, urlPath: string, timeoutMs?: number): Promise<{ status: number; body: string }>;
export function processesUnder(dir: string): number[];
export function removeTree(dir: string): Promise<void>;

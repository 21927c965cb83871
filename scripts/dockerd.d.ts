// Types for scripts/dockerd.js (plain JS, imported by tests and the bench).
export interface StartDockerdOptions {
  /** '20', '26' or '28'. */
  version?: string;
  dir: string;
  name?: string;
  dns?: string[];
  iptables?: boolean;
  extraArgs?: string[];
  daemonJson?: Record<string, unknown>;
  prefix?: string[];
  env?: Record<string, string>;
}
export interface PrivateEngine extends AsyncDisposable {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly socketPath: string;
  readonly host: string;
  readonly log: string;
  pid: number;
  exited: Promise<string>;
  start(): Promise<PrivateEngine>;
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<PrivateEngine>;
  destroy(): Promise<void>;
}
export const DOCKERD: Readonly<Record<'20' | '26' | '28', string>>;
export const API_VERSION: Readonly<Record<'20' | '26' | '28', string>>;
export function startDockerd(options: StartDockerdOptions): Promise<PrivateEngine>;
export function processesUnder(dir: string): number[];
export function removeTree(dir: string): Promise<void>;

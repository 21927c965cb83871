// Types for scripts/dockerd.js, for the TypeScript tests that start a private engine.

export interface PrivateEngine {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly socketPath: string;
  /** unix://<dir>/docker.sock */
  readonly host: string;
  readonly log: string;
  readonly pid: number;
  start(): Promise<PrivateEngine>;
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<PrivateEngine>;
  /** Stops the engine (by its PID), its containerd and shims, unmounts and removes `dir`. */
  destroy(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface StartDockerdOptions {
  readonly version?: '20' | '26' | '28';
  /** Must not exist yet; keep it short (unix socket paths). */
  readonly dir: string;
  readonly name?: string;
  readonly dns?: readonly string[];
  readonly iptables?: boolean;
  readonly extraArgs?: readonly string[];
  readonly daemonJson?: Readonly<Record<string, unknown>>;
  readonly prefix?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

export function startDockerd(options: StartDockerdOptions): Promise<PrivateEngine>;

// Typed exec calls: create, start (hijacked), inspect, resize. Every function takes the
// EngineApi of the engine that runs the container, so a caller can route it (Swarm).
import type { Duplex } from 'node:stream';
import type { CallOptions, EngineApi } from './engine-api.js';
import { compareApiVersions } from '../transport/api-version.js';
import { apiPath } from './path.js';

export interface ExecCreateSpec {
  readonly cmd: readonly string[];
  /** `KEY=value` entries. Never logged: values may be secrets. */
  readonly env?: readonly string[] | undefined;
  readonly workdir?: string | undefined;
  readonly user?: string | undefined;
  readonly tty?: boolean | undefined;
  readonly attachStdin?: boolean | undefined;
  /** Rows and columns of the TTY from the start (API 1.42+; older engines get a resize). */
  readonly consoleSize?: TtySize | undefined;
}

export interface TtySize {
  readonly rows: number;
  readonly cols: number;
}

export interface ExecInspect {
  readonly id: string;
  readonly running: boolean;
  /** null while running (and, briefly, just after the output ends). */
  readonly exitCode: number | null;
  /** The process id on the engine's host (0 when unknown). */
  readonly pid: number;
  readonly containerId: string;
}

/** ConsoleSize is honoured from API 1.42 (Docker 23). */
export function supportsConsoleSize(api: EngineApi): boolean {
  return compareApiVersions(api.apiVersion, '1.42') >= 0;
}

export async function execCreate(api: EngineApi, container: string, spec: ExecCreateSpec, options: CallOptions = {}): Promise<string> {
  const sized = spec.consoleSize !== undefined && spec.tty === true && supportsConsoleSize(api);
  const res = await api.json<{ Id: string }>({
    method: 'POST',
    path: apiPath`/containers/${container}/exec`,
    resource: 'container',
    json: {
      AttachStdin: spec.attachStdin === true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: spec.tty === true,
      Cmd: spec.cmd,
      ...(spec.env === undefined || spec.env.length === 0 ? {} : { Env: spec.env }),
      ...(spec.workdir === undefined ? {} : { WorkingDir: spec.workdir }),
      ...(spec.user === undefined ? {} : { User: spec.user }),
      ...(sized ? { ConsoleSize: [spec.consoleSize.rows, spec.consoleSize.cols] } : {}),
    },
    ...options,
  });
  return res.Id;
}

/**
 * Starts an exec and hands back the hijacked connection: multiplexed output (see stdcopy.ts)
 * without a TTY, raw with one; stdin is written to it and `end()` closes the command's stdin.
 */
export async function execStart(api: EngineApi, execId: string, spec: { readonly tty: boolean; readonly consoleSize?: TtySize | undefined }, options: CallOptions = {}): Promise<Duplex> {
  const sized = spec.consoleSize !== undefined && spec.tty && supportsConsoleSize(api);
  const { socket } = await api.upgrade({
    method: 'POST',
    path: apiPath`/exec/${execId}/start`,
    resource: 'exec',
    json: { Detach: false, Tty: spec.tty, ...(sized ? { ConsoleSize: [spec.consoleSize.rows, spec.consoleSize.cols] } : {}) },
    ...options,
  });
  return socket;
}

export async function execInspect(api: EngineApi, execId: string, options: CallOptions = {}): Promise<ExecInspect> {
  const raw = await api.json<{ ID?: string; Running?: boolean; ExitCode?: number | null; Pid?: number; ContainerID?: string }>({
    method: 'GET',
    path: apiPath`/exec/${execId}/json`,
    resource: 'exec',
    ...options,
  });
  return {
    id: raw.ID ?? execId,
    running: raw.Running === true,
    exitCode: typeof raw.ExitCode === 'number' && raw.Running !== true ? raw.ExitCode : null,
    pid: raw.Pid ?? 0,
    containerId: raw.ContainerID ?? '',
  };
}

export async function execResize(api: EngineApi, execId: string, size: TtySize, options: CallOptions = {}): Promise<void> {
  await api.json({ method: 'POST', path: apiPath`/exec/${execId}/resize`, query: { h: size.rows, w: size.cols }, resource: 'exec', ...options });
}

/**
 * Host paths a workspace mounts, resolved through symbolic links on this machine before
 * the policy sees them, so the path checked is the path mounted (a link to /etc is /etc).
 * The paths are read on this machine: for a remote engine they must exist at the same
 * place on the engine's host (as with `docker run -v`).
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import type { ContainerCreateBody, MountSpec } from '../../engine/types.js';
import type { WorkspaceMount } from './spec.js';

function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

async function real(path: string, what: string, given: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (err) {
    const code = errnoCode(err);
    const why =
      code === 'ENOENT'
        ? 'does not exist (or is a link to nothing)'
        : code === 'EACCES'
          ? 'cannot be read: permission denied'
          : code === 'ELOOP'
            ? 'is a loop of symbolic links'
            : code === 'ENOTDIR'
              ? 'has a file where a folder should be'
              : `cannot be resolved (${code ?? String(err)})`;
    throw new InvalidArgumentError(what, `${JSON.stringify(given)} ${why}; give an existing path on this machine`);
  }
}

/** The project folder, absolute and resolved; it must exist and be a folder. */
export async function resolveProject(dir: string, cwd: string, what = 'project'): Promise<string> {
  if (typeof dir !== 'string' || dir.trim() === '') throw new InvalidArgumentError(what, 'is empty; give the project folder to mount at /workspace');
  const resolved = await real(resolve(cwd, dir), what, dir);
  const st = await stat(resolved);
  if (!st.isDirectory()) throw new InvalidArgumentError(what, `${JSON.stringify(dir)} is not a folder; give the project folder to mount at /workspace`);
  return resolved;
}

/** `SRC:DST[:ro|rw]`, as `docker run -v` writes a bind mount. */
export function parseMount(text: string, what = 'mount'): WorkspaceMount {
  const parts = text.split(':');
  const [source = '', target = '', mode] = parts;
  if (parts.length < 2 || parts.length > 3 || source === '' || target === '' || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
    throw new InvalidArgumentError(what, `${JSON.stringify(text)} is not a mount; expected HOST_PATH:CONTAINER_PATH or HOST_PATH:CONTAINER_PATH:ro`);
  }
  return { source, target, readOnly: mode === 'ro' };
}

/** Extra bind mounts: sources resolved, targets absolute and not the root. */
export async function resolveMounts(mounts: readonly WorkspaceMount[], cwd: string, what = 'mounts'): Promise<WorkspaceMount[]> {
  return Promise.all(
    mounts.map(async (m, i) => {
      const at = `${what}[${i}]`;
      if (typeof m.target !== 'string' || !isAbsolute(m.target) || m.target.replace(/\/+$/, '') === '') {
        throw new InvalidArgumentError(at, `target ${JSON.stringify(m.target)} must be an absolute path in the container other than /`);
      }
      if (/[:,]/.test(m.target)) throw new InvalidArgumentError(at, `target ${JSON.stringify(m.target)} must not contain ":" or ","`);
      return { source: await real(resolve(cwd, m.source), at, m.source), target: m.target, readOnly: m.readOnly === true };
    }),
  );
}

async function realOrSame(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // Not on this machine (a remote engine's path): checked as written.
    return path;
  }
}

/**
 * The body with every bind source resolved through links (Mounts and Binds), and a map
 * from each resolved path to the path as written, for messages.
 */
export async function resolveBindSources(body: ContainerCreateBody): Promise<{ body: ContainerCreateBody; givenPaths: Map<string, string> }> {
  const givenPaths = new Map<string, string>();
  const note = (resolved: string, given: string): string => {
    if (resolved !== given && !givenPaths.has(resolved)) givenPaths.set(resolved, given);
    return resolved;
  };
  const mounts = await Promise.all(
    (body.HostConfig.Mounts ?? []).map(async (m): Promise<MountSpec> => (m.Type === 'bind' && m.Source !== undefined ? { ...m, Source: note(await realOrSame(m.Source), m.Source) } : m)),
  );
  const binds = await Promise.all(
    (body.HostConfig.Binds ?? []).map(async (b) => {
      const colon = b.indexOf(':');
      const source = colon === -1 ? b : b.slice(0, colon);
      if (!source.startsWith('/')) return b;
      return note(await realOrSame(source), source) + (colon === -1 ? '' : b.slice(colon));
    }),
  );
  const hostConfig = {
    ...body.HostConfig,
    ...(body.HostConfig.Mounts === undefined ? {} : { Mounts: mounts }),
    ...(body.HostConfig.Binds === undefined ? {} : { Binds: binds }),
  };
  return { body: { ...body, HostConfig: hostConfig }, givenPaths };
}

/** The engine's socket on this machine, resolved, when the endpoint is a unix socket. */
export async function localEngineSocket(endpointUrl: string): Promise<string | undefined> {
  if (!endpointUrl.startsWith('unix://')) return undefined;
  return realOrSame(endpointUrl.slice('unix://'.length));
}

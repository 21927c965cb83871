// Typed container calls used inside a workspace: inspect, list, remove, logs, archive
// (GET/PUT/HEAD) and stats. Each takes the EngineApi of the engine that runs the container.
import type { Readable } from 'node:stream';
import { DockerProtocolError } from '../errors.js';
import type { TransportStream } from '../transport/http-transport.js';
import type { CallOptions, EngineApi } from './engine-api.js';
import { apiPath } from './path.js';

/** The parts of GET /containers/{id}/json that exec, files, logs and cleanup read. */
export interface ContainerSummary {
  readonly id: string;
  /** Without the leading `/`. */
  readonly name: string;
  readonly image: string;
  /** created, running, paused, restarting, removing, exited, dead */
  readonly state: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly created: number;
}

export interface ContainerDetails extends ContainerSummary {
  readonly running: boolean;
  readonly restarting: boolean;
  /** The user the container runs as (`Config.User`): "" for root. */
  readonly user: string;
  readonly tty: boolean;
  readonly startedAt: string | undefined;
  readonly finishedAt: string | undefined;
  readonly raw: Readonly<Record<string, unknown>>;
}

interface RawInspect {
  Id: string;
  Name?: string;
  Image?: string;
  Created?: string;
  State?: { Status?: string; Running?: boolean; Restarting?: boolean; StartedAt?: string; FinishedAt?: string };
  Config?: { User?: string; Tty?: boolean; Labels?: Record<string, string> | null; Image?: string };
}

export async function containerInspect(api: EngineApi, container: string, options: CallOptions = {}): Promise<ContainerDetails> {
  const raw = await api.json<RawInspect>({ method: 'GET', path: apiPath`/containers/${container}/json`, resource: 'container', ...options });
  const unset = (t: string | undefined): string | undefined => (t === undefined || t.startsWith('0001-01-01') ? undefined : t);
  return {
    id: raw.Id,
    name: (raw.Name ?? '').replace(/^\//, ''),
    image: raw.Config?.Image ?? raw.Image ?? '',
    state: raw.State?.Status ?? 'unknown',
    labels: raw.Config?.Labels ?? {},
    created: raw.Created === undefined ? 0 : Math.floor(Date.parse(raw.Created) / 1000),
    running: raw.State?.Running === true,
    restarting: raw.State?.Restarting === true,
    user: raw.Config?.User ?? '',
    tty: raw.Config?.Tty === true,
    startedAt: unset(raw.State?.StartedAt),
    finishedAt: unset(raw.State?.FinishedAt),
    raw: raw as unknown as Record<string, unknown>,
  };
}

/** GET /containers/json?all=1 with Docker's filters (e.g. `{ label: ['aicli.managed=true'] }`). */
export async function containerList(api: EngineApi, filters: Readonly<Record<string, readonly string[]>>, options: CallOptions = {}): Promise<ContainerSummary[]> {
  const raw = await api.json<{ Id: string; Names?: string[] | null; Image?: string; State?: string; Labels?: Record<string, string> | null; Created?: number }[]>({
    method: 'GET',
    path: apiPath`/containers/json`,
    query: { all: true, filters },
    ...options,
  });
  return raw.map((c) => ({
    id: c.Id,
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    image: c.Image ?? '',
    state: c.State ?? 'unknown',
    labels: c.Labels ?? {},
    created: c.Created ?? 0,
  }));
}

/** POST /containers/{id}/start; 304 (already running) is not an error. */
export async function containerStart(api: EngineApi, container: string, options: CallOptions = {}): Promise<void> {
  await api.json({ method: 'POST', path: apiPath`/containers/${container}/start`, resource: 'container', ...options });
}

/** Force-removes a container with its anonymous volumes. Already gone is not an error. */
export async function containerRemove(api: EngineApi, container: string, options: CallOptions = {}): Promise<'removed' | 'gone'> {
  try {
    await api.json({ method: 'DELETE', path: apiPath`/containers/${container}`, query: { force: true, v: true }, resource: 'container', idempotent: true, ...options });
    return 'removed';
  } catch (err) {
    if ((err as { code?: unknown }).code === 'CONTAINER_NOT_FOUND') return 'gone';
    throw err;
  }
}

export interface LogsQuery {
  readonly follow?: boolean | undefined;
  /** Unix seconds (fractions allowed), or an RFC 3339 time. */
  readonly since?: string | number | undefined;
  readonly until?: string | number | undefined;
  /** Lines from the end; `all` by default. */
  readonly tail?: number | 'all' | undefined;
  readonly timestamps?: boolean | undefined;
}

/** GET /containers/{id}/logs: multiplexed (see stdcopy.ts) unless the container has a TTY. */
export async function containerLogs(api: EngineApi, container: string, q: LogsQuery, options: CallOptions = {}): Promise<TransportStream> {
  return api.stream({
    method: 'GET',
    path: apiPath`/containers/${container}/logs`,
    query: {
      stdout: true,
      stderr: true,
      follow: q.follow === true,
      timestamps: q.timestamps === true,
      since: q.since,
      until: q.until,
      tail: q.tail === undefined ? 'all' : String(q.tail),
    },
    resource: 'container',
    ...options,
  });
}

/** What the engine says about a path in a container (X-Docker-Container-Path-Stat). */
export interface PathStat {
  readonly name: string;
  readonly size: number;
  /** Go's os.FileMode bits: directory is 1 << 31, symlink 1 << 27. */
  readonly mode: number;
  readonly mtime: string;
  readonly linkTarget: string;
  readonly isDir: boolean;
  readonly isSymlink: boolean;
}

const GO_MODE_DIR = 2 ** 31;
const GO_MODE_SYMLINK = 2 ** 27;

function parseStat(header: string | string[] | undefined, where: { method: string; path: string; endpoint: string }): PathStat {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) throw new DockerProtocolError(where, 'the answer has no X-Docker-Container-Path-Stat header');
  const raw = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as { name?: string; size?: number; mode?: number; mtime?: string; linkTarget?: string };
  const mode = raw.mode ?? 0;
  return {
    name: raw.name ?? '',
    size: raw.size ?? 0,
    mode,
    mtime: raw.mtime ?? '',
    linkTarget: raw.linkTarget ?? '',
    isDir: Math.floor(mode / GO_MODE_DIR) % 2 === 1,
    isSymlink: Math.floor(mode / GO_MODE_SYMLINK) % 2 === 1,
  };
}

/** A 404 from the archive API that is about the path, not the container. */
export function isMissingPath(err: unknown): boolean {
  const e = err as { statusCode?: unknown; daemonMessage?: unknown; method?: unknown };
  // HEAD answers carry no message: the container is checked before by the callers.
  return e.statusCode === 404 && (e.method === 'HEAD' || (typeof e.daemonMessage === 'string' && !/no such container/i.test(e.daemonMessage)));
}

/** HEAD /containers/{id}/archive: the path's stat, or undefined when the path does not exist. */
export async function archiveStat(api: EngineApi, container: string, path: string, options: CallOptions = {}): Promise<PathStat | undefined> {
  // A 404 names either the container or the path; the container is checked first by callers.
  let res: TransportStream;
  try {
    res = await api.stream({ method: 'HEAD', path: apiPath`/containers/${container}/archive`, query: { path }, resource: 'container', ...options });
  } catch (err) {
    if (isMissingPath(err)) return undefined;
    throw err;
  }
  res.body.resume();
  return parseStat(res.headers['x-docker-container-path-stat'], { method: 'HEAD', path: `/containers/${container}/archive`, endpoint: api.transport.endpoint.url });
}

/** GET /containers/{id}/archive: a tar stream of the path, and its stat. */
export async function archiveGet(api: EngineApi, container: string, path: string, options: CallOptions = {}): Promise<{ stat: PathStat; tar: Readable }> {
  const res = await api.stream({ method: 'GET', path: apiPath`/containers/${container}/archive`, query: { path }, resource: 'container', ...options });
  return { stat: parseStat(res.headers['x-docker-container-path-stat'], { method: 'GET', path: `/containers/${container}/archive`, endpoint: api.transport.endpoint.url }), tar: res.body };
}

/**
 * PUT /containers/{id}/archive: extracts a tar stream into the directory `path`. A file may
 * not replace a directory or the reverse (noOverwriteDirNonDir), as `docker cp` does.
 */
export async function archivePut(api: EngineApi, container: string, path: string, tar: Readable, options: CallOptions = {}): Promise<void> {
  const res = await api.stream({
    method: 'PUT',
    path: apiPath`/containers/${container}/archive`,
    query: { path, noOverwriteDirNonDir: true },
    headers: { 'content-type': 'application/x-tar' },
    body: tar,
    resource: 'container',
    ...options,
  });
  res.body.resume();
  await new Promise<void>((resolve, reject) => {
    res.body.once('end', resolve);
    res.body.once('error', reject);
  });
}

/** GET /containers/{id}/stats: one sample (`stream: false`) or a stream of JSON lines. */
export async function containerStats(api: EngineApi, container: string, q: { readonly stream: boolean; readonly oneShot?: boolean }, options: CallOptions = {}): Promise<TransportStream> {
  return api.stream({
    method: 'GET',
    path: apiPath`/containers/${container}/stats`,
    query: { stream: q.stream, ...(q.oneShot === true ? { 'one-shot': true } : {}) },
    resource: 'container',
    ...options,
  });
}

// Host → container, through PUT /containers/{id}/archive, as `docker cp SRC NAME:DST` does:
// a tar made on the fly (tar-stream; file contents streamed, never whole in memory), every
// entry owned by the container's user (or the owner given), checked by safe-tar.ts before a
// byte is sent, so a refused copy changes nothing in the container.
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { tarStream, type Header, type HeaderArg, type Pack } from './tar.js';
import { InvalidArgumentError, PathNotFoundError } from '../../errors.js';
import type { EngineApi } from '../../engine/engine-api.js';
import { archivePut, archiveStat, containerInspect } from '../../engine/container-api.js';
import { silentLogger, type Logger } from '../../logger.js';
import { containerAbs } from './cp-path.js';
import { resolveOwner, type Owner } from './owner.js';
import { checkLink, entryType, safeName } from './safe-tar.js';

export interface CopyOptions {
  readonly signal?: AbortSignal;
  /** Limit for the whole transfer; none by default (the caller's signal ends it). */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

export interface CopyInOptions extends CopyOptions {
  /** Owner of what lands in the container; default: the container's user, looked up inside it. */
  readonly owner?: Owner;
}

export interface CopyResult {
  /** Where it landed (the container path, or the host path). */
  readonly target: string;
  readonly entries: number;
  readonly bytes: number;
}

interface HostEntry {
  readonly path: string;
  readonly name: string;
  readonly kind: 'file' | 'directory' | 'symlink';
  readonly size: number;
  readonly mode: number;
  readonly mtime: Date;
  readonly linkname?: string;
}

/**
 * Lists what will be sent (lstat only: no contents read) and checks every entry first.
 * `rel` is the path inside what is copied ("" for its root); tar names start with `root`.
 */
async function walk(path: string, root: string, rel: string, out: HostEntry[], logger: Logger): Promise<void> {
  const st = await lstat(path);
  const name = root === '' ? rel : rel === '' ? root : `${root}/${rel}`;
  const common = { path, name, mode: st.mode & 0o7777, mtime: st.mtime };
  if (st.isSymbolicLink()) {
    const linkname = await readlink(path);
    checkLink(rel, 'symlink', linkname);
    out.push({ ...common, kind: 'symlink', size: 0, linkname });
  } else if (st.isDirectory()) {
    if (name !== '') out.push({ ...common, kind: 'directory', size: 0 });
    const children = await readdir(path);
    children.sort();
    for (const child of children) await walk(join(path, child), root, rel === '' ? child : `${rel}/${child}`, out, logger);
  } else if (st.isFile()) {
    out.push({ ...common, kind: 'file', size: st.size });
  } else {
    logger.warn({ path }, 'cp: skipped: not a file, folder or link');
  }
}

/** Feeds the entries into a tar stream, one after the other, file contents streamed. */
async function packEntries(p: Pack, entries: readonly HostEntry[], owner: Owner): Promise<void> {
  try {
    for (const e of entries) {
      const header: HeaderArg = { name: e.name, mode: e.mode, mtime: e.mtime, uid: owner.uid, gid: owner.gid, type: e.kind, size: e.size };
      if (e.kind === 'symlink') header.linkname = e.linkname ?? '';
      if (e.kind !== 'file') {
        await new Promise<void>((resolve, reject) => { p.entry(header, (err) => { if (err) reject(err); else resolve(); }); });
        continue;
      }
      await new Promise<void>((resolve, reject) => {
        const sink = p.entry(header, (err) => { if (err) reject(err); else resolve(); });
        const src = createReadStream(e.path, { highWaterMark: 1 << 20 });
        src.once('error', reject);
        src.pipe(sink);
      });
    }
    p.finalize();
  } catch (err) {
    p.destroy(err as Error);
  }
}

/** Where the entries go and under which name, following `docker cp`'s rules. */
async function destination(api: EngineApi, container: string, dst: string, source: { isDir: boolean; base: string; contents: boolean }, options: CopyOptions): Promise<{ dir: string; root: string }> {
  const call = { signal: options.signal };
  const st = await archiveStat(api, container, dst, call);
  if (st?.isDir === true) return { dir: dst, root: source.contents ? '' : source.base };
  if (st !== undefined) {
    if (source.isDir) throw new InvalidArgumentError('cp', `cannot copy a folder onto the file ${dst} in ${container}; name a folder, or a path that does not exist yet`);
    return { dir: posix.dirname(dst), root: posix.basename(dst) };
  }
  if (dst.endsWith('/') && !source.isDir) throw new PathNotFoundError(dst, `in ${container}`, 'A path ending in "/" must be an existing folder; create it first, or drop the "/" to name the new file.');
  const parent = posix.dirname(dst.replace(/\/+$/, ''));
  const pst = await archiveStat(api, container, parent, call);
  if (pst === undefined || !pst.isDir) throw new PathNotFoundError(parent, `in ${container}`, 'Create the folder first (e.g. `workspace exec NAME -- mkdir -p FOLDER`).');
  return { dir: parent, root: posix.basename(dst.replace(/\/+$/, '')) };
}

/**
 * Copies a host file or folder (or a tar stream, extracted into the folder `containerPath`)
 * into the container. `SRC/.` copies a folder's contents. See CopyInOptions for ownership.
 */
export async function copyIn(api: EngineApi, container: string, source: string | Readable, containerPath: string, options: CopyInOptions = {}): Promise<CopyResult> {
  const logger = options.logger ?? silentLogger;
  const call = { signal: options.signal };
  const dst = containerAbs(containerPath);
  const details = await containerInspect(api, container, call);
  const owner = options.owner ?? (await resolveOwner(api, container, details.user, call));
  const put = { signal: options.signal, timeoutMs: options.timeoutMs ?? 0 };
  if (typeof source !== 'string') return copyInTar(api, container, source, dst, owner, put);

  let st;
  try {
    st = await lstat(source);
  } catch (err) {
    throw new PathNotFoundError(source, 'on this host', 'Check the path.', { cause: err });
  }
  const contents = st.isDirectory() && /\/\.\/?$/.test(source);
  const target = await destination(api, container, dst, { isDir: st.isDirectory(), base: basename(source.replace(/\/+$/, '').replace(/\/\.$/, '')), contents }, options);
  const entries: HostEntry[] = [];
  // The whole tree is checked before anything is sent.
  await walk(source, target.root, '', entries, logger);
  const p = (await tarStream()).pack();
  void packEntries(p, entries, owner);
  await archivePut(api, container, target.dir, Readable.from(p), put);
  const bytes = entries.reduce((sum, e) => sum + e.size, 0);
  logger.debug({ container, target: target.dir, entries: entries.length, bytes }, 'cp: copied in');
  return { target: target.root === '' ? target.dir : posix.join(target.dir, target.root), entries: entries.length, bytes };
}

/**
 * A tar stream from the caller: each entry checked and given its owner on the way to a
 * spool file, and only a wholly good archive is sent (a refusal changes nothing inside).
 */
async function copyInTar(api: EngineApi, container: string, tar: Readable, dst: string, owner: Owner, put: { signal?: AbortSignal | undefined; timeoutMs: number }): Promise<CopyResult> {
  const st = await archiveStat(api, container, dst, put);
  if (st?.isDir !== true) throw new PathNotFoundError(dst, `in ${container}`, 'A tar stream is extracted into a folder: name an existing folder.');
  const dir = await mkdtemp(join(tmpdir(), 'aicli-cp-'));
  const spool = join(dir, 'in.tar');
  let entries = 0;
  let bytes = 0;
  try {
    const { extract, pack } = await tarStream();
    const ex = extract();
    const out = pack();
    const written = pipeline(out, createWriteStream(spool));
    const feeding = (async () => {
      for await (const entry of ex) {
        // Headers from outside: any field may be missing whatever the types say.
        const h = entry.header as Partial<Header> & { name: string };
        const type = entryType(h.type);
        const name = safeName(h.name);
        if (type === 'other' || name === '') {
          entry.resume();
          continue;
        }
        checkLink(name, type, h.linkname ?? '');
        entries++;
        bytes += h.size ?? 0;
        const header: HeaderArg = { name, type, mode: (h.mode ?? 0o644) & 0o7777, mtime: h.mtime ?? new Date(), uid: owner.uid, gid: owner.gid, size: type === 'file' ? (h.size ?? 0) : 0 };
        if (type === 'symlink' || type === 'link') header.linkname = h.linkname ?? '';
        await new Promise<void>((resolve, reject) => {
          const sink = out.entry(header, (err) => { if (err) reject(err); else resolve(); });
          if (type === 'file') entry.pipe(sink);
          else entry.resume();
        });
      }
      out.finalize();
    })();
    await Promise.all([pipeline(tar, ex), feeding.catch((err: unknown) => { out.destroy(err as Error); throw err; }), written]);
    await archivePut(api, container, dst, createReadStream(spool, { highWaterMark: 1 << 20 }), put);
    return { target: dst, entries, bytes };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

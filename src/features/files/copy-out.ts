// Container → host, through GET /containers/{id}/archive, as `docker cp NAME:SRC DST` does.
// What the container sends is not trusted: every entry is checked (safe-tar.ts) and
// extracted into a staging folder beside the destination; only a wholly good archive is
// moved into place, and never through a symbolic link already there. A refused copy
// leaves the host as it was.
import { createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, mkdtemp, readdir, rename, rm, symlink, utimes } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { tarStream, type Header } from './tar.js';
import { InvalidArgumentError, PathNotFoundError, UnsafeArchiveError } from '../../errors.js';
import type { EngineApi } from '../../engine/engine-api.js';
import { archiveGet, containerInspect, isMissingPath } from '../../engine/container-api.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { CopyOptions, CopyResult } from './copy-in.js';
import { containerAbs } from './cp-path.js';
import { checkLink, entryType, safeName } from './safe-tar.js';

async function lstatOrUndefined(path: string): Promise<Awaited<ReturnType<typeof lstat>> | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The container's archive of `src` (its tar stream), mapping a missing path to PathNotFoundError. */
async function fetchArchive(api: EngineApi, container: string, src: string, options: CopyOptions): Promise<Awaited<ReturnType<typeof archiveGet>>> {
  try {
    return await archiveGet(api, container, src, { signal: options.signal, timeoutMs: options.timeoutMs });
  } catch (err) {
    if (isMissingPath(err)) throw new PathNotFoundError(src, `in ${container}`, 'Check the path (container paths start at its root folder).', { cause: err });
    throw err;
  }
}

/**
 * Copies a file or folder out of the container: into `destination` when it is an existing
 * folder, else as `destination`. `SRC/.` copies a folder's contents. A Writable destination
 * gets the tar stream itself (`docker cp NAME:SRC -`).
 */
export async function copyOut(api: EngineApi, container: string, containerPath: string, destination: string | Writable, options: CopyOptions = {}): Promise<CopyResult> {
  const logger = options.logger ?? silentLogger;
  const src = containerAbs(containerPath);
  // The container first: a 404 below is then about the path.
  await containerInspect(api, container, { signal: options.signal });
  if (typeof destination !== 'string') {
    const { tar } = await fetchArchive(api, container, src, options);
    let bytes = 0;
    tar.on('data', (c: Buffer) => { bytes += c.length; });
    await pipeline(tar, destination, { end: false });
    return { target: '-', entries: 0, bytes };
  }
  const dst = resolve(destination);
  const dstStat = await lstatOrUndefined(dst);
  const contents = /\/\.\/?$/.test(src);
  const { stat, tar } = await fetchArchive(api, container, src, options);
  let target: string;
  if (dstStat?.isDirectory() === true) target = contents ? dst : join(dst, basename(src.replace(/\/\.\/?$/, '').replace(/\/+$/, '')) || 'root');
  else if (dstStat !== undefined) {
    tar.destroy();
    if (stat.isDir) throw new InvalidArgumentError('cp', `cannot copy the folder ${src} onto the file ${dst}; name a folder, or a path that does not exist yet`);
    target = dst;
  } else {
    const parent = await lstatOrUndefined(dirname(dst));
    if (parent?.isDirectory() !== true || (destination.endsWith('/') && !stat.isDir)) {
      tar.destroy();
      throw new PathNotFoundError(destination.endsWith('/') ? dst : dirname(dst), 'on this host', 'Create the folder first.');
    }
    target = dst;
  }
  // Staging beside the target, so the final move is a rename on one file system.
  const staging = await mkdtemp(join(dirname(target), '.aicli-cp-'));
  try {
    const root = join(staging, 'root');
    const counted = await extractTo(tar, root, contents, logger);
    // A folder's contents with nothing in them: Podman sends no entry at all.
    if (stat.isDir) await mkdir(root, { recursive: true });
    await moveInto(root, target);
    logger.debug({ container, src, target, entries: counted.entries, bytes: counted.bytes }, 'cp: copied out');
    return { target, ...counted };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * The entry's path below the copied item. Engines name entries after the copied path's base
 * name ("name/…"); for SRC/. Docker sends "./…" and Podman the contents' own names, without
 * a root entry.
 */
function belowRoot(name: string, contents: boolean): string {
  const parts = name.split('/').filter((p) => p !== '');
  return (contents && parts[0] !== '.' ? parts : parts.slice(1)).join('/');
}

/** Extracts into `root` (the archive's first path part is renamed to it), checking every entry. */
async function extractTo(tar: NodeJS.ReadableStream, root: string, contents: boolean, logger: Logger): Promise<{ entries: number; bytes: number }> {
  const ex = (await tarStream()).extract();
  const feeding = pipeline(tar, ex);
  feeding.catch(() => undefined);
  let entries = 0;
  let bytes = 0;
  const dirTimes: [string, Date][] = [];
  try {
    for await (const entry of ex) {
      const h = entry.header as Partial<Header> & { name: string };
      const type = entryType(h.type);
      // The copied item itself becomes `root`; everything else must stay inside it.
      if (h.name.startsWith('/')) throw new UnsafeArchiveError(h.name, 'is an absolute path');
      const full = h.name;
      const rel = safeName(belowRoot(h.name, contents));
      const at = rel === '' ? root : join(root, rel);
      checkLink(rel, type, h.linkname ?? '');
      const mode = (h.mode ?? 0o644) & 0o777;
      entries++;
      if (type === 'directory') {
        await mkdir(at, { recursive: true });
        await chmod(at, mode | 0o700);
        if (h.mtime !== undefined) dirTimes.push([at, h.mtime]);
        entry.resume();
      } else if (type === 'file') {
        await mkdir(dirname(at), { recursive: true });
        await pipeline(entry, createWriteStream(at, { mode, highWaterMark: 1 << 20 }));
        bytes += h.size ?? 0;
        if (h.mtime !== undefined) await utimes(at, h.mtime, h.mtime);
      } else if (type === 'symlink') {
        await mkdir(dirname(at), { recursive: true });
        await symlink(h.linkname ?? '', at);
        entry.resume();
      } else if (type === 'link') {
        const targetRel = safeName(belowRoot(h.linkname ?? '', contents));
        await mkdir(dirname(at), { recursive: true });
        await link(targetRel === '' ? root : join(root, targetRel), at);
        entry.resume();
      } else {
        entries--;
        logger.warn({ entry: full, type: h.type }, 'cp: skipped: not a file, folder or link');
        entry.resume();
      }
    }
    await feeding;
  } catch (err) {
    ex.destroy();
    throw err;
  }
  // Folder times last: writing into a folder changes its time.
  for (const [dir, time] of dirTimes.reverse()) await utimes(dir, time, time);
  return { entries, bytes };
}

/**
 * Moves the staged tree into place: a rename when the target is new, else entry by entry
 * (a file replaces a file; a folder merges into a folder). Checked wholly before anything
 * moves: an existing symbolic link in the way, or a file where a folder is, stops it.
 */
async function moveInto(staged: string, target: string): Promise<void> {
  const existing = await lstatOrUndefined(target);
  if (existing === undefined) {
    await rename(staged, target);
    return;
  }
  const moves: [string, string][] = [];
  const plan = async (from: string, to: string): Promise<void> => {
    const [src, dst] = await Promise.all([lstat(from), lstatOrUndefined(to)]);
    if (dst === undefined) {
      moves.push([from, to]);
      return;
    }
    if (dst.isSymbolicLink()) throw new UnsafeArchiveError(to, 'would be written through a symbolic link already on this host');
    if (src.isDirectory() !== dst.isDirectory()) throw new InvalidArgumentError('cp', `${to} is ${dst.isDirectory() ? 'a folder' : 'a file'} and would be replaced by ${src.isDirectory() ? 'a folder' : 'a file'}; nothing was copied`);
    if (!src.isDirectory()) {
      moves.push([from, to]);
      return;
    }
    for (const child of await readdir(from)) await plan(join(from, child), join(to, child));
  };
  await plan(staged, target);
  for (const [from, to] of moves) await rename(from, to);
}

// One rule for every archive aicli reads or writes: an entry lands inside what is copied, or
// the archive is refused. Refused: absolute names, names with a `..` part, symbolic links
// to an absolute path or out of what is copied, hard links to anything that is not a safe name.
// Names given here are relative to the root of what is copied.
import { posix } from 'node:path';
import { UnsafeArchiveError } from '../../errors.js';

export type EntryType = 'file' | 'directory' | 'symlink' | 'link' | 'other';

/** The entry's name, checked and normalised ("a/b", no leading "./", no trailing "/"); "" is the root itself. */
export function safeName(name: string): string {
  if (name.includes('\0')) throw new UnsafeArchiveError(name, 'holds a NUL byte');
  if (name.startsWith('/')) throw new UnsafeArchiveError(name, 'is an absolute path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UnsafeArchiveError(name, 'has a ".." part and could land outside the target');
  return parts.join('/');
}

/** Checks a link entry; `name` is already safeName()d. */
export function checkLink(name: string, type: EntryType, linkname: string): void {
  if (type === 'link') {
    // A hard link names another entry of the archive.
    safeName(linkname);
    return;
  }
  if (type !== 'symlink') return;
  if (linkname.startsWith('/')) throw new UnsafeArchiveError(name, `is a symbolic link to the absolute path ${JSON.stringify(linkname)}`);
  const resolved = posix.normalize(posix.join(posix.dirname(name), linkname));
  if (resolved === '..' || resolved.startsWith('../')) throw new UnsafeArchiveError(name, `is a symbolic link to ${JSON.stringify(linkname)}, outside what is copied`);
}

/** Maps tar-stream's header types to what aicli handles. */
export function entryType(type: string | null | undefined): EntryType {
  switch (type) {
    case 'file':
    case 'contiguous-file':
    case null:
    case undefined:
      return 'file';
    case 'directory':
    case 'symlink':
    case 'link':
      return type;
    default:
      return 'other';
  }
}

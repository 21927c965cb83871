// Who owns files copied into a container: the container's user (`Config.User`) as numbers,
// looked up in the container's own /etc/passwd and /etc/group the way runc does (a numeric
// user that is not listed gets group 0; no user at all is root).
import { text } from 'node:stream/consumers';
import { InvalidArgumentError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { archiveGet, isMissingPath } from '../../engine/container-api.js';
import { tarStream } from './tar.js';

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

const NUMERIC = /^\d+$/;

/** One small file from the container, or "" when it does not exist. */
async function readSmallFile(api: EngineApi, container: string, path: string, call: CallOptions): Promise<string> {
  let tar;
  try {
    tar = (await archiveGet(api, container, path, call)).tar;
  } catch (err) {
    if (isMissingPath(err)) return '';
    throw err;
  }
  const ex = (await tarStream()).extract();
  tar.pipe(ex);
  let out = '';
  for await (const entry of ex) {
    // /etc/passwd is small; anything else in the archive is skipped.
    if (out === '' && entry.header.type === 'file' && entry.header.size < 4 * 1024 * 1024) out = await text(entry);
    else entry.resume();
  }
  return out;
}

function lookup(table: string, name: string, field: number): number | undefined {
  for (const line of table.split('\n')) {
    const cols = line.split(':');
    if (cols[0] === name) {
      const v = Number(cols[field]);
      return Number.isInteger(v) ? v : undefined;
    }
  }
  return undefined;
}

/** `user`, `uid`, `user:group` or `uid:gid` (Docker's `--user` forms) as numbers, in that container. */
export async function resolveOwner(api: EngineApi, container: string, user: string, call: CallOptions = {}): Promise<Owner> {
  if (user === '') return { uid: 0, gid: 0 };
  const [u = '', g] = user.split(':', 2);
  const needPasswd = !NUMERIC.test(u) || g === undefined;
  const passwd = needPasswd ? await readSmallFile(api, container, '/etc/passwd', call) : '';
  const uid = NUMERIC.test(u) ? Number(u) : lookup(passwd, u, 2);
  if (uid === undefined) throw new InvalidArgumentError('user', `"${u}" is not a user in the container's /etc/passwd; give a numeric uid[:gid]`);
  let gid: number | undefined;
  if (g === undefined) {
    const byUid = passwd.split('\n').map((l) => l.split(':')).find((cols) => Number(cols[2]) === uid && cols[2] !== '');
    gid = byUid === undefined ? 0 : Number(byUid[3] ?? 0);
  } else if (NUMERIC.test(g)) gid = Number(g);
  else {
    gid = lookup(await readSmallFile(api, container, '/etc/group', call), g, 2);
    if (gid === undefined) throw new InvalidArgumentError('user', `"${g}" is not a group in the container's /etc/group; give a numeric gid`);
  }
  return { uid, gid: Number.isInteger(gid) ? gid : 0 };
}

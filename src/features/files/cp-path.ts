// `workspace cp SRC DST` arguments, read as `docker cp` reads them: `NAME:PATH` names a path
// in a workspace; an absolute path, or one starting with ".", is always local (so
// `./a:b` is the local file "a:b"); `-` is a tar stream on stdin or stdout.
import { InvalidArgumentError } from '../../errors.js';

export type CpArg = { readonly kind: 'local'; readonly path: string } | { readonly kind: 'stream' } | { readonly kind: 'workspace'; readonly name: string; readonly path: string };

export function parseCpArg(arg: string): CpArg {
  if (arg === '-') return { kind: 'stream' };
  if (arg.startsWith('/') || arg.startsWith('.')) return { kind: 'local', path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0) return { kind: 'local', path: arg };
  const name = arg.slice(0, colon);
  const path = arg.slice(colon + 1);
  if (name === '') throw new InvalidArgumentError('cp', `"${arg}" has an empty workspace name before ":"; write NAME:PATH`);
  return { kind: 'workspace', name, path: path === '' ? '/' : path };
}

/** Which way a copy goes, from two parsed arguments; exactly one side is a workspace. */
export function cpDirection(src: CpArg, dst: CpArg): { readonly dir: 'in'; readonly name: string; readonly containerPath: string; readonly from: CpArg } | { readonly dir: 'out'; readonly name: string; readonly containerPath: string; readonly to: CpArg } {
  if (src.kind === 'workspace' && dst.kind === 'workspace') throw new InvalidArgumentError('cp', 'copying between two workspaces is not supported; copy out to a local folder, then in');
  if (src.kind === 'workspace') return { dir: 'out', name: src.name, containerPath: src.path, to: dst };
  if (dst.kind === 'workspace') return { dir: 'in', name: dst.name, containerPath: dst.path, from: src };
  throw new InvalidArgumentError('cp', 'one side must be a workspace path, NAME:PATH (e.g. `workspace cp ./notes.txt my-ws:/workspace/`)');
}

/** Container paths are taken from the container's root, as docker cp does ("tmp/x" is "/tmp/x"). */
export function containerAbs(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

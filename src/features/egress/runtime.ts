/**
 * What the gateway image is made of, taken from this very process: the Node binary it
 * runs, the shared libraries the dynamic loader gives it (asked the way `ldd` asks:
 * LD_TRACE_LOADED_OBJECTS), any other library it has mapped (/proc/self/maps), and the
 * bundled proxy. Every file keeps the path the loader looks for it at.
 */
import { execFile } from 'node:child_process';
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface RuntimeFile {
  /** Where the file goes in the image (absolute). */
  readonly path: string;
  /** Where its bytes are read from on this machine. */
  readonly source: string;
  readonly size: number;
  readonly mode: number;
  /** For the image's identity: a changed file changes the image. */
  readonly mtimeMs: number;
}

export interface Runtime {
  readonly node: string;
  readonly files: readonly RuntimeFile[];
  /** The folders of the libraries, for LD_LIBRARY_PATH (no ld.so.cache in the image). */
  readonly libraryPath: readonly string[];
}

async function fileAt(path: string, source: string, mode: number): Promise<RuntimeFile> {
  const real = await realpath(source);
  const s = await stat(real);
  if (!s.isFile()) throw new Error(`${source} is not a regular file`);
  return { path, source: real, size: s.size, mode, mtimeMs: s.mtimeMs };
}

/**
 * `ldd`'s answer for `exec`, from the loader itself: `name => path (addr)` lines, and
 * the interpreter as `/path (addr)`. A static binary has neither.
 */
export function parseLoaderTrace(text: string): { libraries: { name: string; path: string }[]; interpreter: string | undefined; missing: string[] } {
  const libraries: { name: string; path: string }[] = [];
  const missing: string[] = [];
  let interpreter: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const arrow = /^(\S+) => (\S+)(?: \(0x[0-9a-f]+\))?$/.exec(line);
    if (arrow !== null) {
      const [, name = '', path = ''] = arrow;
      if (path === 'not') missing.push(name);
      else if (path.startsWith('/')) libraries.push({ name, path });
      continue;
    }
    if (/^\S+ => not found$/.test(line)) {
      missing.push(line.split(' ')[0] ?? line);
      continue;
    }
    const interp = /^(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (interp?.[1] !== undefined) interpreter = interp[1];
  }
  return { libraries, interpreter, missing };
}

/** Shared objects this process has mapped, by the path they were mapped from. */
export function parseMaps(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const path = line.split(/\s+/).slice(5).join(' ');
    if (path.startsWith('/') && /\.so(\.|$)/.test(path) && !path.endsWith(' (deleted)')) out.add(path);
  }
  return [...out];
}

/** The Node runtime of this process, as files to put in an image. Linux only. */
export async function collectRuntime(): Promise<Runtime> {
  if (process.platform !== 'linux') throw new Error(`this process runs on ${process.platform}; a gateway image can only be made from a Linux Node`);
  const node = process.execPath;
  const files = new Map<string, RuntimeFile>();
  files.set(node, await fileAt(node, node, 0o755));
  // The loader prints what it would load and stops; a static binary would instead run `-e 0`.
  const { stdout } = await execFileP(node, ['-e', '0'], { env: { LD_TRACE_LOADED_OBJECTS: '1' }, timeout: 10_000 });
  const trace = parseLoaderTrace(stdout);
  if (trace.missing.length > 0) throw new Error(`the loader cannot find ${trace.missing.join(', ')} for ${node}`);
  const libraryPath = new Set<string>();
  if (trace.interpreter !== undefined) files.set(trace.interpreter, await fileAt(trace.interpreter, trace.interpreter, 0o755));
  for (const lib of trace.libraries) {
    files.set(lib.path, await fileAt(lib.path, lib.path, 0o755));
    libraryPath.add(dirname(lib.path));
  }
  // Anything loaded later (dlopen) is mapped too; the loader trace names only what it needs.
  const have = new Set([...files.values()].map((f) => f.source));
  for (const path of parseMaps(await readFile('/proc/self/maps', 'utf8'))) {
    if (files.has(path)) continue;
    const f = await fileAt(path, path, 0o755).catch(() => undefined);
    if (f === undefined || have.has(f.source)) continue;
    files.set(path, f);
    libraryPath.add(dirname(path));
  }
  return { node, files: [...files.values()], libraryPath: [...libraryPath] };
}

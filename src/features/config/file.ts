/**
 * Finding and reading the configuration file. YAML (a superset of JSON) unless the
 * name ends in `.json`; syntax errors carry `line N, column M`. The `yaml` package is
 * imported only when a file is actually read, to keep CLI start-up fast.
 */
import type { ConfigProblem } from '../../errors.js';

/** Key used in problems about the file as a whole (missing, unreadable, bad syntax). */
export const FILE_KEY = '(file)';

export interface FileChoice {
  readonly path: string;
  /** Named explicitly (`--config` or AICLI_CONFIG): it must exist. */
  readonly required: boolean;
  /** What named it, for "does not exist" messages: `--config`, `AICLI_CONFIG`, `default`. */
  readonly via: string;
}

/** `--config FILE`, else AICLI_CONFIG, else `${XDG_CONFIG_HOME:-~/.config}/aicli/docker.yaml`. */
export function chooseConfigFile(options: {
  file?: string | undefined;
  /** What named `file`, for messages; default `--config`. */
  fileNamedBy?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  homeDir?: string | undefined;
}): FileChoice | undefined {
  if (options.file !== undefined) return { path: options.file, required: true, via: options.fileNamedBy ?? '--config' };
  const fromEnv = options.env.AICLI_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { path: fromEnv, required: true, via: 'AICLI_CONFIG' };
  const path = defaultConfigPath(options.env, options.homeDir);
  return path === undefined ? undefined : { path, required: false, via: 'default' };
}

/** Where the file lives by default; undefined when neither XDG_CONFIG_HOME nor a home directory is known. */
export function defaultConfigPath(env: Readonly<Record<string, string | undefined>>, homeDir?: string): string | undefined {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const base = xdg !== undefined && xdg.startsWith('/') ? xdg : homeDir === undefined || homeDir === '' ? undefined : `${homeDir}/.config`;
  return base === undefined ? undefined : `${base}/aicli/docker.yaml`;
}

export type FileRead =
  | { readonly kind: 'absent' }
  | { readonly kind: 'problems'; readonly problems: readonly ConfigProblem[] }
  | { readonly kind: 'data'; readonly data: Readonly<Record<string, unknown>> };

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Reads and parses `choice`; an absent optional file is `absent`, an empty one is `{}`. */
export async function readConfigFile(choice: FileChoice, readFile: (path: string) => Promise<string>): Promise<FileRead> {
  let text: string;
  try {
    text = await readFile(choice.path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' && !choice.required) return { kind: 'absent' };
    const why =
      code === 'ENOENT'
        ? `does not exist (named by ${choice.via})`
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'cannot be read: permission denied'
            : `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
    return problem(choice.path, `the configuration file ${why}`);
  }
  if (text.trim() === '') return { kind: 'data', data: {} };
  return choice.path.toLowerCase().endsWith('.json') ? parseJson(choice.path, text) : parseYaml(choice.path, text);
}

function problem(source: string, message: string): FileRead {
  return { kind: 'problems', problems: [{ source, key: FILE_KEY, message }] };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

function topLevel(path: string, value: unknown): FileRead {
  if (value === null || value === undefined) return { kind: 'data', data: {} };
  if (typeof value !== 'object' || Array.isArray(value)) {
    const found = Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    return problem(path, `the top level must be a mapping of keys to values (e.g. "memory_limit: 1g"), found ${found}`);
  }
  return { kind: 'data', data: value as Record<string, unknown> };
}

function parseJson(path: string, text: string): FileRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 reports "... in JSON at position N" (some versions add "(line L column C)").
    const position = /at position (\d+)/.exec(message)?.[1];
    const { line, column } = lineColumn(text, position === undefined ? text.length : Number(position));
    const what = message.replace(/\s*(?:in JSON )?at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
    return problem(path, `JSON syntax error at line ${line}, column ${column}: ${what}`);
  }
  return topLevel(path, value);
}

async function parseYaml(path: string, text: string): Promise<FileRead> {
  const { parseDocument, LineCounter, isMap, isScalar } = await import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      kind: 'problems',
      problems: doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { source: path, key: FILE_KEY, message: `YAML syntax error at line ${line}, column ${col}: ${e.message}` };
      }),
    };
  }
  // `version: 1.40` is read as the number 1.4; keep what was written instead.
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      if (isScalar(pair.key) && pair.key.value === 'version' && isScalar(pair.value) && typeof pair.value.value === 'number') {
        const source = pair.value.source;
        if (typeof source === 'string') pair.value.value = source;
      }
    }
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return problem(path, `YAML error: ${error instanceof Error ? error.message : String(error)}`);
  }
  return topLevel(path, value);
}

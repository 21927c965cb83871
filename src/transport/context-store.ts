import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidConfigError } from '../errors.js';
import { loadTlsFolder, type TlsOptions } from './tls.js';

/** What the docker CLI's context store says about one context's docker endpoint. */
export interface ContextEndpoint {
  readonly name: string;
  readonly host: string | undefined;
  readonly tls: TlsOptions | undefined;
}

/** docker/cli's rule for context names (`docker context create` refuses others). */
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/;

/** What is wrong with a context name, or undefined: the one check, for discovery and the configuration. */
export function contextNameProblem(name: string): string | undefined {
  return NAME_RE.test(name)
    ? undefined
    : 'is not a docker context name; expected a letter or digit, then one or more letters, digits, "_", ".", "+" or "-" (as `docker context create` requires)';
}

/** `$DOCKER_CONFIG`, else `~/.docker`, as the docker CLI resolves it. */
export function dockerConfigDir(env: Readonly<Record<string, string | undefined>>, homeDir: string): string {
  const dir = env['DOCKER_CONFIG'];
  return dir !== undefined && dir !== '' ? dir : join(homeDir, '.docker');
}

/** Reads `currentContext` from config.json; undefined when the file or the key is absent. */
export async function readCurrentContext(configDir: string): Promise<{ name: string | undefined; note: string }> {
  const file = join(configDir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { name: undefined, note: `${file} does not exist` };
  }
  try {
    const parsed = JSON.parse(text) as { currentContext?: unknown };
    const name = typeof parsed.currentContext === 'string' && parsed.currentContext !== '' ? parsed.currentContext : undefined;
    return { name, note: name === undefined ? `${file} sets no currentContext` : `${file} sets currentContext "${name}"` };
  } catch (err) {
    return { name: undefined, note: `${file} is not valid JSON (${(err as Error).message}); ignored` };
  }
}

/**
 * Reads a context from `contexts/meta/<sha256(name)>/meta.json` and its TLS material
 * from `contexts/tls/<sha256(name)>/docker/`. A missing context is a configuration error.
 */
export async function readContext(configDir: string, name: string, source: string): Promise<ContextEndpoint> {
  const problem = contextNameProblem(name);
  if (problem !== undefined) throw new InvalidConfigError([{ source, key: 'context', message: `${JSON.stringify(name)} ${problem}` }]);
  // node:crypto is loaded only here: most runs never read a context, and it costs start-up.
  const { createHash } = await import('node:crypto');
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
  let meta: { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } };
  try {
    meta = JSON.parse(await readFile(metaFile, 'utf8')) as typeof meta;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new InvalidConfigError([
      {
        source,
        key: 'context',
        message: missing
          ? `context "${name}" does not exist (no ${metaFile}); list contexts with \`docker context ls\``
          : `context "${name}" cannot be read from ${metaFile}: ${(err as Error).message}`,
      },
    ]);
  }
  const docker = meta.Endpoints?.docker;
  const host = typeof docker?.Host === 'string' && docker.Host !== '' ? docker.Host : undefined;
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const hasTls = await stat(tlsDir).then((s) => s.isDirectory(), () => false);
  const skipVerify = docker?.SkipTLSVerify === true;
  // As docker/cli's context/docker/load.go: TLS files, or SkipTLSVerify alone, mean TLS;
  // SkipTLSVerify means it is not verified.
  const tls = hasTls ? await loadTlsFolder(tlsDir, !skipVerify, false) : skipVerify ? { verify: false } : undefined;
  return { name, host, tls };
}

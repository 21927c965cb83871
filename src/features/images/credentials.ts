// Registry credentials where the docker CLI keeps them: $DOCKER_CONFIG/config.json (default
// ~/.docker): `credHelpers` (per registry) or `credsStore` (the default helper), run as
// `docker-credential-<name> get`; else `auths` (base64 "user:password", or an identity
// token). Nothing read here is ever logged or put in a message.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryCredentialsError } from '../../errors.js';
import type { RegistryAuth } from '../../engine/image-api.js';
import { DOCKER_HUB, DOCKER_HUB_AUTH_KEY } from './reference.js';

export interface CredentialSource {
  /** DOCKER_CONFIG and PATH are read from here (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly homeDir?: string;
  /** Limit for a credential helper (default 10 s). */
  readonly helperTimeoutMs?: number;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** `https://host:port/v1/` → `host:port`: the docker CLI's keys come in both forms. */
function hostOf(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

function authKey(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : registry;
}

async function readConfig(path: string): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RegistryCredentialsError('any registry', `${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch (err) {
    throw new RegistryCredentialsError('any registry', `${path} is not valid JSON (${(err as Error).message}). Fix it or move it away.`, { cause: err });
  }
}

/** Runs `docker-credential-<helper> get` with the server on stdin. undefined: it has nothing for that server. */
async function runHelper(helper: string, server: string, registry: string, source: CredentialSource): Promise<RegistryAuth | undefined> {
  const program = `docker-credential-${helper}`;
  // node:child_process loads only when a helper runs: start-up of other commands stays lean.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = execFile(program, ['get'], { timeout: source.helperTimeoutMs ?? 10_000, env: source.env ?? process.env, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) {
        const said = `${stdout}${stderr}`.trim();
        // The protocol's "nothing stored" answer.
        if (/credentials not found/i.test(said)) {
          resolve(undefined);
          return;
        }
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${program} is not installed (named by config.json)` : `${program} failed (${err.killed ? 'timed out' : `exit ${String(err.code)}`})`;
        reject(new RegistryCredentialsError(registry, `${why}. Install it, or fix credsStore / credHelpers in the docker config.`, { cause: new Error(said.split('\n')[0]?.slice(0, 200)) }));
        return;
      }
      try {
        const got = JSON.parse(stdout) as { Username?: string; Secret?: string; ServerURL?: string };
        if (got.Secret === undefined || got.Secret === '') resolve(undefined);
        else if (got.Username === '<token>') resolve({ identityToken: got.Secret, serverAddress: server });
        else resolve({ username: got.Username ?? '', password: got.Secret, serverAddress: server });
      } catch {
        reject(new RegistryCredentialsError(registry, `${program} answered something that is not JSON`));
      }
    });
    child.stdin?.end(server);
  });
}

/** The credentials the docker CLI would use for `registry` (a host, or `docker.io`), or undefined. */
export async function registryCredentials(registry: string, source: CredentialSource = {}): Promise<RegistryAuth | undefined> {
  const env = source.env ?? process.env;
  const dir = env['DOCKER_CONFIG'] ?? join(source.homeDir ?? env['HOME'] ?? '', '.docker');
  const config = await readConfig(join(dir, 'config.json'));
  if (config === undefined) return undefined;
  const key = authKey(registry);
  const host = hostOf(key);
  const helper = Object.entries(config.credHelpers ?? {}).find(([k]) => hostOf(k) === host)?.[1] ?? config.credsStore;
  if (helper !== undefined && helper !== '') {
    const fromHelper = await runHelper(helper, key, registry, source);
    if (fromHelper !== undefined) return fromHelper;
  }
  const entry = Object.entries(config.auths ?? {}).find(([k]) => hostOf(k) === host)?.[1];
  if (entry === undefined) return undefined;
  if (entry.identitytoken !== undefined && entry.identitytoken !== '') return { identityToken: entry.identitytoken, serverAddress: key };
  if (entry.auth !== undefined && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new RegistryCredentialsError(registry, `the "auth" entry for ${host} in ${join(dir, 'config.json')} is not base64 of "user:password". Run \`docker login ${host}\` again.`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serverAddress: key };
  }
  if (entry.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password, serverAddress: key };
  return undefined;
}

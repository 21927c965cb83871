// Typed image calls: inspect, pull (create), push, tag, load, remove. Pull, push and load
// answer 200 with a JSON message stream (json-messages.ts); their errors come inside it.
import type { Readable } from 'node:stream';
import type { TransportStream } from '../transport/http-transport.js';
import type { CallOptions, EngineApi } from './engine-api.js';
import { apiPath } from './path.js';

export interface ImageDetails {
  readonly id: string;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly size: number;
  readonly created: string;
  readonly architecture: string;
  readonly os: string;
}

export async function imageInspect(api: EngineApi, ref: string, options: CallOptions = {}): Promise<ImageDetails> {
  const raw = await api.json<{ Id: string; RepoTags?: string[] | null; RepoDigests?: string[] | null; Size?: number; Created?: string; Architecture?: string; Os?: string }>({
    method: 'GET',
    path: apiPath`/images/${ref}/json`,
    resource: 'image',
    ...options,
  });
  return {
    id: raw.Id,
    repoTags: raw.RepoTags ?? [],
    repoDigests: raw.RepoDigests ?? [],
    size: raw.Size ?? 0,
    created: raw.Created ?? '',
    architecture: raw.Architecture ?? '',
    os: raw.Os ?? '',
  };
}

/**
 * The X-Registry-Auth header: base64url of the credentials as JSON. Built here and sent
 * only to the engine; never logged or put in a message.
 */
export function registryAuthHeader(auth: RegistryAuth | undefined): string {
  const json = auth === undefined ? {} : 'identityToken' in auth ? { identitytoken: auth.identityToken, serveraddress: auth.serverAddress } : { username: auth.username, password: auth.password, serveraddress: auth.serverAddress };
  // URL-safe alphabet WITH padding, as the docker CLI sends it: Docker 20.10 decodes with
  // Go's padded URLEncoding and silently drops credentials it cannot read.
  return Buffer.from(JSON.stringify(json)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export type RegistryAuth =
  | { readonly username: string; readonly password: string; readonly serverAddress: string }
  | { readonly identityToken: string; readonly serverAddress: string };

/** POST /images/create?fromImage=…&tag=…: a pull, answered with a JSON message stream. */
export async function imagePull(api: EngineApi, q: { readonly image: string; readonly tag: string; readonly platform?: string | undefined }, auth: RegistryAuth | undefined, options: CallOptions = {}): Promise<TransportStream> {
  return api.stream({
    method: 'POST',
    path: apiPath`/images/create`,
    query: { fromImage: q.image, tag: q.tag, platform: q.platform },
    headers: { 'x-registry-auth': registryAuthHeader(auth) },
    resource: 'image',
    ...options,
  });
}

/** POST /images/{name}/push?tag=…: answered with a JSON message stream. */
export async function imagePush(api: EngineApi, name: string, tag: string, auth: RegistryAuth | undefined, options: CallOptions = {}): Promise<TransportStream> {
  return api.stream({
    method: 'POST',
    path: apiPath`/images/${name}/push`,
    query: { tag },
    headers: { 'x-registry-auth': registryAuthHeader(auth) },
    resource: 'image',
    ...options,
  });
}

export async function imageTag(api: EngineApi, source: string, repo: string, tag: string, options: CallOptions = {}): Promise<void> {
  await api.json({ method: 'POST', path: apiPath`/images/${source}/tag`, query: { repo, tag }, resource: 'image', ...options });
}

/** POST /images/load: a `docker save` tarball in, a JSON message stream out. */
export async function imageLoad(api: EngineApi, tarball: Readable, options: CallOptions = {}): Promise<TransportStream> {
  return api.stream({
    method: 'POST',
    path: apiPath`/images/load`,
    query: { quiet: false },
    headers: { 'content-type': 'application/x-tar' },
    body: tarball,
    ...options,
  });
}

export async function imageRemove(api: EngineApi, ref: string, options: CallOptions & { readonly force?: boolean } = {}): Promise<void> {
  const { force, ...call } = options;
  await api.json({ method: 'DELETE', path: apiPath`/images/${ref}`, query: { force: force === true }, resource: 'image', idempotent: true, ...call });
}

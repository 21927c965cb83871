/**
 * Which engine answers: Docker, or Podman's Docker-compatible service (`podman system
 * service`), and its version. Podman says so in GET /version (a component named "Podman
 * Engine"), in GET /info (keys only Podman has: `BuildahVersion`), and in the headers of
 * every answer (`Libpod-Api-Version`: the Podman version); Docker in `Server: Docker/…`.
 *
 * Known once per EngineApi: taken from the headers of the ping that opened the connection
 * when they tell (no request of its own), else from one GET /version, remembered.
 */
import type { Headers } from '../transport/http-transport.js';
import type { CallOptions, EngineApi } from './engine-api.js';

export type EngineKind = 'docker' | 'podman';

export interface EngineProfile {
  readonly kind: EngineKind;
  /** The engine's own version (`26.1.4`, `4.3.1`); `unknown` when it does not say. */
  readonly version: string;
  /** How messages name it: `Docker 26.1.4`, `Podman 4.3.1`. */
  readonly label: string;
}

type Json = Readonly<Record<string, unknown>>;

function profile(kind: EngineKind, version: string | undefined): EngineProfile {
  const v = version === undefined || version === '' ? 'unknown' : version;
  return Object.freeze({ kind, version: v, label: `${kind === 'podman' ? 'Podman' : 'Docker'} ${v}` });
}

/** From GET /version: Podman lists a component named "Podman Engine" (Docker's is "Engine"). */
export function profileFromVersion(raw: Json): EngineProfile {
  const components = Array.isArray(raw['Components']) ? (raw['Components'] as unknown[]) : [];
  const podman = components.find((c): c is Json => c !== null && typeof c === 'object' && /podman/i.test(String((c as Json)['Name'])));
  if (podman !== undefined) return profile('podman', typeof podman['Version'] === 'string' ? podman['Version'] : undefined);
  return profile('docker', typeof raw['Version'] === 'string' ? raw['Version'] : undefined);
}

/** From GET /info: only Podman's has `BuildahVersion` (its image builder). */
export function profileFromInfo(raw: Json): EngineProfile {
  const version = typeof raw['ServerVersion'] === 'string' ? raw['ServerVersion'] : undefined;
  return profile(typeof raw['BuildahVersion'] === 'string' ? 'podman' : 'docker', version);
}

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** From any answer's headers, when they tell: `Libpod-Api-Version` (Podman), `Server: Docker/…`. */
export function profileFromHeaders(h: Headers): EngineProfile | undefined {
  const libpod = header(h, 'libpod-api-version');
  if (libpod !== undefined) return profile('podman', libpod);
  const server = /^Docker\/(\S+)/.exec(header(h, 'server') ?? '');
  return server === null ? undefined : profile('docker', server[1]);
}

const known = new WeakMap<EngineApi, Promise<EngineProfile>>();

/** Records what the connection's first answer told (DockerClient.connect does it). */
export function rememberEngineProfile(api: EngineApi, headers: Headers): void {
  const p = profileFromHeaders(headers);
  if (p !== undefined && !known.has(api)) known.set(api, Promise.resolve(p));
}

/** The engine behind `api`: remembered, else one GET /version (a failure is not remembered). */
export function engineProfile(api: EngineApi, options: CallOptions = {}): Promise<EngineProfile> {
  let p = known.get(api);
  if (p === undefined) {
    p = api.version(options).then((v) => profileFromVersion(v.raw));
    known.set(api, p);
    p.catch(() => {
      if (known.get(api) === p) known.delete(api);
    });
  }
  return p;
}

/**
 * Typed network calls of the Engine API (Docker 20.10+ and Podman's compatible API),
 * and the decoding of what they answer. Nothing here decides anything: the network
 * feature (src/features/network/) does.
 */
import type { Headers } from '../transport/http-transport.js';
import type { CallOptions, EngineApi } from './engine-api.js';
import { apiPath } from './path.js';

type Json = Readonly<Record<string, unknown>>;

export interface NetworkContainer {
  readonly id: string;
  /** The container's name, or its id when the engine gives none. */
  readonly name: string;
}

export interface IpamPool {
  readonly subnet: string | undefined;
  readonly gateway: string | undefined;
}

/** GET /networks/{id} and the items of GET /networks (the fields aicli uses; the rest stays in `raw`). */
export interface EngineNetwork {
  readonly id: string;
  readonly name: string;
  /** As the engine wrote it: RFC 3339 with nanoseconds. */
  readonly created: string;
  readonly scope: string;
  readonly driver: string;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly enableIPv6: boolean;
  readonly ipam: readonly IpamPool[];
  readonly labels: Readonly<Record<string, string>>;
  /** Attached containers on this engine (the list endpoint leaves them out: empty there). */
  readonly containers: readonly NetworkContainer[];
  readonly raw: Json;
}

/** What the headers of an answer tell about the engine that gave it. */
export interface AnswerMeta {
  /** The engine's clock when it answered (the `Date` header, whole seconds), or undefined. */
  readonly dateMs: number | undefined;
  /** The newest API version the engine speaks (`Api-Version`), or undefined. */
  readonly apiVersion: string | undefined;
  /** Podman's compatible API (it sends `Libpod-Api-Version`). */
  readonly podman: boolean;
}

const str = (o: Json, k: string): string => (typeof o[k] === 'string' ? o[k] : '');
const bool = (o: Json, k: string): boolean => o[k] === true;
const obj = (o: Json, k: string): Json => (o[k] !== null && typeof o[k] === 'object' && !Array.isArray(o[k]) ? (o[k] as Json) : {});

function header(h: Headers, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export function toAnswerMeta(h: Headers): AnswerMeta {
  const date = header(h, 'date');
  const ms = date === undefined ? Number.NaN : Date.parse(date);
  return { dateMs: Number.isFinite(ms) ? ms : undefined, apiVersion: header(h, 'api-version'), podman: header(h, 'libpod-api-version') !== undefined };
}

export function toEngineNetwork(raw: Json): EngineNetwork {
  const ipamConfig = obj(raw, 'IPAM')['Config'];
  const pools = Array.isArray(ipamConfig) ? (ipamConfig as Json[]) : [];
  // The engine's own Labels object when every value is a string (always, in practice): no copy.
  const rawLabels = obj(raw, 'Labels');
  const labels = Object.values(rawLabels).every((v) => typeof v === 'string')
    ? (rawLabels as Readonly<Record<string, string>>)
    : Object.fromEntries(Object.entries(rawLabels).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const attached = obj(raw, 'Containers');
  const containers: NetworkContainer[] = [];
  for (const id in attached) {
    const c = attached[id];
    const name = c !== null && typeof c === 'object' ? str(c as Json, 'Name') : '';
    containers.push({ id, name: name === '' ? id.slice(0, 12) : name });
  }
  return {
    id: str(raw, 'Id'),
    name: str(raw, 'Name'),
    created: str(raw, 'Created'),
    scope: str(raw, 'Scope'),
    driver: str(raw, 'Driver'),
    internal: bool(raw, 'Internal'),
    attachable: bool(raw, 'Attachable'),
    enableIPv6: bool(raw, 'EnableIPv6'),
    ipam: pools.map((p) => ({ subnet: str(p, 'Subnet') || undefined, gateway: str(p, 'Gateway') || undefined })),
    labels,
    containers,
    raw,
  };
}

/**
 * GET /networks/{idOrName}. The engine matches a full id, then an exact name, then an id
 * PREFIX: the caller must check `name` itself. Two networks of one name answer 400 on Docker.
 */
export async function inspectNetworkCall(api: EngineApi, idOrName: string, options: CallOptions = {}): Promise<{ network: EngineNetwork; meta: AnswerMeta }> {
  const { body, headers } = await api.jsonWithHeaders({ method: 'GET', path: apiPath`/networks/${idOrName}`, resource: 'network', ...options });
  return { network: toEngineNetwork(body !== null && typeof body === 'object' ? (body as Json) : {}), meta: toAnswerMeta(headers) };
}

/**
 * GET /networks filtered by name. The engine's `name` filter matches substrings (a regular
 * expression on Podman): this keeps only networks whose name is exactly `name`.
 */
export async function listNetworksNamed(api: EngineApi, name: string, options: CallOptions = {}): Promise<{ networks: EngineNetwork[]; meta: AnswerMeta }> {
  const { body, headers } = await api.jsonWithHeaders({ method: 'GET', path: apiPath`/networks`, query: { filters: { name: [name] } }, ...options });
  const items = Array.isArray(body) ? (body as Json[]) : [];
  return { networks: items.map(toEngineNetwork).filter((n) => n.name === name), meta: toAnswerMeta(headers) };
}

export interface NetworkCreateBody {
  readonly Name: string;
  readonly Driver: string;
  readonly Internal: boolean;
  readonly Attachable: boolean;
  readonly EnableIPv6?: boolean;
  /** Driver options (`com.docker.network.bridge.inhibit_ipv4`, ...). */
  readonly Options?: Readonly<Record<string, string>>;
  /** Only below API 1.44 (later engines always check, and the field is gone). Best-effort on Docker before 25. */
  readonly CheckDuplicate?: boolean;
  readonly IPAM?: { readonly Driver: string; readonly Config: readonly { readonly Subnet: string; readonly Gateway?: string }[] };
  readonly Labels: Readonly<Record<string, string>>;
}

/** POST /networks/create. Never retried: a create that may have reached the engine is not sent twice. */
export async function createNetworkCall(api: EngineApi, body: NetworkCreateBody, options: CallOptions = {}): Promise<{ id: string; warning: string }> {
  const res = await api.json<Json | undefined>({ method: 'POST', path: apiPath`/networks/create`, json: body, ...options });
  return { id: str(res ?? {}, 'Id'), warning: str(res ?? {}, 'Warning') };
}

/** DELETE /networks/{idOrName}: safe to send twice (the second finds nothing). */
export async function removeNetworkCall(api: EngineApi, idOrName: string, options: CallOptions = {}): Promise<void> {
  await api.discard({ method: 'DELETE', path: apiPath`/networks/${idOrName}`, resource: 'network', idempotent: true, ...options });
}

/** POST /networks/{id}/disconnect with Force (also for stopped containers). */
export async function disconnectNetworkCall(api: EngineApi, id: string, container: string, options: CallOptions = {}): Promise<void> {
  await api.discard({ method: 'POST', path: apiPath`/networks/${id}/disconnect`, json: { Container: container, Force: true }, resource: 'network', idempotent: true, ...options });
}

/** What GET /info says about Swarm: whether this engine can create swarm-scoped (overlay) networks. */
export async function swarmRole(api: EngineApi, options: CallOptions = {}): Promise<{ state: string; manager: boolean }> {
  const swarm = obj((await api.info(options)).raw, 'Swarm');
  return { state: str(swarm, 'LocalNodeState') || 'inactive', manager: swarm['ControlAvailable'] === true };
}

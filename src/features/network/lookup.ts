/**
 * Finding a network by its exact name, and the one order every aicli process uses to pick
 * among same-named networks.
 */
import { DockerApiError, isDockerError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { inspectNetworkCall, listNetworksNamed, type AnswerMeta, type EngineNetwork } from '../../engine/networks.js';
import { compareApiVersions } from '../../transport/api-version.js';
import { LABELS } from '../labels.js';
import { delay } from './delay.js';

export function isManaged(n: EngineNetwork): boolean {
  return n.labels[LABELS.managed] === 'true';
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i;

/** `Created` in nanoseconds since the epoch (exact: the engine writes nanoseconds), or undefined. */
export function createdNs(created: string): bigint | undefined {
  const m = RFC3339.exec(created.trim());
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1] ?? ''}${m[3] ?? 'Z'}`);
  if (!Number.isFinite(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9));
}

/**
 * The winner order: oldest `Created` first, then the lowest id. Every process, on every
 * host, sorts the same list the same way; a network whose time cannot be read sorts last.
 */
export function winnerOrder(a: EngineNetwork, b: EngineNetwork): number {
  const ta = createdNs(a.created);
  const tb = createdNs(b.created);
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    return ta < tb ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * How old a network is by the engine's clock, in ms: a lower bound (the Date header
 * counts whole seconds, rounded down). Without a Date header, the local clock stands in.
 */
export function ageMs(n: EngineNetwork, meta: AnswerMeta): number {
  const created = createdNs(n.created);
  if (created === undefined) return 0;
  return (meta.dateMs ?? Date.now()) - Number(created / 1_000_000n);
}

/**
 * Whether the engine itself refuses a second network of one name, atomically: Docker 25+
 * (API 1.44+) locks by name; Podman keeps names unique under a lock; a Swarm keeps
 * overlay names unique in its store. Docker up to 24 only checks before it creates, racily.
 */
export function uniqueNames(meta: AnswerMeta, driver: string): boolean {
  if (meta.podman || driver === 'overlay') return true;
  return meta.apiVersion !== undefined && /^\d+\.\d+$/.test(meta.apiVersion) && compareApiVersions(meta.apiVersion, '1.44') >= 0;
}

export interface Found {
  /** Every network named exactly so, in winner order (the winner first). */
  readonly networks: readonly EngineNetwork[];
  readonly meta: AnswerMeta;
  /** Whether `networks` came from the list endpoint (which leaves out attached containers). */
  readonly listed: boolean;
}

/**
 * The networks named exactly `name`. One request when there is one (GET /networks/{name},
 * whose answer is checked: the engine also matches id prefixes); the list endpoint,
 * filtered to the exact name, when the engine finds the name ambiguous (duplicates).
 */
export async function findNetworks(api: EngineApi, name: string, options: CallOptions = {}): Promise<Found> {
  try {
    const { network, meta } = await inspectNetworkCall(api, name, options);
    if (network.name === name) return { networks: await allocated(api, [network], options), meta, listed: false };
    // An id-prefix match: another network. The list tells whether one of this name exists.
  } catch (err) {
    if (isDockerError(err, 'NETWORK_NOT_FOUND')) return { networks: [], meta: { dateMs: undefined, apiVersion: undefined, podman: false }, listed: false };
    // 400 on Docker when several networks share the name ("ambiguous"): the list settles it.
    if (!(err instanceof DockerApiError && err.statusCode === 400)) throw err;
  }
  return listed(api, name, options);
}

/** The exact-name networks from the list endpoint, in winner order. */
export async function listed(api: EngineApi, name: string, options: CallOptions = {}): Promise<Found> {
  const { networks, meta } = await listNetworksNamed(api, name, options);
  return { networks: (await allocated(api, networks, options)).sort(winnerOrder), meta, listed: true };
}

/** How long a look-up waits for a Swarm manager to allocate a network it has just made. */
export const ALLOCATION_WAIT_MS = 5000;

const unallocated = (n: EngineNetwork): boolean => n.scope === 'swarm' && n.driver === '';

/**
 * A Swarm network shows its driver only once the manager's allocator has handled it (moby
 * fills `Driver` from the allocator's state): asked right after its create, an overlay has
 * no driver, and would count as drift, or be refused as no overlay. Such a network is asked
 * for again until it has one (milliseconds, as a rule), for at most ALLOCATION_WAIT_MS.
 */
async function allocated(api: EngineApi, networks: readonly EngineNetwork[], options: CallOptions): Promise<EngineNetwork[]> {
  if (!networks.some(unallocated)) return [...networks];
  const until = Date.now() + ALLOCATION_WAIT_MS;
  return Promise.all(
    networks.map(async (n) => {
      let current = n;
      for (let wait = 10; unallocated(current) && Date.now() < until; wait = Math.min(wait * 2, 200)) {
        await delay(wait, options.signal);
        try {
          current = (await inspectNetworkCall(api, n.id, options)).network;
        } catch (err) {
          // Removed meanwhile: the caller's next step meets that, as it would have.
          if (isDockerError(err, 'NETWORK_NOT_FOUND')) return current;
          throw err;
        }
      }
      return current;
    }),
  );
}

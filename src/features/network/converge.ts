/**
 * No duplicates, ever: how any number of aicli processes, on any number of hosts, sharing
 * one engine, end with exactly one network of a name, and all return the same id. No lock
 * is needed for this (host-lock.ts only saves work).
 *
 * The engines differ:
 *  - Docker 25+ (API 1.44+) takes a lock per name inside the engine; Podman keeps names
 *    unique under its own lock; a Swarm keeps overlay names unique in its store. A second
 *    create answers 409 (Podman: 500 "network already exists"): the answer to "create" is
 *    then "look it up". Measured here: 10 concurrent creates on Docker 26.1 gave one
 *    network and nine 409s; on Podman 4.3, one network and nine 500s.
 *  - Docker up to 24 checks for the name before it creates (and only if asked, with
 *    CheckDuplicate), without a lock: concurrent creates all pass the check. Measured
 *    here: 10 concurrent creates on Docker 20.10 gave 10 networks of one name.
 *
 * The rule, the same in every process: among the networks named exactly so, the winner is
 * the one with the oldest `Created` (the engine's clock, in nanoseconds), then the lowest
 * id. A process
 *   1. looks the name up (one GET; Docker answers 400 "ambiguous" when there are several,
 *      and then the list, filtered to the exact name, is read);
 *   2. creates the network only when there is none (with CheckDuplicate below API 1.44,
 *      which refuses creates that arrive after one became visible), and treats 409/"exists"
 *      as "look it up again" — the create is never sent twice. Any other refusal too (the
 *      address pools can run out while a race makes duplicates): it fails only if no network
 *      of the name shows up within the settle window;
 *   3. lists the exact name after creating, and removes the networks that lose to the
 *      winner: its own at once, any other once it is older than the settle window (an aicli
 *      maker may still be converging, and removes its own; another tool's, or a killed
 *      maker's, is removed by whoever sees it settled, so this process waits for it).
 *      Only managed networks are removed, and only while nothing is attached (the engine
 *      refuses DELETE with containers attached: that check is atomic), so a loser in use
 *      is kept and reported, never broken;
 *   4. returns the winner only once it is settled, and no removable loser is left.
 *
 * Why "settled": `Created` is stamped when the engine STARTS a create, and the network
 * becomes visible only when the create ends (tens to hundreds of ms later: IPAM, the
 * bridge, iptables). So on Docker up to 24 a create still in flight can become visible
 * later with an OLDER `Created` than the network a process already sees, and would win.
 * A winner is therefore final once it is older (by the engine's clock: the Date header,
 * which is never ahead) than `settleMs`, or once this process has watched it stay the
 * winner for `settleMs`: any create still invisible by then has been running for longer
 * than `settleMs`, which we take as the bound of a create's duration (default 5 s; creates
 * take well under 1 s here, even 16 at once). On engines that refuse duplicates
 * themselves, every network is settled at once. An existing network (the usual case) is
 * settled: the whole ensure is one GET.
 *
 * Every process sorts the same list the same way, so they agree on the winner; a loser is
 * never returned by anyone (its winner is visible and older), so removing it breaks no
 * one; and a returned winner never loses later (nothing older can appear after settling).
 */
import { DockerApiError, DockerError, InvalidConfigError, NetworkNotManagedError, isDockerError, type ConfigProblem } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { createNetworkCall, removeNetworkCall, swarmRole, type EngineNetwork } from '../../engine/networks.js';
import { apiPath } from '../../engine/path.js';
import { compareApiVersions } from '../../transport/api-version.js';
import type { LabelSet } from '../labels.js';
import { delay } from './delay.js';
import { acquireHostLock } from './host-lock.js';
import { ageMs, findNetworks, isManaged, listed, uniqueNames, type Found } from './lookup.js';
import { createBody, type NetworkSpec } from './spec.js';
import { requireEngineCapability } from '../podman/capabilities.js';

export interface ConvergeOptions {
  readonly labels: LabelSet | undefined;
  readonly settleMs: number;
  readonly hostLock: boolean;
  readonly lockWaitMs: number;
  readonly maxRounds: number;
  readonly logger: Logger;
  readonly call: CallOptions;
}

export interface Converged {
  readonly winner: EngineNetwork;
  /** Whether this process made the winner. */
  readonly created: boolean;
  /** Same-named networks this process removed. */
  readonly removed: readonly string[];
  /** Same-named networks left in place: in use, or not aicli's (with network_adopt). */
  readonly kept: readonly string[];
  /** Podman answered (it must be given names, not ids, to remove: see removeRef). */
  readonly podman: boolean;
}

/**
 * What to pass to DELETE /networks/{ref}. Podman 4.3 checks for attached containers only
 * when given the NAME (it compares the argument with container network names), and removes
 * a network in use when given its id; its names are unique, so the name is exact there.
 */
export function removeRef(n: EngineNetwork, podman: boolean): string {
  return podman ? n.name : n.id;
}

/** The refusal for a same-named network aicli did not create (unless network_adopt). */
export function notManaged(spec: NetworkSpec, n: EngineNetwork, doing: string): NetworkNotManagedError {
  const problem: ConfigProblem = {
    source: spec.sourceOf('network_name'),
    key: 'network_name',
    message:
      `the network "${n.name}" (id ${n.id.slice(0, 12)}) exists but aicli did not create it (it has no aicli.managed=true label), so aicli will not ${doing}; it was left untouched. ` +
      'Set network_name to another name, or network_adopt: true to use this network as it is.',
  };
  return new NetworkNotManagedError(problem, n.name, n.id);
}

async function checkSwarmManager(api: EngineApi, spec: NetworkSpec, call: CallOptions): Promise<void> {
  const role = await swarmRole(api, call);
  if (role.manager) return;
  // Podman has no overlay networks at all: say so rather than "not a manager" (issue 14).
  await requireEngineCapability(api, 'overlay-networks', { ...call, source: spec.sourceOf('network_driver') });
  const where = api.target({ method: 'GET', path: apiPath`/info` }).endpoint;
  const state = role.state === 'active' ? 'a Swarm worker' : `not in a Swarm (Swarm: ${role.state})`;
  throw new InvalidConfigError([
    {
      source: spec.sourceOf('network_driver'),
      key: 'network_driver',
      message:
        `"overlay" needs an engine that is a Swarm manager, but the engine at ${where} is ${state}; aicli does not fall back to a bridge network. ` +
        'Run `docker swarm init` on that engine (or join it to a Swarm as a manager), or set network_driver: bridge.',
    },
  ]);
}

/** Networks this process has seen settle, per engine: a settled winner stays the winner. */
const settled = new WeakMap<EngineApi, Set<string>>();

type CreateOutcome = { readonly id: string } | { readonly found: Found };

/** One create, or what exists instead. Never sends the create twice. */
async function createOnce(api: EngineApi, spec: NetworkSpec, options: ConvergeOptions): Promise<CreateOutcome> {
  const { call, logger } = options;
  if (spec.driver === 'overlay') await checkSwarmManager(api, spec, call);
  // Engines that let duplicates through (a guess from the negotiated version is enough: it
  // decides the lock, which is speed only, and how long a failed create looks for a winner).
  const mayDuplicate = !(compareApiVersions(api.apiVersion, '1.44') >= 0 || spec.driver === 'overlay');
  const lockable = options.hostLock && mayDuplicate;
  const endpoint = api.target({ method: 'POST', path: apiPath`/networks/create` }).endpoint;
  const lock = lockable ? await acquireHostLock(`${endpoint}\n${spec.name}`, { waitMs: options.lockWaitMs, signal: call.signal, logger }) : undefined;
  try {
    if (lock !== undefined) {
      // Whoever held the lock before us has probably made it.
      const again = await findNetworks(api, spec.name, call);
      if (again.networks.length > 0) return { found: again };
    }
    const { id, warning } = await createNetworkCall(api, createBody(spec, options.labels, api.apiVersion), call);
    logger.info({ network: spec.name, id, driver: spec.driver, ...(warning === '' ? {} : { warning }) }, 'aicli network created');
    return { id };
  } catch (err) {
    // 409 (Docker), 500 "network already exists" (Podman): someone else's create won. And any
    // other refusal (an address pool used up by the duplicates of a race, say) matters only if
    // nobody made it. Look, rather than read the message: if the name exists now, that is the
    // answer. Where duplicates can race, a competing create may still be on its way: look for
    // as long as a create can take (the settle window) before calling this a failure.
    if (err instanceof DockerApiError) {
      const until = performance.now() + (mayDuplicate ? options.settleMs : 0);
      for (;;) {
        const again = await findNetworks(api, spec.name, call);
        if (again.networks.length > 0) return { found: again };
        if (performance.now() >= until) break;
        await delay(Math.min(250, until - performance.now()), call.signal);
      }
    }
    if (spec.subnet !== undefined && err instanceof DockerApiError && [400, 403].includes(err.statusCode)) {
      throw new InvalidConfigError(
        [
          {
            source: spec.sourceOf('network_subnet'),
            key: 'network_subnet',
            message: `the engine refused ${spec.subnet}${spec.gateway === undefined ? '' : ` with gateway ${spec.gateway}`}: ${err.daemonMessage}. Choose a subnet no other network uses (see \`docker network inspect\`), or unset network_subnet to let the engine pick one.`,
          },
        ],
        { cause: err },
      );
    }
    throw err;
  } finally {
    await lock?.release();
  }
}

/**
 * The usual case, without a round of converge(): the look-up found exactly one network, aicli's
 * (or adoptable), and it is settled. Undefined when converge() has work to do.
 */
export function alreadySettled(api: EngineApi, spec: NetworkSpec, found: Found, settleMs: number): Converged | undefined {
  const [only, ...more] = found.networks;
  if (only === undefined || more.length > 0 || (!spec.adopt && !isManaged(only))) return undefined;
  const known = settled.get(api);
  if (known?.has(only.id) !== true) {
    if (!uniqueNames(found.meta, spec.driver) && ageMs(only, found.meta) < settleMs) return undefined;
    if (known === undefined) settled.set(api, new Set([only.id]));
    else known.add(only.id);
  }
  return { winner: only, created: false, removed: [], kept: [], podman: found.meta.podman };
}

/** From a first lookup to the one settled network of `spec.name` (see the comment above). */
export async function converge(api: EngineApi, spec: NetworkSpec, initial: Found, options: ConvergeOptions): Promise<Converged> {
  const { call, logger, settleMs } = options;
  const mine = new Set<string>();
  const removed: string[] = [];
  const kept = new Set<string>();
  /** When this process first saw each network, and how old it was then (engine clock, lower bound). */
  const seen = new Map<string, { ageMs: number; at: number }>();
  let found = initial;
  let creates = 0;
  for (let round = 0; round < options.maxRounds; round++) {
    const age = (n: EngineNetwork): number => {
      const now = ageMs(n, found.meta);
      const first = seen.get(n.id);
      if (first === undefined) {
        seen.set(n.id, { ageMs: now, at: performance.now() });
        return now;
      }
      return Math.max(now, first.ageMs + (performance.now() - first.at));
    };
    const foreign = found.networks.find((n) => !isManaged(n));
    if (foreign !== undefined && !spec.adopt) throw notManaged(spec, foreign, 'use it');

    const [winner, ...losers] = found.networks;
    if (winner === undefined) {
      // None (or ours vanished: removed by someone meanwhile): create, at most three times.
      if (creates++ >= 3) throw new DockerError(`The network "${spec.name}" disappeared again after each of 3 creates; something keeps removing it. Nothing further was changed.`);
      const outcome = await createOnce(api, spec, options);
      if ('id' in outcome) {
        mine.add(outcome.id);
        // Lists, rather than inspecting our own id: the point is to see every same-named network.
        found = await listed(api, spec.name, call);
      } else {
        found = outcome.found;
      }
      continue;
    }

    /** How long until the youngest of another maker's losers may be removed. */
    let youngWait = 0;
    for (const loser of losers) {
      if (!isManaged(loser)) {
        kept.add(loser.id); // adopted territory: not ours to remove
        continue;
      }
      // Another maker's young loser: an aicli maker is still converging and removes it itself;
      // another tool's is removed here once it is settled (waited for below).
      const loserWait = mine.has(loser.id) ? 0 : settleMs - age(loser);
      if (loserWait > 0) {
        youngWait = Math.max(youngWait, loserWait);
        continue;
      }
      try {
        await removeNetworkCall(api, removeRef(loser, found.meta.podman), call);
        removed.push(loser.id);
        kept.delete(loser.id);
        logger.info({ network: spec.name, removed: loser.id, winner: winner.id }, 'duplicate aicli network removed');
      } catch (err) {
        if (isDockerError(err, 'NETWORK_NOT_FOUND')) continue; // another process removed it first
        kept.add(loser.id);
        logger.warn({ network: spec.name, kept: loser.id, winner: winner.id, reason: (err as Error).message }, 'duplicate aicli network kept (in use?)');
      }
    }

    const known = settled.get(api);
    const unique = uniqueNames(found.meta, spec.driver);
    const wait = Math.max(unique || known?.has(winner.id) === true ? 0 : settleMs - age(winner), unique ? 0 : youngWait);
    if (wait <= 0) {
      // Settled is for good: later calls in this process need not wait on its age again.
      if (known === undefined) settled.set(api, new Set([winner.id]));
      else known.add(winner.id);
      return { winner, created: mine.has(winner.id), removed, kept: [...kept], podman: found.meta.podman };
    }
    logger.debug({ network: spec.name, winner: winner.id, waitMs: Math.ceil(wait) }, 'waiting for same-named networks to settle (this engine allows duplicate names)');
    await delay(wait + 5, call.signal);
    found = await listed(api, spec.name, call);
  }
  throw new DockerError(`The network "${spec.name}" did not settle after ${options.maxRounds} rounds of look-ups; other processes keep creating and removing it. Nothing further was changed; try again.`);
}

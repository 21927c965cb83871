/**
 * ensureNetwork: the aicli network exists, exactly once, as configured; its id comes back.
 * Concurrent calls in one process share one run (one create); across processes and hosts,
 * converge.ts keeps it to one network.
 */
import { DockerAbortedError, NetworkInUseError, isDockerError, type RequestTarget } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { inspectNetworkCall, removeNetworkCall, type AnswerMeta } from '../../engine/networks.js';
import { apiPath } from '../../engine/path.js';
import type { DockerConfig, LoadedConfig } from '../config/index.js';
import type { LabelSet } from '../labels.js';
import { alreadySettled, converge, notManaged, removeRef } from './converge.js';
import { findNetworks, isManaged } from './lookup.js';
import { describeDrift, driftOf, networkSpec, specKey, type NetworkDrift, type NetworkSpec } from './spec.js';

/** Every default of ensureNetwork(), in one place. */
export const NETWORK_DEFAULTS = Object.freeze({
  /**
   * On engines that allow duplicate names (Docker up to 24): how old the winning network
   * must be before it is returned; the bound taken for how long one create can take.
   */
  settleMs: 5_000,
  /** Use the host-local lock (speed only) on such engines. */
  hostLock: true,
  /** How long to wait for that lock before going on without it. */
  lockWaitMs: 10_000,
  /** Look-up rounds before giving up on a name that keeps changing. */
  maxRounds: 12,
});

export interface EnsureNetworkOptions extends CallOptions {
  /** Extra labels for a network this call creates (tests pass `{ 'aicli.test': 'true' }`). */
  readonly labels?: LabelSet;
  /** Replace a managed network that drifted from the configuration, if nothing is attached. */
  readonly recreate?: boolean;
  readonly logger?: Logger;
  readonly settleMs?: number;
  readonly hostLock?: boolean;
  readonly lockWaitMs?: number;
}

export interface EnsureNetworkResult {
  readonly id: string;
  readonly name: string;
  /** Whether this call made the network. */
  readonly created: boolean;
  readonly driver: string;
  /** `local` or `swarm`. */
  readonly scope: string;
  /** Same-named duplicates this call removed (ids). */
  readonly removedDuplicates: readonly string[];
  /** Same-named duplicates left in place (in use, or not aicli's): ids. */
  readonly keptDuplicates: readonly string[];
  /** A network aicli did not create, used as it is (network_adopt). */
  readonly adopted: boolean;
  /** Whether a drifted network was replaced (recreate). */
  readonly recreated: boolean;
  /** How the network differs from the configuration (empty when it matches). */
  readonly drift: readonly NetworkDrift[];
}

interface Shared {
  readonly promise: Promise<EnsureNetworkResult>;
  /** Undefined when the first caller gave no signal: then nobody can end the run early. */
  readonly controller: AbortController | undefined;
  waiting: number;
}

const inFlight = new WeakMap<EngineApi, Map<string, Shared>>();
const NO_META: AnswerMeta = Object.freeze({ dateMs: undefined, apiVersion: undefined, podman: false });

/** Waits for the shared run; the run is aborted only when every caller waiting on it has aborted. */
function follow(entry: Shared, signal: AbortSignal | undefined, target: () => RequestTarget): Promise<EnsureNetworkResult> {
  // Without a signal there is nothing to follow: the run's own promise will do. Such a caller
  // waits to the end, so its count is never given back and the run is never aborted under it.
  if (signal === undefined) {
    entry.waiting++;
    return entry.promise;
  }
  entry.waiting++;
  return new Promise((resolve, reject) => {
    const leave = (): void => {
      entry.waiting--;
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      leave();
      if (entry.waiting === 0) entry.controller?.abort(signal.reason);
      reject(new DockerAbortedError(target(), signal.reason));
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    entry.promise.then(
      (value) => {
        leave();
        resolve(value);
      },
      (err: unknown) => {
        leave();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

async function run(api: EngineApi, spec: NetworkSpec, options: EnsureNetworkOptions, signal: AbortSignal | undefined): Promise<EnsureNetworkResult> {
  const logger = options.logger ?? silentLogger;
  const call: CallOptions = { signal, timeoutMs: options.timeoutMs };
  const settings = {
    labels: options.labels,
    settleMs: options.settleMs ?? NETWORK_DEFAULTS.settleMs,
    hostLock: options.hostLock ?? NETWORK_DEFAULTS.hostLock,
    lockWaitMs: options.lockWaitMs ?? NETWORK_DEFAULTS.lockWaitMs,
    maxRounds: NETWORK_DEFAULTS.maxRounds,
    logger,
    call,
  };
  const found = await findNetworks(api, spec.name, call);
  let out = alreadySettled(api, spec, found, settings.settleMs) ?? (await converge(api, spec, found, settings));
  let drift = driftOf(spec, out.winner);
  let recreated = false;
  const managed = isManaged(out.winner);
  if (drift.length > 0 && options.recreate === true) {
    if (!managed) throw notManaged(spec, out.winner, 'recreate it');
    const full = (await inspectNetworkCall(api, out.winner.id, call)).network;
    const refuse = (cause?: unknown): NetworkInUseError =>
      new NetworkInUseError(spec.name, full.id, full.containers.map((c) => c.name), 'recreate', `It differs from the configuration (${describeDrift(drift)}); stop or disconnect those containers first, or set the configuration back to what the network has.`, cause === undefined ? undefined : { cause });
    if (full.containers.length > 0) throw refuse();
    try {
      await removeNetworkCall(api, removeRef(full, out.podman), call);
    } catch (err) {
      // A container attached between the look and the remove: the engine refused, atomically.
      if (!isDockerError(err, 'NETWORK_NOT_FOUND')) throw refuse(err);
    }
    logger.info({ network: spec.name, id: full.id, drift }, 'drifted aicli network removed, to be recreated');
    const again = await converge(api, spec, { networks: [], meta: NO_META, listed: true }, settings);
    out = { ...again, removed: [...out.removed, ...again.removed], kept: [...out.kept, ...again.kept] };
    drift = driftOf(spec, out.winner);
    recreated = true;
  } else if (drift.length > 0) {
    logger.warn({ network: spec.name, id: out.winner.id, drift }, `the aicli network differs from the configuration (${describeDrift(drift)}); run \`aicli-docker network ensure --recreate\` to replace it`);
  }
  if (out.kept.length > 0) logger.warn({ network: spec.name, kept: out.kept }, 'same-named networks left in place');
  return {
    id: out.winner.id,
    name: out.winner.name,
    created: out.created,
    driver: out.winner.driver,
    scope: out.winner.scope,
    removedDuplicates: out.removed,
    keptDuplicates: out.kept,
    adopted: !isManaged(out.winner),
    recreated,
    drift,
  };
}

/**
 * Makes sure the aicli network of `config` exists, once, and returns its id. Reuses a
 * managed network of that exact name; refuses one aicli did not create (unless
 * network_adopt); creates it otherwise (with `labels` added). See converge.ts for how
 * duplicates are avoided across processes and hosts.
 */
export function ensureNetwork(api: EngineApi, config: LoadedConfig | DockerConfig, options: EnsureNetworkOptions = {}): Promise<EnsureNetworkResult> {
  let spec: NetworkSpec;
  try {
    spec = networkSpec(config);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  // Calls share a run only when they ask for the same thing (the spec is cached per configuration).
  const labels = options.labels === undefined ? '' : JSON.stringify(Object.entries(options.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const key = `${specKey(spec)}\n${String(options.recreate === true)}\n${labels}\n${String(options.settleMs)}\n${String(options.hostLock)}\n${String(options.timeoutMs)}`;
  let byKey = inFlight.get(api);
  if (byKey === undefined) {
    byKey = new Map();
    inFlight.set(api, byKey);
  }
  const target = (): RequestTarget => api.target({ method: 'GET', path: apiPath`/networks/${spec.name}` });
  let entry = byKey.get(key);
  if (entry === undefined) {
    // A signal costs every engine call a listener (measured: ~10% of a look-up): only when asked.
    const controller = options.signal === undefined ? undefined : new AbortController();
    const ran = run(api, spec, options, controller?.signal);
    const promise =
      controller === undefined
        ? ran
        : ran.catch((err: unknown) => {
            // The settle wait ends with the signal's own reason: make it the typed abort.
            if (controller.signal.aborted && !isDockerError(err)) throw new DockerAbortedError(target(), controller.signal.reason);
            throw err;
          });
    const map = byKey;
    entry = { promise, controller, waiting: 0 };
    const created = entry;
    const forget = (): void => {
      if (map.get(key) === created) map.delete(key);
    };
    promise.then(forget, forget);
    byKey.set(key, entry);
  }
  return follow(entry, options.signal, target);
}

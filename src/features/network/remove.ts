/** removeNetwork: the aicli network goes, only if aicli made it, only if nothing is attached (or `force`). */
import { NetworkInUseError, NetworkNotFoundError, isDockerError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { disconnectNetworkCall, inspectNetworkCall, removeNetworkCall, type EngineNetwork } from '../../engine/networks.js';
import { apiPath } from '../../engine/path.js';
import type { DockerConfig, LoadedConfig } from '../config/index.js';
import { notManaged, removeRef } from './converge.js';
import { findNetworks, isManaged } from './lookup.js';
import { networkSpec } from './spec.js';

export interface RemoveNetworkOptions extends CallOptions {
  /** Disconnect attached containers first (they keep running, off this network). */
  readonly force?: boolean;
  readonly logger?: Logger;
}

export interface RemoveNetworkResult {
  readonly name: string;
  /** Ids of the networks removed (more than one only when duplicates existed). */
  readonly removed: readonly string[];
  /** Names of the containers disconnected (with `force`). */
  readonly disconnected: readonly string[];
}

/**
 * Removes the aicli network (every managed network of that exact name). Refuses while
 * containers are attached unless `force`; refuses a network aicli did not create; throws
 * NetworkNotFoundError when there is none.
 */
export async function removeNetwork(api: EngineApi, config: LoadedConfig | DockerConfig, options: RemoveNetworkOptions = {}): Promise<RemoveNetworkResult> {
  const spec = networkSpec(config);
  const logger = options.logger ?? silentLogger;
  const call: CallOptions = { signal: options.signal, timeoutMs: options.timeoutMs };
  const found = await findNetworks(api, spec.name, call);
  if (found.networks.length === 0) {
    throw new NetworkNotFoundError(api.target({ method: 'GET', path: apiPath`/networks/${spec.name}` }), `network ${spec.name} not found`);
  }
  const foreign = found.networks.find((n) => !isManaged(n));
  if (foreign !== undefined) throw notManaged(spec, foreign, 'remove it');
  // Attached containers are only in the single-network answer; listed duplicates need one GET each.
  const targets: EngineNetwork[] = found.listed ? await Promise.all(found.networks.map(async (n) => (await inspectNetworkCall(api, n.id, call)).network)) : [...found.networks];
  const inUse = (n: EngineNetwork, cause?: unknown): NetworkInUseError =>
    new NetworkInUseError(spec.name, n.id, n.containers.map((c) => c.name), 'remove', 'Stop or disconnect them first, or use --force (force: true) to disconnect them and remove it.', cause === undefined ? undefined : { cause });
  if (options.force !== true) {
    const busy = targets.find((n) => n.containers.length > 0);
    if (busy !== undefined) throw inUse(busy);
  }
  const removed: string[] = [];
  const disconnected: string[] = [];
  for (let n of targets) {
    for (let attempt = 0; ; attempt++) {
      if (options.force === true) {
        for (const c of n.containers) {
          try {
            await disconnectNetworkCall(api, n.id, c.id, call);
            disconnected.push(c.name);
            logger.info({ network: spec.name, container: c.name }, 'container disconnected from the aicli network');
          } catch (err) {
            if (!isDockerError(err, 'DOCKER_NOT_FOUND')) throw err; // container gone meanwhile
          }
        }
      }
      try {
        await removeNetworkCall(api, removeRef(n, found.meta.podman), call);
        removed.push(n.id);
        logger.info({ network: spec.name, id: n.id }, 'aicli network removed');
        break;
      } catch (err) {
        if (isDockerError(err, 'NETWORK_NOT_FOUND')) break; // removed by someone else meanwhile
        // Refused: something attached meanwhile (the engine checks atomically). Look again.
        const now = await inspectNetworkCall(api, n.id, call).then(
          (r) => r.network,
          (e: unknown) => {
            if (isDockerError(e, 'NETWORK_NOT_FOUND')) return undefined;
            throw e;
          },
        );
        if (now === undefined) break;
        if (now.containers.length === 0 || options.force !== true || attempt >= 2) throw now.containers.length > 0 ? inUse(now, err) : err;
        n = now;
      }
    }
  }
  return { name: spec.name, removed, disconnected };
}

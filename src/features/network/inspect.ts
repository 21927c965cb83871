/**
 * Read-only views of the aicli network: nothing here creates, changes or removes anything
 * (`status`, `network inspect`, health's `doctor` use them).
 */
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { inspectNetworkCall, type EngineNetwork, type NetworkContainer } from '../../engine/networks.js';
import type { DockerConfig, LoadedConfig } from '../config/index.js';
import { findNetworks, isManaged } from './lookup.js';
import { driftOf, networkSpec, type NetworkDrift } from './spec.js';

/**
 * The network named exactly `name` (with its attached containers), or undefined. With
 * duplicates, the one every aicli process picks (oldest, then lowest id).
 */
export async function findNetwork(api: EngineApi, name: string, options: CallOptions = {}): Promise<EngineNetwork | undefined> {
  const found = await findNetworks(api, name, options);
  const winner = found.networks[0];
  if (winner === undefined) return undefined;
  // The list endpoint leaves attached containers out: one more GET, by id, for the winner.
  return found.listed ? (await inspectNetworkCall(api, winner.id, options)).network : winner;
}

export interface NetworkStatus {
  readonly name: string;
  readonly present: boolean;
  /** Made by aicli (`aicli.managed=true`). */
  readonly managed: boolean;
  /** Present, not made by aicli, and network_adopt is on: used as it is. */
  readonly adopted: boolean;
  readonly id?: string;
  readonly driver?: string;
  readonly scope?: string;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  /** When the engine made it (RFC 3339). */
  readonly createdAt?: string;
  readonly subnets: readonly string[];
  readonly gateways: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly NetworkContainer[];
  /** How it differs from the configuration. */
  readonly drift: readonly NetworkDrift[];
  /** Other networks of the same name (ids); ensureNetwork removes the empty managed ones. */
  readonly duplicates: readonly string[];
}

/** The aicli network as the configuration names it: present, managed, drift. Read-only. */
export async function inspectNetwork(api: EngineApi, config: LoadedConfig | DockerConfig, options: CallOptions = {}): Promise<NetworkStatus> {
  const spec = networkSpec(config);
  const found = await findNetworks(api, spec.name, options);
  const [first, ...rest] = found.networks;
  if (first === undefined) {
    return { name: spec.name, present: false, managed: false, adopted: false, subnets: [], gateways: [], labels: {}, containers: [], drift: [], duplicates: [] };
  }
  const n = found.listed ? (await inspectNetworkCall(api, first.id, options)).network : first;
  const managed = isManaged(n);
  return {
    name: n.name,
    present: true,
    managed,
    adopted: !managed && spec.adopt,
    id: n.id,
    driver: n.driver,
    scope: n.scope,
    internal: n.internal,
    attachable: n.attachable,
    createdAt: n.created,
    subnets: n.ipam.flatMap((p) => (p.subnet === undefined ? [] : [p.subnet])),
    gateways: n.ipam.flatMap((p) => (p.gateway === undefined ? [] : [p.gateway])),
    labels: n.labels,
    containers: n.containers,
    drift: driftOf(spec, n),
    duplicates: rest.map((d) => d.id),
  };
}

/**
 * What an engine can do that some cannot, asked once per connection (engine-kind.ts), and the
 * refusal that names the engine and the missing piece. Measured on Podman 4.3 (its Docker-
 * compatible service, netavark networks): see differences.ts and the README's Podman section.
 */
import { EngineUnsupportedError, NotSwarmManagerError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { engineProfile, profileFromInfo, type EngineProfile } from '../../engine/engine-kind.js';

export type EngineCapability = 'swarm' | 'overlay-networks' | 'bridge-inhibit-ipv4';

interface Lack {
  /** What asks for it, as messages name it. */
  readonly feature: string;
  readonly missing: string;
  /** Why this engine has none, as measured. */
  readonly why: string;
  /** The configuration key that asks for it. */
  readonly key: string;
  readonly fix: string;
}

/** What Podman lacks, per capability (Docker has them all; Swarm itself needs a manager). */
const PODMAN_LACKS: Readonly<Record<EngineCapability, Lack>> = Object.freeze({
  swarm: {
    feature: 'A Swarm workspace',
    missing: 'a Swarm orchestrator',
    why: 'Podman has no Swarm mode',
    key: 'orchestrator',
    fix: 'Set orchestrator: engine (workspaces as containers on this engine), or point aicli at a Docker engine that is a Swarm manager.',
  },
  'overlay-networks': {
    feature: 'network_driver: overlay',
    missing: 'overlay networks',
    why: "they need a Swarm, and Podman's netavark makes bridge and macvlan networks only",
    key: 'network_driver',
    fix: 'Set network_driver: bridge, or point aicli at a Docker engine that is a Swarm manager.',
  },
  'bridge-inhibit-ipv4': {
    feature: 'The egress allowlist',
    missing: 'the bridge driver option com.docker.network.bridge.inhibit_ipv4',
    why: 'netavark ignores it ("not a recognized option"), so a workspace would still reach the host at its network\'s gateway address',
    key: 'egress_allow',
    fix: 'Leave egress_allow empty for workspaces on Podman, or run those that need an allowlist on a Docker engine.',
  },
});

/** Whether an engine of this kind can do it: Docker can (Swarm still needs a manager); Podman lacks each of them. */
export function profileSupports(profile: EngineProfile, capability: EngineCapability): boolean {
  return profile.kind !== 'podman' || !Object.hasOwn(PODMAN_LACKS, capability);
}

/** Whether the engine behind `api` can do it (no request when the connection's ping told; else one /version). */
export async function engineSupports(api: EngineApi, capability: EngineCapability, options: CallOptions = {}): Promise<boolean> {
  return profileSupports(await engineProfile(api, options), capability);
}

/**
 * For the egress allowlist: whether the engine's bridge networks honour
 * `com.docker.network.bridge.inhibit_ipv4` (Docker: yes; Podman 4.3's netavark: no).
 */
export function supportsBridgeInhibitIpv4(api: EngineApi, options: CallOptions = {}): Promise<boolean> {
  return engineSupports(api, 'bridge-inhibit-ipv4', options);
}

/** The refusal: names the engine, its endpoint, the missing piece, who asked (`source`) and the way out. */
export function unsupportedError(profile: EngineProfile, endpoint: string, capability: EngineCapability, source: string): EngineUnsupportedError {
  const lack = PODMAN_LACKS[capability];
  return new EngineUnsupportedError({ engine: profile.label, endpoint, feature: lack.feature, missing: lack.missing, why: lack.why, fix: lack.fix, source, key: lack.key });
}

/** Throws EngineUnsupportedError when the engine behind `api` cannot do it. */
export async function requireEngineCapability(api: EngineApi, capability: EngineCapability, options: CallOptions & { readonly source?: string } = {}): Promise<void> {
  const profile = await engineProfile(api, options);
  if (profileSupports(profile, capability)) return;
  throw unsupportedError(profile, api.transport.endpoint.url, capability, options.source ?? PODMAN_LACKS[capability].key);
}

/**
 * Why an engine is no Swarm manager, from the /info answer in hand: on Podman, that it has
 * no Swarm at all (EngineUnsupportedError); on Docker, its Swarm state (NotSwarmManagerError).
 */
export function notSwarmManager(info: Readonly<Record<string, unknown>>, endpoint: string, state: string, source: string): NotSwarmManagerError | EngineUnsupportedError {
  const profile = profileFromInfo(info);
  if (!profileSupports(profile, 'swarm')) return unsupportedError(profile, endpoint, 'swarm', source);
  return new NotSwarmManagerError(endpoint, state, source);
}

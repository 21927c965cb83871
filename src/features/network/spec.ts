/**
 * The network the configuration asks for, how a network on the engine differs from it
 * (drift), and the create request that makes it.
 */
import { InvalidConfigError } from '../../errors.js';
import { compareApiVersions } from '../../transport/api-version.js';
import type { NetworkCreateBody, EngineNetwork } from '../../engine/networks.js';
import { crossKeyProblems, parseCidr, type LoadedConfig, type DockerConfig, type NetworkDriver, type ConfigKey } from '../config/index.js';
import { LABELS, ownerLabels, rfc3339, type LabelSet } from '../labels.js';

export interface NetworkSpec {
  readonly name: string;
  readonly driver: NetworkDriver;
  readonly internal: boolean;
  readonly subnet: string | undefined;
  readonly gateway: string | undefined;
  readonly adopt: boolean;
  /** Where each network key came from, for messages (`default`, a file, a variable). */
  readonly sourceOf: (key: ConfigKey) => string;
}

const keys = new WeakMap<NetworkSpec, string>();

/** A string that is equal for equal specs (for sharing runs between concurrent calls). */
export function specKey(spec: NetworkSpec): string {
  let key = keys.get(spec);
  if (key === undefined) {
    key = JSON.stringify([spec.name, spec.driver, spec.internal, spec.subnet ?? '', spec.gateway ?? '', spec.adopt]);
    keys.set(spec, key);
  }
  return key;
}

/** What differs between the configuration and a network on the engine. */
export interface NetworkDrift {
  readonly key: 'network_driver' | 'network_internal' | 'network_subnet' | 'network_gateway';
  /** What the configuration asks for. */
  readonly want: string;
  /** What the engine has. */
  readonly have: string;
}

export function isLoadedConfig(c: LoadedConfig | DockerConfig): c is LoadedConfig {
  return 'config' in c && 'sources' in c;
}

/** Specs of frozen configurations (loaded ones, defaultConfig()): they cannot change. */
const specs = new WeakMap<object, NetworkSpec>();

/** The network part of a configuration, checked (a configuration built in code skipped the loader). */
export function networkSpec(input: LoadedConfig | DockerConfig): NetworkSpec {
  const cached = specs.get(input);
  if (cached !== undefined) return cached;
  const spec = readSpec(input);
  if (Object.isFrozen(input) && (!isLoadedConfig(input) || Object.isFrozen(input.config))) specs.set(input, spec);
  return spec;
}

function readSpec(input: LoadedConfig | DockerConfig): NetworkSpec {
  const loaded = isLoadedConfig(input) ? input : undefined;
  const config = loaded?.config ?? (input as DockerConfig);
  const problems = crossKeyProblems(config, loaded?.sources);
  if (problems.length > 0) throw new InvalidConfigError(problems);
  return {
    name: config.networkName,
    driver: config.networkDriver,
    internal: config.networkInternal,
    subnet: config.networkSubnet,
    gateway: config.networkGateway,
    adopt: config.networkAdopt,
    sourceOf: (key) => loaded?.sources[key].name ?? 'configuration',
  };
}

/** Subnets as the engine reports them, canonical (so `FD00::/64` equals `fd00::/64`). */
function subnets(n: EngineNetwork): string[] {
  return n.ipam.flatMap((p) => {
    if (p.subnet === undefined) return [];
    const parsed = parseCidr(p.subnet);
    return ['cidr' in parsed ? parsed.cidr.text : p.subnet];
  });
}

export function driftOf(spec: NetworkSpec, n: EngineNetwork): NetworkDrift[] {
  const drift: NetworkDrift[] = [];
  if (n.driver !== spec.driver) drift.push({ key: 'network_driver', want: spec.driver, have: n.driver });
  if (n.internal !== spec.internal) drift.push({ key: 'network_internal', want: String(spec.internal), have: String(n.internal) });
  if (spec.subnet !== undefined) {
    const have = subnets(n);
    if (!have.includes(spec.subnet)) drift.push({ key: 'network_subnet', want: spec.subnet, have: have.join(', ') || '(none)' });
  }
  if (spec.gateway !== undefined) {
    const gateways = n.ipam.map((p) => p.gateway).filter((g): g is string => g !== undefined);
    if (!gateways.includes(spec.gateway)) drift.push({ key: 'network_gateway', want: spec.gateway, have: gateways.join(', ') || '(none)' });
  }
  return drift;
}

export function describeDrift(drift: readonly NetworkDrift[]): string {
  return drift.map((d) => `${d.key}: configured ${d.want}, the network has ${d.have}`).join('; ');
}

/** The labels of a network aicli makes: extras first, so none of them can pass for aicli's own. */
export function networkLabels(extra: LabelSet | undefined): Record<string, string> {
  return { ...extra, [LABELS.managed]: 'true', [LABELS.created]: rfc3339(), [LABELS.role]: 'network', ...ownerLabels() };
}

export function createBody(spec: NetworkSpec, labels: LabelSet | undefined, apiVersion: string): NetworkCreateBody {
  const ipv6 = spec.subnet?.includes(':') === true;
  return {
    Name: spec.name,
    Driver: spec.driver,
    Internal: spec.internal,
    // aicli's default: containers started outside aicli (and Swarm services) may join.
    Attachable: true,
    ...(ipv6 ? { EnableIPv6: true } : {}),
    // Below 1.44 the engine checks only when asked (and even then best-effort, see converge.ts).
    ...(compareApiVersions(apiVersion, '1.44') < 0 ? { CheckDuplicate: true } : {}),
    ...(spec.subnet === undefined
      ? {}
      : { IPAM: { Driver: 'default', Config: [{ Subnet: spec.subnet, ...(spec.gateway === undefined ? {} : { Gateway: spec.gateway }) }] } }),
    Labels: networkLabels(labels),
  };
}

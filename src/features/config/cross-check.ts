/**
 * Rules between keys, checked once every layer is merged (a gateway from the file and a
 * subnet from the environment meet only there). Used by loadConfig, and by the network
 * feature for a configuration built in code.
 */
import type { ConfigProblem } from '../../errors.js';
import { gatewayProblem, parseCidr, parseIp } from './cidr.js';
import type { ValueSource } from './source.js';
import type { ConfigKey, DockerConfig } from './schema.js';

export function crossKeyProblems(config: DockerConfig, sources?: Readonly<Partial<Record<ConfigKey, ValueSource>>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const source = (key: ConfigKey): string => sources?.[key]?.name ?? 'configuration';
  const subnet = config.networkSubnet === undefined ? undefined : parseCidr(config.networkSubnet);
  if (subnet !== undefined && 'problem' in subnet) {
    // Only a configuration built in code gets here: the loader checks each key first.
    problems.push({ source: source('network_subnet'), key: 'network_subnet', message: `${JSON.stringify(config.networkSubnet)} ${subnet.problem}` });
  }
  if (config.networkGateway !== undefined) {
    const gateway = parseIp(config.networkGateway);
    const quoted = JSON.stringify(config.networkGateway);
    if (gateway === undefined) {
      problems.push({ source: source('network_gateway'), key: 'network_gateway', message: `${quoted} is not an IP address` });
    } else if (subnet === undefined) {
      problems.push({ source: source('network_gateway'), key: 'network_gateway', message: `${quoted} is set without network_subnet; the engine needs the subnet a gateway belongs to: set network_subnet too (e.g. 10.213.0.0/24 for 10.213.0.1)` });
    } else if ('cidr' in subnet) {
      const wrong = gatewayProblem(gateway, subnet.cidr);
      if (wrong !== undefined) problems.push({ source: source('network_gateway'), key: 'network_gateway', message: `${quoted} ${wrong}` });
    }
  }
  return problems;
}

/**
 * The gateway container: hardened as a workspace is, on the workspace's internal network
 * (where it answers to GATEWAY_ALIAS) and on the aicli network (its only way out).
 */
import { GATEWAY_ALIAS, GATEWAY_ENV } from '../../egress-proxy/contract.js';
import { isDockerError } from '../../errors.js';
import { containerRemove } from '../../engine/container-api.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import { EGRESS_LABELS, EGRESS_ROLES, LABELS, labelFilter, type LabelSet } from '../labels.js';

/** Every limit of the gateway, in one place. */
export const GATEWAY_LIMITS = Object.freeze({
  /** The proxy's anonymous memory is measured by `npm run bench` (goal: 16 MiB); the rest is Node's mapped binary. */
  memoryBytes: 64 * 1024 * 1024,
  /** Node runs ~7 threads; a few spare, no room for a fork bomb. */
  pidsLimit: 32,
  /** Half the default weight: the workspace comes first when CPUs are short. */
  cpuShares: 512,
  /** An unprivileged uid and gid (nobody). */
  user: '65534:65534',
  /** The engine restarts a gateway that dies, as it does a workspace (CIS 5.15: on-failure, at most 5). */
  restartRetries: 5,
  /** The decisions log is kept to ~2 MiB. */
  logMaxSize: '1m',
  logMaxFiles: '2',
});

export function gatewayName(workspaceName: string): string {
  return `aicli-egress-${workspaceName}`;
}

export interface GatewayInput {
  readonly image: string;
  readonly workspaceName: string;
  readonly network: string;
  readonly subnet: string;
  readonly uplink: string;
  readonly allow: readonly string[];
  readonly ports: readonly number[];
  readonly deny: readonly string[];
  /** Every label: aicli's own and the caller's. */
  readonly labels: LabelSet;
}

/** The ContainerCreate body of a gateway (the aicli network is connected before start). */
export function gatewaySpec(g: GatewayInput): Record<string, unknown> {
  return {
    Image: g.image,
    User: GATEWAY_LIMITS.user,
    Env: [
      `${GATEWAY_ENV.allow}=${g.allow.join(',')}`,
      `${GATEWAY_ENV.ports}=${g.ports.join(',')}`,
      `${GATEWAY_ENV.deny}=${g.deny.join(',')}`,
      `${GATEWAY_ENV.workspace}=${g.workspaceName}`,
      `${GATEWAY_ENV.subnet}=${g.subnet}`,
    ],
    Labels: {
      ...g.labels,
      [LABELS.role]: EGRESS_ROLES.gateway,
      [LABELS.workspaceName]: g.workspaceName,
      [EGRESS_LABELS.allow]: g.allow.join(','),
      [EGRESS_LABELS.ports]: g.ports.join(','),
      [EGRESS_LABELS.network]: g.network,
      [EGRESS_LABELS.uplink]: g.uplink,
    },
    HostConfig: {
      NetworkMode: g.network,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Privileged: false,
      Memory: GATEWAY_LIMITS.memoryBytes,
      MemorySwap: GATEWAY_LIMITS.memoryBytes,
      PidsLimit: GATEWAY_LIMITS.pidsLimit,
      CpuShares: GATEWAY_LIMITS.cpuShares,
      // A container on two networks is a router unless told otherwise.
      Sysctls: { 'net.ipv4.ip_forward': '0', 'net.ipv6.conf.all.disable_ipv6': '1' },
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: GATEWAY_LIMITS.restartRetries },
      LogConfig: { Type: 'json-file', Config: { 'max-size': GATEWAY_LIMITS.logMaxSize, 'max-file': GATEWAY_LIMITS.logMaxFiles } },
    },
    NetworkingConfig: { EndpointsConfig: { [g.network]: { Aliases: [GATEWAY_ALIAS] } } },
  };
}

export interface ContainerSummary {
  readonly Id: string;
  readonly Names?: readonly string[];
  readonly State?: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
}

/** The gateways of a workspace (normally one), by label. */
export async function findGateways(api: EngineApi, workspaceName: string, options: CallOptions = {}): Promise<ContainerSummary[]> {
  return api.json<ContainerSummary[]>({
    method: 'GET',
    path: apiPath`/containers/json`,
    query: { all: true, filters: labelFilter({ [LABELS.managed]: 'true', [LABELS.role]: EGRESS_ROLES.gateway, [LABELS.workspaceName]: workspaceName }) },
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
}

/** Creates a gateway and connects it to the aicli network (not started); removes it again if either step fails. */
export async function createGateway(api: EngineApi, g: GatewayInput, options: CallOptions = {}): Promise<string> {
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  const created = await api.json<{ Id: string }>({
    method: 'POST',
    path: apiPath`/containers/create`,
    query: { name: gatewayName(g.workspaceName) },
    json: gatewaySpec(g),
    resource: 'image',
    ...call,
  });
  try {
    await api.json({ method: 'POST', path: apiPath`/networks/${g.uplink}/connect`, json: { Container: created.Id }, resource: 'network', ...call });
  } catch (err) {
    await removeContainer(api, created.Id, call).catch(() => undefined);
    throw err;
  }
  return created.Id;
}

/** Force-removes a container (containerRemove); one already gone, or being removed by someone else, is fine. */
export async function removeContainer(api: EngineApi, id: string, options: CallOptions = {}): Promise<boolean> {
  try {
    return (await containerRemove(api, id, { signal: options.signal, timeoutMs: options.timeoutMs })) === 'removed';
  } catch (err) {
    // 409 "removal already in progress": someone else is removing it.
    if (isDockerError(err, 'DOCKER_CONFLICT')) return false;
    throw err;
  }
}

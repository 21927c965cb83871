/**
 * The workspace's own internal network (one per workspace), which the gateway shares
 * with it; the aicli network it leaves by is the network feature's (ensureNetwork).
 */
import { EgressUnsupportedError, isDockerError, InvalidArgumentError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import { createNetworkCall, removeNetworkCall, type NetworkCreateBody } from '../../engine/networks.js';
import { compareApiVersions } from '../../transport/api-version.js';
import { EGRESS_ROLES, LABELS, labelFilter, type LabelSet } from '../labels.js';

export interface NetworkInspect {
  readonly Id: string;
  readonly Name: string;
  readonly Created?: string;
  readonly Internal?: boolean;
  readonly Options?: Readonly<Record<string, string>> | null;
  readonly Labels?: Readonly<Record<string, string>> | null;
  readonly IPAM?: { readonly Config?: readonly { readonly Subnet?: string; readonly Gateway?: string }[] | null };
  readonly Containers?: Readonly<Record<string, unknown>> | null;
}

/**
 * Leaves the host no address on the bridge: the workspace cannot reach the engine host
 * (which would otherwise answer on the bridge address with every service bound to
 * 0.0.0.0), and Docker 20.10's default route on internal networks leads nowhere.
 */
export const INHIBIT_IPV4 = 'com.docker.network.bridge.inhibit_ipv4';

/** The create body of an internal bridge the host has no address on (a workspace's network, doctor's probe). */
export function inhibitedNetworkBody(api: EngineApi, name: string, labels: LabelSet): NetworkCreateBody {
  return {
    Name: name,
    Driver: 'bridge',
    Internal: true,
    EnableIPv6: false,
    Attachable: false,
    Options: { [INHIBIT_IPV4]: 'true' },
    Labels: labels,
    ...(compareApiVersions(api.apiVersion, '1.44') < 0 ? { CheckDuplicate: true } : {}),
  };
}

/** The internal network of one workspace. */
export function workspaceNetworkName(workspaceName: string): string {
  return `aicli-egress-${workspaceName}`;
}

/** The IPv4 subnet of a network, from its inspect data. */
export function ipv4Subnet(net: NetworkInspect): string | undefined {
  return (net.IPAM?.Config ?? []).map((c) => c.Subnet).find((s): s is string => s !== undefined && !s.includes(':'));
}

export async function inspectNetwork(api: EngineApi, name: string, options: CallOptions = {}): Promise<NetworkInspect | undefined> {
  try {
    const net = await api.json<NetworkInspect>({ method: 'GET', path: apiPath`/networks/${name}`, resource: 'network', signal: options.signal, timeoutMs: options.timeoutMs });
    // GET /networks/{x} also matches an id prefix: only the exact name counts.
    return net.Name === name || net.Id === name ? net : undefined;
  } catch (err) {
    if (isDockerError(err, 'NETWORK_NOT_FOUND')) return undefined;
    throw err;
  }
}

/**
 * Makes (or finds) the workspace's internal network: a bridge with no host address
 * (inhibit_ipv4), internal, no IPv6, labelled as the workspace's. A same-named network
 * that aicli did not make for this workspace, or without the option, is refused.
 */
export async function ensureWorkspaceNetwork(
  api: EngineApi,
  workspaceName: string,
  labels: LabelSet,
  options: CallOptions = {},
): Promise<{ readonly network: NetworkInspect; readonly created: boolean }> {
  const name = workspaceNetworkName(workspaceName);
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  // Made first, looked for only when the name is taken: the usual case is one call.
  let made: { id: string; warning: string } | undefined;
  try {
    made = await createNetworkCall(api, inhibitedNetworkBody(api, name, labels), call);
  } catch (err) {
    if (!isDockerError(err, 'DOCKER_CONFLICT')) throw err;
  }
  let id = made?.id ?? name;
  if (made !== undefined && compareApiVersions(api.apiVersion, '1.42') < 0) {
    // Docker 20.10 may make two of one name under concurrency: the oldest is kept, the others removed.
    const same = await api.json<NetworkInspect[]>({ method: 'GET', path: apiPath`/networks`, query: { filters: { name: [name], ...labelFilter({ [LABELS.role]: EGRESS_ROLES.network }) } }, ...call });
    const [keep, ...extra] = same.filter((n) => n.Name === name).sort((a, b) => (a.Created ?? '').localeCompare(b.Created ?? '') || a.Id.localeCompare(b.Id));
    for (const dup of extra) {
      await removeNetworkCall(api, dup.Id, call).catch(() => undefined);
    }
    if (keep !== undefined) id = keep.Id;
  }
  const full = await inspectNetwork(api, id, call);
  if (full === undefined) throw new InvalidArgumentError('workspace', `the network "${name}" vanished right after it was created; retry`);
  if (made?.id === full.Id && full.Options?.[INHIBIT_IPV4] !== 'true') {
    // The engine took the network but dropped the option (Podman): it is of no use, and not left behind.
    await removeNetworkCall(api, full.Id, call).catch(() => undefined);
    const said = made.warning === '' ? '' : ` (it said: ${made.warning})`;
    throw new EgressUnsupportedError(
      `This engine does not keep ${INHIBIT_IPV4} on bridge networks${said}, so the engine host would stay reachable from the workspace: an egress allowlist cannot be enforced here. Use Docker 20.10 or newer, or create the workspace without egress_allow.`,
    );
  }
  return { network: checkOurs(full, workspaceName), created: made?.id === full.Id };
}

/** A same-named network aicli did not make, or made without inhibit_ipv4, is never used. */
function checkOurs(net: NetworkInspect, workspaceName: string): NetworkInspect {
  const labels = net.Labels ?? {};
  if (labels[LABELS.managed] !== 'true' || labels[LABELS.role] !== EGRESS_ROLES.network || labels[LABELS.workspaceName] !== workspaceName) {
    throw new InvalidArgumentError('workspace', `a network named "${net.Name}" exists but aicli did not make it for workspace "${workspaceName}"; remove or rename it (docker network rm ${net.Name})`);
  }
  if (net.Internal !== true || net.Options?.[INHIBIT_IPV4] !== 'true') {
    throw new InvalidArgumentError('workspace', `the network "${net.Name}" is not internal with ${INHIBIT_IPV4}=true; remove it (docker network rm ${net.Name}) and create the workspace again`);
  }
  return net;
}

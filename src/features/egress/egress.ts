/**
 * Egress allowlist per workspace: the workspace alone on its own internal network, a
 * gateway (the only thing it can reach) proxying allowed names to the aicli network.
 *
 *   prepareEgress   makes the network and the gateway, returns the workspace's patch
 *   removeEgress    removes them (after the workspace)
 *   egressStatus    allowlist, gateway state, recent decisions
 *   setEgressAllow  a new allowlist: re-creates only the gateway
 */
import { checkAllowEntry, checkPort } from '../../egress-proxy/allowlist.js';
import { GATEWAY_ALIAS, GATEWAY_PORT } from '../../egress-proxy/contract.js';
import { DockerError, EgressNotFoundError, InvalidArgumentError, InvalidConfigError, isDockerError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import { silentLogger, type Logger } from '../../logger.js';
import { EGRESS_LABELS, EGRESS_ROLES, LABELS, ownerLabels, rfc3339, type LabelSet } from '../labels.js';
import { recentDecisions, type Decision } from './decisions.js';
import { engineSideCidrs } from './deny.js';
import { createGateway, findGateways, gatewayName, removeContainer, startContainer, type GatewayInput } from './gateway.js';
import { ensureGatewayImage } from './image.js';
import { ensureAicliNetwork, ensureWorkspaceNetwork, inspectNetwork, ipv4Subnet, workspaceNetworkName } from './network.js';

/** The ports allowed when none are given, as `egress_ports` defaults. */
export const DEFAULT_EGRESS_PORTS: readonly number[] = Object.freeze([80, 443]);

/** What a workspace's ContainerCreate body gets (see applyEgress). */
export interface EgressPatch {
  readonly HostConfig: { readonly NetworkMode: string; readonly Dns: readonly string[] };
  readonly NetworkingConfig: { readonly EndpointsConfig: Readonly<Record<string, Record<string, never>>> };
  readonly Env: readonly string[];
}

export interface PrepareEgressOptions extends CallOptions {
  /** The workspace's (already sanitised) name: names the network and the gateway. */
  readonly workspaceName: string;
  readonly workspaceId?: string;
  /** `egress_allow`: exact host names, or `.zone` entries (weaker). */
  readonly allow: readonly string[];
  /** `egress_ports`; default 80 and 443. */
  readonly ports?: readonly number[];
  /** `egress_image`; unset: provisioned on the engine from this process's Node. */
  readonly image?: string | undefined;
  /** The aicli network the gateway leaves by (`network_name`); default `aicli-network`. */
  readonly network?: string;
  /** More addresses of the engine host to refuse (a remote host's own addresses are not visible through the API). */
  readonly hostAddresses?: readonly string[];
  /** More labels for every object made (tests pass `{ 'aicli.test': 'true' }`; ephemeral workspaces their owner labels). */
  readonly labels?: LabelSet;
  /** The bundled proxy, for a provisioned image; default dist/egress-proxy.cjs. */
  readonly proxyBundle?: string;
  /**
   * False: return once the gateway is made, while it starts; the caller creates and starts
   * the workspace meanwhile, then awaits `ready()`. Egress fails closed until the gateway
   * runs. Default true: return once it runs.
   */
  readonly awaitGateway?: boolean;
  readonly logger?: Logger;
}

export interface EgressPrepared {
  readonly patch: EgressPatch;
  readonly gateway: { readonly id: string; readonly name: string };
  readonly network: { readonly id: string; readonly name: string; readonly subnet: string };
  readonly image: string;
  /** Resolves when the gateway runs; rejects (and removes it) when it could not start. */
  ready(): Promise<void>;
}

export interface EgressStatus {
  readonly workspace: string;
  readonly allow: readonly string[];
  readonly ports: readonly number[];
  readonly gateway: { readonly id: string; readonly name: string; readonly state: string; readonly running: boolean; readonly image: string };
  readonly network: string;
  /** Oldest first. */
  readonly decisions: readonly Decision[];
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,199}$/;

function checkWorkspaceName(name: string): void {
  if (!NAME.test(name)) {
    throw new InvalidArgumentError('workspace name', `${JSON.stringify(name)} cannot name a network or container; expected a letter or digit, then letters, digits, "_", "." or "-" (at most 200)`);
  }
}

/** Checks and normalises an allowlist and ports; every problem at once, naming `key`. */
export function checkEgressInput(allow: readonly string[], ports: readonly number[], source = 'option'): { allow: string[]; ports: number[] } {
  const problems: { source: string; key: string; message: string }[] = [];
  const outAllow: string[] = [];
  allow.forEach((raw, i) => {
    const c = checkAllowEntry(raw);
    if ('problem' in c) problems.push({ source, key: `egress_allow[${i}]`, message: `${JSON.stringify(raw)} ${c.problem}` });
    else if (!outAllow.includes(c.value)) outAllow.push(c.value);
  });
  const outPorts: number[] = [];
  ports.forEach((raw, i) => {
    const c = checkPort(raw);
    if ('problem' in c) problems.push({ source, key: `egress_ports[${i}]`, message: `${JSON.stringify(raw)} ${c.problem}` });
    else if (!outPorts.includes(c.value)) outPorts.push(c.value);
  });
  if (ports.length === 0) problems.push({ source, key: 'egress_ports', message: 'is empty; expected at least one port such as 443' });
  if (problems.length > 0) throw new InvalidConfigError(problems);
  return { allow: outAllow, ports: outPorts };
}

/** The environment a workspace gets: proxy-aware tools (and Node's own fetch) go through the gateway. */
export function proxyEnv(): string[] {
  const url = `http://${GATEWAY_ALIAS}:${GATEWAY_PORT}`;
  return [
    `HTTP_PROXY=${url}`,
    `HTTPS_PROXY=${url}`,
    `http_proxy=${url}`,
    `https_proxy=${url}`,
    'NO_PROXY=localhost,127.0.0.1',
    'no_proxy=localhost,127.0.0.1',
    'NODE_USE_ENV_PROXY=1',
  ];
}

function patchFor(network: string): EgressPatch {
  return {
    HostConfig: { NetworkMode: network, Dns: ['127.0.0.1'] },
    NetworkingConfig: { EndpointsConfig: { [network]: {} } },
    Env: proxyEnv(),
  };
}

type CreateBody = Record<string, unknown> & { Env?: readonly string[]; HostConfig?: Record<string, unknown>; NetworkingConfig?: unknown };

/**
 * A ContainerCreate body with the patch applied: the workspace's network becomes its
 * own internal network (and only it), `Dns` points nowhere, and the proxy variables
 * replace any of the same name. The rest (its hardening) is kept as it was.
 */
export function applyEgress<T extends CreateBody>(body: T, patch: EgressPatch): T {
  const names = new Set(patch.Env.map((e) => e.slice(0, e.indexOf('='))));
  const env = (body.Env ?? []).filter((e) => !names.has(e.includes('=') ? e.slice(0, e.indexOf('=')) : e));
  return {
    ...body,
    Env: [...env, ...patch.Env],
    HostConfig: { ...body.HostConfig, NetworkMode: patch.HostConfig.NetworkMode, Dns: [...patch.HostConfig.Dns] },
    NetworkingConfig: structuredClone(patch.NetworkingConfig),
  };
}

function objectLabels(o: { workspaceName: string; workspaceId?: string | undefined; labels?: LabelSet | undefined }, role: string): LabelSet {
  return {
    ...o.labels,
    [LABELS.managed]: 'true',
    [LABELS.created]: rfc3339(),
    ...ownerLabels(),
    [LABELS.role]: role,
    [LABELS.workspaceName]: o.workspaceName,
    ...(o.workspaceId === undefined ? {} : { [LABELS.workspaceId]: o.workspaceId }),
  };
}

async function imageOf(api: EngineApi, o: PrepareEgressOptions): Promise<string> {
  if (o.image === undefined) {
    const img = await ensureGatewayImage(api, { signal: o.signal, timeoutMs: o.timeoutMs, ...(o.labels === undefined ? {} : { labels: o.labels }), ...(o.proxyBundle === undefined ? {} : { proxyBundle: o.proxyBundle }) });
    return img.id;
  }
  // A configured image must be there: pulling is not this feature's (and a missing one says so).
  await api.json({ method: 'GET', path: apiPath`/images/${o.image}/json`, resource: 'image', signal: o.signal, timeoutMs: o.timeoutMs });
  return o.image;
}

/**
 * Makes the workspace's internal network and its gateway (or finds them, when they
 * already serve this allowlist), and returns the patch for the workspace's
 * ContainerCreate body. Bad input throws before anything is made.
 */
export async function prepareEgress(api: EngineApi, options: PrepareEgressOptions): Promise<EgressPrepared> {
  checkWorkspaceName(options.workspaceName);
  const { allow, ports } = checkEgressInput(options.allow, options.ports ?? DEFAULT_EGRESS_PORTS);
  const logger = options.logger ?? silentLogger;
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  const uplinkName = options.network ?? 'aicli-network';

  const [image, uplink, deny] = await Promise.all([
    imageOf(api, options),
    ensureAicliNetwork(api, uplinkName, { ...call, ...(options.labels === undefined ? {} : { labels: options.labels }) }),
    engineSideCidrs(api, options.hostAddresses ?? [], call),
  ]);
  if (uplink.Internal === true) {
    throw new InvalidConfigError([{ source: 'network', key: 'egress_allow', message: `the aicli network "${uplinkName}" is internal, so an egress gateway would have no way out; use a non-internal network_name, or drop egress_allow` }]);
  }
  const net = await ensureWorkspaceNetwork(api, options.workspaceName, objectLabels(options, EGRESS_ROLES.network), call);
  const subnet = ipv4Subnet(net);
  if (subnet === undefined) throw new InvalidArgumentError('workspace', `the network "${net.Name}" has no IPv4 subnet`);

  const input: GatewayInput = { image, workspaceName: options.workspaceName, network: net.Name, subnet, uplink: uplink.Name, allow, ports, deny, labels: objectLabels(options, EGRESS_ROLES.gateway) };
  const existing = await findGateways(api, options.workspaceName, call);
  const same = existing.find(
    (c) => c.State === 'running' && c.Labels?.[EGRESS_LABELS.allow] === allow.join(',') && c.Labels[EGRESS_LABELS.ports] === ports.join(',') && c.Labels[EGRESS_LABELS.network] === net.Name,
  );
  // Nothing half-made is left: the network goes too, unless a workspace is on it already.
  const undo = async (err: unknown): Promise<never> => {
    await removeEgress(api, { workspaceName: options.workspaceName, ...call }).catch(() => undefined);
    throw err;
  };
  let id: string;
  let running: Promise<void>;
  if (same !== undefined && existing.length === 1) {
    id = same.Id;
    running = Promise.resolve();
  } else {
    try {
      for (const c of existing) await removeContainer(api, c.Id, call);
      id = await createGateway(api, input, call);
    } catch (err) {
      return undo(err);
    }
    running = startContainer(api, id, call).then(() => {
      logger.info({ workspace: options.workspaceName, gateway: gatewayName(options.workspaceName), network: net.Name, allow, ports }, 'egress gateway running');
    }, undo);
    // Whoever asks for ready() gets the failure; nobody asking is not an unhandled rejection.
    running.catch(() => undefined);
  }
  if (options.awaitGateway !== false) await running;
  return { patch: patchFor(net.Name), gateway: { id, name: gatewayName(options.workspaceName) }, network: { id: net.Id, name: net.Name, subnet }, image, ready: () => running };
}

export interface RemoveEgressOptions extends CallOptions {
  readonly workspaceName: string;
}

/**
 * Removes a workspace's gateway and network (the workspace must be gone, or the network
 * keeps it). Nothing there is fine: safe to call twice.
 */
export async function removeEgress(api: EngineApi, options: RemoveEgressOptions): Promise<{ gateway: boolean; network: boolean }> {
  checkWorkspaceName(options.workspaceName);
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  let gateway = false;
  for (const c of await findGateways(api, options.workspaceName, call)) gateway = (await removeContainer(api, c.Id, call)) || gateway;
  const net = await inspectNetwork(api, workspaceNetworkName(options.workspaceName), call);
  if (net === undefined || net.Labels?.[LABELS.managed] !== 'true' || net.Labels[LABELS.role] !== EGRESS_ROLES.network || net.Labels[LABELS.workspaceName] !== options.workspaceName) {
    return { gateway, network: false };
  }
  try {
    await api.json({ method: 'DELETE', path: apiPath`/networks/${net.Id}`, resource: 'network', idempotent: true, ...call });
  } catch (err) {
    if (isDockerError(err, 'NETWORK_NOT_FOUND')) return { gateway, network: false };
    if (isDockerError(err, 'DOCKER_API_ERROR') && /active endpoints/i.test((err as Error).message)) {
      throw new DockerError(`The network "${net.Name}" of workspace "${options.workspaceName}" still has containers attached: remove the workspace first, then its egress gateway and network.`, { cause: err });
    }
    throw err;
  }
  return { gateway, network: true };
}

interface ContainerInspect {
  readonly Id: string;
  readonly Name: string;
  readonly Image: string;
  readonly State: { readonly Status: string; readonly Running: boolean };
  readonly Config: { readonly Labels?: Readonly<Record<string, string>> | null };
}

async function theGateway(api: EngineApi, workspaceName: string, call: CallOptions): Promise<ContainerInspect> {
  checkWorkspaceName(workspaceName);
  const found = await findGateways(api, workspaceName, call);
  const first = found[0];
  if (first === undefined) throw new EgressNotFoundError(workspaceName);
  return api.json<ContainerInspect>({ method: 'GET', path: apiPath`/containers/${first.Id}/json`, resource: 'container', ...call });
}

const split = (s: string | undefined): string[] => (s ?? '').split(',').filter((x) => x !== '');

/** The allowlist, whether the gateway runs, and its last `decisions` decisions (default 20; 0 for none). */
export async function egressStatus(api: EngineApi, options: CallOptions & { workspaceName: string; decisions?: number }): Promise<EgressStatus> {
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  const g = await theGateway(api, options.workspaceName, call);
  const labels = g.Config.Labels ?? {};
  const decisions = await recentDecisions(api, g.Id, options.decisions ?? 20, call).catch(() => []);
  return {
    workspace: options.workspaceName,
    allow: split(labels[EGRESS_LABELS.allow]),
    ports: split(labels[EGRESS_LABELS.ports]).map(Number),
    gateway: { id: g.Id, name: g.Name.replace(/^\//, ''), state: g.State.Status, running: g.State.Running, image: g.Image },
    network: labels[EGRESS_LABELS.network] ?? workspaceNetworkName(options.workspaceName),
    decisions,
  };
}

/**
 * Gives a workspace a new allowlist by re-creating its gateway (same image, network,
 * ports and alias); the workspace itself is not touched. Between the removal of the old
 * gateway and the start of the new one, egress fails (closed).
 */
export async function setEgressAllow(
  api: EngineApi,
  options: CallOptions & { workspaceName: string; allow: readonly string[]; hostAddresses?: readonly string[]; logger?: Logger },
): Promise<EgressStatus> {
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  const old = await theGateway(api, options.workspaceName, call);
  const labels = { ...old.Config.Labels };
  const { allow, ports } = checkEgressInput(options.allow, split(labels[EGRESS_LABELS.ports]).map(Number), '--allow');
  const network = labels[EGRESS_LABELS.network] ?? workspaceNetworkName(options.workspaceName);
  const uplink = labels[EGRESS_LABELS.uplink] ?? 'aicli-network';
  const net = await inspectNetwork(api, network, call);
  const subnet = net === undefined ? undefined : ipv4Subnet(net);
  if (subnet === undefined) throw new EgressNotFoundError(options.workspaceName, `The network "${network}" of workspace "${options.workspaceName}" is gone; create the workspace again.`);
  const deny = await engineSideCidrs(api, options.hostAddresses ?? [], call);
  labels[LABELS.created] = rfc3339();
  const input: GatewayInput = { image: old.Image, workspaceName: options.workspaceName, network, subnet, uplink, allow, ports, deny, labels };
  await removeContainer(api, old.Id, call);
  const id = await createGateway(api, input, call);
  try {
    await startContainer(api, id, call);
  } catch (err) {
    await removeContainer(api, id, call).catch(() => undefined);
    throw err;
  }
  (options.logger ?? silentLogger).info({ workspace: options.workspaceName, allow }, 'egress allowlist changed; gateway re-created');
  return egressStatus(api, { ...call, workspaceName: options.workspaceName, decisions: 0 });
}

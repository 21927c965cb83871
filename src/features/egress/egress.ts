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
import { DockerError, EgressNotFoundError, InvalidArgumentError, InvalidConfigError, isDockerError, isNameConflict } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import type { ContainerCreateBody } from '../../engine/types.js';
import { silentLogger, type Logger } from '../../logger.js';
import { defaultConfig, type DockerConfig } from '../config/index.js';
import { EGRESS_LABELS, EGRESS_ROLES, LABELS, ownerLabels, rfc3339, type LabelSet } from '../labels.js';
import { ensureNetwork } from '../network/index.js';
import { applySpecPatch } from '../workspace/spec.js';
import { recentDecisions, type Decision } from './decisions.js';
import { engineSideCidrs } from './deny.js';
import { createGateway, findGateways, gatewayName, removeContainer, type ContainerSummary, type GatewayInput } from './gateway.js';
import { containerStart } from '../../engine/container-api.js';
import { removeNetworkCall } from '../../engine/networks.js';
import { ensureGatewayImage } from './image.js';
import { ensureWorkspaceNetwork, inspectNetwork, ipv4Subnet, workspaceNetworkName } from './network.js';

/** The ports allowed when none are given: the `egress_ports` default. */
export const DEFAULT_EGRESS_PORTS: readonly number[] = defaultConfig().egressPorts;

/**
 * What a workspace's ContainerCreate body gets: its own network and nothing else, DNS
 * pointed nowhere, the proxy variables, and a label naming its egress network (so remove,
 * ls and inspect know it has a gateway without asking). A workspace spec patch: it goes
 * through the workspace's applySpecPatch and policy like any other.
 */
export interface EgressPatch {
  readonly HostConfig: { readonly NetworkMode: string; readonly Dns: readonly string[] };
  readonly NetworkingConfig: { readonly EndpointsConfig: Readonly<Record<string, Record<string, never>>> };
  readonly Env: readonly string[];
  readonly Labels: LabelSet;
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
  /**
   * The configuration of the aicli network the gateway leaves by (`network_name`, its
   * driver, subnet, ...), ensured by the network feature; default: aicli's defaults.
   */
  readonly config?: DockerConfig;
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

/** The patch of the workspace `workspaceName`: pure, the same before and after its network exists. */
export function egressPatch(workspaceName: string): EgressPatch {
  checkWorkspaceName(workspaceName);
  const network = workspaceNetworkName(workspaceName);
  return {
    HostConfig: { NetworkMode: network, Dns: ['127.0.0.1'] },
    NetworkingConfig: { EndpointsConfig: { [network]: {} } },
    Env: proxyEnv(),
    Labels: { [EGRESS_LABELS.network]: network },
  };
}

/**
 * A ContainerCreate body with the patch applied by the workspace's own applySpecPatch:
 * the workspace's network becomes its own internal network (and only it), `Dns` points
 * nowhere, and the proxy variables replace any of the same name. The rest (its
 * hardening) is kept as it was. `Workspaces.create` does this itself (with its policy).
 */
export function applyEgress(body: ContainerCreateBody, patch: EgressPatch): ContainerCreateBody {
  return applySpecPatch(body, { source: 'egress_allow', setting: 'egress_allow', ...patch });
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
    // The image is shared by every workspace: the caller's labels, not a workspace's ownership.
    const { [LABELS.ephemeral]: _ephemeral, ...labels } = o.labels ?? {};
    const img = await ensureGatewayImage(api, { signal: o.signal, timeoutMs: o.timeoutMs, labels, ...(o.proxyBundle === undefined ? {} : { proxyBundle: o.proxyBundle }) });
    return img.id;
  }
  // A configured image must be there: pulling is not this feature's (and a missing one says so).
  await api.json({ method: 'GET', path: apiPath`/images/${o.image}/json`, resource: 'image', signal: o.signal, timeoutMs: o.timeoutMs });
  return o.image;
}

/** The aicli network the gateway leaves by, made or found by the network feature; never an internal one. */
async function ensureUplink(api: EngineApi, o: PrepareEgressOptions, call: CallOptions): Promise<string> {
  const config = o.config ?? defaultConfig();
  const internal = (): InvalidConfigError =>
    new InvalidConfigError([
      { source: 'network', key: 'egress_allow', message: `the aicli network "${config.networkName}" is internal, so an egress gateway would have no way out; use a non-internal network_name, or drop egress_allow` },
    ]);
  if (config.networkInternal) throw internal();
  const net = await ensureNetwork(api, config, { ...call, ...(o.labels === undefined ? {} : { labels: o.labels }), ...(o.logger === undefined ? {} : { logger: o.logger }) });
  // An existing network that drifted from the configuration (or was adopted) may be internal all the same.
  if (net.drift.some((d) => d.key === 'network_internal' && d.have === 'true')) throw internal();
  return net.name;
}

/** Promise.all, except that it waits for every promise before throwing the first failure. */
async function settled<T extends readonly unknown[]>(promises: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** A gateway serves this allowlist on this network, and is (or is about to be) running. */
function serves(c: ContainerSummary, allow: readonly string[], ports: readonly number[], network: string): boolean {
  const l = c.Labels ?? {};
  const alive = c.State === 'running' || c.State === 'created' || c.State === 'restarting';
  return alive && l[EGRESS_LABELS.allow] === allow.join(',') && l[EGRESS_LABELS.ports] === ports.join(',') && l[EGRESS_LABELS.network] === network;
}

/**
 * Makes the workspace's internal network and its gateway (or finds them, when they
 * already serve this allowlist), and returns the patch for the workspace's
 * ContainerCreate body. Bad input throws before anything is made; a failure removes
 * what this call made, and nothing else.
 *
 * Safe to run concurrently for one workspace: the gateway's name is a pure function of
 * the workspace's, so of several creates one succeeds, and the others use its gateway.
 * (Workspaces.create runs it only in the process that won the workspace's own name.)
 */
export async function prepareEgress(api: EngineApi, options: PrepareEgressOptions): Promise<EgressPrepared> {
  checkWorkspaceName(options.workspaceName);
  const { allow, ports } = checkEgressInput(options.allow, options.ports ?? DEFAULT_EGRESS_PORTS);
  const logger = options.logger ?? silentLogger;
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };

  // All three settle before a failure is thrown: none goes on making something unseen.
  const [image, uplink, deny] = await settled([imageOf(api, options), ensureUplink(api, options, call), engineSideCidrs(api, options.hostAddresses ?? [], call)] as const);
  const { network: net, created: madeNetwork } = await ensureWorkspaceNetwork(api, options.workspaceName, objectLabels(options, EGRESS_ROLES.network), call);
  let madeGateway: string | undefined;
  // Nothing half-made is left: what this call made goes (the network only while nothing is on it).
  const undo = async (err: unknown): Promise<never> => {
    if (madeGateway !== undefined) await removeContainer(api, madeGateway, call).catch(() => undefined);
    if (madeNetwork) await removeNetworkCall(api, net.Id, call).catch(() => undefined);
    throw err;
  };
  const subnet = ipv4Subnet(net);
  if (subnet === undefined) return undo(new InvalidArgumentError('workspace', `the network "${net.Name}" has no IPv4 subnet`));

  const input: GatewayInput = { image, workspaceName: options.workspaceName, network: net.Name, subnet, uplink, allow, ports, deny, labels: objectLabels(options, EGRESS_ROLES.gateway) };
  let gateway: ContainerSummary | undefined;
  try {
    const existing = await findGateways(api, options.workspaceName, call);
    gateway = existing.find((c) => serves(c, allow, ports, net.Name));
    // Another allowlist, or a dead gateway: replaced.
    for (const c of existing) if (c !== gateway) await removeContainer(api, c.Id, call);
    if (gateway === undefined) {
      try {
        madeGateway = await createGateway(api, input, call);
      } catch (err) {
        if (!isNameConflict(err)) throw err;
        // Made meanwhile by a concurrent prepare: use it if it serves this allowlist.
        gateway = (await findGateways(api, options.workspaceName, call)).find((c) => serves(c, allow, ports, net.Name));
        if (gateway === undefined) throw err;
      }
    }
  } catch (err) {
    return undo(err);
  }
  const id = madeGateway ?? gateway?.Id ?? '';
  // Starting a gateway that runs already is a no-op (304).
  const running = gateway?.State === 'running'
    ? Promise.resolve()
    : containerStart(api, id, call).then(() => {
        logger.info({ workspace: options.workspaceName, gateway: gatewayName(options.workspaceName), network: net.Name, allow, ports }, 'egress gateway running');
      }, undo);
  // Whoever asks for ready() gets the failure; nobody asking is not an unhandled rejection.
  running.catch(() => undefined);
  if (options.awaitGateway !== false) await running;
  return { patch: egressPatch(options.workspaceName), gateway: { id, name: gatewayName(options.workspaceName) }, network: { id: net.Id, name: net.Name, subnet }, image, ready: () => running };
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
    await removeNetworkCall(api, net.Id, call);
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
    await containerStart(api, id, call);
  } catch (err) {
    await removeContainer(api, id, call).catch(() => undefined);
    throw err;
  }
  (options.logger ?? silentLogger).info({ workspace: options.workspaceName, allow }, 'egress allowlist changed; gateway re-created');
  return egressStatus(api, { ...call, workspaceName: options.workspaceName, decisions: 0 });
}

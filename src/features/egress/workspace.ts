/**
 * What the workspace feature asks of egress, one function per seam:
 *   workspaceEgress   the allowlist a workspace gets (configuration, or the create's options), checked
 *   listGateways      every gateway at once: `ls` makes one call for all of them, not one per workspace
 *   egressInfo        what `ls` and `inspect` show of a workspace's egress
 *   awaitGateway      a create that found the workspace made by another waits for that one's gateway
 * (cleanup --orphans takes egressOrphanReason from orphans.ts.)
 * The workspace's own body gets egressPatch (egress.ts) through its applySpecPatch and policy.
 */
import { DockerError, InvalidConfigError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import type { DockerConfig } from '../config/index.js';
import { egressConflicts } from '../config/egress-keys.js';
import { EGRESS_LABELS, EGRESS_ROLES, LABELS, labelFilter } from '../labels.js';
import { checkEgressInput } from './egress.js';
import { findGateways, gatewayName, type ContainerSummary } from './gateway.js';

/** A create's own egress settings, over the configuration's. */
export interface WorkspaceEgressOptions {
  /** Instead of `egress_allow`; an empty list: no allowlist. */
  readonly allow?: readonly string[] | undefined;
  /** Instead of `egress_ports`. */
  readonly ports?: readonly number[] | undefined;
  /** Instead of `egress_image`. */
  readonly image?: string | undefined;
  /** More addresses of the engine host for the gateway to refuse (a remote host's own are not visible through the API). */
  readonly hostAddresses?: readonly string[] | undefined;
  /** The bundled proxy for a provisioned image; default dist/egress-proxy.cjs. */
  readonly proxyBundle?: string | undefined;
}

/** A workspace's egress as it will be made: checked, defaults applied. */
export interface WorkspaceEgress {
  readonly allow: readonly string[];
  readonly ports: readonly number[];
  readonly image: string | undefined;
  readonly hostAddresses: readonly string[];
  readonly proxyBundle: string | undefined;
}

/** What `ls` and `inspect` show: the allowlist, and whether the gateway runs (no gateway, no egress). */
export interface WorkspaceEgressInfo {
  readonly allow: readonly string[];
  readonly ports: readonly number[];
  /** The workspace's own internal network. */
  readonly network: string;
  /** `missing` when there is no gateway at all. */
  readonly gateway: { readonly name: string; readonly state: string; readonly running: boolean };
}

/**
 * The egress a workspace gets, or undefined for none: the create's options over the
 * configuration's keys. Bad names or ports throw (InvalidConfigError naming the key and
 * `source`), as does an allowlist on an internal aicli network.
 */
export function workspaceEgress(config: DockerConfig, options: WorkspaceEgressOptions | undefined, source: (key: 'egress_allow' | 'egress_ports' | 'network_internal') => string): WorkspaceEgress | undefined {
  const allow = options?.allow ?? config.egressAllow;
  if (allow.length === 0) return undefined;
  const ports = options?.ports ?? config.egressPorts;
  let checked: { allow: string[]; ports: number[] };
  try {
    checked = checkEgressInput(allow, ports);
  } catch (err) {
    if (!(err instanceof InvalidConfigError)) throw err;
    // Each problem names where its value came from (the allowlist from a flag, the ports from a file).
    throw new InvalidConfigError(err.problems.map((p) => ({ ...p, source: source(p.key.startsWith('egress_ports') ? 'egress_ports' : 'egress_allow') })));
  }
  const conflicts = egressConflicts({ egressAllow: checked.allow, networkInternal: config.networkInternal }, source);
  if (conflicts.length > 0) throw new InvalidConfigError(conflicts);
  return { allow: checked.allow, ports: checked.ports, image: options?.image ?? config.egressImage, hostAddresses: options?.hostAddresses ?? [], proxyBundle: options?.proxyBundle };
}

/** Every gateway on the engine (or of one workspace), by the workspace it serves: one call. */
export async function listGateways(api: EngineApi, options: CallOptions & { readonly workspaceName?: string } = {}): Promise<Map<string, ContainerSummary>> {
  const one = options.workspaceName === undefined ? {} : { [LABELS.workspaceName]: options.workspaceName };
  const list = await api.json<ContainerSummary[]>({
    method: 'GET',
    path: apiPath`/containers/json`,
    query: { all: true, filters: labelFilter({ [LABELS.managed]: 'true', [LABELS.role]: EGRESS_ROLES.gateway, ...one }) },
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  const out = new Map<string, ContainerSummary>();
  for (const c of list) {
    const ws = c.Labels?.[LABELS.workspaceName];
    // Normally one per workspace; of two (a re-create under way), the running one.
    if (ws !== undefined && (!out.has(ws) || c.State === 'running')) out.set(ws, c);
  }
  return out;
}

const split = (s: string | undefined): string[] => (s ?? '').split(',').filter((x) => x !== '');

/** A workspace's egress from its labels and its gateway (undefined: the workspace has no allowlist). */
export function egressInfo(workspaceName: string, labels: Readonly<Record<string, string>>, gateway: ContainerSummary | undefined): WorkspaceEgressInfo | undefined {
  const network = labels[EGRESS_LABELS.network];
  if (network === undefined) return undefined;
  const g = gateway?.Labels ?? {};
  return {
    allow: split(g[EGRESS_LABELS.allow]),
    ports: split(g[EGRESS_LABELS.ports]).map(Number),
    network,
    gateway: { name: gatewayName(workspaceName), state: gateway?.State ?? 'missing', running: gateway?.State === 'running' },
  };
}

/** How long a create that found the workspace waits for the gateway its maker is making. */
export const GATEWAY_WAIT_MS = 60_000;
const POLL_MS = 200;

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const done = (): void => {
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const stop = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

export interface AwaitGatewayOptions extends CallOptions {
  /** Until when to look (ms since the epoch); one look when already past. */
  readonly until: number;
  /** Wait until it runs, not only exists. */
  readonly running?: boolean;
  /** Looked at between looks: false stops the wait (the workspace is gone). */
  readonly stillWanted?: () => Promise<boolean>;
}

/** The gateway of `workspaceName` once it exists (or runs), polled; undefined when there is none in time. */
export async function awaitGateway(api: EngineApi, workspaceName: string, options: AwaitGatewayOptions): Promise<ContainerSummary | undefined> {
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  for (;;) {
    const [g] = await findGateways(api, workspaceName, call);
    if (g !== undefined && (options.running !== true || g.State === 'running')) return g;
    if (Date.now() >= options.until) return undefined;
    await sleep(POLL_MS, options.signal);
    if (options.stillWanted !== undefined && !(await options.stillWanted())) return undefined;
  }
}

/** ready() of a workspace whose gateway another process is starting. */
export async function gatewayRunning(api: EngineApi, workspaceName: string, options: CallOptions & { until: number }): Promise<void> {
  const g = await awaitGateway(api, workspaceName, { ...options, running: true });
  if (g === undefined) {
    throw new DockerError(
      `The egress gateway of workspace "${workspaceName}" (${gatewayName(workspaceName)}) is not running: nothing leaves the workspace until it does. ` +
        `See \`aicli-docker workspace egress ${workspaceName}\`; removing the workspace and creating it again makes a new gateway.`,
    );
  }
}

// Removing what aicli made. Everything aicli creates carries `aicli.managed=true` and its
// owner's labels (host, PID, process start time: labels.ts), so no helper container and no
// engine socket mounted anywhere are needed: a list by label, then removals, 32 at a time.
//   cleanup()                    every managed container (forced, with its anonymous volumes), then every managed network
//   cleanup({ orphans: true })   only what a gone process on this host left: its ephemeral
//                                workspaces, and containers it left half-made: created to be
//                                started (`aicli.create.start`), and never started. A lasting
//                                workspace made without --start is never-started too, and stays.
//                                An egress gateway and network go with their workspace.
import { InvalidArgumentError } from '../../errors.js';
import type { EngineApi } from '../../engine/engine-api.js';
import { containerList, containerRemove } from '../../engine/container-api.js';
import { removeNetworkCall } from '../../engine/networks.js';
import { apiPath } from '../../engine/path.js';
import { silentLogger, type Logger } from '../../logger.js';
import { egressOrphanReason } from '../egress/orphans.js';
import { LABELS, labelFilter, ownerGone, type LabelSet } from '../labels.js';

export interface CleanupOptions {
  /** List what would be removed; remove nothing. */
  readonly dryRun?: boolean;
  /** Only orphans: see the top of this file. */
  readonly orphans?: boolean;
  /** Removals at once (default 32). */
  readonly concurrency?: number;
  /** Narrow to objects that also carry these labels (e.g. one test run's). */
  readonly labels?: LabelSet;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export interface CleanupItem {
  readonly kind: 'container' | 'network';
  readonly id: string;
  readonly name: string;
  /** Why it was chosen: "managed", "ephemeral, owner gone", "never started, owner gone". */
  readonly reason: string;
  readonly removed: boolean;
  /** Why the removal failed, in the engine's words. */
  readonly error?: string;
}

export interface CleanupReport {
  readonly dryRun: boolean;
  readonly orphans: boolean;
  readonly items: readonly CleanupItem[];
  readonly removed: number;
  readonly failed: number;
}

export const CLEANUP_DEFAULTS = /* @__PURE__ */ Object.freeze({ concurrency: 32 });

type Candidate = Omit<CleanupItem, 'removed' | 'error'>;

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order of results. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Why an object is an orphan, or undefined when it is not one. */
function orphanReason(labels: Readonly<Record<string, string | undefined>>, state: string | undefined): string | undefined {
  if (!ownerGone(labels)) return undefined;
  if (labels[LABELS.ephemeral] === 'true') return 'ephemeral, owner gone';
  if (state === 'created' && labels[LABELS.createStart] === 'true') return 'never started, owner gone';
  return undefined;
}

export async function cleanup(api: EngineApi, options: CleanupOptions = {}): Promise<CleanupReport> {
  const concurrency = options.concurrency ?? CLEANUP_DEFAULTS.concurrency;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new InvalidArgumentError('concurrency', `${concurrency} is not a positive whole number`);
  const logger = options.logger ?? silentLogger;
  const call = { signal: options.signal };
  const filters = labelFilter({ [LABELS.managed]: 'true', ...options.labels });
  const [containers, networks] = await Promise.all([
    containerList(api, filters, call),
    api.json<{ Id: string; Name: string; Labels?: Record<string, string> | null }[]>({ method: 'GET', path: apiPath`/networks`, query: { filters }, ...call }),
  ]);
  const orphans = options.orphans === true;
  const pick = (labels: Readonly<Record<string, string>>, state?: string): string | undefined => (orphans ? orphanReason(labels, state) : 'managed');
  const chosenContainers: Candidate[] = [];
  for (const c of containers) {
    const reason = pick(c.labels, c.state);
    if (reason !== undefined) chosenContainers.push({ kind: 'container', id: c.id, name: c.name, reason });
  }
  const chosenNetworks: Candidate[] = [];
  for (const n of networks) {
    // With --orphans only ephemeral networks of a gone owner: a shared network stays.
    const labels = n.Labels ?? {};
    const reason = orphans ? (ownerGone(labels) && labels[LABELS.ephemeral] === 'true' ? 'ephemeral, owner gone' : undefined) : 'managed';
    if (reason !== undefined) chosenNetworks.push({ kind: 'network', id: n.Id, name: n.Name, reason });
  }
  // Egress (issue 12): a workspace's gateway and network go with it.
  if (orphans) {
    const workspaceOf = (l: Readonly<Record<string, string>>): string | undefined => (l[LABELS.role] === 'workspace' ? l[LABELS.workspaceName] : undefined);
    const taken = new Set(chosenContainers.map((c) => c.id));
    const chosen = new Set(containers.filter((c) => taken.has(c.id)).map((c) => workspaceOf(c.labels)).filter((w): w is string => w !== undefined));
    const present = new Set(containers.map((c) => workspaceOf(c.labels)).filter((w): w is string => w !== undefined));
    for (const c of containers) {
      const reason = taken.has(c.id) ? undefined : egressOrphanReason(c.labels, chosen, present);
      if (reason !== undefined) chosenContainers.push({ kind: 'container', id: c.id, name: c.name, reason });
    }
    const takenNets = new Set(chosenNetworks.map((n) => n.id));
    for (const n of networks) {
      const reason = takenNets.has(n.Id) ? undefined : egressOrphanReason(n.Labels ?? {}, chosen, present);
      if (reason !== undefined) chosenNetworks.push({ kind: 'network', id: n.Id, name: n.Name, reason });
    }
  }
  if (options.dryRun === true) {
    const items = [...chosenContainers, ...chosenNetworks].map((c) => ({ ...c, removed: false }));
    return { dryRun: true, orphans, items, removed: 0, failed: 0 };
  }
  const attempt = async (c: Candidate, remove: () => Promise<unknown>): Promise<CleanupItem> => {
    try {
      await remove();
      logger.debug({ kind: c.kind, id: c.id, name: c.name, reason: c.reason }, 'cleanup: removed');
      return { ...c, removed: true };
    } catch (err) {
      const message = (err as { daemonMessage?: unknown }).daemonMessage;
      logger.warn({ kind: c.kind, id: c.id, name: c.name, error: (err as Error).message }, 'cleanup: could not remove');
      return { ...c, removed: false, error: typeof message === 'string' ? message : (err as Error).message };
    }
  };
  const removedContainers = await mapLimit(chosenContainers, concurrency, (c) => attempt(c, () => containerRemove(api, c.id, call)));
  // Networks after containers: a network in use cannot go.
  const removedNetworks = await mapLimit(chosenNetworks, concurrency, (n) =>
    attempt(n, async () => {
      try {
        await removeNetworkCall(api, n.id, call);
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'NETWORK_NOT_FOUND') throw err;
      }
    }),
  );
  const items = [...removedContainers, ...removedNetworks];
  const removed = items.filter((i) => i.removed).length;
  return { dryRun: false, orphans, items, removed, failed: items.length - removed };
}

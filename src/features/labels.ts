import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Every label key aicli puts on engine objects, in one place: `<prefix>.<key>`, prefix
 * `aicli`. Features build label sets from these; filters and cleanup read them back.
 */
export const LABEL_PREFIX = 'aicli';

export const LABELS = Object.freeze({
  /** `true` on everything aicli made: cleanup and `ls` never touch an object without it. */
  managed: `${LABEL_PREFIX}.managed`,
  /** RFC 3339 time the object was made. */
  created: `${LABEL_PREFIX}.created`,
  workspaceId: `${LABEL_PREFIX}.workspace.id`,
  workspaceName: `${LABEL_PREFIX}.workspace.name`,
  /** What the object is to aicli: `workspace`, `network`, `egress-gateway`, `egress-network`, ... */
  role: `${LABEL_PREFIX}.role`,
  /** `true`: the object belongs to the process that made it (see the owner labels). */
  ephemeral: `${LABEL_PREFIX}.ephemeral`,
  /** The host name, process id and process start time (ms since the epoch) of the creator. */
  ownerHost: `${LABEL_PREFIX}.owner.host`,
  ownerPid: `${LABEL_PREFIX}.owner.pid`,
  ownerStart: `${LABEL_PREFIX}.owner.start`,
  // Swarm workspaces (issue 13)
  /** On a Swarm node (`docker node update --label-add`) or its engine (`dockerd --label`): that node's engine endpoint. */
  engine: `${LABEL_PREFIX}.engine`,
  /** On a stopped Swarm workspace's service: hostnames of the nodes that hold its data (Swarm forgets scaled-away tasks). */
  swarmDataOn: `${LABEL_PREFIX}.swarm.data-on`,
  // Crash recovery (issue 14, part B)
  /**
   * `true` on a container whose create was asked to start it too (`workspace create --start`,
   * an egress gateway): never started and its owner gone, it is half-made, and
   * `cleanup --orphans` removes it. Without it, a never-started container is a lasting one.
   */
  createStart: `${LABEL_PREFIX}.create.start`,
});

export type LabelSet = Readonly<Record<string, string>>;

/** Docker's `filters` value for "has every one of these labels" (key=value, or key alone). */
export function labelFilter(labels: LabelSet | readonly string[]): { label: string[] } {
  return { label: Array.isArray(labels) ? [...(labels as readonly string[])] : Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
}

/** The RFC 3339 time in UTC, seconds precision (what `aicli.created` holds). */
export function rfc3339(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * When a process started, as the kernel counts it (clock ticks since boot, field 22 of
 * /proc/PID/stat), or undefined when it is gone or unreadable. Paired with its PID it names
 * one process for good: a PID reused later has another start time.
 */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The owner labels of this process: host name, PID and start time (see processStartTicks). */
export function ownerLabels(): LabelSet {
  return {
    [LABELS.ownerHost]: hostname(),
    [LABELS.ownerPid]: String(process.pid),
    [LABELS.ownerStart]: processStartTicks(process.pid) ?? '',
  };
}

/**
 * Whether the owner named by these labels is gone: only for this host (another host's
 * processes cannot be seen from here, so they are never called gone).
 */
export function ownerGone(labels: Readonly<Record<string, string | undefined>>): boolean {
  if (labels[LABELS.ownerHost] !== hostname()) return false;
  const pid = Number(labels[LABELS.ownerPid]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  const start = processStartTicks(pid);
  return start === undefined || start !== labels[LABELS.ownerStart];
}

// Egress (issue 12): what the gateway, its network and its image carry besides LABELS.
export const EGRESS_LABELS = Object.freeze({
  /** On the gateway: its allowlist, comma-separated (what `workspace egress` shows and re-creates from). */
  allow: `${LABEL_PREFIX}.egress.allow`,
  /** On the gateway: its ports, comma-separated. */
  ports: `${LABEL_PREFIX}.egress.ports`,
  /** On the gateway: the workspace network it serves. */
  network: `${LABEL_PREFIX}.egress.network`,
  /** On the gateway: the aicli network it leaves by. */
  uplink: `${LABEL_PREFIX}.egress.uplink`,
  /** On a provisioned gateway image: its identity (a hash of what went into it). */
  image: `${LABEL_PREFIX}.egress.image`,
});

/** `aicli.role` values of the egress objects. */
export const EGRESS_ROLES = Object.freeze({ gateway: 'egress-gateway', network: 'egress-network', image: 'egress-image' });

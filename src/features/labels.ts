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

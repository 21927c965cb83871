// Kept apart from the rest of egress: cleanup needs only this rule, not the feature.
import { EGRESS_ROLES, LABELS, ownerGone } from '../labels.js';

/**
 * Crash recovery (`cleanup --orphans`): an egress gateway or network goes with its
 * workspace. Why this object goes, given the workspaces chosen for removal and those
 * still there, or undefined: it is not an egress object, its workspace stays, or its
 * workspace is gone but its maker still runs (a create under way).
 */
export function egressOrphanReason(labels: Readonly<Record<string, string>>, chosen: ReadonlySet<string>, present: ReadonlySet<string>): string | undefined {
  const role = labels[LABELS.role];
  if (role !== EGRESS_ROLES.gateway && role !== EGRESS_ROLES.network) return undefined;
  const ws = labels[LABELS.workspaceName] ?? '';
  if (chosen.has(ws)) return `egress ${role === EGRESS_ROLES.gateway ? 'gateway' : 'network'} of workspace ${ws}`;
  if (!present.has(ws) && ownerGone(labels)) return 'egress of a workspace that is gone, owner gone';
  return undefined;
}

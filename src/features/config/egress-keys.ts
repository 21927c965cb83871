/**
 * The egress keys' checkers (issue 12), and the one rule that spans keys: an allowlist
 * needs a way out, which an internal aicli network does not give. The names themselves
 * are checked by the gateway's own rule (egress-proxy/allowlist.ts), so what the
 * configuration accepts is exactly what the gateway enforces.
 */
import { checkAllowEntry, checkPort, MAX_ALLOW_ENTRIES } from '../../egress-proxy/allowlist.js';
import type { ConfigProblem } from '../../errors.js';
import { bad, describe, listCheck, ok, textItems, type Check, type Issue } from './values.js';

const ALLOW_EXPECTED = 'a list of host names such as ["registry.npmjs.org", "github.com", ".githubusercontent.com"]';

export const egressAllowCheck: Check<readonly string[]> = (raw, quote) => {
  const checked = listCheck(ALLOW_EXPECTED, checkAllowEntry)(raw, quote);
  if (checked.ok && checked.value.length > MAX_ALLOW_ENTRIES) return bad(`has ${checked.value.length} entries; at most ${MAX_ALLOW_ENTRIES}`);
  return checked;
};

const PORTS_EXPECTED = 'a list of TCP ports such as [80, 443]';

export const egressPortsCheck: Check<readonly number[]> = (raw, quote) => {
  let items: unknown[];
  if (raw.from === 'text') {
    const got = textItems(raw.value, `${quote(raw.value)} is not a JSON list; expected ${PORTS_EXPECTED} or 80,443`);
    if (!Array.isArray(got)) return { ok: false, issues: [got] };
    items = got;
  } else if (Array.isArray(raw.value)) {
    items = raw.value as unknown[];
  } else if (typeof raw.value === 'number') {
    items = [raw.value];
  } else {
    return bad(`expected ${PORTS_EXPECTED}, found ${describe(raw.value, quote)}`);
  }
  if (items.length === 0) return bad(`is empty; expected ${PORTS_EXPECTED} with at least one port`);
  const issues: Issue[] = [];
  const out: number[] = [];
  items.forEach((item, i) => {
    const c = checkPort(item);
    if ('problem' in c) issues.push({ path: `[${i}]`, message: `${quote(item)} ${c.problem}` });
    else if (!out.includes(c.value)) out.push(c.value);
  });
  return issues.length > 0 ? { ok: false, issues } : ok(out);
};

/** Refusals that need two keys; `source(key)` names where each value came from. */
export function egressConflicts(config: { readonly egressAllow: readonly string[]; readonly networkInternal: boolean }, source: (key: 'egress_allow' | 'network_internal') => string): ConfigProblem[] {
  if (config.egressAllow.length === 0 || !config.networkInternal) return [];
  return [
    {
      source: source('egress_allow'),
      key: 'egress_allow',
      message: `cannot be used with network_internal: true (set by ${source('network_internal')}): the egress gateway leaves by the aicli network, and an internal one has no way out. Set network_internal: false (the allowlist already keeps the workspace from everything else), or drop egress_allow`,
    },
  ];
}

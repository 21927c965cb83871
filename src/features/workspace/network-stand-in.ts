// STAND-IN until issue 7 lands: `ensureNetwork(api, config)` from the network feature
// replaces this file; swap the import in container-backend.ts. Same contract: find the
// configured network by its exact name or create it (bridge, attachable, labelled), and
// return its id. Unlike the network feature, this does not clean up the duplicates
// Docker 20.10 makes when several processes create the same network at once.
import { DockerConflictError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import type { DockerConfig } from '../config/index.js';
import { LABELS, ownerLabels, rfc3339, type LabelSet } from '../labels.js';
import { checkExtraLabels } from './spec.js';

interface NetworkSummary {
  readonly Id: string;
  readonly Name: string;
  readonly Created?: string;
}

export interface EnsureNetworkOptions extends CallOptions {
  /** Extra labels for a network this call creates (tests pass aicli.test=true). */
  readonly labels?: LabelSet | undefined;
}

/** The id of the network named `config.networkName`, created if there is none. */
export async function ensureNetwork(api: EngineApi, config: DockerConfig, options: EnsureNetworkOptions = {}): Promise<string> {
  const name = config.networkName;
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  const find = async (): Promise<string | undefined> => {
    // The engine's name filter matches substrings: keep the exact name only.
    const list = await api.json<NetworkSummary[]>({ method: 'GET', path: apiPath`/networks`, query: { filters: { name: [name] } }, resource: 'network', ...call });
    const exact = list.filter((n) => n.Name === name).sort((a, b) => (a.Created ?? '').localeCompare(b.Created ?? '') || a.Id.localeCompare(b.Id));
    return exact[0]?.Id;
  };
  const found = await find();
  if (found !== undefined) return found;
  const labels = {
    ...checkExtraLabels(options.labels),
    ...ownerLabels(),
    [LABELS.managed]: 'true',
    [LABELS.created]: rfc3339(),
    [LABELS.role]: 'network',
  };
  try {
    const created = await api.json<{ Id: string }>({
      method: 'POST',
      path: apiPath`/networks/create`,
      json: { Name: name, Driver: 'bridge', Attachable: true, Internal: config.networkInternal, CheckDuplicate: true, Labels: labels },
      resource: 'network',
      ...call,
    });
    return created.Id;
  } catch (err) {
    // Another process made it first (Docker 26 and later answer 409).
    if (err instanceof DockerConflictError) {
      const again = await find();
      if (again !== undefined) return again;
    }
    throw err;
  }
}

import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import { LABELS } from '../labels.js';

export interface NamedNetwork {
  readonly id: string;
  readonly name: string;
  readonly driver: string | undefined;
  readonly managed: boolean;
}

// STAND-IN until issue 7 lands: replace this function with the network feature's
// findNetwork()/inspectNetwork() (exact-name lookup, duplicates, drift). Until then:
// GET /networks with a name filter, which matches substrings, then exact names only.
export async function findNetworksNamed(api: EngineApi, name: string, options: CallOptions = {}): Promise<NamedNetwork[]> {
  const list = await api.json<readonly { Id?: unknown; Name?: unknown; Driver?: unknown; Labels?: Record<string, string> | null }[] | undefined>({
    method: 'GET',
    path: apiPath`/networks`,
    query: { filters: { name: [name] } },
    ...options,
  });
  return (list ?? [])
    .filter((n) => n.Name === name && typeof n.Id === 'string')
    .map((n) => ({
      id: n.Id as string,
      name,
      driver: typeof n.Driver === 'string' ? n.Driver : undefined,
      managed: n.Labels?.[LABELS.managed] === 'true',
    }));
}

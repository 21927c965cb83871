// STAND-IN until issue 7 lands: the network feature makes the aicli network as an attachable
// overlay on a Swarm manager (`network_driver: overlay`) and owns finding it by exact name. This
// is the smallest version the Swarm backend needs; at merge the lead points `ensureSwarmNetwork`
// at issue 7's ensureNetwork and keeps the two refusals below (they are Swarm's, not the network's).
import { DockerApiError, DockerConflictError, SwarmUnsupportedError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import { LABELS, rfc3339, type LabelSet } from '../labels.js';

interface NetworkSummary {
  readonly Id: string;
  readonly Name: string;
  readonly Driver: string;
  readonly Scope: string;
  readonly Options?: Readonly<Record<string, string>> | null;
}

async function findExact(api: EngineApi, name: string, options: CallOptions): Promise<NetworkSummary | undefined> {
  // The `name` filter matches substrings: keep the exact name only.
  const list = await api.json<NetworkSummary[]>({ method: 'GET', path: apiPath`/networks`, query: { filters: { name: [name] } }, ...options });
  return list.find((n) => n.Name === name);
}

/** Refuses a network a Swarm workspace cannot (or must not) use; names the key. */
function check(n: NetworkSummary): void {
  if (n.Driver !== 'overlay' || n.Scope !== 'swarm') {
    throw new SwarmUnsupportedError([
      {
        source: 'workspace spec',
        key: 'network_name',
        message: `network "${n.Name}" is a ${n.Driver} network (scope ${n.Scope}); a Swarm service can only join a swarm-scoped overlay network. Choose another network_name, or remove "${n.Name}" so that aicli makes it as an attachable overlay`,
      },
    ]);
  }
  if (n.Options?.['encrypted'] !== undefined) {
    throw new SwarmUnsupportedError([
      {
        source: 'workspace spec',
        key: 'network_name',
        message:
          `network "${n.Name}" is an encrypted overlay. Its traffic needs IPsec (ESP) in the kernel of every node; where a kernel lacks it, containers start and nothing gets through, and the only sign is a warning in the engine's log. ` +
          'aicli cannot check every node, so it does not put workspaces on encrypted overlays: use an unencrypted overlay (isolated by Swarm, on a network you trust) for network_name',
      },
    ]);
  }
}

/** 409, or Swarm's name conflict that some engines answer with a 500: the create did nothing. */
export function isNameConflict(err: unknown): boolean {
  return err instanceof DockerConflictError || (err instanceof DockerApiError && /name conflicts with an existing object|already exists/i.test(err.daemonMessage));
}

/** The overlay network `name` on the Swarm manager, made (attachable, labelled) when missing. */
export async function ensureSwarmNetwork(api: EngineApi, name: string, labels: LabelSet, options: CallOptions = {}): Promise<string> {
  const found = await findExact(api, name, options);
  if (found !== undefined) {
    check(found);
    return found.Id;
  }
  try {
    const made = await api.json<{ Id: string }>({
      method: 'POST',
      path: apiPath`/networks/create`,
      json: { Name: name, Driver: 'overlay', Attachable: true, CheckDuplicate: true, Labels: { [LABELS.managed]: 'true', [LABELS.created]: rfc3339(), [LABELS.role]: 'network', ...labels } },
      ...options,
    });
    return made.Id;
  } catch (err) {
    // Another process made it meanwhile: use that one (swarm-scoped names are unique; the
    // engine answers 409, or 500 with swarmkit's "name conflicts with an existing object").
    if (!isNameConflict(err)) throw err;
    const again = await findExact(api, name, options);
    if (again === undefined) throw err;
    check(again);
    return again.Id;
  }
}

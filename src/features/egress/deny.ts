/**
 * The engine host and the workspace side, as CIDRs for the gateway to refuse (on top of
 * its fixed ranges and its own interfaces' networks, which it adds itself):
 *   - every IPv4 subnet of every network the engine has: other workspaces, the aicli
 *     network, the host's bridge addresses;
 *   - the engine host's own addresses, where the client can know them: its own
 *     interfaces for a unix socket (same host), the address in a tcp:// or ssh:// host;
 *   - any the caller adds (`hostAddresses`).
 * A remote host's other addresses are not visible through the Engine API: pass them.
 */
import { networkInterfaces } from 'node:os';
import { parseCidr } from '../../egress-proxy/addresses.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import type { NetworkInspect } from './network.js';

export async function engineSideCidrs(api: EngineApi, hostAddresses: readonly string[], options: CallOptions = {}): Promise<string[]> {
  const out = new Set<string>();
  const add = (text: string | undefined): void => {
    if (text === undefined) return;
    const cidr = parseCidr(text);
    if (cidr !== undefined) out.add(text.includes('/') ? text : `${text}/32`);
  };
  const nets = await api.json<NetworkInspect[]>({ method: 'GET', path: apiPath`/networks`, signal: options.signal, timeoutMs: options.timeoutMs });
  for (const n of nets) {
    for (const c of n.IPAM?.Config ?? []) {
      add(c.Subnet);
      add(c.Gateway);
    }
  }
  const ep = api.transport.endpoint;
  if (ep.kind === 'unix') {
    for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) add(a.address);
  } else {
    add(ep.hostname);
  }
  for (const a of hostAddresses) add(a);
  return [...out].sort();
}

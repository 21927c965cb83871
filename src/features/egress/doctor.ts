/**
 * `doctor`'s egress check: can this engine give a workspace an allowlist? Measured, not
 * guessed: a probe network with the bridge option is made, read back, and removed.
 */
import { isDockerError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import { EGRESS_ROLES, LABELS, ownerLabels, rfc3339, type LabelSet } from '../labels.js';
import { createNetworkCall, removeNetworkCall } from '../../engine/networks.js';
import { inhibitedNetworkBody, INHIBIT_IPV4, type NetworkInspect } from './network.js';

export interface EgressCheckItem {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface EgressCheck {
  readonly ok: boolean;
  readonly items: readonly EgressCheckItem[];
}

export interface EgressCheckOptions extends CallOptions {
  /** `egress_image`, if set: then the client's own OS and architecture do not matter. */
  readonly image?: string | undefined;
  /** More labels for the probe network (tests pass `{ 'aicli.test': 'true' }`). */
  readonly labels?: LabelSet;
}

export async function checkEgressSupport(api: EngineApi, options: EgressCheckOptions = {}): Promise<EgressCheck> {
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  const items: EgressCheckItem[] = [];
  const [version, info] = await Promise.all([api.version(call), api.info(call)]);
  const podman = /podman/i.test(version.platformName ?? '') || JSON.stringify(version.raw['Components'] ?? '').includes('Podman');
  // Podman's Docker-compatible answer names Podman in its components.
  items.push({ name: 'engine', ok: version.os === 'linux', detail: version.os === 'linux' ? `${podman ? 'Podman' : 'Docker'} ${version.version} on ${version.os}/${version.arch}` : `the engine runs ${version.os} containers; egress gateways need Linux` });

  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  if (options.image !== undefined) {
    items.push({ name: 'gateway image', ok: true, detail: `egress_image is set (${options.image})` });
  } else {
    const same = process.platform === 'linux' && version.os === 'linux' && version.arch === arch;
    items.push({
      name: 'gateway image',
      ok: same,
      detail: same
        ? `made on the engine from this Node (${process.platform}/${arch}) when first needed`
        : `this Node is ${process.platform}/${arch} and the engine ${version.os}/${version.arch}: set egress_image to a gateway image built for the engine`,
    });
  }

  // The bridge option that leaves the host no address on the workspace's network.
  const name = `aicli-egress-probe-${process.pid}-${Date.now().toString(36)}`;
  let bridge: EgressCheckItem;
  try {
    const labels = { ...options.labels, [LABELS.managed]: 'true', [LABELS.created]: rfc3339(), ...ownerLabels(), [LABELS.role]: `${EGRESS_ROLES.network}-probe` };
    const made = await createNetworkCall(api, inhibitedNetworkBody(api, name, labels), call);
    try {
      const net = await api.json<NetworkInspect>({ method: 'GET', path: apiPath`/networks/${made.id}`, resource: 'network', ...call });
      const kept = net.Options?.[INHIBIT_IPV4] === 'true' && net.Internal === true;
      const said = made.warning === '' ? '' : ` (the engine said: ${made.warning})`;
      bridge = {
        name: 'bridge option',
        ok: kept,
        detail: kept
          ? `internal bridge networks keep ${INHIBIT_IPV4}: the engine host has no address on a workspace's network`
          : `the engine does not keep ${INHIBIT_IPV4}${said}: the engine host would keep an address on the workspace's network, reachable from it, so workspaces cannot get an allowlist here (use Docker 20.10 or newer)`,
      };
    } finally {
      await removeNetworkCall(api, made.id, call).catch(() => undefined);
    }
  } catch (err) {
    if (!isDockerError(err, 'DOCKER_API_ERROR')) throw err;
    bridge = { name: 'bridge option', ok: false, detail: `the engine refused an internal bridge network with ${INHIBIT_IPV4}: ${(err as { daemonMessage?: string }).daemonMessage ?? (err as Error).message}` };
  }
  items.push(bridge);

  const rootless = info.securityOptions.some((o) => o.includes('rootless'));
  if (rootless) {
    items.push({ name: 'rootless', ok: true, detail: 'rootless engine: its networks live in its own network namespace, which is then the engine host the gateway refuses (not measured by aicli\'s tests)' });
  }
  return { ok: items.every((i) => i.ok), items };
}

/** `doctor`'s line for egress: whether this engine can give a workspace an allowlist, failing only when one is configured. */
export async function egressDoctorCheck(
  api: EngineApi,
  config: { readonly egressAllow: readonly string[]; readonly egressImage: string | undefined },
  options: CallOptions & { readonly labels?: LabelSet } = {},
): Promise<{ id: 'egress'; title: string; status: 'pass' | 'warn' | 'fail'; detail: string; fix?: string }> {
  const title = 'Egress allowlist';
  const r = await checkEgressSupport(api, { ...options, ...(config.egressImage === undefined ? {} : { image: config.egressImage }) });
  const wanted = config.egressAllow.length > 0;
  const detail = r.items.map((i) => `${i.ok ? '' : 'NOT: '}${i.detail}`).join('; ');
  if (r.ok) return { id: 'egress', title, status: 'pass', detail: `${wanted ? `egress_allow (${config.egressAllow.length} names) can be enforced` : 'workspaces can get an egress_allow'}: ${detail}` };
  const fix = r.items.some((i) => !i.ok && i.name === 'gateway image')
    ? 'set `egress_image` to a gateway image built for the engine'
    : 'use Docker 20.10 or newer for workspaces with egress_allow (Podman drops the bridge option the design rests on)';
  return { id: 'egress', title, status: wanted ? 'fail' : 'warn', detail: `this engine cannot enforce an egress allowlist${wanted ? ', and egress_allow is set' : ' (egress_allow is not set)'}: ${detail}`, fix };
}

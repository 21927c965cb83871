import { statfs } from 'node:fs/promises';
import { hostname } from 'node:os';
import { DockerApiError, isDockerError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import type { SystemSummary } from '../../engine/types.js';
import { compareApiVersions, MAX_API_VERSION, MIN_API_VERSION } from '../../transport/api-version.js';
import { formatSize, type DockerConfig } from '../config/index.js';
import { inspectNetwork } from '../network/index.js';
import type { EngineProfile } from '../../engine/engine-kind.js';
import { profileSupports, type EngineCapability } from '../podman/capabilities.js';
import type { EngineDifference } from '../podman/differences.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** One line of `doctor`: what was checked, how it went, and what to do about it. */
export interface DoctorCheck {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do; set for every warn and fail. */
  readonly fix?: string;
}

/** Every threshold of doctor, in one place. */
export const DOCTOR_DEFAULTS = Object.freeze({
  /** Below this much free space where the engine keeps images: fail. */
  diskFailBytes: 2 * 2 ** 30,
  /** Below this: warn (an agent image with a language toolchain is 1-3 GiB). */
  diskWarnBytes: 10 * 2 ** 30,
  /** Each engine call doctor makes. */
  callTimeoutMs: 10_000,
});

export const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

const check = (id: string, title: string, status: CheckStatus, detail: string, fix?: string): DoctorCheck => ({ id, title, status, detail, ...(fix === undefined ? {} : { fix }) });

export const TITLES = Object.freeze({
  engine: 'Engine reachable',
  api: 'API version',
  network: 'aicli network',
  memory: 'Memory limit',
  cpu: 'CPU limit',
  pids: 'PIDs limit',
  image: 'Default image',
  disk: 'Free disk for images',
  warnings: 'Engine warnings',
  differences: 'Engine differences',
  // Egress (issue 12)
  egress: 'Egress allowlist',
});

/** The engine's own refusal of our API version (400 "client version X is too old/new"). */
export function isVersionRefusal(err: unknown): err is DockerApiError {
  return err instanceof DockerApiError && err.statusCode === 400 && /client version .* is too (old|new)/i.test(err.daemonMessage);
}

export function apiCheck(used: string, negotiated: boolean, pinnedBy: string, engineMax: string | undefined, engineMin: string | undefined, refusal?: DockerApiError): DoctorCheck {
  const range = `engine ${engineMin ?? '?'}–${engineMax ?? '?'}, aicli-docker ${MIN_API_VERSION}–${MAX_API_VERSION}`;
  const unpin = `set \`version: auto\` in the configuration (and unset AICLI_DOCKER_VERSION / DOCKER_API_VERSION) so the version is negotiated`;
  if (refusal !== undefined) return check('api', TITLES.api, 'fail', `the engine refuses API ${used} (pinned by ${pinnedBy}): ${refusal.daemonMessage}`, unpin);
  if (engineMin !== undefined && compareApiVersions(used, engineMin) < 0) return check('api', TITLES.api, 'fail', `API ${used} (pinned by ${pinnedBy}) is older than the engine's minimum ${engineMin}`, unpin);
  if (engineMax !== undefined && compareApiVersions(used, engineMax) > 0) return check('api', TITLES.api, 'fail', `API ${used} (pinned by ${pinnedBy}) is newer than the engine's ${engineMax}`, unpin);
  return check('api', TITLES.api, 'pass', `${used} (${negotiated ? 'negotiated' : `pinned by ${pinnedBy}`}; ${range})`);
}

export async function networkCheck(api: EngineApi, config: DockerConfig, options: CallOptions): Promise<DoctorCheck> {
  const name = config.networkName;
  // The network feature's own reading: exact name, managed or adopted, duplicates, drift.
  const n = await inspectNetwork(api, config, options);
  const id = (n.id ?? '').slice(0, 12);
  if (!n.present) {
    return check('network', TITLES.network, 'warn', `${name} does not exist yet`, `run \`aicli-docker network ensure\` to create it now (connecting with the library creates it too)`);
  }
  if (n.duplicates.length > 0) {
    const ids = [n.id ?? '', ...n.duplicates].map((x) => x.slice(0, 12)).join(', ');
    return check('network', TITLES.network, 'fail', `${n.duplicates.length + 1} networks are named ${name} (${ids}); containers may land on different ones`, `run \`aicli-docker network ensure\`, which keeps one and removes the empty duplicates, or remove the extras with \`docker network rm ID\``);
  }
  if (!n.managed && !n.adopted) {
    return check('network', TITLES.network, 'fail', `${name} (${id}) exists but aicli does not manage it (no aicli.managed=true label)`, `choose another \`network_name\`, remove that network if nothing uses it (\`docker network rm ${name}\`), or set \`network_adopt: true\` to use it as it is`);
  }
  if (n.drift.length > 0) {
    return check('network', TITLES.network, 'warn', `${name} (${id}) differs from the configuration: ${n.drift.map((d) => `${d.key} is ${d.have}, configured ${d.want}`).join("; ")}`, 'run `aicli-docker network ensure --recreate` (it refuses while containers are attached), or change the configuration to match');
  }
  return check('network', TITLES.network, 'pass', `${name} (${id}, ${n.driver ?? 'unknown driver'}, ${n.adopted ? 'adopted' : 'managed'})`);
}

export function limitChecks(s: SystemSummary, config: DockerConfig): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const mem = formatSize(config.memoryLimitBytes);
  if (!s.limits.memory) {
    out.push(check('memory', TITLES.memory, 'fail', `the engine's kernel cannot limit memory (no memory cgroup controller), so memory_limit ${mem} would not hold`, 'enable the memory cgroup controller: on cgroup v1 boot with `cgroup_enable=memory swapaccount=1`; on cgroup v2 delegate `memory` in cgroup.subtree_control (rootless engines: systemd delegation)'));
  } else if (s.memoryBytes > 0 && config.memoryLimitBytes > s.memoryBytes) {
    out.push(check('memory', TITLES.memory, 'warn', `memory_limit ${mem} is more than the engine has (${gib(s.memoryBytes)}): the limit cannot bind`, `set \`memory_limit\` below ${gib(s.memoryBytes)}`));
  } else {
    out.push(check('memory', TITLES.memory, 'pass', `memory_limit ${mem} supported (engine memory ${gib(s.memoryBytes)}, cgroup v${s.cgroupVersion ?? '?'})`));
  }
  if (!s.limits.cpuQuota) {
    out.push(check('cpu', TITLES.cpu, 'fail', `the engine's kernel has no CFS bandwidth control, so cpu_limit ${config.cpuLimit} cannot be enforced`, 'use a kernel with CONFIG_CFS_BANDWIDTH and the cpu cgroup controller enabled (delegated to rootless engines)'));
  } else if (s.cpus > 0 && config.cpuLimit > s.cpus) {
    out.push(check('cpu', TITLES.cpu, 'fail', `cpu_limit ${config.cpuLimit} is more CPUs than the engine has (${s.cpus}); it refuses such containers`, `set \`cpu_limit\` to at most ${s.cpus}`));
  } else {
    out.push(check('cpu', TITLES.cpu, 'pass', `cpu_limit ${config.cpuLimit} supported (engine has ${s.cpus} CPUs)`));
  }
  if (config.pidsLimit === -1) {
    out.push(check('pids', TITLES.pids, 'warn', 'pids_limit is -1: a fork bomb in a workspace can exhaust the host', 'set `pids_limit` (aicli\'s default is 512)'));
  } else if (!s.limits.pids) {
    out.push(check('pids', TITLES.pids, 'fail', `the engine's kernel cannot limit processes (no pids cgroup controller), so pids_limit ${config.pidsLimit} would not hold`, 'enable the pids cgroup controller (CONFIG_CGROUP_PIDS; on cgroup v2 delegate `pids`)'));
  } else {
    out.push(check('pids', TITLES.pids, 'pass', `pids_limit ${config.pidsLimit} supported`));
  }
  return out;
}

export async function imageCheck(api: EngineApi, config: DockerConfig, options: CallOptions): Promise<DoctorCheck> {
  const name = config.defaultImage;
  try {
    const img = await api.json<{ Id?: string; Size?: number } | undefined>({ method: 'GET', path: apiPath`/images/${name}/json`, resource: 'image', ...options });
    const size = typeof img?.Size === 'number' ? `, ${(img.Size / 2 ** 20).toFixed(1)} MiB` : '';
    return check('image', TITLES.image, 'pass', `${name} present (${(img?.Id ?? '').replace(/^sha256:/, '').slice(0, 12)}${size})`);
  } catch (err) {
    if (!isDockerError(err, 'IMAGE_NOT_FOUND')) throw err;
    return check('image', TITLES.image, 'warn', `${name} (default_image) is not on the engine; the first workspace must pull it, which fails without registry access`, `pull it now (\`docker pull ${name}\`), or set \`default_image\` to an image the engine has`);
  }
}

/**
 * Free space where the engine keeps images, measured here only when the engine runs on
 * this machine (a unix socket, and the engine's host name is ours): Docker Desktop and
 * remote engines keep their data in another filesystem than the one seen from here.
 */
export async function diskCheck(s: SystemSummary, endpointUrl: string): Promise<DoctorCheck> {
  const dir = s.rootDir;
  const local = endpointUrl.startsWith('unix://') && s.name === hostname();
  if (dir === undefined || !local) {
    return check('disk', TITLES.disk, 'warn', `cannot measure from here: the engine runs on ${s.name ?? 'another host'}${dir === undefined ? '' : `, data in ${dir}`}`, `check on the engine's host: \`df -h ${dir ?? '/var/lib/docker'}\` and \`docker system df\``);
  }
  let free: number;
  try {
    const st = await statfs(dir);
    free = st.bavail * st.bsize;
  } catch (err) {
    return check('disk', TITLES.disk, 'warn', `cannot measure ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, `check with \`df -h ${dir}\` as a user who can read it`);
  }
  const detail = `${gib(free)} free in ${dir}`;
  if (free < DOCTOR_DEFAULTS.diskFailBytes) return check('disk', TITLES.disk, 'fail', detail, `free space in ${dir}: \`docker system prune\` removes stopped containers, unused networks and dangling images`);
  if (free < DOCTOR_DEFAULTS.diskWarnBytes) return check('disk', TITLES.disk, 'warn', `${detail}; an agent image takes 1-3 GiB`, `free space in ${dir} (\`docker system df\` shows what uses it; \`docker system prune\`)`);
  return check('disk', TITLES.disk, 'pass', detail);
}

export function warningsCheck(s: SystemSummary): DoctorCheck {
  if (s.warnings.length === 0) return check('warnings', TITLES.warnings, 'pass', 'none');
  return check('warnings', TITLES.warnings, 'warn', s.warnings.join('; '), 'see each warning in the engine\'s documentation (`docker info` prints them too)');
}

/**
 * What this engine does otherwise than Docker (issue 14): for Podman, the list (the report's
 * `differences`), and a failure when the configuration asks for something it lacks.
 */
export function differencesCheck(profile: EngineProfile, differences: readonly EngineDifference[], config: DockerConfig, rootless: boolean): DoctorCheck {
  const engine = `${profile.label}${rootless ? ' (rootless)' : ''}`;
  if (differences.length === 0) return check('differences', TITLES.differences, 'pass', `none: ${engine} runs every aicli feature`);
  const count = (h: EngineDifference['handling']): number => differences.filter((d) => d.handling === h).length;
  const summary = `${engine}: ${differences.length} differences from Docker (listed below): ${count('refused')} refused by aicli, ${count('handled')} made up for, ${count('differs')} that show`;
  const asked: { key: string; capability: EngineCapability; value: string }[] = [];
  if (config.orchestrator === 'swarm') asked.push({ key: 'orchestrator', capability: 'swarm', value: 'swarm' });
  if (config.networkDriver === 'overlay') asked.push({ key: 'network_driver', capability: 'overlay-networks', value: 'overlay' });
  const refused = asked.filter((a) => !profileSupports(profile, a.capability));
  if (refused.length === 0) return check('differences', TITLES.differences, 'pass', `${summary}; none in the way of this configuration`);
  return check(
    'differences',
    TITLES.differences,
    'fail',
    `${summary}; this configuration asks for what ${profile.label} lacks: ${refused.map((a) => `${a.key}: ${a.value}`).join(', ')}`,
    refused.map((a) => (a.capability === 'swarm' ? 'set orchestrator: engine (or auto)' : 'set network_driver: bridge')).join('; '),
  );
}

/**
 * Does the container Swarm made hold the hardening of its service spec? Each node applies a
 * spec with its own Docker version, and an engine that does not know a field drops it without
 * a word (a Docker 20.10 node starts a container with NoNewPrivs 0 from a spec that asked for
 * 1). So after a workspace starts, its container is read back from the engine of its node.
 * Pure: compares the spec with that engine's GET /containers/{id}/json.
 */
import type { TaskSpec } from '../../engine/swarm.js';

/** The parts of GET /containers/{id}/json that are compared. */
export interface ContainerInspect {
  readonly Config?: { readonly User?: string };
  readonly HostConfig?: {
    readonly Privileged?: boolean;
    readonly ReadonlyRootfs?: boolean;
    readonly SecurityOpt?: readonly string[] | null;
    readonly CapDrop?: readonly string[] | null;
    readonly CapAdd?: readonly string[] | null;
    readonly NanoCpus?: number;
    readonly Memory?: number;
    readonly PidsLimit?: number | null;
    readonly Init?: boolean | null;
    readonly NetworkMode?: string;
    readonly PidMode?: string;
    readonly IpcMode?: string;
    readonly UTSMode?: string;
    readonly UsernsMode?: string;
    readonly Mounts?: readonly { readonly Type?: string; readonly Target?: string }[] | null;
  };
  readonly Mounts?: readonly { readonly Type?: string; readonly Destination?: string }[];
}

const capName = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');

/** What the container lacks of `task`'s hardening, in words; empty when it holds all of it. */
export function hardeningProblems(task: TaskSpec, c: ContainerInspect): string[] {
  const spec = task.ContainerSpec;
  const host = c.HostConfig ?? {};
  const problems: string[] = [];
  if (host.Privileged === true) problems.push('it runs privileged');
  if (spec.ReadOnly === true && host.ReadonlyRootfs !== true) problems.push('its root file system is writable (ReadonlyRootfs is false)');
  if (spec.Privileges?.NoNewPrivileges === true) {
    const on = (host.SecurityOpt ?? []).some((o) => /^no-new-privileges([=:](1|t|true|TRUE|True))?$/.test(o));
    if (!on) problems.push('no-new-privileges is off (the node dropped Privileges.NoNewPrivileges: it needs Docker 25 or newer)');
  }
  const dropped = new Set((host.CapDrop ?? []).map(capName));
  for (const cap of (spec.CapabilityDrop ?? []).map(capName)) if (!dropped.has(cap)) problems.push(`capability ${cap} is not dropped`);
  const allowed = new Set((spec.CapabilityAdd ?? []).map(capName));
  for (const cap of (host.CapAdd ?? []).map(capName)) if (!allowed.has(cap)) problems.push(`capability ${cap} was added`);
  if (spec.User !== undefined && spec.User !== '' && (c.Config?.User ?? '') !== spec.User) problems.push(`it runs as user "${c.Config?.User ?? ''}", not "${spec.User}"`);
  if (spec.Init === true && host.Init !== true) problems.push('it runs without an init process');
  const limits = task.Resources?.Limits ?? {};
  if (limits.NanoCPUs !== undefined && host.NanoCpus !== limits.NanoCPUs) problems.push(`its CPU limit is ${(host.NanoCpus ?? 0) / 1e9}, not ${limits.NanoCPUs / 1e9}`);
  if (limits.MemoryBytes !== undefined && host.Memory !== limits.MemoryBytes) problems.push(`its memory limit is ${host.Memory ?? 0} bytes, not ${limits.MemoryBytes}`);
  if (limits.Pids !== undefined && host.PidsLimit !== limits.Pids) problems.push(`its PIDs limit is ${host.PidsLimit ?? 'unset'}, not ${limits.Pids}`);
  for (const [mode, value] of [['network', host.NetworkMode], ['PID', host.PidMode], ['IPC', host.IpcMode], ['UTS', host.UTSMode], ['user', host.UsernsMode]] as const) {
    if (value === 'host') problems.push(`it shares the node's ${mode} namespace`);
  }
  const tmpfs = new Set([
    ...(c.Mounts ?? []).filter((m) => m.Type === 'tmpfs').map((m) => m.Destination),
    ...(host.Mounts ?? []).filter((m) => m.Type === 'tmpfs').map((m) => m.Target),
  ]);
  for (const m of spec.Mounts ?? []) if (m.Type === 'tmpfs' && !tmpfs.has(m.Target)) problems.push(`the tmpfs at ${m.Target} is missing`);
  return problems;
}

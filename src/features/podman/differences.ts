/**
 * Where Podman's Docker-compatible service differs from Docker, as measured on Podman 4.3
 * (netavark networks, cgroupfs, no systemd) against Docker 20.10, 26.1 and 28.5 by the
 * suite's own tests. `doctor` lists them for the engine it talks to; the README's Podman
 * section is the same list. Each says what a user sees and what aicli does about it.
 */
import type { EngineProfile } from '../../engine/engine-kind.js';

export interface EngineDifference {
  readonly id: string;
  /** What it is about: `Swarm`, `Health checks`, ... */
  readonly topic: string;
  /**
   * `refused`: aicli refuses it on this engine, naming the engine and the missing piece;
   * `handled`: aicli makes up for it, so a user sees what Docker gives;
   * `differs`: a user sees the difference (nothing to make up for).
   */
  readonly handling: 'refused' | 'handled' | 'differs';
  readonly detail: string;
}

export const PODMAN_DIFFERENCES: readonly EngineDifference[] = Object.freeze([
  {
    id: 'swarm',
    topic: 'Swarm',
    handling: 'refused',
    detail: 'Podman has no Swarm mode: orchestrator: swarm and `nodes` are refused naming Podman; orchestrator: auto runs workspaces as containers.',
  },
  {
    id: 'overlay',
    topic: 'Overlay networks',
    handling: 'refused',
    detail: 'netavark makes bridge and macvlan networks only: network_driver: overlay is refused naming Podman.',
  },
  {
    id: 'inhibit-ipv4',
    topic: 'Egress allowlist',
    handling: 'refused',
    detail:
      'netavark ignores the bridge option com.docker.network.bridge.inhibit_ipv4 ("not a recognized option"): a container on an internal network still reaches the host at its gateway address, so the allowlist (which needs that address unowned) is refused on Podman.',
  },
  {
    id: 'ulimits',
    topic: 'Resource limits',
    handling: 'handled',
    detail:
      'Podman asks for nofile/nproc limits above what many hosts grant, and the container does not start ("error setting rlimit"): workspaces carry explicit ulimit_nofile and ulimit_nproc, and a refusal names the limit and the key to lower.',
  },
  {
    id: 'read-only-tmpfs',
    topic: 'Read-only root',
    handling: 'handled',
    detail: 'Podman mounts writable tmpfs (without noexec) on /run and /var/tmp of a read-only container: aicli puts a read-only tmpfs there, so only /tmp (noexec) and /workspace are writable, as on Docker.',
  },
  {
    id: 'health',
    topic: 'Health checks',
    handling: 'handled',
    detail:
      'Podman runs health checks from systemd timers; under a service without systemd none runs and the health stays "starting". When a health is overdue, aicli runs one check through Podman\'s API as it reads it (inspect, ls). No health_status events are sent.',
  },
  {
    id: 'inspect',
    topic: 'Inspect data',
    handling: 'differs',
    detail:
      'Podman reports CapDrop as the list of its default capabilities rather than ALL (none is left: CapEff and CapBnd are 0 inside), IpcMode "shareable" whatever the container has (even "host": read the namespace from inside), NetworkMode "bridge" for a container on a named network (aicli reports the network it is on), and ulimits as RLIMIT_* (aicli reads both). aicli checks its policy on what it asks for, never on this report.',
  },
  {
    id: 'stats',
    topic: 'Stats',
    handling: 'handled',
    detail: 'A one-shot sample has no previous CPU sample and no PIDs limit: aicli samples twice for CPU % and reads the limit from the container.',
  },
  {
    id: 'copy',
    topic: 'File copy',
    handling: 'handled',
    detail: 'An archive of SRC/. has no "./" root entry: aicli extracts it the same way.',
  },
  {
    id: 'events',
    topic: 'Events',
    handling: 'differs',
    detail: 'Podman 4.3 sends no network events (create, destroy, connect, disconnect) and names die "died"; container events and resuming with since work.',
  },
  {
    id: 'images',
    topic: 'Images',
    handling: 'differs',
    detail:
      'Pull progress has each layer\'s steps but no byte counts; an image loaded without a registry is named localhost/NAME (NAME still finds it); a plain-HTTP registry on 127.0.0.1 needs insecure = true in registries.conf (Docker takes loopback registries as insecure).',
  },
  {
    id: 'networks',
    topic: 'Networks',
    handling: 'handled',
    detail: 'Names are unique (a second create answers 500, not 409); a network removed by id ignores attached containers, so aicli removes by name; Attachable is always reported false (every network can be joined).',
  },
]);

/** The differences of the engine `profile` names from Docker (none for Docker). */
export function engineDifferences(profile: EngineProfile): readonly EngineDifference[] {
  return profile.kind === 'podman' ? PODMAN_DIFFERENCES : [];
}

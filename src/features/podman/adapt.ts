/**
 * A workspace's create body as Podman needs it to hold the same hardening as on Docker.
 *
 * With a read-only root, Podman (its `--read-only-tmpfs`, on by default and not reachable
 * through the compatible API) mounts writable tmpfs on /run and /var/tmp, without noexec:
 * measured on Podman 4.3, a workspace could write and run programs there, where on Docker
 * only /tmp (noexec) is writable. A tmpfs aicli names itself takes that place, so each of
 * those gets one that is read-only, as the rest of the root is on Docker.
 */
import type { ContainerCreateBody } from '../../engine/types.js';

/** Where Podman mounts its own writable tmpfs on a read-only root (besides /tmp, which aicli sets). */
export const PODMAN_READ_ONLY_TMPFS: readonly string[] = Object.freeze(['/run', '/var/tmp', '/tmp']);

/** Read-only, empty, and nothing on it runs: what a read-only root is at that path on Docker. */
const CLOSED_TMPFS = 'ro,noexec,nosuid,nodev,size=64k';

/** The body with a closed tmpfs on each path Podman would otherwise make writable (a new object). */
export function podmanCreateBody(body: ContainerCreateBody): ContainerCreateBody {
  const host = body.HostConfig;
  if (host.ReadonlyRootfs !== true) return body;
  const taken = new Set([...Object.keys(host.Tmpfs ?? {}), ...(host.Mounts ?? []).map((m) => m.Target), ...(host.Binds ?? []).map((b) => b.split(':')[1] ?? '')]);
  const add = PODMAN_READ_ONLY_TMPFS.filter((p) => !taken.has(p));
  if (add.length === 0) return body;
  return { ...body, HostConfig: { ...host, Tmpfs: { ...host.Tmpfs, ...Object.fromEntries(add.map((p) => [p, CLOSED_TMPFS])) } } };
}

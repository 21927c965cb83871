/**
 * Health checks where nothing runs them. Docker runs a container's health check itself, every
 * interval. Podman runs it from a systemd timer it makes at start: under a service without
 * systemd (a container, WSL, `--cgroup-manager cgroupfs`, as measured here on Podman 4.3) no
 * check ever runs and the health stays `starting`. So when aicli reads a health that no check
 * has refreshed for an interval, and the engine is Podman, it runs one check through Podman's
 * own endpoint (what the timer would have run: `podman healthcheck run`), then reads again.
 * Where systemd runs the timers, the health is fresh and nothing more is sent.
 */
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { engineProfile } from '../../engine/engine-kind.js';
import { apiPath } from '../../engine/path.js';

type Json = Readonly<Record<string, unknown>>;

const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const NS_PER_MS = 1_000_000;
/** Docker's default interval and time-out, when the check sets none. */
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Slack for a check under way and for clocks that differ a little. */
const GRACE_MS = 2_000;

/**
 * Whether a running container's health is overdue: a check is defined, and none has ended
 * within an interval plus its time-out (counted from the start before the first one).
 */
export function healthOverdue(raw: Json, nowMs: number): boolean {
  const state = obj(raw['State']);
  if (state['Running'] !== true || state['Health'] === undefined || state['Health'] === null) return false;
  const check = obj(obj(raw['Config'])['Healthcheck']);
  const test = check['Test'];
  if (!Array.isArray(test) || test.length === 0 || test[0] === 'NONE') return false;
  const ms = (k: string, fallback: number): number => (typeof check[k] === 'number' && check[k] > 0 ? check[k] / NS_PER_MS : fallback);
  const log = obj(state['Health'])['Log'];
  const last = Array.isArray(log) && log.length > 0 ? obj(log[log.length - 1])['End'] : state['StartedAt'];
  const lastMs = typeof last === 'string' ? Date.parse(last) : Number.NaN;
  if (!Number.isFinite(lastMs)) return false;
  return nowMs - lastMs > ms('Interval', DEFAULT_INTERVAL_MS) + ms('Timeout', DEFAULT_TIMEOUT_MS) + GRACE_MS;
}

/**
 * Runs the container's health check once if its health is overdue and the engine is Podman;
 * true when it ran (read the container again). A refusal (it stopped meanwhile) is no error:
 * the health then stays what the engine said.
 */
export async function refreshOverdueHealth(api: EngineApi, raw: Json, options: CallOptions = {}): Promise<boolean> {
  if (!healthOverdue(raw, Date.now())) return false;
  if ((await engineProfile(api, options)).kind !== 'podman') return false;
  const id = typeof raw['Id'] === 'string' ? raw['Id'] : '';
  try {
    // Podman's own API, at its own version (4.0.0: the oldest Podman 4 and 5 serve); it
    // records the result as a timer's run would.
    await api.json({ method: 'GET', path: apiPath`/v4.0.0/libpod/containers/${id}/healthcheck`, unversioned: true, resource: 'container', ...options });
  } catch {
    return false;
  }
  return true;
}

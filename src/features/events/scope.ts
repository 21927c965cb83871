import { isDockerError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import type { EngineEvent } from '../../engine/types.js';
import { LABELS, labelFilter } from '../labels.js';

/** What the engine is asked for in the `managed` scope (one `event` filter covers both types). */
export const MANAGED_EVENT_FILTERS = Object.freeze({
  type: Object.freeze(['container', 'network']),
  event: Object.freeze([
    // containers
    'create', 'start', 'restart', 'stop', 'kill', 'die', 'oom', 'destroy', 'pause', 'unpause', 'rename', 'update', 'health_status',
    // networks
    'connect', 'disconnect', 'remove',
    // Podman filters on its own names: `died` is its `die` (it reports `remove` for `destroy`)
    'died',
  ]),
});

/**
 * Decides which events are aicli's. Container events carry the container's labels, so
 * `aicli.managed=true` is read from the event itself. Network events carry no labels
 * (only name and driver), so managed networks are known by id: listed at each
 * (re)connect and inspected when created. A network created and removed while the
 * stream was down cannot be told apart afterwards; its events are left out.
 */
export class ManagedScope {
  readonly #networks = new Set<string>();
  readonly #api: EngineApi;

  constructor(api: EngineApi) {
    this.#api = api;
  }

  /** Adds the managed networks that exist now (ids already known stay: their removal may be replayed). */
  async refresh(options: CallOptions): Promise<void> {
    const list = await this.#api.json<readonly { Id?: unknown }[] | undefined>({
      method: 'GET',
      path: apiPath`/networks`,
      query: { filters: labelFilter({ [LABELS.managed]: 'true' }) },
      ...options,
    });
    for (const n of list ?? []) if (typeof n.Id === 'string') this.#networks.add(n.Id);
  }

  async accepts(event: EngineEvent, options: CallOptions): Promise<boolean> {
    if (event.type === 'container') return event.attributes[LABELS.managed] === 'true';
    if (event.type !== 'network') return false;
    if (event.action === 'create' && !this.#networks.has(event.id) && (await this.#isManagedNetwork(event.id, options))) this.#networks.add(event.id);
    const known = this.#networks.has(event.id);
    if (known && (event.action === 'destroy' || event.action === 'remove')) this.#networks.delete(event.id);
    return known;
  }

  async #isManagedNetwork(id: string, options: CallOptions): Promise<boolean> {
    try {
      const n = await this.#api.json<{ Labels?: Record<string, string> | null } | undefined>({ method: 'GET', path: apiPath`/networks/${id}`, resource: 'network', ...options });
      return n?.Labels?.[LABELS.managed] === 'true';
    } catch (err) {
      // Gone already: removed before it could be looked at.
      if (isDockerError(err, 'NETWORK_NOT_FOUND')) return false;
      throw err;
    }
  }
}

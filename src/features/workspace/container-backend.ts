/** A workspace as one container on one engine. */
import {
  ContainerNotFoundError,
  DockerApiError,
  DockerNotFoundError,
  ImageNotFoundError,
  InvalidArgumentError,
  isNameConflict,
  NetworkNotFoundError,
  WorkspaceConflictError,
  WorkspaceNotFoundError,
} from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiPath } from '../../engine/path.js';
import { containerStart } from '../../engine/container-api.js';
import type { DockerConfig } from '../config/index.js';
import { silentLogger, type Logger } from '../../logger.js';
import type { CreateResult, RemoveOptions, StopOptions, WorkspaceBackend, WorkspaceInfo, WorkspaceSpec, WorkspaceTarget } from './backend.js';
import { findWorkspaceContainer, isWorkspaceLabels, listWorkspaceContainers, lookupWorkspaceContainer } from './find.js';
import { toWorkspaceInfo } from './info.js';
import { ensureNetwork } from '../network/index.js';
import { isPredefinedNetworkMode } from './spec.js';
import { pullForCreate, pullsMissing } from './pull.js';
import { engineProfile } from '../../engine/engine-kind.js';
import { podmanCreateBody, refreshOverdueHealth } from '../podman/index.js';
import { awaitGateway, egressInfo, gatewayRunning, GATEWAY_WAIT_MS, listGateways, prepareEgress, removeEgress, type WorkspaceEgress } from '../egress/index.js';
import { EGRESS_LABELS, LABELS, ownerGone } from '../labels.js';
import { sanitizeName } from './names.js';

/** Seconds between SIGTERM and SIGKILL on stop and restart, as `docker stop`. */
export const DEFAULT_STOP_SECONDS = 10;
/** How many containers `list` inspects at once. */
const LIST_CONCURRENCY = 8;
/** How long a create that lost the name race keeps asking while the name's container cannot be read. */
const NAME_SETTLE_MS = 10_000;

type Json = Record<string, unknown>;

function call(options: CallOptions | undefined): CallOptions {
  return { signal: options?.signal, timeoutMs: options?.timeoutMs };
}

function isMissingImage(err: DockerApiError): boolean {
  return /no such image|image not known|unable to find image/i.test(err.daemonMessage);
}

function isMissingNetwork(err: unknown): err is DockerApiError {
  return err instanceof DockerApiError && (err.statusCode === 404 || err.statusCode === 500) && /network/i.test(err.daemonMessage) && /not found|unable to find/i.test(err.daemonMessage);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The info with its egress (allowlist, gateway state), when it has an allowlist. */
function withEgress(info: WorkspaceInfo, gateways: ReadonlyMap<string, Parameters<typeof egressInfo>[2]>): WorkspaceInfo {
  const egress = egressInfo(info.name, info.labels, gateways.get(info.name));
  return egress === undefined ? info : { ...info, egress };
}

export class ContainerBackend implements WorkspaceBackend {
  readonly kind = 'container';
  readonly #api: EngineApi;
  readonly #config: DockerConfig;
  readonly #logger: Logger;

  constructor(api: EngineApi, config: DockerConfig, options: { logger?: Logger | undefined } = {}) {
    this.#api = api;
    this.#config = config;
    this.#logger = options.logger ?? silentLogger;
  }

  /**
   * Idempotent, also across processes: the container's name is a pure function of the
   * workspace id (`workspace_<id>`), and the engine reserves container names atomically,
   * so of any number of concurrent creates exactly one succeeds; every other gets a name
   * conflict (409), reads the container by that name and returns it, once its labels
   * show aicli made it for this workspace. A container of that name without those
   * labels is someone else's: it is not touched, and WorkspaceConflictError says so.
   * Nothing is looked up first, so there is no window between a look and a create.
   *
   * The aicli network is ensured after the container exists: Docker checks the image at
   * create but the network only at start, so a missing image leaves nothing behind, and
   * a workspace left half-made (its network removed) is mended by the next create.
   */
  async create(given: WorkspaceSpec, options: CallOptions = {}): Promise<CreateResult> {
    const constraints = given.constraints ?? [];
    if (constraints.length > 0) {
      throw new InvalidArgumentError(
        'placement constraint',
        `${constraints.join(', ')}: constraints place workspaces on the nodes of a Swarm cluster, and this workspace would be a container on ${this.#api.transport.endpoint.url} (orchestrator: engine). ` +
          'Leave them out, or set orchestrator: swarm (or auto) and point aicli at a Swarm manager; nothing was created.',
      );
    }
    // Podman needs a few more fields to hold the same hardening (podman/adapt.ts).
    const spec = (await engineProfile(this.#api, call(options))).kind === 'podman' ? { ...given, body: podmanCreateBody(given.body) } : given;
    const mode = spec.body.HostConfig.NetworkMode ?? '';
    const needsNetwork = mode === spec.config.networkName && !isPredefinedNetworkMode(mode);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      let id: string;
      try {
        id = await this.#createContainer(spec, needsNetwork, options);
      } catch (err) {
        if (!isNameConflict(err)) throw err;
        const existing = await this.#inspectByName(spec, options);
        if (existing !== undefined) {
          if (needsNetwork) await this.#ensureNetwork(spec, options);
          this.#logger.debug({ workspace: spec.name, container: existing.id }, 'workspace exists; returning it');
          const egress = await this.#joinEgress(spec, existing, options);
          if (egress !== undefined) return { info: existing, created: false, ...egress };
        }
        // The name is taken and nothing of ours can be read by it: removed between our create
        // and our look, or still being made by another process (the engine reserves the name
        // before the container exists: with 16 processes on Docker 20.10 under load, three
        // immediate tries all met a 409 and then a 404). A refused create made nothing, so it is
        // sent again, after a short wait, for up to NAME_SETTLE_MS.
        if (Date.now() - started >= NAME_SETTLE_MS) throw err;
        await sleep(Math.min(25 * 2 ** attempt, 250));
        continue;
      }
      if (needsNetwork) await this.#ensureNetwork(spec, options);
      const egress = await this.#makeEgress(spec, id, options);
      this.#logger.info({ workspace: spec.name, container: id, image: spec.body.Image }, 'workspace created');
      return { info: await this.#inspectId(id, spec.name, options), created: true, ...egress };
    }
  }

  // --- Egress (issue 12): the workspace's name decides who makes its network and gateway. ---

  #egressOptions(spec: WorkspaceSpec, e: WorkspaceEgress, options: CallOptions): Parameters<typeof prepareEgress>[1] {
    const ephemeral = spec.body.Labels?.[LABELS.ephemeral];
    return {
      workspaceName: spec.name,
      workspaceId: spec.id,
      allow: e.allow,
      ports: e.ports,
      image: e.image,
      hostAddresses: e.hostAddresses,
      ...(e.proxyBundle === undefined ? {} : { proxyBundle: e.proxyBundle }),
      config: spec.config,
      // The workspace's own: its caller's labels, and ephemeral (the owner is this process, as the workspace's).
      labels: { ...spec.labels, ...(ephemeral === undefined ? {} : { [LABELS.ephemeral]: ephemeral }) },
      awaitGateway: false,
      logger: this.#logger,
      ...call(options),
    };
  }

  /** The create that made the container makes the egress too; if that fails, the container goes (nothing is left). */
  async #makeEgress(spec: WorkspaceSpec, id: string, options: CallOptions): Promise<{ ready?: () => Promise<void> }> {
    if (spec.egress === undefined) return {};
    try {
      const prepared = await prepareEgress(this.#api, this.#egressOptions(spec, spec.egress, options));
      return { ready: () => prepared.ready() };
    } catch (err) {
      await this.#api.json({ method: 'DELETE', path: apiPath`/containers/${id}`, query: { force: true, v: true }, resource: 'container', ...call(options) }).catch(() => undefined);
      throw err;
    }
  }

  /**
   * A create that found the workspace: its maker makes the network and the gateway right
   * after the container, so wait until the gateway exists (then the network does, and a
   * start can follow). Mended here when its maker is gone or it never came; undefined when
   * the workspace went meanwhile (its maker failed and removed it): create anew.
   */
  async #joinEgress(spec: WorkspaceSpec, existing: WorkspaceInfo, options: CallOptions): Promise<{ ready?: () => Promise<void> } | undefined> {
    if (spec.egress === undefined || existing.labels[EGRESS_LABELS.network] === undefined) return {};
    const made = Date.parse(existing.created);
    const until = ownerGone(existing.labels) || !Number.isFinite(made) ? 0 : Math.min(Date.now(), made) + GATEWAY_WAIT_MS;
    // Set by the wait's look at the workspace (a closure the compiler does not follow).
    const seen = { gone: false };
    const stillWanted = async (): Promise<boolean> => {
      seen.gone = (await this.#inspectByName(spec, options)) === undefined;
      return !seen.gone;
    };
    const found = await awaitGateway(this.#api, spec.name, { ...call(options), until, stillWanted });
    if (seen.gone) return undefined;
    if (found === undefined) {
      this.#logger.warn({ workspace: spec.name }, 'workspace without its egress gateway; making it');
      const prepared = await prepareEgress(this.#api, this.#egressOptions(spec, spec.egress, options));
      return { ready: () => prepared.ready() };
    }
    return { ready: () => gatewayRunning(this.#api, spec.name, { ...call(options), until: Date.now() + GATEWAY_WAIT_MS }) };
  }

  async #ensureNetwork(spec: WorkspaceSpec, options: CallOptions): Promise<void> {
    await ensureNetwork(this.#api, spec.config, { labels: spec.labels, ...call(options) });
  }

  async #createContainer(spec: WorkspaceSpec, needsNetwork: boolean, options: CallOptions): Promise<string> {
    const send = (): Promise<{ Id: string }> =>
      this.#api.json<{ Id: string }>({ method: 'POST', path: apiPath`/containers/create`, query: { name: spec.containerName }, json: spec.body, ...call(options) });
    // A refused create made nothing, so each of these mends its cause once and sends it again.
    let pulled = false;
    let networked = false;
    for (;;) {
      try {
        return (await send()).Id;
      } catch (err) {
        const missingImage = err instanceof DockerNotFoundError && isMissingImage(err);
        // As `docker run` does: the image is pulled on this engine, which will run it.
        if (missingImage && !pulled && pullsMissing(spec.pull)) {
          await pullForCreate(this.#api, spec.body.Image, spec.pull, options.signal, this.#logger);
          pulled = true;
          continue;
        }
        // Podman checks the network at create (Docker only at start).
        if (needsNetwork && isMissingNetwork(err)) {
          if (networked) throw new NetworkNotFoundError({ method: err.method, path: err.path, endpoint: err.endpoint }, err.daemonMessage);
          await this.#ensureNetwork(spec, options);
          networked = true;
          continue;
        }
        if (missingImage) {
          const image = spec.body.Image;
          throw new ImageNotFoundError(
            { method: err.method, path: err.path, endpoint: err.endpoint },
            `image "${image}" is not on this engine (${err.daemonMessage}). ` +
              `${pulled ? 'It was pulled, yet the engine does not find it: check the name (and the platform)' : `Get it with \`docker pull ${image}\` (or \`docker load\` / \`docker build -t ${image}\`), or let aicli pull it (--pull missing, the default)`}, ` +
              'or choose another with --image or default_image; nothing was created.',
          );
        }
        throw err;
      }
    }
  }

  /** The container named for the workspace, if it is ours; WorkspaceConflictError if it is not; undefined if gone. */
  async #inspectByName(spec: WorkspaceSpec, options: CallOptions): Promise<WorkspaceInfo | undefined> {
    let raw: Json;
    try {
      raw = await this.#api.json<Json>({ method: 'GET', path: apiPath`/containers/${spec.containerName}/json`, resource: 'container', ...call(options) });
    } catch (err) {
      if (err instanceof ContainerNotFoundError) return undefined;
      throw err;
    }
    const labels = (raw['Config'] as { Labels?: Record<string, string> | null } | undefined)?.Labels;
    if (!isWorkspaceLabels(labels, spec.id)) {
      throw new WorkspaceConflictError(spec.name, spec.containerName, typeof raw['Id'] === 'string' ? raw['Id'] : '', this.#api.transport.endpoint.url);
    }
    return toWorkspaceInfo(raw, this.kind);
  }

  async #inspectId(id: string, name: string, options: CallOptions): Promise<WorkspaceInfo> {
    const read = (): Promise<Json> => this.#api.json<Json>({ method: 'GET', path: apiPath`/containers/${id}/json`, resource: 'container', ...call(options) });
    try {
      const raw = await read();
      // A health no check has refreshed (Podman without systemd timers): one check, then the result.
      return toWorkspaceInfo((await refreshOverdueHealth(this.#api, raw, call(options))) ? await read() : raw, this.kind);
    } catch (err) {
      if (err instanceof ContainerNotFoundError) throw new WorkspaceNotFoundError(name, this.#api.transport.endpoint.url);
      throw err;
    }
  }

  async start(name: string, options: CallOptions = {}): Promise<void> {
    const ref = await findWorkspaceContainer(this.#api, name, call(options));
    await containerStart(this.#api, ref.id, call(options));
    this.#logger.info({ workspace: ref.workspace, container: ref.id }, 'workspace started');
  }

  #graceCall(options: StopOptions): { query: { t: number }; signal: AbortSignal | undefined; timeoutMs: number } {
    const seconds = options.timeoutSeconds ?? DEFAULT_STOP_SECONDS;
    // The engine waits `t` seconds before it kills: the request may take that long and more.
    return { query: { t: seconds }, signal: options.signal, timeoutMs: (options.timeoutMs ?? this.#config.timeoutMs) + seconds * 1000 };
  }

  async stop(name: string, options: StopOptions = {}): Promise<void> {
    const ref = await findWorkspaceContainer(this.#api, name, call(options));
    await this.#api.json({ method: 'POST', path: apiPath`/containers/${ref.id}/stop`, resource: 'container', ...this.#graceCall(options) });
    this.#logger.info({ workspace: ref.workspace, container: ref.id }, 'workspace stopped');
  }

  async restart(name: string, options: StopOptions = {}): Promise<void> {
    const ref = await findWorkspaceContainer(this.#api, name, call(options));
    await this.#api.json({ method: 'POST', path: apiPath`/containers/${ref.id}/restart`, resource: 'container', ...this.#graceCall(options) });
    this.#logger.info({ workspace: ref.workspace, container: ref.id }, 'workspace restarted');
  }

  async remove(name: string, options: RemoveOptions = {}): Promise<boolean> {
    const ref = await lookupWorkspaceContainer(this.#api, name, call(options));
    if (ref === undefined) {
      // A workspace whose create failed half-way may have left its egress gateway and network.
      const left = await removeEgress(this.#api, { workspaceName: sanitizeName(name), ...call(options) });
      return left.gateway || left.network;
    }
    try {
      // force: a running workspace is killed first; v: its anonymous volumes go with it (unless keepData).
      const v = options.keepData !== true;
      await this.#api.json({ method: 'DELETE', path: apiPath`/containers/${ref.id}`, query: { force: true, v }, resource: 'container', ...call(options) });
    } catch (err) {
      // Removed meanwhile by someone else: the outcome asked for.
      if (err instanceof ContainerNotFoundError) return false;
      throw err;
    }
    // Its gateway and network go with it (after it: the network cannot go while it is on it).
    if (ref.labels[EGRESS_LABELS.network] !== undefined) await removeEgress(this.#api, { workspaceName: ref.workspace, ...call(options) });
    this.#logger.info({ workspace: ref.workspace, container: ref.id }, 'workspace removed');
    return true;
  }

  async inspect(name: string, options: CallOptions = {}): Promise<WorkspaceInfo> {
    const ref = await findWorkspaceContainer(this.#api, name, call(options));
    const info = await this.#inspectId(ref.id, ref.workspace, options);
    if (info.labels[EGRESS_LABELS.network] === undefined) return info;
    return withEgress(info, await listGateways(this.#api, { ...call(options), workspaceName: info.name }));
  }

  /** The workspace's container on this engine, by name (the library's messages then name it readably). */
  async locate(name: string, options: CallOptions = {}): Promise<WorkspaceTarget> {
    const ref = await findWorkspaceContainer(this.#api, name, call(options));
    return { api: this.#api, container: ref.containerName === '' ? ref.id : ref.containerName, workspace: ref.workspace };
  }

  /** Holds nothing of its own (the client's connection is the caller's). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  async list(options: CallOptions = {}): Promise<WorkspaceInfo[]> {
    // Every gateway in one call, beside the list: not one call per workspace.
    const [refs, gateways] = await Promise.all([listWorkspaceContainers(this.#api, call(options)), listGateways(this.#api, call(options))]);
    const infos = await mapLimit(refs, LIST_CONCURRENCY, async (ref) => {
      try {
        return withEgress(await this.#inspectId(ref.id, ref.workspace, options), gateways);
      } catch (err) {
        // Removed between the list and its inspect: it is simply no longer there.
        if (err instanceof WorkspaceNotFoundError) return undefined;
        throw err;
      }
    });
    return infos.filter((i): i is WorkspaceInfo => i !== undefined).sort((a, b) => a.name.localeCompare(b.name) || a.created.localeCompare(b.created));
  }
}

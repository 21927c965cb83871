/**
 * Exec, logs, archives and stats of a Swarm workspace go to the engine of the node that runs
 * it: the manager cannot do them for another node. Swarm knows a node's IP, not its engine
 * endpoint, so the endpoint comes from the configuration (`swarm_node_endpoints`, by node
 * hostname) or from the node label `aicli.engine`; the configuration wins (it is this
 * machine's own view, e.g. an ssh:// route where the label names a tcp:// one).
 */
import { NodeEndpointUnknownError } from '../../errors.js';
import type { SwarmNode } from '../../engine/swarm.js';
import type { Logger } from '../../logger.js';
import { silentLogger } from '../../logger.js';
import type { DockerClient } from '../docker-client.js';
import { LABELS } from '../labels.js';
import { hostnameOf } from './snapshot.js';

/** The node label (`docker node update --label-add aicli.engine=URL NODE`) or engine label (`dockerd --label`) naming a node's endpoint. */
export const ENGINE_LABEL = LABELS.engine;

export interface NodeEndpoint {
  readonly url: string;
  readonly source: 'configuration' | 'label';
}

/** The engine endpoint of `node`, or undefined when neither way names one. */
export function nodeEndpoint(node: SwarmNode, mapping: Readonly<Record<string, string>>): NodeEndpoint | undefined {
  const host = hostnameOf(node);
  const mapped = host === null ? undefined : mapping[host];
  if (mapped !== undefined && mapped !== '') return { url: mapped, source: 'configuration' };
  const label = node.Spec.Labels?.[ENGINE_LABEL] ?? node.Description?.Engine?.Labels?.[ENGINE_LABEL];
  if (label !== undefined && label !== '') return { url: label, source: 'label' };
  return undefined;
}

/** Connected clients to node engines, one per endpoint, opened on first use and closed together. */
export class NodeEngines implements AsyncDisposable {
  readonly #connect: (host: string) => Promise<DockerClient>;
  readonly #mapping: () => Readonly<Record<string, string>>;
  readonly #logger: Logger;
  readonly #clients = new Map<string, Promise<DockerClient>>();
  #closed = false;

  constructor(connect: (host: string) => Promise<DockerClient>, mapping: () => Readonly<Record<string, string>>, logger: Logger = silentLogger) {
    this.#connect = connect;
    this.#mapping = mapping;
    this.#logger = logger;
  }

  /** The endpoint of `node`, or NodeEndpointUnknownError naming the node and both ways to set one. */
  endpointOf(node: SwarmNode, purpose: string): NodeEndpoint {
    const endpoint = nodeEndpoint(node, this.#mapping());
    if (endpoint === undefined) throw new NodeEndpointUnknownError(hostnameOf(node) ?? node.ID, node.ID, purpose);
    return endpoint;
  }

  /** A connected client for `node`'s engine (cached; a failed connect is not cached). */
  async clientFor(node: SwarmNode, purpose: string): Promise<DockerClient> {
    if (this.#closed) throw new Error('NodeEngines is closed');
    const { url, source } = this.endpointOf(node, purpose);
    let pending = this.#clients.get(url);
    if (pending === undefined) {
      this.#logger.debug({ node: hostnameOf(node), endpoint: url, source }, 'connecting to a swarm node engine');
      pending = this.#connect(url);
      this.#clients.set(url, pending);
      pending.catch(() => {
        if (this.#clients.get(url) === pending) this.#clients.delete(url);
      });
    }
    return pending;
  }

  /** Forgets (and closes) the client of an endpoint that stopped answering, so the next use reconnects. */
  async forget(url: string): Promise<void> {
    const pending = this.#clients.get(url);
    this.#clients.delete(url);
    await pending?.then((c) => c.close(), () => undefined);
  }

  /** Closes every client. Safe twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const all = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close(), () => undefined)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

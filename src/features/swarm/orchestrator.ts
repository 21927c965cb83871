/**
 * Which way workspaces run: containers on the engine, or services on its Swarm cluster. Chosen
 * once per connection (`orchestrator: engine | swarm | auto`) by workspaceBackend() in the
 * workspace feature; everything after that talks to one WorkspaceBackend, never to `if`
 * branches spread through the code.
 */
import type { CallOptions } from '../../engine/engine-api.js';
import { swarmMembership } from '../../engine/swarm.js';
import type { SystemInfo } from '../../engine/types.js';
import type { Orchestrator, ValueSource } from '../config/index.js';
import { notSwarmManager } from '../podman/capabilities.js';
import type { WorkspaceClient } from '../workspace/backend.js';

/** What choosing needs of a client (DockerClient has it). */
export type OrchestratorHost = Pick<WorkspaceClient, 'api' | 'config' | 'endpoint'>;

export interface OrchestratorChoice {
  readonly mode: 'engine' | 'swarm';
  /** The engine's /info, when it was read (always for `swarm`). */
  readonly info?: SystemInfo;
}

export interface OrchestratorOptions extends CallOptions {
  /** Default: the host's configuration. */
  readonly orchestrator?: Orchestrator;
  /** Where `orchestrator` was set, for the not-a-manager message (`AICLI_DOCKER_ORCHESTRATOR`). */
  readonly source?: string;
}

/** How messages name where `orchestrator` was set. */
export function orchestratorSource(source: ValueSource | undefined): string {
  if (source === undefined) return 'orchestrator: swarm';
  return source.layer === 'default' ? 'orchestrator (default)' : `orchestrator in ${source.name}`;
}

/**
 * `engine` or `swarm` for `host`, with the /info it read. `engine` costs no call; `swarm`
 * and `auto` one /info. `swarm` on an engine that is not a manager throws
 * NotSwarmManagerError (EngineUnsupportedError on Podman); `auto` then falls back to `engine`.
 */
export async function chooseOrchestrator(host: OrchestratorHost, options: OrchestratorOptions = {}): Promise<OrchestratorChoice> {
  const wanted = options.orchestrator ?? host.config.orchestrator;
  if (wanted === 'engine') return { mode: 'engine' };
  const info = await host.api.info({ signal: options.signal, timeoutMs: options.timeoutMs });
  const m = swarmMembership(info.raw);
  if (m.manager) return { mode: 'swarm', info };
  if (wanted === 'auto') return { mode: 'engine', info };
  const state = m.state === 'active' ? 'active, as a worker: only managers can run services' : m.state;
  // Podman: refused naming it, for it has no Swarm at all (issue 14).
  throw notSwarmManager(info.raw, host.endpoint.url, state, options.source ?? 'orchestrator: swarm');
}

/** `engine` or `swarm` for `host` (see chooseOrchestrator). */
export async function resolveOrchestrator(host: OrchestratorHost, options: OrchestratorOptions = {}): Promise<'engine' | 'swarm'> {
  return (await chooseOrchestrator(host, options)).mode;
}

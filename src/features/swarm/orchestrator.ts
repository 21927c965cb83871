/**
 * Which way workspaces run: containers on the engine, or services on its Swarm cluster. Chosen
 * once per connection (`orchestrator: engine | swarm | auto`); the caller then uses one
 * WorkspaceBackend, never `if` branches spread through the code.
 */
import type { CallOptions } from '../../engine/engine-api.js';
import { swarmMembership } from '../../engine/swarm.js';
import type { Orchestrator } from '../config/index.js';
import type { DockerClient } from '../docker-client.js';
import { notSwarmManager } from '../podman/capabilities.js';

/**
 * `engine` or `swarm` for `client` (from its configuration unless given). `engine` costs no
 * call; `swarm` and `auto` one /info. `swarm` on an engine that is not a manager throws
 * NotSwarmManagerError (EngineUnsupportedError on Podman); `auto` then falls back to `engine`.
 */
export async function resolveOrchestrator(
  client: DockerClient,
  options: CallOptions & { orchestrator?: Orchestrator; source?: string } = {},
): Promise<'engine' | 'swarm'> {
  const wanted = options.orchestrator ?? client.config.orchestrator;
  if (wanted === 'engine') return 'engine';
  const info = await client.api.info({ signal: options.signal, timeoutMs: options.timeoutMs });
  const m = swarmMembership(info.raw);
  if (m.manager) return 'swarm';
  if (wanted === 'auto') return 'engine';
  const state = m.state === 'active' ? 'active, as a worker: only managers can run services' : m.state;
  // Podman: refused naming it, for it has no Swarm at all (issue 14).
  throw notSwarmManager(info.raw, client.endpoint.url, state, options.source ?? 'orchestrator: swarm');
}

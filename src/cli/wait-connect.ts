import { isDockerError, type DockerClient, type LoadedConfig } from '../index.js';
import type { CommandContext } from './command.js';
import { connectCli } from './connect.js';
import { pause } from './interrupt.js';

async function pauseUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  await pause(ms, signal);
  return signal.aborted;
}

/** The engine is not there (yet): worth trying again. Anything else (TLS, API version, configuration) is not. */
export function engineAway(err: unknown): boolean {
  return isDockerError(err, 'DOCKER_NOT_AVAILABLE') || isDockerError(err, 'DOCKER_TIMEOUT') || isDockerError(err, 'DOCKER_CONNECTION_LOST');
}

/**
 * Connects, and while the engine is away keeps trying every `everyMs`, telling
 * `onFailure` each time: `monitor` and `events` never exit because the engine is gone,
 * not even at start. Undefined when `signal` aborts first. Read-only: never creates the network.
 */
export async function connectWhenUp(
  ctx: CommandContext,
  loaded: LoadedConfig,
  options: { readonly signal: AbortSignal; readonly everyMs: number; readonly pingTimeoutMs: number },
  onFailure: (error: Error, attemptMs: number) => void,
): Promise<DockerClient | undefined> {
  for (;;) {
    const started = performance.now();
    try {
      return await connectCli(ctx, { extra: { ensureNetwork: false, pingTimeoutMs: options.pingTimeoutMs, signal: options.signal }, loaded });
    } catch (err) {
      if (options.signal.aborted) return undefined;
      if (!engineAway(err)) throw err;
      onFailure(err as Error, performance.now() - started);
    }
    const waitMs = Math.max(0, started + options.everyMs - performance.now());
    // pause() resolves early on abort; the loop's catch sees the aborted signal next.
    if (await pauseUnlessAborted(waitMs, options.signal)) return undefined;
  }
}

/**
 * How a workspace gets an image its engine does not have (issue 10's pull, used by create).
 * The container backend pulls on the engine that refused the create; a Swarm backend leaves
 * it to its nodes, which pull for themselves.
 */
import type { Logger } from '../../logger.js';
import type { EngineApi } from '../../engine/engine-api.js';
import { pullImage, type PullOptions } from '../images/pull.js';

/** The pull policies, as `--pull` takes them (those of `docker run --pull` that make sense here). */
export const PULL_POLICIES: readonly string[] = Object.freeze(['missing', 'never']);

export interface WorkspacePullOptions extends Pick<PullOptions, 'auth' | 'credentials' | 'platform' | 'onProgress' | 'onMessage'> {
  /**
   * `missing` (the default, as `docker run --pull missing`): the engine's own image when it has
   * one, else a pull, with registry credentials as the docker CLI keeps them; `never`: a
   * missing image is an ImageNotFoundError.
   */
  readonly policy?: 'missing' | 'never' | undefined;
  /** Called once, when a pull begins (the CLI says so before the progress). */
  readonly onPull?: ((image: string) => void) | undefined;
}

/** Whether a create refused for want of `image` should pull it and try again. */
export function pullsMissing(pull: WorkspacePullOptions | undefined): boolean {
  return pull?.policy !== 'never';
}

/** Pulls `image` for a create, with the caller's progress callbacks and credentials. */
export async function pullForCreate(api: EngineApi, image: string, pull: WorkspacePullOptions | undefined, signal: AbortSignal | undefined, logger: Logger): Promise<void> {
  const p = pull ?? {};
  logger.info({ image }, 'image not on the engine: pulling it');
  p.onPull?.(image);
  await pullImage(api, image, {
    ...(p.auth === undefined ? {} : { auth: p.auth }),
    ...(p.credentials === undefined ? {} : { credentials: p.credentials }),
    ...(p.platform === undefined ? {} : { platform: p.platform }),
    ...(p.onProgress === undefined ? {} : { onProgress: p.onProgress }),
    ...(p.onMessage === undefined ? {} : { onMessage: p.onMessage }),
    ...(signal === undefined ? {} : { signal }),
    logger,
  });
}

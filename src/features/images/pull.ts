// Getting an image: use the local one, else pull it with progress per layer. The engine
// answers a pull with 200 at once and reports failure later, inside the stream: every
// message is checked, and the pull fails with the engine's own words and what to do.
import { DockerApiError, ImagePullError, isDockerError } from '../../errors.js';
import type { EngineApi } from '../../engine/engine-api.js';
import { imageInspect, imagePull, type ImageDetails, type RegistryAuth } from '../../engine/image-api.js';
import { jsonMessages, messageError, type JsonMessage } from '../../engine/json-messages.js';
import { silentLogger, type Logger } from '../../logger.js';
import { registryCredentials, type CredentialSource } from './credentials.js';
import { PullProgress, type ProgressEvent } from './progress.js';
import { parseImageRef, type ImageRef } from './reference.js';

export interface PullOptions {
  /** Credentials to send; default: the docker CLI's for that registry (see credentials.ts); null: none. */
  readonly auth?: RegistryAuth | null;
  /** Where the docker CLI's credentials are read from (env, home folder). */
  readonly credentials?: CredentialSource;
  /** e.g. `linux/amd64`; default: the engine's. */
  readonly platform?: string;
  /** Each change of a layer or of the image's status (for bars or lines). */
  readonly onProgress?: (event: ProgressEvent, progress: PullProgress) => void;
  /** Each engine message as it came (for JSON lines). */
  readonly onMessage?: (message: JsonMessage) => void;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

export interface PullResult {
  /** The reference as pulled (`name:tag` or `name@digest`). */
  readonly image: string;
  readonly id: string;
  /** False when the image was already there (ensureImage) . */
  readonly pulled: boolean;
  readonly details: ImageDetails;
}

function hint(message: string, ref: ImageRef, sentAuth: boolean): string {
  if (/manifest unknown|manifest for .* not found|not found: manifest|repository .* not found|does not exist|name unknown/i.test(message)) {
    return `${ref.full} does not exist in ${ref.registry}: check the name and the tag.`;
  }
  if (/unauthorized|authentication required|no basic auth credentials|access.*denied|denied:|incorrect username or password/i.test(message)) {
    return sentAuth
      ? `${ref.registry} refused the credentials found for it: log in again with \`docker login ${ref.registry}\` (aicli reads the docker CLI's credentials).`
      : `${ref.registry} wants credentials and none were found: log in with \`docker login ${ref.registry}\` (aicli reads the docker CLI's credentials).`;
  }
  if (/server gave HTTP response to HTTPS client/i.test(message)) {
    return (
      `${ref.registry} speaks plain HTTP and the engine wants HTTPS: add it to the engine's insecure registries ` +
      `(Docker: "insecure-registries" in daemon.json, loopback ones are insecure by default; Podman: [[registry]] location="${ref.registry}" insecure=true in registries.conf).`
    );
  }
  if (/connection refused|no such host|i\/o timeout|dial tcp/i.test(message)) return `The engine cannot reach ${ref.registry}: check that the registry is up and reachable from the engine's host.`;
  return 'Check the image name, and that the engine can reach the registry.';
}

/** Pulls `ref`, reporting progress; fails with ImagePullError when the engine reports an error. */
export async function pullImage(api: EngineApi, image: string, options: PullOptions = {}): Promise<PullResult> {
  const ref = parseImageRef(image);
  const logger = options.logger ?? silentLogger;
  const auth = options.auth === null ? undefined : (options.auth ?? (await registryCredentials(ref.registry, options.credentials)));
  logger.debug({ image: ref.full, registry: ref.registry, credentials: auth !== undefined }, 'pulling image');
  const progress = new PullProgress();
  const call = { signal: options.signal };
  let stream;
  try {
    stream = await imagePull(api, { image: ref.name, tag: ref.tag, platform: options.platform }, auth, call);
  } catch (err) {
    // Some failures come before the stream starts, as an HTTP error.
    if (err instanceof DockerApiError && err.code !== 'DOCKER_CONFLICT') throw new ImagePullError(ref.full, err.daemonMessage, hint(err.daemonMessage, ref, auth !== undefined), { cause: err });
    throw err;
  }
  try {
    for await (const m of jsonMessages(stream.body)) {
      options.onMessage?.(m);
      const failed = messageError(m);
      if (failed !== undefined) throw new ImagePullError(ref.full, failed, hint(failed, ref, auth !== undefined));
      const event = progress.apply(m);
      if (event !== undefined) options.onProgress?.(event, progress);
    }
  } finally {
    stream.body.destroy();
  }
  let details: ImageDetails;
  try {
    details = await imageInspect(api, ref.full, call);
  } catch (err) {
    if (isDockerError(err, 'IMAGE_NOT_FOUND')) throw new ImagePullError(ref.full, 'the engine reported no error, but the image is not there afterwards', 'Pull again; check the engine logs.', { cause: err });
    throw err;
  }
  logger.info({ image: ref.full, id: details.id }, 'image pulled');
  return { image: ref.full, id: details.id, pulled: true, details };
}

/** The local image if the engine has it, else a pull (with progress, as pullImage). */
export async function ensureImage(api: EngineApi, image: string, options: PullOptions = {}): Promise<PullResult> {
  const ref = parseImageRef(image);
  try {
    const details = await imageInspect(api, ref.full, { signal: options.signal });
    return { image: ref.full, id: details.id, pulled: false, details };
  } catch (err) {
    if (!isDockerError(err, 'IMAGE_NOT_FOUND')) throw err;
  }
  return pullImage(api, image, options);
}

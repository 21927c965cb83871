// Image references as the docker CLI reads them: `busybox` is docker.io/library/busybox:latest,
// `127.0.0.1:5000/team/app:1.2` names its registry, `app@sha256:…` a digest.
import { InvalidArgumentError } from '../../errors.js';

export interface ImageRef {
  /** What was given. */
  readonly given: string;
  /** The registry host (`docker.io` for Docker Hub). */
  readonly registry: string;
  /** The name without tag or digest, as the pull call takes it (`fromImage`). */
  readonly name: string;
  /** A tag (default `latest`) or a digest (`sha256:…`). */
  readonly tag: string;
  /** `name:tag` or `name@digest`. */
  readonly full: string;
}

export const DOCKER_HUB = 'docker.io';
/** The key under which the docker CLI keeps Docker Hub credentials. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

const NAME_PART = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;

export function parseImageRef(ref: string): ImageRef {
  const bad = (why: string): InvalidArgumentError => new InvalidArgumentError('image', `${JSON.stringify(ref)} ${why}; expected NAME[:TAG] or NAME@DIGEST, e.g. busybox:1.36 or 127.0.0.1:5000/team/app:1.2`);
  if (ref === '' || ref !== ref.trim()) throw bad('is empty or has spaces');
  let rest = ref;
  let tag = 'latest';
  let sep = ':';
  const at = rest.indexOf('@');
  if (at >= 0) {
    tag = rest.slice(at + 1);
    rest = rest.slice(0, at);
    sep = '@';
    if (!DIGEST.test(tag)) throw bad('has a malformed digest');
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
      if (!TAG.test(tag)) throw bad('has a malformed tag');
    }
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : DOCKER_HUB;
  const path = hasRegistry ? parts.slice(1) : parts;
  if (path.length === 0 || !path.every((p) => NAME_PART.test(p))) throw bad('has a malformed name (lower case letters, digits and . _ - only)');
  if (hasRegistry && !/^[a-zA-Z0-9.-]+(?::\d+)?$|^\[[0-9a-fA-F:]+\](?::\d+)?$/.test(first)) throw bad('has a malformed registry host');
  return { given: ref, registry, name: rest, tag, full: `${rest}${sep}${tag}` };
}

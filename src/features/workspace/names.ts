/**
 * Workspace names, ids, labels and the engine names derived from them.
 *
 * A workspace's id is its sanitized name: one string that is at once a valid container
 * name suffix, image tag, host name (a DNS label) and label value. The container name is
 * a pure function of it (`workspace_<id>`), which is what makes create idempotent (see
 * container-backend.ts).
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../../errors.js';
import { LABELS, rfc3339, type LabelSet } from '../labels.js';

/** A DNS label's length: the id is also the container's host name. */
export const WORKSPACE_NAME_MAX = 63;
/** Hex digits of the hash that keeps distinct long names distinct after truncation. */
const HASH_LENGTH = 8;
const VALID = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export const CONTAINER_NAME_PREFIX = 'workspace_';
export const IMAGE_REPOSITORY = 'aicli-workspace';

const typeOf = (value: unknown): string => (value === null ? 'null' : typeof value);

function quoteName(input: string): string {
  const text = JSON.stringify(input);
  return text.length > 80 ? `${text.slice(0, 77)}..."` : text;
}

/** Lower case, accents folded, runs of anything else to one `-`, no `-` at either end. */
function fold(input: string): string {
  return input
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/[^a-z0-9-]+/g, '')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * A name made to fit Docker's rules and a DNS label: lower case; spaces and underscores
 * become `-`; only `a-z`, `0-9` and `-` kept (accented letters lose their accents); runs of
 * `-` collapsed; starts and ends with a letter or digit; at most 63 characters. A longer
 * name keeps its first characters and ends with `-` and 8 hex digits of a SHA-256 of the
 * whole folded name, so distinct long names stay distinct and the same input always gives
 * the same result. sanitizeName(sanitizeName(x)) === sanitizeName(x).
 *
 * Throws InvalidArgumentError when nothing is left (an empty name, only symbols).
 */
export function sanitizeName(name: string, what = 'workspace name'): string {
  if (typeof name !== 'string') throw new InvalidArgumentError(what, `expected a string, found ${typeOf(name)}`);
  const folded = fold(name);
  if (folded === '') {
    throw new InvalidArgumentError(
      what,
      `${quoteName(name)} has no letter or digit to make a name from; use letters a-z, digits and "-", e.g. "my-project"`,
    );
  }
  if (folded.length <= WORKSPACE_NAME_MAX) return folded;
  const hash = createHash('sha256').update(folded).digest('hex').slice(0, HASH_LENGTH);
  const head = folded.slice(0, WORKSPACE_NAME_MAX - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/** Whether `value` is already a sanitized name (what ids and the names in labels must be). */
export function isSanitizedName(value: string): boolean {
  return typeof value === 'string' && value.length <= WORKSPACE_NAME_MAX && VALID.test(value) && !value.includes('--');
}

/** Checks an id or a name that reaches a container name or a label: it must be sanitized already. */
export function checkSanitized(value: string, what: string): string {
  if (isSanitizedName(value)) return value;
  if (typeof value !== 'string') throw new InvalidArgumentError(what, `expected a string, found ${typeOf(value)}`);
  let suggestion = '';
  try {
    suggestion = `; sanitizeName gives "${sanitizeName(value, what)}"`;
  } catch {
    // Nothing usable in it: the message below says what is expected.
  }
  throw new InvalidArgumentError(
    what,
    `${quoteName(value)} is not a valid name; expected 1 to ${WORKSPACE_NAME_MAX} of a-z, 0-9 and "-", starting and ending with a letter or digit${suggestion}`,
  );
}

/**
 * The labels of a workspace: `aicli.managed=true`, `aicli.workspace.id`,
 * `aicli.workspace.name` and `aicli.created` (RFC 3339). Both must be sanitized names.
 */
export function workspaceLabels(id: string, name: string, now: Date = new Date()): LabelSet {
  return {
    [LABELS.managed]: 'true',
    [LABELS.workspaceId]: checkSanitized(id, 'workspace id'),
    [LABELS.workspaceName]: checkSanitized(name, 'workspace name'),
    [LABELS.created]: rfc3339(now),
  };
}

/** `aicli-workspace:<id>`: the image a workspace's own build would be tagged with. */
export function generateImageTag(id: string): string {
  return `${IMAGE_REPOSITORY}:${checkSanitized(id, 'workspace id')}`;
}

/** `workspace_<id>`: the container's name. The engine keeps names unique, atomically. */
export function generateContainerName(id: string): string {
  return `${CONTAINER_NAME_PREFIX}${checkSanitized(id, 'workspace id')}`;
}

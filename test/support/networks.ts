// Helpers for the network tests: unique names, raw look-ups that do not go through the
// library under test, a busybox container to attach, and clean-up.
import { randomBytes } from 'node:crypto';
import { defaultConfig, type DockerConfig } from '../../src/index.js';
import { ensureBusyboxImage, rawRequest, TEST_LABEL, TEST_ULIMITS } from './engines.js';

export const TEST_LABELS = Object.freeze({ [TEST_LABEL]: 'true' });

/** A name no other test (or a second Node version running the suite) uses. */
export function uniqueName(what: string): string {
  return `aicli-test-${what}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function configFor(name: string, more: Partial<DockerConfig> = {}): DockerConfig {
  return { ...defaultConfig(), networkName: name, ...more };
}

export interface RawNetwork {
  Id: string;
  Name: string;
  Created: string;
  Scope: string;
  Driver: string;
  Internal: boolean;
  Attachable: boolean;
  EnableIPv6: boolean;
  IPAM: { Config: { Subnet?: string; Gateway?: string }[] | null };
  Labels: Record<string, string> | null;
  Containers?: Record<string, { Name: string }>;
}

function json(res: { status: number; body: Buffer }, what: string): unknown {
  if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${res.body.toString()}`);
  return JSON.parse(res.body.toString());
}

/** Every network named exactly `name`, straight from the engine's list. */
export async function rawNetworksNamed(host: string, name: string): Promise<RawNetwork[]> {
  const q = encodeURIComponent(JSON.stringify({ name: [name] }));
  const list = json(await rawRequest(host, 'GET', `/networks?filters=${q}`), 'list networks') as RawNetwork[];
  return list.filter((n) => n.Name === name);
}

export async function rawInspect(host: string, id: string): Promise<RawNetwork> {
  return json(await rawRequest(host, 'GET', `/networks/${id}`), `inspect ${id}`) as RawNetwork;
}

/** Creates a network without the library (Docker 20.10 takes CheckDuplicate: false and makes a duplicate). */
export async function rawCreate(host: string, body: Record<string, unknown>): Promise<string> {
  return (json(await rawRequest(host, 'POST', '/networks/create', JSON.stringify(body)), `create ${String(body['Name'])}`) as { Id: string }).Id;
}

/** Removes every network named `name` (and, first, the test containers on them). Never throws. */
export async function rawRemoveAll(host: string, name: string): Promise<void> {
  try {
    for (const n of await rawNetworksNamed(host, name)) {
      const full = await rawInspect(host, n.Id).catch(() => undefined);
      for (const id of Object.keys(full?.Containers ?? {})) await rawRequest(host, 'DELETE', `/containers/${id}?force=true&v=1`);
      await rawRequest(host, 'DELETE', `/networks/${n.Id}`);
    }
  } catch {
    // Clean-up is best effort here; the leak check at the end of the suite has the last word.
  }
}

/** A running busybox container (`sleep`) attached to `network`, labelled as a test object. */
export async function startAttached(host: string, network: string): Promise<{ id: string; name: string }> {
  const image = await ensureBusyboxImage(host);
  const name = uniqueName('ctr');
  const created = json(
    await rawRequest(host, 'POST', `/containers/create?name=${name}`, JSON.stringify({ Image: image, Cmd: ['sleep', '600'], Labels: TEST_LABELS, HostConfig: { NetworkMode: network, Ulimits: TEST_ULIMITS } })),
    'create container',
  ) as { Id: string };
  const started = await rawRequest(host, 'POST', `/containers/${created.Id}/start`);
  if (started.status !== 204) {
    await removeContainer(host, created.Id);
    throw new Error(`start container: HTTP ${started.status} ${started.body.toString()}`);
  }
  return { id: created.Id, name };
}

export async function removeContainer(host: string, id: string): Promise<void> {
  await rawRequest(host, 'DELETE', `/containers/${id}?force=true&v=1`);
}

/**
 * A running container attached to the network with this id, for a name Docker 20.10 finds
 * ambiguous (duplicates): it starts on a network of its own, then is connected by id.
 */
export async function startAttachedById(host: string, networkId: string): Promise<{ id: string; name: string; remove: () => Promise<void> }> {
  const aux = uniqueName('aux');
  await rawCreate(host, { Name: aux, Labels: TEST_LABELS });
  const ctr = await startAttached(host, aux).catch(async (err: unknown) => {
    await rawRemoveAll(host, aux);
    throw err;
  });
  const remove = async (): Promise<void> => {
    await removeContainer(host, ctr.id);
    await rawRemoveAll(host, aux);
  };
  const connected = await rawRequest(host, 'POST', `/networks/${networkId}/connect`, JSON.stringify({ Container: ctr.id }));
  if (connected.status !== 200) {
    await remove();
    throw new Error(`connect: HTTP ${connected.status} ${connected.body.toString()}`);
  }
  return { ...ctr, remove };
}

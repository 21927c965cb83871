// Helpers for the "inside a workspace" tests (issue 10): test containers made with raw API
// calls (not through the library under test) until workspace create (issue 9) lands.
import { randomBytes } from 'node:crypto';
import { workspaceEngines } from './workspaces.js';
import { loadTestEngines, rawRequest, ensureBusyboxImage, TEST_LABEL, TEST_ULIMITS, engineSkip, type TestEngine } from './engines.js';

/**
 * The engines these tests run on: Docker 20.10, 26.1, 28.5 and Podman 4.3.
 * AICLI_INSIDE_ENGINES (a comma list, e.g. `podman`) picks some, for a quicker local run.
 */
export function insideEngines(): TestEngine[] {
  if (engineSkip() !== false) return [];
  return workspaceEngines(loadTestEngines().engines);
}

export function unique(prefix = 'aicli-test'): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export interface TestContainer {
  readonly id: string;
  readonly name: string;
  /** The workspace name it is labelled with (aicli.workspace.name). */
  readonly workspace: string;
  remove(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface TestContainerSpec {
  readonly cmd?: readonly string[];
  readonly user?: string;
  readonly binds?: readonly string[];
  readonly memory?: number;
  readonly pidsLimit?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly tty?: boolean;
  readonly start?: boolean;
  /** A network of the test's own to join at creation (the test engines have no default bridge). */
  readonly network?: string;
}

/** A running busybox container labelled like a workspace (aicli.managed, aicli.workspace.name, aicli.test). */
export async function testContainer(engine: TestEngine, spec: TestContainerSpec = {}): Promise<TestContainer> {
  const image = await ensureBusyboxImage(engine.host);
  const name = unique();
  const workspace = unique('ws');
  const body = {
    Image: image,
    Cmd: spec.cmd ?? ['sleep', '100000'],
    Tty: spec.tty === true,
    ...(spec.user === undefined ? {} : { User: spec.user }),
    // The labels a workspace's container carries (aicli's lookup reads role and name).
    Labels: { [TEST_LABEL]: 'true', 'aicli.managed': 'true', 'aicli.role': 'workspace', 'aicli.workspace.id': workspace, 'aicli.workspace.name': workspace, ...spec.labels },
    HostConfig: {
      Ulimits: TEST_ULIMITS,
      ...(spec.binds === undefined ? {} : { Binds: spec.binds }),
      ...(spec.memory === undefined ? {} : { Memory: spec.memory, MemorySwap: spec.memory }),
      ...(spec.pidsLimit === undefined ? {} : { PidsLimit: spec.pidsLimit }),
      ...(spec.network === undefined ? {} : { NetworkMode: spec.network }),
    },
  };
  const created = await rawRequest(engine.host, 'POST', `/containers/create?name=${name}`, JSON.stringify(body));
  if (created.status !== 201) throw new Error(`create on ${engine.name}: HTTP ${created.status} ${created.body.toString()}`);
  const id = (JSON.parse(created.body.toString()) as { Id: string }).Id;
  const remove = async (): Promise<void> => {
    await rawRequest(engine.host, 'DELETE', `/containers/${id}?force=1&v=1`);
  };
  if (spec.start !== false) {
    const started = await rawRequest(engine.host, 'POST', `/containers/${id}/start`);
    if (started.status !== 204) {
      await remove();
      throw new Error(`start on ${engine.name}: HTTP ${started.status} ${started.body.toString()}`);
    }
  }
  return { id, name, workspace, remove, [Symbol.asyncDispose]: remove };
}

/** What a busybox `ps` shows inside the container, read with a raw exec (not the library's). */
export async function psInside(engine: TestEngine, container: string): Promise<string> {
  const created = await rawRequest(engine.host, 'POST', `/containers/${container}/exec`, JSON.stringify({ Cmd: ['ps', '-o', 'pid,args'], AttachStdout: true, AttachStderr: true }));
  const id = (JSON.parse(created.body.toString()) as { Id: string }).Id;
  const started = await rawRequest(engine.host, 'POST', `/exec/${id}/start`, JSON.stringify({ Detach: false, Tty: true }));
  return started.body.toString('utf8');
}

/** A logger that keeps every record, to prove what never reaches a log. */
export function recordingLogger(): { logger: { debug: (f: object, m: string) => void; info: (f: object, m: string) => void; warn: (f: object, m: string) => void; error: (f: object, m: string) => void }; text: () => string } {
  const records: string[] = [];
  const rec = (level: string) => (fields: object, message: string): void => { records.push(`${level} ${message} ${JSON.stringify(fields)}`); };
  return { logger: { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') }, text: () => records.join('\n') };
}

// What the workspace tests share: a configuration with a network of their own, a client,
// unique names, and a clean-up that removes what a test file made (through the raw API,
// not the library under test).
import { randomBytes } from 'node:crypto';
import { DockerClient, defaultConfig, type DockerConfig } from '../../src/index.js';
import { rawRequest, TEST_LABEL, type TestEngine } from './engines.js';

export const TEST_LABELS = Object.freeze({ [TEST_LABEL]: 'true' });

/**
 * Engines the workspace tests run on: every test engine (Docker 20.10, 26.1, 28.5 and Podman 4.3).
 * AICLI_INSIDE_ENGINES (a comma list, e.g. `podman`) picks some, for a quicker local run.
 */
export function workspaceEngines(all: readonly TestEngine[]): TestEngine[] {
  const chosen = process.env['AICLI_INSIDE_ENGINES'];
  if (chosen === undefined || chosen === '') return [...all];
  const names = chosen.split(',');
  return all.filter((e) => names.includes(e.name));
}

export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** The defaults, on a network of the test's own, with any overrides. */
export function testConfig(overrides: Partial<DockerConfig> = {}): DockerConfig {
  return { ...defaultConfig(), networkName: unique('aicli-wst'), ...overrides };
}

export function connect(engine: TestEngine, config: DockerConfig): Promise<DockerClient> {
  return DockerClient.connect({ host: engine.host, env: {}, ensureNetwork: false, config });
}

interface Summary {
  Id: string;
  Names?: string[];
  Labels?: Record<string, string> | null;
}

export async function workspaceContainers(host: string, name: string): Promise<string[]> {
  const r = await rawRequest(host, 'GET', '/containers/json?all=1');
  return (JSON.parse(r.body.toString()) as Summary[])
    .filter((c) => c.Labels?.['aicli.workspace.name'] === name || (c.Names ?? []).includes(`/${name}`))
    .map((c) => c.Id);
}

/** Containers whose workspace-name label is one of `names`, or that sit on `network`. */
export async function removeTestObjects(host: string, network: string, names: readonly string[] = []): Promise<void> {
  const r = await rawRequest(host, 'GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: [`${TEST_LABEL}=true`] }))}`);
  const all = JSON.parse(r.body.toString()) as (Summary & { HostConfig?: { NetworkMode?: string } })[];
  for (const c of all) {
    const ws = c.Labels?.['aicli.workspace.name'];
    if ((ws !== undefined && names.includes(ws)) || c.HostConfig?.NetworkMode === network) {
      await rawRequest(host, 'DELETE', `/containers/${c.Id}?force=1&v=1`);
    }
  }
  const nets = JSON.parse((await rawRequest(host, 'GET', '/networks')).body.toString()) as { Id: string; Name: string }[];
  for (const n of nets.filter((x) => x.Name === network)) await rawRequest(host, 'DELETE', `/networks/${n.Id}`);
}

/** The parts of GET /containers/{id}/json the tests read. */
export interface RawContainer {
  Id: string;
  Name: string;
  State: { Status: string; ExitCode: number; Health?: { Status: string } };
  Config: { Image: string; User?: string; Labels?: Record<string, string> | null; Healthcheck?: { Test?: string[] } };
  HostConfig: {
    Privileged?: boolean;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
    NetworkMode?: string;
    PidMode?: string;
    IpcMode?: string;
    UTSMode?: string;
    UsernsMode?: string;
    CgroupParent?: string;
    Memory?: number;
    MemorySwap?: number;
    NanoCpus?: number;
    CpuShares?: number;
    PidsLimit?: number | null;
    ReadonlyRootfs?: boolean;
    RestartPolicy?: { Name: string; MaximumRetryCount: number };
    Ulimits?: { Name: string; Soft: number; Hard: number }[] | null;
    Devices?: unknown[] | null;
  };
  Mounts: { Type: string; Source: string; Destination: string; Name?: string; RW: boolean; Propagation?: string }[];
  NetworkSettings: { Networks: Record<string, { NetworkID: string; Aliases?: string[] | null }> };
}

/** GET /containers/{id}/json, raw. */
export async function rawInspect(host: string, id: string): Promise<RawContainer> {
  const r = await rawRequest(host, 'GET', `/containers/${encodeURIComponent(id)}/json`);
  if (r.status !== 200) throw new Error(`inspect ${id}: HTTP ${r.status} ${r.body.toString()}`);
  return JSON.parse(r.body.toString()) as RawContainer;
}

/** Polls `check` every 200 ms until it returns a value or `ms` pass. */
export async function waitFor<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiscoveryAttempt } from '../errors.js';
import { dockerConfigDir, readContext, readCurrentContext } from './context-store.js';
import { parseHost, type Endpoint } from './endpoint.js';
import { loadTlsFolder, type TlsOptions } from './tls.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A value and where it came from (`--host`, `AICLI_DOCKER_HOST`, a file path, `option`). */
export interface Sourced {
  readonly value: string;
  readonly source: string;
}

export interface DiscoveryInput {
  /** Set by the caller or a flag, or by the aicli environment layer: beats DOCKER_HOST. */
  readonly host?: Sourced | undefined;
  readonly context?: Sourced | undefined;
  /** Set in the aicli configuration file: weaker than the docker variables. */
  readonly fileHost?: Sourced | undefined;
  readonly fileContext?: Sourced | undefined;
  readonly env: Env;
  readonly homeDir: string;
  /** Prefix for the system-wide socket paths (/var/run, /run), so tests can vary them. */
  readonly fsRoot?: string;
}

/** An engine to try: the first that answers wins. */
export interface Candidate {
  readonly source: string;
  readonly endpoint: Endpoint;
  readonly tls: TlsOptions | undefined;
  /** Chosen explicitly (flag, variable, context): no further place is tried after it. */
  readonly explicit: boolean;
}

export interface Discovery {
  readonly candidates: readonly Candidate[];
  /** Places looked at and passed over, with why, for the final error. */
  readonly skipped: readonly DiscoveryAttempt[];
}

type StrategyResult = { candidates: Candidate[]; skipped: DiscoveryAttempt[]; final: boolean };
type Strategy = (input: DiscoveryInput) => Promise<StrategyResult>;

const none = (source: string, reason: string): StrategyResult => ({ candidates: [], skipped: [{ source, reason }], final: false });

/** TLS for a tcp host from DOCKER_TLS_VERIFY / DOCKER_TLS / DOCKER_CERT_PATH, as the docker CLI reads them. */
async function envTls(input: DiscoveryInput): Promise<TlsOptions | undefined> {
  const verify = (input.env['DOCKER_TLS_VERIFY'] ?? '') !== '';
  const tls = verify || (input.env['DOCKER_TLS'] ?? '') !== '';
  if (!tls) return undefined;
  const certPath = input.env['DOCKER_CERT_PATH'];
  return loadTlsFolder(certPath !== undefined && certPath !== '' ? certPath : dockerConfigDir(input.env, input.homeDir), verify);
}

async function fromHost(input: DiscoveryInput, host: Sourced): Promise<StrategyResult> {
  const tls = await envTls(input);
  const endpoint = parseHost(host.value, { source: host.source, tls: tls !== undefined });
  return { candidates: [{ source: host.source, endpoint, tls: endpoint.kind === 'tcp' && endpoint.tls ? tls : undefined, explicit: true }], skipped: [], final: true };
}

async function fromContext(input: DiscoveryInput, ctx: Sourced): Promise<StrategyResult> {
  // "default" is the docker CLI's name for "no context": DOCKER_HOST, else the usual
  // sockets. Chosen by name, it ends the search: no file setting, no currentContext.
  if (ctx.value === 'default') {
    const host = sourced(input.env['DOCKER_HOST'], `DOCKER_HOST (${ctx.source} is "default")`);
    if (host !== undefined) return fromHost(input, host);
    const sockets = await defaultSockets(input);
    return { ...sockets, skipped: [{ source: ctx.source, reason: 'context "default": DOCKER_HOST is not set, so the usual sockets' }, ...sockets.skipped] };
  }
  const found = await readContext(dockerConfigDir(input.env, input.homeDir), ctx.value, ctx.source);
  const source = `${ctx.source} (context "${found.name}")`;
  if (found.host === undefined) return none(source, 'the context has no docker endpoint; using the default socket');
  const endpoint = parseHost(found.host, { source, tls: found.tls !== undefined });
  return { candidates: [{ source, endpoint, tls: found.tls, explicit: true }], skipped: [], final: true };
}

function sourced(value: string | undefined, source: string): Sourced | undefined {
  return value === undefined || value === '' ? undefined : { value, source };
}

/** The docker CLI's order, with aicli's own flags and file fitted in by precedence. */
const STRATEGIES: readonly Strategy[] = [
  async (i) => (i.host === undefined ? none('host option', 'not set') : fromHost(i, i.host)),
  async (i) => (i.context === undefined ? none('context option', 'not set') : fromContext(i, i.context)),
  async (i) => {
    const h = sourced(i.env['DOCKER_HOST'], 'DOCKER_HOST');
    return h === undefined ? none('DOCKER_HOST', 'not set') : fromHost(i, h);
  },
  async (i) => {
    const c = sourced(i.env['DOCKER_CONTEXT'], 'DOCKER_CONTEXT');
    return c === undefined ? none('DOCKER_CONTEXT', 'not set') : fromContext(i, c);
  },
  async (i) => (i.fileHost === undefined ? none('configuration file host', 'not set') : fromHost(i, i.fileHost)),
  async (i) => (i.fileContext === undefined ? none('configuration file context', 'not set') : fromContext(i, i.fileContext)),
  async (i) => {
    const current = await readCurrentContext(dockerConfigDir(i.env, i.homeDir));
    return current.name === undefined ? none('docker config currentContext', current.note) : fromContext(i, { value: current.name, source: current.note });
  },
  defaultSockets,
];

/** The well-known sockets of Docker, rootless Docker, Docker Desktop, Colima, Rancher, OrbStack and Podman. */
export function defaultSocketPaths(input: DiscoveryInput): string[] {
  const root = input.fsRoot ?? '/';
  const home = input.homeDir;
  const runtime = input.env['XDG_RUNTIME_DIR'];
  return [
    join(root, 'var/run/docker.sock'),
    ...(runtime === undefined || runtime === '' ? [] : [join(runtime, 'docker.sock')]),
    join(home, '.docker/run/docker.sock'),
    join(home, '.docker/desktop/docker.sock'),
    join(home, '.colima/default/docker.sock'),
    join(home, '.colima/docker.sock'),
    join(home, '.rd/docker.sock'),
    join(home, '.orbstack/run/docker.sock'),
    join(root, 'run/podman/podman.sock'),
    ...(runtime === undefined || runtime === '' ? [] : [join(runtime, 'podman/podman.sock')]),
  ];
}

async function defaultSockets(input: DiscoveryInput): Promise<StrategyResult> {
  const result: StrategyResult = { candidates: [], skipped: [], final: true };
  const paths = defaultSocketPaths(input);
  const stats = await Promise.all(paths.map((p) => stat(p).then((s) => s, (err: unknown) => err as NodeJS.ErrnoException)));
  paths.forEach((path, n) => {
    const s = stats[n];
    const url = `unix://${path}`;
    if (s === undefined || s instanceof Error) {
      result.skipped.push({ source: 'default socket', endpoint: url, reason: s?.code === 'ENOENT' ? 'no such file' : (s?.code ?? 'unreadable') });
    } else if (!s.isSocket()) {
      result.skipped.push({ source: 'default socket', endpoint: url, reason: 'exists but is not a socket' });
    } else {
      result.candidates.push({ source: 'default socket', endpoint: { kind: 'unix', url, socketPath: path }, tls: undefined, explicit: false });
    }
  });
  return result;
}

/**
 * Finds where the engine should be, trying each strategy in order until one decides.
 * Bad values (a malformed host, a missing context, unreadable TLS files) throw at once:
 * a user who named an engine wants that one, not a silent fallback.
 */
export async function discoverEngine(input: DiscoveryInput): Promise<Discovery> {
  const skipped: DiscoveryAttempt[] = [];
  for (const strategy of STRATEGIES) {
    const r = await strategy(input);
    skipped.push(...r.skipped);
    if (r.final || r.candidates.length > 0) return { candidates: r.candidates, skipped };
  }
  return { candidates: [], skipped };
}

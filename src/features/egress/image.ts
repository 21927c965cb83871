/**
 * The gateway image, when none is configured: made on the engine itself from what this
 * process already has (its Node binary and libraries, and the bundled proxy), sent as a
 * tar streamed into `POST /images/create?fromSrc=-`, so it works on any engine the client
 * reaches (unix, TLS, ssh) of the same OS and architecture. Made once per identity (a
 * hash of everything that goes in) and found again by the label carrying that hash.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import tar from 'tar-stream';
import { DockerAbortedError, EgressImageError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { apiPath } from '../../engine/path.js';
import { jsonMessages, messageError } from '../../engine/json-messages.js';
import { EGRESS_LABELS, EGRESS_ROLES, LABELS, labelFilter, ownerLabels, rfc3339, type LabelSet } from '../labels.js';
import { collectRuntime, type Runtime, type RuntimeFile } from './runtime.js';

/** The repository provisioned images are tagged in (the tag is the identity hash). */
export const GATEWAY_REPOSITORY = 'aicli-egress-gateway';
/** Where the bundled proxy sits in the image. */
export const PROXY_PATH = '/aicli/egress-proxy.cjs';

/**
 * Node's flags in the gateway: a small heap (the proxy keeps almost nothing), no JIT
 * (bytes are copied by libuv into one buffer per tunnel; compiled code would only cost
 * memory; it also leaves the proxy without WebAssembly, on every Node: Node 24 has no
 * --expose-wasm flag to name, and refuses to start with an unknown one), no V8 helper threads.
 * Measured by `npm run bench` (the gateway's anonymous RSS, idle and under load).
 */
export const GATEWAY_NODE_FLAGS: readonly string[] = ['--max-old-space-size=16', '--max-semi-space-size=1', '--jitless', '--single-threaded'];

/** Bumped when the image layout changes in a way the inputs do not show. */
const LAYOUT_VERSION = 1;
/** The least time an import may take (upload included), whatever the call's own time-out. */
const IMPORT_TIMEOUT_MS = 600_000;

export interface GatewayImageOptions extends CallOptions {
  /** The bundled proxy; default: dist/egress-proxy.cjs of this package. */
  readonly proxyBundle?: string;
  /** More labels for the image (tests pass `{ 'aicli.test': 'true' }`). */
  readonly labels?: LabelSet;
}

export interface GatewayImage {
  /** The image id (`sha256:...`); containers are made from the id, not a tag that could move. */
  readonly id: string;
  /** `aicli-egress-gateway:<identity>`. */
  readonly reference: string;
  readonly identity: string;
  /** False when an image with this identity was already on the engine. */
  readonly created: boolean;
}

/** Where the bundled proxy is: beside dist/ (library and CLI bundle), or under dist/ when running from src/. */
export function defaultProxyBundle(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = ['../../egress-proxy.cjs', '../egress-proxy.cjs', '../../../dist/egress-proxy.cjs'].map((p) => fileURLToPath(new URL(p, `file://${here}/`)));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) {
    throw new EgressImageError(`the bundled egress proxy is missing (looked for ${candidates.join(', ')}). Build the package (\`npm run build\`), or set egress_image to a gateway image.`);
  }
  return found;
}

interface Plan {
  readonly runtime: Runtime;
  readonly bundle: Buffer;
  readonly identity: string;
  readonly entrypoint: readonly string[];
}

async function plan(proxyBundle: string): Promise<Plan> {
  let runtime: Runtime;
  try {
    runtime = await collectRuntime();
  } catch (err) {
    throw new EgressImageError(`cannot make the egress gateway image from this process's Node: ${(err as Error).message}. Set egress_image to a gateway image (see docs/configuration.md#egress_image).`, { cause: err });
  }
  const bundle = await readFile(proxyBundle);
  const entrypoint = [runtime.node, ...GATEWAY_NODE_FLAGS, PROXY_PATH];
  const hash = createHash('sha256');
  hash.update(JSON.stringify({
    layout: LAYOUT_VERSION,
    entrypoint,
    libraryPath: runtime.libraryPath,
    files: runtime.files.map((f) => [f.path, f.source, f.size, f.mtimeMs]),
  }));
  hash.update(bundle);
  return { runtime, bundle, identity: hash.digest('hex').slice(0, 16), entrypoint };
}

/** One plan per bundle for the life of the process: its inputs (this Node, its libraries) do not change under it. */
const plans = new Map<string, Promise<Plan>>();

function planOnce(proxyBundle: string): Promise<Plan> {
  let p = plans.get(proxyBundle);
  if (p === undefined) {
    p = plan(proxyBundle);
    plans.set(proxyBundle, p);
    p.catch(() => plans.delete(proxyBundle));
  }
  return p;
}

/** The image's root file system as a tar, produced while it is sent. */
function rootfs(p: Plan, signal: AbortSignal): tar.Pack {
  const pack = tar.pack();
  const base = { uid: 0, gid: 0, mtime: new Date(0) };
  const dirs = new Set<string>(['/aicli', '/etc', '/tmp', '/proc', '/sys', '/dev']);
  const files: RuntimeFile[] = [...p.runtime.files];
  for (const f of files) for (let d = dirname(f.path); d !== '/'; d = dirname(d)) dirs.add(d);
  type Header = Partial<tar.Header> & Pick<tar.Header, 'name'>;
  const entry = (h: Header, body?: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      const cb = (err?: Error | null): void => {
        if (err) reject(err);
        else resolve();
      };
      if (body === undefined) pack.entry(h, cb);
      else pack.entry(h, body, cb);
    });
  // One file at a time, read as it is sent: the pack waits for the engine to take each chunk.
  const fileEntry = (f: RuntimeFile): Promise<void> =>
    new Promise((resolve, reject) => {
      const sink = pack.entry({ ...base, name: f.path.slice(1), type: 'file', mode: f.mode, size: f.size }, (err) => {
        if (err) reject(err);
        else resolve();
      });
      const source = createReadStream(f.source);
      const stop = (): void => {
        source.destroy(new Error('aborted'));
      };
      signal.addEventListener('abort', stop, { once: true });
      source.once('close', () => {
        signal.removeEventListener('abort', stop);
      });
      source.once('error', (err) => {
        sink.destroy(err);
        reject(err);
      });
      source.pipe(sink);
    });
  void (async () => {
    for (const d of [...dirs].sort()) await entry({ ...base, name: d.slice(1), type: 'directory', mode: d === '/tmp' ? 0o1777 : 0o755 });
    for (const f of files) {
      await fileEntry(f);
    }
    await entry({ ...base, name: PROXY_PATH.slice(1), type: 'file', mode: 0o644, size: p.bundle.length }, p.bundle);
    pack.finalize();
  })().catch((err: unknown) => {
    pack.destroy(err as Error);
  });
  return pack;
}

/** The image with this identity, if the engine has it. */
async function findByIdentity(api: EngineApi, identity: string, options: CallOptions): Promise<string | undefined> {
  const images = await api.json<{ Id: string; Created: number }[]>({
    method: 'GET',
    path: apiPath`/images/json`,
    query: { filters: labelFilter({ [EGRESS_LABELS.image]: identity, [LABELS.role]: EGRESS_ROLES.image }) },
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  // Two processes racing may both have imported it: the oldest one is the one.
  return [...images].sort((a, b) => a.Created - b.Created || a.Id.localeCompare(b.Id))[0]?.Id;
}

/** The Dockerfile-like changes applied at import (`LABEL k="v"`, values JSON-quoted). */
function changes(p: Plan, labels: LabelSet): string[] {
  const quoted = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [
    `ENTRYPOINT ${JSON.stringify(p.entrypoint)}`,
    'USER 65534:65534',
    'WORKDIR /',
    `ENV LD_LIBRARY_PATH=${p.runtime.libraryPath.join(':')}`,
    `LABEL ${quoted.join(' ')}`,
  ];
}

/** Calls under way in this process, by engine and bundle: workspaces made at once import the image once. */
const inFlight = new WeakMap<EngineApi, Map<string, Promise<GatewayImage>>>();

/**
 * Finds the gateway image this process would make, or makes it: once per identity per
 * engine. Throws EgressImageError when this process cannot make one for this engine
 * (another OS or architecture), saying to set egress_image.
 */
export function ensureGatewayImage(api: EngineApi, options: GatewayImageOptions = {}): Promise<GatewayImage> {
  // Shared only by calls without a signal of their own (one caller's abort must not end another's).
  if (options.signal !== undefined) return ensureImage(api, options);
  const key = JSON.stringify([options.proxyBundle ?? '', options.labels ?? {}, options.timeoutMs ?? 0]);
  let byKey = inFlight.get(api);
  if (byKey === undefined) {
    byKey = new Map();
    inFlight.set(api, byKey);
  }
  const running = byKey.get(key);
  if (running !== undefined) return running.then((img) => ({ ...img, created: false }));
  const p = ensureImage(api, options).finally(() => byKey.delete(key));
  byKey.set(key, p);
  return p;
}

async function ensureImage(api: EngineApi, options: GatewayImageOptions): Promise<GatewayImage> {
  const call = { signal: options.signal, timeoutMs: options.timeoutMs };
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const unfit = async (): Promise<EgressImageError | undefined> => {
    const version = await api.version(call);
    if (version.os === 'linux' && process.platform === 'linux' && version.arch === arch) return undefined;
    return new EgressImageError(
      `cannot make the egress gateway image for this engine (${version.os}/${version.arch}) from this process's Node (${process.platform}/${arch}). ` +
        'Set egress_image (or --egress-image) to a gateway image built for the engine (see docs/configuration.md#egress_image).',
    );
  };
  if (process.platform !== 'linux') throw (await unfit()) ?? new EgressImageError(`this process runs on ${process.platform}; set egress_image to a gateway image`);
  const p = await planOnce(options.proxyBundle ?? defaultProxyBundle());
  const reference = `${GATEWAY_REPOSITORY}:${p.identity}`;
  // Found by its identity, it was made from these very files, so for this engine's platform.
  const found = await findByIdentity(api, p.identity, call);
  if (found !== undefined) return { id: found, reference, identity: p.identity, created: false };
  const refusal = await unfit();
  if (refusal !== undefined) throw refusal;

  const labels: LabelSet = {
    ...options.labels,
    [LABELS.managed]: 'true',
    [LABELS.created]: rfc3339(),
    ...ownerLabels(),
    [LABELS.role]: EGRESS_ROLES.image,
    [EGRESS_LABELS.image]: p.identity,
  };
  const producer = new AbortController();
  const signal = options.signal === undefined ? producer.signal : AbortSignal.any([options.signal, producer.signal]);
  const pack = rootfs(p, producer.signal);
  let producerError: unknown;
  pack.on('error', (err) => {
    producerError = err;
    producer.abort(err);
  });
  try {
    // The tar goes as the request body, made while it is sent (never whole in memory),
    // and never re-sent: a stream body is not retried.
    const res = await api.stream({
      method: 'POST',
      path: apiPath`/images/create`,
      query: { fromSrc: '-', repo: GATEWAY_REPOSITORY, tag: p.identity, changes: changes(p, labels), message: 'aicli egress gateway' },
      headers: { 'content-type': 'application/x-tar' },
      body: Readable.from(pack),
      resource: 'image',
      signal,
      // The upload is part of the wait for the answer: ~100 MB, even to a remote engine.
      timeoutMs: Math.max(options.timeoutMs ?? 0, IMPORT_TIMEOUT_MS),
    });
    // The import answers 200 and reports failures inside its progress stream.
    try {
      for await (const m of jsonMessages(res.body)) {
        const failed = messageError(m);
        if (failed !== undefined) throw new EgressImageError(`the engine refused the egress gateway image: ${failed}`);
      }
    } finally {
      res.body.destroy();
    }
  } catch (err) {
    if (producerError !== undefined && err instanceof DockerAbortedError) {
      throw new EgressImageError(`cannot read the files of the egress gateway image: ${(producerError as Error).message}`, { cause: producerError });
    }
    throw err;
  } finally {
    pack.destroy();
  }
  const id = await findByIdentity(api, p.identity, call);
  if (id === undefined) throw new EgressImageError(`the engine imported the egress gateway image but lists no image labelled ${EGRESS_LABELS.image}=${p.identity}`);
  return { id, reference, identity: p.identity, created: true };
}

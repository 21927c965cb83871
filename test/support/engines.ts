// Access to the real engines that `npm test` (scripts/test.sh) starts with
// scripts/engines.mjs, plus raw API helpers that do not go through the library
// under test (so test setup and verification cannot share its bugs).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** Label every test-created object carries; scripts/leak-check.mjs fails the run on leftovers. */
export const TEST_LABEL = 'aicli.test';
/**
 * The nofile/nproc ulimits a workspace carries (aicli's defaults): every container a test starts
 * gives them, as Podman here refuses to start one without (its own defaults exceed the host's).
 */
export const TEST_ULIMITS = Object.freeze([
  { Name: 'nofile', Soft: 1024, Hard: 4096 },
  { Name: 'nproc', Soft: 4096, Hard: 4096 },
]);
/** The on-demand busybox fixture image (unlabelled on purpose: it is not a leak, it dies with the engine's state dir). */
export const BUSYBOX_IMAGE = 'aicli-test-busybox:latest';

/** One entry of engines.json. */
export interface TestEngine {
  name: 'docker20' | 'docker26' | 'docker28' | 'podman';
  /** unix:///…/docker.sock (or podman.sock) */
  host: string;
  /** What the engine's GET /version reports: 1.41 (docker20, podman), 1.45 (docker26), 1.51 (docker28). */
  apiVersion: string;
  /** docker28 only: it refuses clients below this (DOCKER_MIN_API_VERSION=1.44, as Docker 29). */
  minApiVersion?: string;
  pid: number;
  log?: string;
  /** docker26 only: tcp://127.0.0.1:PORT with --tlsverify. */
  tlsHost?: string;
  /** docker26 only: DOCKER_CERT_PATH-style dir (ca.pem, cert.pem, key.pem) accepted by tlsHost. */
  certPath?: string;
  /** docker26 only: same layout, from an unrelated CA: must be rejected. */
  wrongCertPath?: string;
}

export interface TestEngines {
  stateDir: string;
  engines: TestEngine[];
  /** An sshd on loopback whose sessions reach `target`'s socket: `ssh -F config HOST -- docker system dial-stdio`. */
  ssh?: { host: string; config: string; target: TestEngine['name']; pid: number; log?: string };
  /** A plain-HTTP distribution registry, "127.0.0.1:PORT". */
  registry?: { url: string; pid: number; log?: string };
  /** A second registry that wants basic auth (htpasswd, bcrypt), "127.0.0.1:PORT", with its one user. */
  registryAuth?: { url: string; username: string; password: string; pid: number; log?: string };
}

const NO_ENGINES =
  'no test engines: run `npm test`, which starts them, or set AICLI_SKIP_ENGINE_TESTS=1 to skip';

/** Reason to skip engine tests (only when explicitly asked), for `test(name, { skip: engineSkip() }, fn)`. */
export function engineSkip(): string | false {
  return process.env.AICLI_SKIP_ENGINE_TESTS === '1' ? 'AICLI_SKIP_ENGINE_TESTS=1' : false;
}

let cached: TestEngines | undefined;

/**
 * The engines described by $AICLI_TEST_ENGINES. Throws when it is unset, unless
 * engine tests are explicitly skipped (then an empty list is returned).
 */
export function loadTestEngines(): TestEngines {
  if (cached) return cached;
  const file = process.env.AICLI_TEST_ENGINES;
  if (!file) {
    if (engineSkip() !== false) return { stateDir: '', engines: [] };
    throw new Error(NO_ENGINES);
  }
  cached = JSON.parse(fs.readFileSync(file, 'utf8')) as TestEngines;
  return cached;
}

/** One engine by name; throws if it is not there (engine tests never silently pass). */
export function testEngine(name: TestEngine['name']): TestEngine {
  const e = loadTestEngines().engines.find((x) => x.name === name);
  if (!e) throw new Error(`test engine ${name} not found in ${process.env.AICLI_TEST_ENGINES ?? '(unset)'}`);
  return e;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function socketPathOf(host: string): string {
  if (!host.startsWith('unix://')) throw new Error(`rawRequest supports unix:// hosts only, got ${host}`);
  return host.slice('unix://'.length);
}

/** A plain HTTP request to an engine's unix socket; `path` should include the query string. */
export function rawRequest(
  host: string,
  method: string,
  path: string,
  body?: Buffer | string,
  headers: http.OutgoingHttpHeaders = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const hdrs: http.OutgoingHttpHeaders = { ...headers };
    if (body !== undefined) {
      hdrs['content-length'] = Buffer.byteLength(body);
      hdrs['content-type'] ??= typeof body === 'string' ? 'application/json' : 'application/octet-stream';
    }
    const req = http.request({ socketPath: socketPathOf(host), method, path, headers: hdrs, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`rawRequest ${method} ${path}: timeout`)));
    req.on('error', reject);
    req.end(body);
  });
}

const execFileP = promisify(execFile);
const BUSYBOX = '/bin/busybox';
const pending = new Map<string, Promise<string>>();

/**
 * Makes sure `aicli-test-busybox:latest` exists on the engine: a rootfs of
 * /bin/busybox (busybox-static) plus its applet symlinks, imported through
 * `POST /images/create?fromSrc=-`. Idempotent; returns the image ref.
 */
export function ensureBusyboxImage(host: string): Promise<string> {
  let p = pending.get(host);
  if (!p) {
    p = importBusybox(host);
    pending.set(host, p);
    p.catch(() => pending.delete(host));
  }
  return p;
}

async function importBusybox(host: string): Promise<string> {
  const have = await rawRequest(host, 'GET', `/images/${BUSYBOX_IMAGE}/json`);
  if (have.status === 200) return BUSYBOX_IMAGE;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aicli-rootfs-'));
  try {
    fs.mkdirSync(path.join(root, 'bin'));
    fs.mkdirSync(path.join(root, 'tmp'));
    // As in real images: / readable by all (mkdtemp made it 0700, which Podman keeps and a
    // non-root user then cannot start /bin/sh), /tmp writable by all (Docker copies the
    // image folder's mode onto a tmpfs mounted there).
    fs.chmodSync(root, 0o755);
    fs.chmodSync(path.join(root, 'tmp'), 0o1777);
    fs.copyFileSync(BUSYBOX, path.join(root, 'bin/busybox'));
    fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
    const { stdout } = await execFileP(BUSYBOX, ['--list']);
    for (const applet of stdout.split('\n')) {
      if (applet && applet !== 'busybox' && !applet.includes('/')) fs.symlinkSync('busybox', path.join(root, 'bin', applet));
    }
    const tar = await execFileP('tar', ['-C', root, '--numeric-owner', '--owner=0', '--group=0', '-cf', '-', '.'], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    const [repo = '', tag = ''] = BUSYBOX_IMAGE.split(':');
    const q = new URLSearchParams({ fromSrc: '-', repo, tag });
    q.append('changes', 'CMD ["/bin/sh"]');
    q.append('changes', 'ENV PATH=/bin');
    const res = await rawRequest(host, 'POST', `/images/create?${q.toString()}`, tar.stdout, {
      'content-type': 'application/x-tar',
    });
    const text = res.body.toString();
    // The import answers 200 with a JSON progress stream; errors may come inside it.
    if (res.status !== 200 || text.includes('"error"')) {
      throw new Error(`busybox image import on ${host} failed: HTTP ${res.status} ${text.slice(0, 500)}`);
    }
    const check = await rawRequest(host, 'GET', `/images/${BUSYBOX_IMAGE}/json`);
    if (check.status !== 200) throw new Error(`busybox image missing after import on ${host}: HTTP ${check.status}`);
    return BUSYBOX_IMAGE;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

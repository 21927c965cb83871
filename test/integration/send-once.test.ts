// "Never send a request twice unless it provably did nothing the first time", against a
// real engine, through real ssh processes and a real sshd. The only fault injected is in
// the ssh command: a wrapper that runs the real ssh and kills it at a chosen moment.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { DockerConnectionLostError, DockerNotAvailableError, HttpTransport, isDockerError } from '../../src/index.js';
import { engineSkip, ensureBusyboxImage, loadTestEngines, rawRequest, TEST_LABEL, testEngine } from '../support/engines.js';

const skip = engineSkip();
let dir: string;

// argv: MODE COUNTER_FILE SSH_ARGS...  Each run counts itself in COUNTER_FILE, then:
//   refuse-first     the first run exits 255 at once, as ssh does when the host refuses it;
//                    later runs are the real ssh;
//   die-after-read   the real ssh, killed (and this exits 255) the moment the engine's answer
//                    starts to come back: the engine read and ran the request, the caller
//                    gets nothing;
//   die-first        die-after-read for the first run, the real ssh after.
const FAKE_SSH = `
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
const [mode, counter, ...args] = process.argv.slice(2);
const run = Number(readFileSync(counter, 'utf8') || '0') + 1;
writeFileSync(counter, String(run));
if (mode === 'refuse-first' && run === 1) {
  process.stderr.write('ssh: connect to host 127.0.0.1 port 22: Connection refused\\n');
  process.exit(255);
}
const dies = mode === 'die-after-read' || (mode === 'die-first' && run === 1);
const ssh = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'inherit'] });
process.stdin.pipe(ssh.stdin);
ssh.stdout.on('data', (chunk) => {
  if (dies) {
    ssh.kill('SIGKILL');
    process.exit(255);
  }
  process.stdout.write(chunk);
});
ssh.on('close', (code) => process.exit(code ?? 255));
`;

let fakeSsh: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aicli-once-'));
  fakeSsh = join(dir, 'fake-ssh.mjs');
  await writeFile(fakeSsh, FAKE_SSH);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sshd(): { host: string; config: string } {
  const s = loadTestEngines().ssh;
  if (s === undefined) throw new Error('engines.json has no ssh entry: scripts/engines.js starts one');
  return s;
}

/** The ssh command for a mode, and how many times it has run so far. */
async function sshCommand(mode: string): Promise<{ command: string[]; runs: () => Promise<number> }> {
  const counter = join(dir, `runs-${randomBytes(4).toString('hex')}`);
  await writeFile(counter, '');
  return {
    command: [process.execPath, fakeSsh, mode, counter, '-F', sshd().config],
    runs: async () => Number((await readFile(counter, 'utf8')) || '0'),
  };
}

const filter = (label: string): string => encodeURIComponent(JSON.stringify({ label: [label] }));

/** A transport to the test sshd (its sessions reach docker20) through the given ssh command. */
function sshTransport(command: string[]): HttpTransport {
  const url = new URL(sshd().host);
  return new HttpTransport({
    endpoint: { kind: 'ssh', url: sshd().host, user: url.username, hostname: url.hostname, port: Number(url.port) },
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    sshCommand: command,
    retry: { retries: 2, minDelayMs: 10, maxDelayMs: 20 },
  });
}

describe('a request is sent again only when it provably did nothing', { skip }, () => {
  it('over ssh://, a create whose ssh died after the engine read it is sent once: one container, and the error says so', async () => {
    const engine = testEngine('docker20');
    const image = await ensureBusyboxImage(engine.host);
    const runLabel = `aicli.test.run=${randomBytes(6).toString('hex')}`;
    const [key = '', value = ''] = runLabel.split('=');
    const ssh = await sshCommand('die-after-read');
    const t = sshTransport(ssh.command);
    try {
      const error = await t
        .request({
          method: 'POST',
          path: '/v1.41/containers/create',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ Image: image, Cmd: ['true'], Labels: { [TEST_LABEL]: 'true', [key]: value } }),
        })
        .then(() => undefined, (e: unknown) => e);
      const made = JSON.parse((await rawRequest(engine.host, 'GET', `/containers/json?all=1&filters=${filter(runLabel)}`)).body.toString()) as { Id: string }[];
      assert.equal(made.length, 1, `containers created: ${made.length}`);
      assert.equal(await ssh.runs(), 1, 'ssh was started once');
      assert.ok(error instanceof DockerConnectionLostError && error.mayHaveTakenEffect && /POST \/v1\.41\/containers\/create may have reached the engine, so it was not sent again/.test(error.message), String(error));
    } finally {
      await t.close();
      const made = JSON.parse((await rawRequest(engine.host, 'GET', `/containers/json?all=1&filters=${filter(runLabel)}`)).body.toString()) as { Id: string }[];
      for (const c of made) await rawRequest(engine.host, 'DELETE', `/containers/${c.Id}?force=1&v=1`);
    }
  });

  it('over ssh://, a GET whose ssh died the same way is tried again, and answers', async () => {
    const ssh = await sshCommand('die-first');
    const t = sshTransport(ssh.command);
    try {
      const res = await t.request({ method: 'GET', path: '/v1.41/version' });
      assert.equal(res.statusCode, 200);
      assert.match((JSON.parse(res.body.toString()) as { Version: string }).Version, /^20\.10\./);
      assert.equal(await ssh.runs(), 2);
    } finally {
      await t.close();
    }
  });

  it('over ssh://, a stream body is not sent again after a refused connection (it was already read)', async () => {
    const engine = testEngine('docker20');
    const volume = `aicli-test-once-${randomBytes(6).toString('hex')}`;
    const ssh = await sshCommand('refuse-first');
    const t = sshTransport(ssh.command);
    try {
      const body = Readable.from([JSON.stringify({ Name: volume, Labels: { [TEST_LABEL]: 'true' } })]);
      await assert.rejects(
        t.request({ method: 'POST', path: '/v1.41/volumes/create', headers: { 'content-type': 'application/json' }, body }),
        // ssh's own words; whether ssh had read the body cannot be known, so it is not claimed.
        (e: unknown) => isDockerError(e) && /ssh exited with code 255: ssh: connect to host 127\.0\.0\.1 port 22: Connection refused/.test(e.message),
      );
      assert.equal(await ssh.runs(), 1);
      assert.equal((await rawRequest(engine.host, 'GET', `/volumes/${volume}`)).status, 404);
    } finally {
      await t.close();
      await rawRequest(engine.host, 'DELETE', `/volumes/${volume}`);
    }
  });

  for (const httpClient of ['undici', 'node'] as const) {
    it(`(${httpClient}) a stream body is not sent again when the engine appears after a refused connection`, async () => {
      // The engine's socket is missing at first; it appears (a relay to the real engine)
      // while the client would be waiting to try again.
      const engine = testEngine('docker20');
      const socketPath = join(dir, `late-${httpClient}.sock`);
      const links: Socket[] = [];
      let relayed = 0;
      const relay = createServer((c) => {
        relayed++;
        const u = connect(engine.host.slice('unix://'.length));
        links.push(c, u);
        c.pipe(u).pipe(c);
        c.on('error', () => u.destroy());
        u.on('error', () => c.destroy());
      });
      const appear = (): void => {
        if (!relay.listening) relay.listen(socketPath);
      };
      const noop = (): void => undefined;
      const t = new HttpTransport({
        endpoint: { kind: 'unix', url: `unix://${socketPath}`, socketPath },
        connectTimeoutMs: 5000,
        requestTimeoutMs: 30_000,
        httpClient,
        retry: { retries: 2, minDelayMs: 200, maxDelayMs: 400 },
        logger: { debug: noop, warn: noop, error: noop, info: (_fields, message) => { if (message === 'retrying engine call') appear(); } },
      });
      const volume = `aicli-test-once-${httpClient}-${randomBytes(6).toString('hex')}`;
      try {
        const body = Readable.from([JSON.stringify({ Name: volume, Labels: { [TEST_LABEL]: 'true' } })]);
        await assert.rejects(
          t.request({ method: 'POST', path: '/v1.41/volumes/create', headers: { 'content-type': 'application/json' }, body }),
          (e: unknown) => e instanceof DockerNotAvailableError && e.message.includes(socketPath),
        );
        assert.equal(relayed, 0, 'nothing reached the engine');
      } finally {
        await t.close();
        links.forEach((l) => l.destroy());
        if (relay.listening) await new Promise((r) => relay.close(r));
        await rawRequest(engine.host, 'DELETE', `/volumes/${volume}`);
      }
    });
  }
});

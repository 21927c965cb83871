// exec inside a container on real engines: exit codes, stdout and stderr apart, 100 MB out
// and 10 MB in intact, stdin EOF, a time-out and an abort that kill the command inside, TTY
// size and resize, env values never logged, and the same over TLS and ssh://.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ContainerNotRunningError, DockerAbortedError, DockerClient, ExecTimeoutError, exec, execStream, isDockerError } from '../../src/index.js';
import { engineSkip, loadTestEngines, testEngine } from '../support/engines.js';
import { insideEngines, psInside, recordingLogger, testContainer, type TestContainer } from '../support/inside.js';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let project: string;
let bigSha: string;
const BIG = 100_000_000;

before(async () => {
  if (engineSkip() !== false) return;
  // A project folder with a 100 MB file, bind-mounted at /workspace as a workspace's would be.
  project = await mkdtemp(join(tmpdir(), 'aicli-inside-exec-'));
  const big = randomBytes(BIG);
  bigSha = sha(big);
  await writeFile(join(project, 'big'), big);
});
after(async () => {
  if (engineSkip() === false) await rm(project, { recursive: true, force: true });
});

for (const engine of insideEngines()) {
  describe(`exec on ${engine.name}`, () => {
    let client: DockerClient;
    let c: TestContainer;
    before(async () => {
      client = await DockerClient.connect({ host: engine.host, env: {}, ensureNetwork: false });
      c = await testContainer(engine, { binds: [`${project}:/workspace:ro`] });
    });
    after(async () => {
      await c.remove();
      await client.close();
    });

    it('passes exit codes through: 0, 1, 7, 127, and 128+N for a signal', async () => {
      const code = async (cmd: string[]): Promise<number> => (await exec(client.api, c.id, cmd)).exitCode;
      assert.equal(await code(['true']), 0);
      assert.equal(await code(['false']), 1);
      assert.equal(await code(['sh', '-c', 'exit 7']), 7);
      assert.equal(await code(['sh', '-c', 'no-such-command-here']), 127);
      assert.equal(await code(['sh', '-c', 'kill -TERM $$']), 143);
      assert.equal(await code(['sh', '-c', 'kill -KILL $$']), 137);
      // A program the container does not have: the engine's words, and 126 (20.10) or 127.
      const missing = await exec(client.api, c.id, ['no-such-program']);
      assert.ok(missing.exitCode === 126 || missing.exitCode === 127, String(missing.exitCode));
      assert.match(missing.stdout + missing.stderr, /no-such-program/);
    });

    it('keeps stdout and stderr apart when a command interleaves them quickly', async () => {
      const r = await exec(client.api, c.id, ['sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo out$i; echo err$i >&2; i=$((i+1)); done']);
      assert.equal(r.exitCode, 0);
      const out = r.stdout.trimEnd().split('\n');
      const err = r.stderr.trimEnd().split('\n');
      assert.equal(out.length, 3000);
      assert.equal(err.length, 3000);
      out.forEach((l, i) => { assert.equal(l, `out${i}`); });
      err.forEach((l, i) => { assert.equal(l, `err${i}`); });
    });

    it('streams 100 MB of stdout intact, and reads the exit code only after it', async () => {
      const hash = createHash('sha256');
      let bytes = 0;
      const sink = new Writable({
        write(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          bytes += chunk.length;
          cb();
        },
      });
      const h = await execStream(client.api, c.id, ['sh', '-c', 'cat /workspace/big; exit 3'], { stdout: sink });
      const { exitCode } = await h.wait();
      // Counted when the exit code came, not later: the code must follow the last byte.
      const atExit = bytes;
      await h.close();
      assert.equal(exitCode, 3);
      assert.equal(atExit, BIG);
      assert.equal(hash.digest('hex'), bigSha);
    });

    it('the exit code comes only after the last byte, even to a slow reader', async () => {
      let bytes = 0;
      // The engine holds output back for a slow reader while the command has long exited.
      const sink = new Writable({
        highWaterMark: 1,
        write(chunk: Buffer, _e, cb) {
          bytes += chunk.length;
          setTimeout(cb, 2);
        },
      });
      const h = await execStream(client.api, c.id, ['sh', '-c', 'head -c 8000000 /workspace/big; exit 9'], { stdout: sink });
      const { exitCode } = await h.wait();
      const atExit = bytes;
      await h.close();
      assert.deepEqual([exitCode, atExit], [9, 8_000_000]);
    });

    it('streams 10 MB into stdin through cat intact, and closes it (cat sees EOF and exits)', async () => {
      const input = randomBytes(10_000_000);
      const r = await exec(client.api, c.id, ['sh', '-c', 'cat | sha256sum'], { stdin: input });
      assert.equal(r.exitCode, 0);
      assert.equal(r.stdout.split(' ')[0], sha(input));
    });

    it('the buffered form cuts at maxBytes and says so, and the command still runs to its end', async () => {
      const r = await exec(client.api, c.id, ['sh', '-c', 'head -c 100000 /dev/zero; echo done >&2; exit 4'], { maxBytes: 1000 });
      assert.equal(r.exitCode, 4);
      assert.equal(r.truncated, true);
      assert.equal(r.stdout.length, 1000);
      assert.equal(r.stdoutBytes, 100000);
      assert.equal(r.stderr, 'done\n');
    });

    it('a time-out kills the command inside the container, not just the wait', async () => {
      const started = Date.now();
      await assert.rejects(exec(client.api, c.id, ['sleep', '417'], { timeoutMs: 1000 }), (e: unknown) => {
        assert.ok(e instanceof ExecTimeoutError, String(e));
        assert.equal(e.killed, true);
        assert.equal(e.timeoutMs, 1000);
        return true;
      });
      assert.ok(Date.now() - started < 20_000);
      assert.doesNotMatch(await psInside(engine, c.id), /sleep 417/);
    });

    it("the caller's abort kills the command and its children inside the container", async () => {
      const ac = new AbortController();
      const h = await execStream(client.api, c.id, ['sh', '-c', 'sleep 418 & sleep 419; wait'], { signal: ac.signal });
      h.stdout.resume();
      h.stderr.resume();
      // The exec has started; its shell forks the sleeps a moment later (on a loaded machine, later still).
      let before = '';
      for (const end = Date.now() + 10_000; Date.now() < end && !/sleep 419/.test(before); ) before = await psInside(engine, c.id);
      assert.match(before, /sleep 418/);
      ac.abort(new Error('user gave up'));
      await assert.rejects(h.wait(), DockerAbortedError);
      const ps = await psInside(engine, c.id);
      assert.doesNotMatch(ps, /sleep 418/);
      assert.doesNotMatch(ps, /sleep 419/);
    });

    it('a TTY: the command has one, at the caller\'s size, and resizes reach it', async () => {
      assert.match((await exec(client.api, c.id, ['tty'], { tty: true })).stdout, /^\/dev\/pts\/\d+/);
      // The pause lets an engine below API 1.42 (sized right after the start) catch up.
      const h = await execStream(client.api, c.id, ['sh', '-c', 'sleep 0.5; stty size; read x; stty size'], { tty: { rows: 33, cols: 101 }, stdinPipe: true });
      let out = '';
      h.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      for (let i = 0; i < 100 && !out.includes('33 101'); i++) await new Promise((r) => setTimeout(r, 50));
      await h.resize({ rows: 44, cols: 120 });
      h.stdin?.write('go\n');
      assert.equal((await h.wait()).exitCode, 0);
      await h.close();
      assert.match(out, /33 101\r?\n[\s\S]*44 120/);
    });

    it('environment values reach the command and never a log or an error message', async () => {
      const rec = recordingLogger();
      const secret = `s3cr3t-${randomBytes(6).toString('hex')}`;
      const r = await exec(client.api, c.id, ['sh', '-c', 'printf %s "$TOKEN"'], { env: { TOKEN: secret }, logger: rec.logger });
      assert.equal(r.stdout, secret);
      await assert.rejects(exec(client.api, 'aicli-no-such-container', ['true'], { env: [`TOKEN=${secret}`], logger: rec.logger }), (e: unknown) => {
        assert.ok(isDockerError(e));
        assert.ok(!e.message.includes(secret));
        return true;
      });
      await assert.rejects(exec(client.api, c.id, ['true'], { env: [`=${secret}`] }), (e: unknown) => isDockerError(e, 'INVALID_ARGUMENT') && !e.message.includes(secret));
      assert.match(rec.text(), /TOKEN/);
      assert.ok(!rec.text().includes(secret), 'the secret reached a log');
    });

    it('a container that is not running: a clear error, not a conflict', async () => {
      await using stopped = await testContainer(engine, { start: false });
      await assert.rejects(exec(client.api, stopped.id, ['true']), (e: unknown) => e instanceof ContainerNotRunningError && /Start it first/.test(e.message));
    });

    it('close() while a command runs kills it and is safe twice', async () => {
      const h = await execStream(client.api, c.id, ['sleep', '421']);
      // Started, not yet necessarily exec'd by the runtime (seen on a loaded machine): wait until it shows.
      for (let i = 0; i < 50 && !/sleep 421/.test(await psInside(engine, c.id)); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(await psInside(engine, c.id), /sleep 421/);
      await h.close();
      await h.close();
      assert.doesNotMatch(await psInside(engine, c.id), /sleep 421/);
    });
  });
}

describe('exec over TLS and ssh://', { skip: engineSkip() }, () => {
  for (const httpClient of ['undici', 'node'] as const) {
    it(`tcp+TLS (${httpClient}): stdin in, both outputs and the exit code out`, async () => {
      const d26 = testEngine('docker26');
      await using c = await testContainer(d26);
      await using client = await DockerClient.connect({ ensureNetwork: false, env: { DOCKER_HOST: d26.tlsHost ?? '', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: d26.certPath ?? '' }, httpClient });
      const r = await exec(client.api, c.id, ['sh', '-c', 'cat; echo err >&2; exit 5'], { stdin: 'over tls\n' });
      assert.deepEqual([r.exitCode, r.stdout, r.stderr], [5, 'over tls\n', 'err\n']);
    });
  }

  it('ssh:// (docker system dial-stdio): stdin in, outputs out, a time-out kills', async () => {
    const s = loadTestEngines().ssh;
    assert.ok(s !== undefined, 'engines.json has an ssh entry');
    const target = testEngine(s.target);
    await using c = await testContainer(target);
    await using client = await DockerClient.connect({ ensureNetwork: false, host: s.host, sshCommand: ['ssh', '-F', s.config], env: {} });
    const r = await exec(client.api, c.id, ['sh', '-c', 'cat; echo err >&2; exit 6'], { stdin: 'over ssh\n' });
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [6, 'over ssh\n', 'err\n']);
    await assert.rejects(exec(client.api, c.id, ['sleep', '422'], { timeoutMs: 1000 }), ExecTimeoutError);
    assert.doesNotMatch(await psInside(target, c.id), /sleep 422/);
  });
});

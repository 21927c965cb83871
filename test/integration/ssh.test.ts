// ssh:// against a real sshd on loopback whose sessions run `docker system dial-stdio`
// to the Docker 20.10 test engine, as the docker CLI's ssh connection helper does.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { DockerClient, DockerNotAvailableError } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { engineSkip, loadTestEngines } from '../support/engines.js';

const skip = engineSkip();

function sshd(): { host: string; config: string } {
  const s = loadTestEngines().ssh;
  if (s === undefined) throw new Error('engines.json has no ssh entry: scripts/engines.js starts one');
  return s;
}

/** ssh processes this test process started and has not reaped. */
function ourSshChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' }).trim();
  return out === '' ? [] : out.split('\n').filter((l) => /\bssh$/.test(l.trim()));
}

describe('ssh:// engines', { skip }, () => {
  it('connects through `ssh … docker system dial-stdio`, negotiates, and answers calls', async () => {
    const s = sshd();
    await using client = await DockerClient.connect({ ensureNetwork: false, host: s.host, sshCommand: ['ssh', '-F', s.config], env: {} });
    assert.equal(client.endpoint.url, s.host);
    assert.equal(client.apiVersion, '1.41');
    const [version, info] = await Promise.all([client.version(), client.info()]);
    assert.match(version.version, /^20\.10\./);
    assert.ok(info.cpus >= 1);
  });

  it('close() ends every ssh process it started', async () => {
    const s = sshd();
    const client = await DockerClient.connect({ ensureNetwork: false, host: s.host, sshCommand: ['ssh', '-F', s.config], env: {} });
    await Promise.all([client.info(), client.version(), client.ping()]);
    assert.ok(ourSshChildren().length >= 1, 'the calls went through ssh');
    await client.close();
    // Killed at close; reaped a moment later (ssh dial-stdio never exits on its own while connected).
    for (const end = Date.now() + 5000; ourSshChildren().length > 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(ourSshChildren(), []);
  });

  it('a refused key gives DOCKER_NOT_AVAILABLE with ssh’s own words and what to check', async () => {
    const s = sshd();
    const host = s.host.replace('root@', 'nobody@');
    await assert.rejects(
      DockerClient.connect({ ensureNetwork: false, host, sshCommand: ['ssh', '-F', s.config], env: {}, retry: { retries: 0 } }),
      (e: unknown) => e instanceof DockerNotAvailableError && /Permission denied/.test(e.message) && /docker version` works without a prompt/.test(e.message),
    );
  });

  it('a missing ssh client is named', async () => {
    const s = sshd();
    await assert.rejects(
      DockerClient.connect({ ensureNetwork: false, host: s.host, sshCommand: ['aicli-no-such-ssh'], env: {}, retry: { retries: 0 } }),
      (e: unknown) => e instanceof DockerNotAvailableError && /"aicli-no-such-ssh" was not found/.test(e.message),
    );
  });

  it('the CLI reaches an ssh:// engine it cannot log in to with exit 69, never a prompt', async () => {
    const port = new URL(sshd().host).port;
    const r = await runCli(['status', '--host', `ssh://root@127.0.0.1:${port}`], { HOME: '/nonexistent' });
    assert.equal(r.code, 69, r.stderr);
    assert.match(r.stderr, /ssh exited with code 255/);
  });
});

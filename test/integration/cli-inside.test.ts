// The CLI inside a workspace, as a user runs it: `workspace exec` passes stdout and stderr
// through apart and exits with the command's code; stdin with -i, variables, folder and user;
// `workspace logs`; errors and bad usage.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { insideEngines, testContainer } from '../support/inside.js';

const BIN = fileURLToPath(new URL('../../bin/aicli-docker.js', import.meta.url));

/** The CLI with data on its stdin. */
function withStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'] ?? '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('close', (code) => { resolve({ code: code ?? -1, stdout, stderr }); });
    p.stdin.end(input);
  });
}

describe('workspace exec and logs through the CLI', { concurrency: true }, () => {
  for (const engine of insideEngines()) {
    it(`on ${engine.name}: outputs apart, exit code, -i, -e, -w, -u, logs, errors`, async () => {
      await using c = await testContainer(engine, { cmd: ['sh', '-c', 'echo hello-out; echo hello-err >&2; sleep 100000'] });
      const h = ['--host', engine.host];
      const r = await runCli(['workspace', 'exec', c.workspace, ...h, '--', 'sh', '-c', 'echo to-out; echo to-err >&2; exit 7']);
      assert.deepEqual([r.code, r.stdout, r.stderr], [7, 'to-out\n', 'to-err\n']);
      const i = await withStdin(['workspace', 'exec', '-i', c.workspace, ...h, '--', 'sh', '-c', 'cat; echo; echo eof-seen'], 'from stdin');
      assert.deepEqual([i.code, i.stdout], [0, 'from stdin\neof-seen\n']);
      const e = await runCli(['workspace', 'exec', c.workspace, '-e', 'A=1', '-e', 'B', '-w', '/tmp', '-u', '1234:5', ...h, '--', 'sh', '-c', 'echo $A-$B-$(pwd)-$(id -u):$(id -g)'], { B: 'from-env' });
      assert.deepEqual([e.code, e.stdout], [0, '1-from-env-/tmp-1234:5\n']);
      const logs = await runCli(['workspace', 'logs', c.workspace, '--timestamps', ...h]);
      assert.equal(logs.code, 0, logs.stderr);
      assert.match(logs.stdout, /^\d{4}-\d\d-\d\dT\S+ hello-out\n$/);
      assert.match(logs.stderr, /^\d{4}-\d\d-\d\dT\S+ hello-err\n$/);
      const none = await runCli(['workspace', 'exec', `${c.workspace}-missing`, ...h, '--', 'true']);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /No workspace named ".*-missing"/);
      const usage = await runCli(['workspace', 'exec', c.workspace, ...h]);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /missing the COMMAND; write it after --/);
    });
  }
});

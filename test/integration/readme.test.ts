// The README's library example is what a newcomer copies first: it must run as it is,
// as plain JavaScript (an .mjs file) on the Node.js running the suite (20 and 24).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { engineSkip, rawRequest, testEngine } from '../support/engines.js';
import { uniqueName } from '../support/networks.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the README', { skip: engineSkip() }, () => {
  it('library example runs as an .mjs file against a real engine', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The library'));
    const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(code !== undefined, 'no ```js block under "## The library"');
    // Inside the package folder, so that `import 'aicli-docker'` finds the package itself (dist/).
    const dir = await mkdtemp(join(ROOT, '.readme-'));
    // connect() makes the aicli network: one of the test's own, removed at the end.
    const network = uniqueName('readme');
    const host = testEngine('docker20').host;
    try {
      const file = join(dir, 'example.mjs');
      await writeFile(file, code);
      const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [file], { env: { PATH: process.env['PATH'] ?? '', HOME: dir, DOCKER_HOST: host, AICLI_DOCKER_NETWORK_NAME: network }, timeout: 30_000 }, (err, stdout, stderr) => {
          resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
        });
      });
      assert.equal(out.code, 0, out.stderr);
      const [first = '', second = ''] = out.stdout.split('\n');
      assert.equal(first, `${host} 1.41`);
      assert.match(second, /^20\.10\.\S+ \d+$/);
      const made = await rawRequest(host, 'GET', `/networks/${network}`);
      assert.equal(made.status, 200, `the example's connect() made no network ${network}`);
    } finally {
      await rawRequest(host, 'DELETE', `/networks/${network}`);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

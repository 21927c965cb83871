// The CLI's compile cache (bin/compile-cache.js): V8's code for the bundle kept in a private
// folder between runs. What a user would check: the CLI answers the same with a cache, with
// a cache that went bad, and without one; the folder is theirs alone; a folder others can
// write to is never used; NODE_DISABLE_COMPILE_CACHE=1 keeps nothing.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';

const homes: string[] = [];
const freshHome = (): string => {
  const home = mkdtempSync(path.join(tmpdir(), 'aicli-cc-'));
  homes.push(home);
  return home;
};
const folderOf = (home: string): string => path.join(home, '.cache', 'aicli-docker', 'compile-cache', `${process.version}-${process.arch}`);
/** Every file under a folder, with its content. */
const filesIn = (dir: string): Map<string, Buffer> => {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.set(path.join(e.parentPath, e.name), readFileSync(path.join(e.parentPath, e.name)));
  }
  return out;
};

after(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

describe('the CLI compile cache', () => {
  it('is kept in a folder of mode 0700 and gives the same answers as a run without it', async () => {
    const home = freshHome();
    const plain = await runCli(['config', 'show', '--json'], { HOME: home, NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(plain.code, 0, plain.stderr);
    assert.throws(() => statSync(path.join(home, '.cache')), /ENOENT/, 'NODE_DISABLE_COMPILE_CACHE=1 keeps nothing');
    const first = await runCli(['config', 'show', '--json'], { HOME: home });
    const second = await runCli(['config', 'show', '--json'], { HOME: home });
    assert.deepEqual([first.code, second.code], [0, 0], first.stderr + second.stderr);
    // The paths shown are the same HOME's: one answer for all three runs.
    assert.deepEqual([first.stdout, second.stdout], [plain.stdout, plain.stdout]);
    const dir = folderOf(home);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.ok(filesIn(dir).size > 0, 'something was cached');
  });

  it('a cache that went bad is compiled afresh: same answer, and the cache is written again', async () => {
    const home = freshHome();
    const good = await runCli(['--version'], { HOME: home });
    assert.equal(good.code, 0, good.stderr);
    const before = filesIn(folderOf(home));
    assert.ok(before.size > 0);
    for (const f of before.keys()) writeFileSync(f, Buffer.from('not V8 code at all'));
    const again = await runCli(['--version'], { HOME: home });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, good.stdout);
    assert.equal(again.stderr, '');
    const after = filesIn(folderOf(home));
    assert.ok([...after.values()].some((b) => !b.equals(Buffer.from('not V8 code at all'))), 'a fresh cache was written');
  });

  it('a folder that others can write to is not used', async () => {
    const home = freshHome();
    const dir = folderOf(home);
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    const r = await runCli(['--version'], { HOME: home });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(filesIn(dir).size, 0);
  });
});

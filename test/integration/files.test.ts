// Copying files in and out of a container on real engines, as `docker cp` does: a file and a
// folder intact both ways, owned by the container's user inside, and archives that would
// escape their target refused with nothing changed on either side.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pack } from 'tar-stream';
import { copyIn, copyOut, DockerClient, exec, isDockerError, PathNotFoundError, UnsafeArchiveError } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { insideEngines, testContainer, type TestContainer } from '../support/inside.js';

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

let host: string;
let src: string;
const blob = randomBytes(3_000_000);

before(async () => {
  host = await mkdtemp(join(tmpdir(), 'aicli-inside-cp-'));
  // A project: a file, a folder with a binary file, a relative link, an empty folder.
  src = join(host, 'project');
  await mkdir(join(src, 'sub', 'empty'), { recursive: true });
  await writeFile(join(src, 'notes.txt'), 'hello\n');
  await writeFile(join(src, 'sub', 'blob.bin'), blob);
  await symlink('../notes.txt', join(src, 'sub', 'link'));
});
after(async () => {
  await rm(host, { recursive: true, force: true });
});

for (const engine of insideEngines()) {
  describe(`copy in and out on ${engine.name}`, () => {
    let client: DockerClient;
    let c: TestContainer;
    const sh = async (script: string): Promise<string> => {
      const r = await exec(client.api, c.id, ['sh', '-c', script], { user: '0' });
      assert.equal(r.exitCode, 0, r.stderr);
      return r.stdout;
    };
    before(async () => {
      client = await DockerClient.connect({ host: engine.host, env: {}, ensureNetwork: false });
      // A non-root container user: what lands inside must be owned by it, not by root.
      c = await testContainer(engine, { user: '1234:2345' });
    });
    after(async () => {
      await c.remove();
      await client.close();
    });

    it('a file in: intact, owned by the container user; into a folder, or under a new name', async () => {
      await sh('mkdir -p /data && chmod 777 /data');
      const into = await copyIn(client.api, c.id, join(src, 'notes.txt'), '/data/');
      assert.equal(into.target, '/data/notes.txt');
      await copyIn(client.api, c.id, join(src, 'notes.txt'), '/data/renamed.txt');
      assert.equal(await sh('cat /data/notes.txt /data/renamed.txt'), 'hello\nhello\n');
      assert.equal(await sh('stat -c "%u:%g %n" /data/notes.txt /data/renamed.txt'), '1234:2345 /data/notes.txt\n1234:2345 /data/renamed.txt\n');
    });

    it('a folder in and back out: contents, link and empty folder intact, owned by the container user inside', async () => {
      const r = await copyIn(client.api, c.id, src, '/data/p1');
      assert.equal(r.target, '/data/p1');
      const owners = (await sh('find /data/p1 -exec stat -c "%u:%g" {} \\; | sort -u')).trim();
      assert.equal(owners, '1234:2345');
      assert.equal((await sh('md5sum /data/p1/sub/blob.bin')).split(' ')[0], md5(blob));
      assert.equal((await sh('readlink /data/p1/sub/link')).trim(), '../notes.txt');
      const back = join(host, engine.name, 'back');
      await mkdir(back, { recursive: true });
      const out = await copyOut(client.api, c.id, '/data/p1', back);
      assert.equal(out.target, join(back, 'p1'));
      assert.deepEqual(md5(await readFile(join(back, 'p1', 'sub', 'blob.bin'))), md5(blob));
      assert.equal(await readFile(join(back, 'p1', 'notes.txt'), 'utf8'), 'hello\n');
      assert.equal(await readlink(join(back, 'p1', 'sub', 'link')), '../notes.txt');
      assert.ok((await lstat(join(back, 'p1', 'sub', 'empty'))).isDirectory());
      // SRC/. copies the contents; a new destination name takes the folder's place.
      await sh('mkdir -p /data/p2/deeper && echo two > /data/p2/deeper/two.txt');
      await copyOut(client.api, c.id, '/data/p2/.', join(back, 'p1'));
      assert.equal(await readFile(join(back, 'p1', 'deeper', 'two.txt'), 'utf8'), 'two\n');
      // A link that points out of what is copied is refused (sub/link is "../notes.txt").
      await assert.rejects(copyOut(client.api, c.id, '/data/p1/sub/.', join(back, 'p1')), UnsafeArchiveError);
      await assert.rejects(lstat(join(back, 'p1', 'blob.bin')), { code: 'ENOENT' });
      await copyOut(client.api, c.id, '/data/p1/notes.txt', join(back, 'single.txt'));
      assert.equal(await readFile(join(back, 'single.txt'), 'utf8'), 'hello\n');
    });

    it('an archive with a "../" entry is refused and nothing of it lands in the container', async () => {
      const p = pack();
      p.entry({ name: 'fine.txt' }, 'fine');
      p.entry({ name: '../escaped.txt' }, 'bad');
      p.finalize();
      await sh('mkdir -p /data/in');
      await assert.rejects(copyIn(client.api, c.id, Readable.from(p), '/data/in'), (e: unknown) => e instanceof UnsafeArchiveError && /\.\.\/escaped\.txt/.test(e.message));
      assert.equal(await sh('ls -A /data/in; ls /data'), 'in\nnotes.txt\np1\np2\nrenamed.txt\n');
    });

    it('a container folder holding a link to /etc is refused and nothing lands on this host', async () => {
      await sh('mkdir -p /data/evil && echo x > /data/evil/a.txt && ln -s /etc /data/evil/etc');
      const dest = join(host, engine.name, 'evil-out');
      await mkdir(dest, { recursive: true });
      await assert.rejects(copyOut(client.api, c.id, '/data/evil', dest), (e: unknown) => e instanceof UnsafeArchiveError && /absolute path "\/etc"/.test(e.message));
      assert.deepEqual(await readdir(dest), []);
    });

    it('a missing path is named on either side', async () => {
      await assert.rejects(copyOut(client.api, c.id, '/no/such/path', host), (e: unknown) => e instanceof PathNotFoundError && e.message.includes('/no/such/path'));
      await assert.rejects(copyIn(client.api, c.id, join(host, 'missing'), '/data/'), (e: unknown) => e instanceof PathNotFoundError && e.message.includes('on this host'));
      await assert.rejects(copyIn(client.api, c.id, join(src, 'notes.txt'), '/no/such/dir/x'), (e: unknown) => isDockerError(e, 'PATH_NOT_FOUND') && e.message.includes('/no/such/dir'));
    });

    it('the CLI copies in and out with NAME:PATH, as docker cp', async () => {
      const dest = join(host, `cli-${engine.name}`);
      await mkdir(dest);
      const inn = await runCli(['workspace', 'cp', src, `${c.workspace}:/data/cli`, '--host', engine.host], { HOME: host });
      assert.equal(inn.code, 0, inn.stderr);
      assert.match(inn.stdout, new RegExp(`Copied 6 entries .* to ${c.workspace}:/data/cli`));
      // sub/link points at ../notes.txt: out of sub, so copying sub alone is refused, and nothing lands.
      const refused = await runCli(['workspace', 'cp', join(src, 'sub'), `${c.workspace}:/data/cli-sub`, '--host', engine.host], { HOME: host });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /Refused the archive: entry "link" is a symbolic link to "\.\.\/notes\.txt", outside what is copied/);
      assert.equal(await sh('ls /data/cli-sub 2>&1 || true'), 'ls: /data/cli-sub: No such file or directory\n');
      const out = await runCli(['workspace', 'cp', `${c.workspace}:/data/cli/sub/blob.bin`, dest, '--host', engine.host], { HOME: host });
      assert.equal(out.code, 0, out.stderr);
      assert.equal(md5(await readFile(join(dest, 'blob.bin'))), md5(blob));
      const bad = await runCli(['workspace', 'cp', join(src, 'notes.txt'), join(dest, 'x'), '--host', engine.host], { HOME: host });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /one side must be a workspace path, NAME:PATH/);
    });
  });
}

// Images on real engines and a real registry with basic auth (Debian's docker-registry,
// htpasswd -B, on 127.0.0.1): pull with per-layer progress and the docker CLI's credentials
// (auths and a credential helper), a missing tag, no credentials, an error that the engine
// reports inside its 200 answer, local first, and load from a tarball.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { DockerClient, ensureImage, ImagePullError, imagePush, jsonMessages, pullImage, type RegistryAuth } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { engineSkip, ensureBusyboxImage, loadTestEngines, rawRequest, testEngine, TEST_LABEL } from '../support/engines.js';
import { insideEngines, unique } from '../support/inside.js';
import { removeTestObjects } from '../support/workspaces.js';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const skip = engineSkip();
let dir: string;
let reg: { url: string; username: string; password: string };
let auth: RegistryAuth;
/** A fresh image (busybox + a random 3 MB layer) in the registry, and one whose new layer the registry lost. */
let good: string;
let broken: string;
/** A `docker save` tarball of a third fresh image, and its name. */
let tarball: string;
let loadName: string;
const made: string[] = [];

async function freshImage(repo: string, tag: string): Promise<void> {
  const d20 = testEngine('docker20').host;
  await ensureBusyboxImage(d20);
  const name = unique();
  const body = { Image: 'aicli-test-busybox:latest', Cmd: ['sh', '-c', 'head -c 3000000 /dev/urandom > /blob'], Labels: { [TEST_LABEL]: 'true' } };
  assert.equal((await rawRequest(d20, 'POST', `/containers/create?name=${name}`, JSON.stringify(body))).status, 201);
  await rawRequest(d20, 'POST', `/containers/${name}/start`);
  await rawRequest(d20, 'POST', `/containers/${name}/wait`);
  // One layer of its own (the container's whole file system), shared with no other image: the
  // suite's two Node runs pull and remove their images on one Podman at the same time, and
  // Podman loses a layer two images share when one is removed while the other is pulled.
  const fs = await rawRequest(d20, 'GET', `/containers/${name}/export`);
  await rawRequest(d20, 'DELETE', `/containers/${name}?force=1&v=1`);
  assert.equal(fs.status, 200, fs.body.toString());
  const q = new URLSearchParams({ fromSrc: '-', repo, tag });
  q.append('changes', `LABEL ${TEST_LABEL}=true`);
  q.append('changes', 'CMD ["sh"]');
  const c = await rawRequest(d20, 'POST', `/images/create?${q.toString()}`, fs.body, { 'content-type': 'application/x-tar' });
  assert.equal(c.status, 200, c.body.toString());
  assert.ok(!c.body.toString().includes('"error"'), c.body.toString());
}

/** Asks the registry itself (not an engine) for a manifest's last layer digest. */
function lastLayer(repoPath: string, tag: string): Promise<string> {
  const [h, port] = reg.url.split(':');
  return new Promise((resolve, reject) => {
    http
      .get({ host: h, port: Number(port), path: `/v2/${repoPath}/manifests/${tag}`, headers: { authorization: `Basic ${Buffer.from(`${reg.username}:${reg.password}`).toString('base64')}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' } }, (r) => {
        let b = '';
        r.on('data', (d: Buffer) => { b += d.toString(); });
        r.on('end', () => {
          const m = JSON.parse(b) as { layers: { digest: string }[] };
          resolve(m.layers.at(-1)?.digest ?? '');
        });
      })
      .on('error', reject);
  });
}

before(async () => {
  if (skip !== false) return;
  const e = loadTestEngines();
  assert.ok(e.registryAuth !== undefined, 'engines.json has registryAuth (scripts/engines.js starts it)');
  reg = e.registryAuth;
  auth = { username: reg.username, password: reg.password, serverAddress: reg.url };
  dir = await mkdtemp(join(tmpdir(), 'aicli-inside-img-'));
  const tag = `t${randomBytes(4).toString('hex')}`;
  good = `${reg.url}/aicli-test/good:${tag}`;
  broken = `${reg.url}/aicli-test/broken:${tag}`;
  loadName = `aicli-test-load-${randomBytes(4).toString('hex')}`;
  await freshImage(`${reg.url}/aicli-test/good`, tag);
  await freshImage(`${reg.url}/aicli-test/broken`, tag);
  await freshImage(loadName, 'v1');
  // Push both with the Engine API (tag + push), so pulls have something to fetch.
  await using d20 = await DockerClient.connect({ ensureNetwork: false, host: testEngine('docker20').host, env: {} });
  for (const repo of ['good', 'broken']) {
    for await (const m of jsonMessages((await imagePush(d20.api, `${reg.url}/aicli-test/${repo}`, tag, auth)).body)) assert.equal(m.error, undefined);
  }
  // The registry loses the broken image's own layer: its pull starts (200) and fails inside the stream.
  const digest = (await lastLayer('aicli-test/broken', tag)).slice('sha256:'.length);
  await rm(join(e.stateDir, 'registry-auth/data/docker/registry/v2/blobs/sha256', digest.slice(0, 2), digest), { recursive: true });
  tarball = join(dir, 'image.tar');
  const saved = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http.get({ socketPath: testEngine('docker20').host.slice('unix://'.length), path: `/images/${loadName}:v1/get` }, resolve).on('error', reject);
  });
  await pipeline(saved, createWriteStream(tarball));
  for (const ref of [good, broken, `${loadName}:v1`]) await rawRequest(testEngine('docker20').host, 'DELETE', `/images/${encodeURIComponent(ref)}?force=1`);
  made.push(good, broken, `${loadName}:v1`);
  // The docker CLI's config with the registry's credentials, as `docker login` leaves it.
  await mkdir(join(dir, 'docker'));
  await writeFile(join(dir, 'docker', 'config.json'), JSON.stringify({ auths: { [reg.url]: { auth: Buffer.from(`${reg.username}:${reg.password}`).toString('base64') } } }));
});

after(async () => {
  if (skip !== false) return;
  for (const engine of insideEngines()) for (const ref of made) await rawRequest(engine.host, 'DELETE', `/images/${encodeURIComponent(ref)}?force=1`);
  await rm(dir, { recursive: true, force: true });
});

for (const engine of insideEngines()) {
  describe(`images on ${engine.name}`, () => {
    // Podman 4.3's compatible pull reports each layer's steps ("Pulling fs layer", "Download
    // complete") but no byte counts and no "Pull complete": there are no bytes to show.
    const podman = engine.name === 'podman';
    const cli = (args: string[], env: Record<string, string> = {}): ReturnType<typeof runCli> => runCli([...args, '--host', engine.host], { HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), ...env });
    const removeLocal = async (ref: string): Promise<void> => {
      await rawRequest(engine.host, 'DELETE', `/images/${encodeURIComponent(ref)}?force=1`);
    };
    const exists = async (ref: string): Promise<boolean> => (await rawRequest(engine.host, 'GET', `/images/${encodeURIComponent(ref)}/json`)).status === 200;
    /** The container of the workspace `name`, as the engine lists it. */
    const workspaceContainer = async (name: string): Promise<{ Id: string; Image: string } | undefined> => {
      const filters = encodeURIComponent(JSON.stringify({ label: [`aicli.workspace.name=${name}`] }));
      return (JSON.parse((await rawRequest(engine.host, 'GET', `/containers/json?all=1&filters=${filters}`)).body.toString()) as { Id: string; Image: string }[])[0];
    };

    it('image pull: progress per layer as lines, credentials from the docker config, never printed', async () => {
      await removeLocal(good);
      const r = await cli(['image', 'pull', good, '--log-level', 'debug']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^[0-9a-f]{12}: Pulling fs layer$/m);
      assert.match(r.stdout, /^[0-9a-f]{12}: (Downloading|Download complete|Pull complete)$/m);
      assert.match(r.stdout, new RegExp(`Pulled ${good.replace(/[.]/g, '\\.')} \\([0-9a-f]{12}\\)`));
      assert.ok(!r.stdout.includes(reg.password) && !r.stderr.includes(reg.password), 'the password was printed');
      assert.ok(await exists(good));
    });

    it('image pull --json: the engine messages as JSON lines, byte counts included, then the result', async () => {
      await removeLocal(good);
      const r = await cli(['image', 'pull', good, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      if (podman) assert.ok(lines.some((m) => m['status'] === 'Download complete' && typeof m['id'] === 'string'), r.stdout);
      else assert.ok(lines.some((m) => typeof (m['progressDetail'] as { total?: unknown } | undefined)?.total === 'number'), r.stdout);
      assert.deepEqual(Object.keys(lines.at(-1) ?? {}), ['image', 'id', 'pulled']);
      assert.equal(lines.at(-1)?.['image'], good);
    });

    it('credentials from a credential helper (credHelpers → docker-credential-NAME get)', async () => {
      await removeLocal(good);
      const bin = join(dir, `bin-${engine.name}`);
      const conf = join(dir, `helper-${engine.name}`);
      await mkdir(bin);
      await mkdir(conf);
      const helper = join(bin, 'docker-credential-aiclitest');
      await writeFile(helper, `#!/bin/sh\nread server\nif [ "$server" = "${reg.url}" ]; then printf '{"ServerURL":"%s","Username":"${reg.username}","Secret":"${reg.password}"}' "$server"; else echo "credentials not found in native keychain"; exit 1; fi\n`);
      await chmod(helper, 0o755);
      await writeFile(join(conf, 'config.json'), JSON.stringify({ credHelpers: { [reg.url]: 'aiclitest' } }));
      await using client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {} });
      const layers = new Set<string>();
      const r = await pullImage(client.api, good, { credentials: { env: { DOCKER_CONFIG: conf, PATH: `${bin}:${process.env['PATH'] ?? ''}` } }, onProgress: (e) => { if (e.kind === 'layer') layers.add(e.layer.status); } });
      assert.equal(r.pulled, true);
      assert.ok(layers.has(podman ? 'Download complete' : 'Pull complete') || layers.has('Already exists'), [...layers].join(','));
    });

    it('a missing tag fails clearly, naming it (exit 1)', async () => {
      const missing = `${reg.url}/aicli-test/good:no-such-tag`;
      const r = await cli(['image', 'pull', missing]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no-such-tag does not exist in 127\.0\.0\.1:\d+: check the name and the tag/);
    });

    it('no credentials: the error says how to log in, and holds no secret', async () => {
      await using client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {} });
      await assert.rejects(pullImage(client.api, good, { auth: null }), (e: unknown) => e instanceof ImagePullError && /docker login 127\.0\.0\.1:\d+/.test(e.message));
      await assert.rejects(pullImage(client.api, good, { auth: { ...auth, password: 'wrong-password-123' } }), (e: unknown) => e instanceof ImagePullError && /refused the credentials/.test(e.message) && !e.message.includes('wrong-password-123'));
    });

    it('an error the engine reports inside its 200 answer fails the pull (not "looks hung")', async () => {
      await using client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {} });
      let inStream = false;
      await assert.rejects(
        pullImage(client.api, broken, { auth, onMessage: (m) => { if (m.error !== undefined) inStream = true; } }),
        (e: unknown) => e instanceof ImagePullError && e.image === broken && /blob/i.test(e.daemonMessage),
      );
      assert.ok(inStream, 'the error came inside the stream');
    });

    it('local first: an image the engine has is used without a pull', async () => {
      await ensureBusyboxImage(engine.host);
      await using client = await DockerClient.connect({ ensureNetwork: false, host: engine.host, env: {} });
      const here = await ensureImage(client.api, 'aicli-test-busybox:latest', { auth: null });
      assert.equal(here.pulled, false);
      const r = await cli(['image', 'pull', 'aicli-test-busybox', '--missing']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /aicli-test-busybox:latest is here already/);
    });

    it('workspace create: a missing image is pulled (progress on stderr, credentials from the docker config), then used; --pull never and a tag the registry lacks fail naming the image, with nothing made', async () => {
      await removeLocal(good);
      const network = unique('aicli-pull');
      const [pulled, never, lacking] = [unique('pulled'), unique('never'), unique('lacking')];
      const create = (name: string, image: string, ...more: string[]): ReturnType<typeof runCli> =>
        cli(['workspace', 'create', name, '--image', image, '--network', network, '--label', `${TEST_LABEL}=true`, ...more]);
      try {
        const r = await create(pulled, good);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, new RegExp(`^Image ${escape(good)} is not on the engine: pulling it$`, 'm'));
        assert.match(r.stderr, /^[0-9a-f]{12}: Pulling fs layer$/m);
        assert.match(r.stderr, new RegExp(`^Pulled ${escape(good)}$`, 'm'));
        assert.ok(!r.stderr.includes(reg.password) && !r.stdout.includes(reg.password), 'the password was printed');
        assert.match(r.stdout, new RegExp(`^Created workspace ${pulled}: `));
        const made = await workspaceContainer(pulled);
        assert.equal(made?.Image, good);
        // Removed before its image: Podman's forced image removal takes the container along but
        // leaves its anonymous volume behind.
        await removeTestObjects(engine.host, network, [pulled]);

        await removeLocal(good);
        const n = await create(never, good, '--pull', 'never');
        assert.equal(n.code, 1, n.stderr);
        assert.match(n.stderr, new RegExp(`image "${escape(good)}" is not on this engine`));
        assert.equal(await workspaceContainer(never), undefined);
        assert.equal(await exists(good), false, '--pull never pulled nothing');

        const missing = `${reg.url}/aicli-test/good:no-such-tag`;
        const m = await create(lacking, missing);
        assert.equal(m.code, 1, m.stderr);
        assert.match(m.stderr, new RegExp(`Pulling ${escape(missing)} failed: .*no-such-tag does not exist in ${escape(reg.url)}: check the name and the tag`));
        assert.equal(await workspaceContainer(lacking), undefined);

        const bad = await create(lacking, good, '--pull', 'sometimes');
        assert.equal(bad.code, 2, bad.stderr);
        assert.match(bad.stderr, /--pull: "sometimes" is not a pull policy; expected one of missing, never/);
      } finally {
        await removeTestObjects(engine.host, network, [pulled, never, lacking]);
      }
    });

    it('image load FILE: a docker save tarball, streamed', async () => {
      await removeLocal(`${loadName}:v1`);
      const r = await cli(['image', 'load', tarball]);
      assert.equal(r.code, 0, r.stderr);
      // Podman names an image loaded without a registry localhost/NAME (its short name still finds it).
      assert.match(r.stdout, new RegExp(`Loaded ${podman ? 'localhost/' : ''}${loadName}:v1`));
      assert.ok(await exists(`${loadName}:v1`));
      const bad = join(dir, `not-an-image-${engine.name}.tar`);
      await writeFile(bad, 'this is not a tarball');
      const r2 = await cli(['image', 'load', bad]);
      assert.equal(r2.code, 1);
      assert.match(r2.stderr, /Loading an image from .*not-an-image.* failed/);
    });
  });
}

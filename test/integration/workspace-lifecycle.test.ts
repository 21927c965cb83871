import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ContainerBackend,
  ImageNotFoundError,
  InvalidConfigError,
  WorkspaceConflictError,
  WorkspaceNotFoundError,
  Workspaces,
  type DockerClient,
  type EngineApi,
} from '../../src/index.js';
import { ensureBusyboxImage, engineSkip, loadTestEngines, rawRequest } from '../support/engines.js';
import { connect, rawInspect, removeTestObjects, TEST_LABELS, testConfig, unique, waitFor, workspaceContainers, workspaceEngines } from '../support/workspaces.js';

const skip = engineSkip();

for (const engine of skip === false ? workspaceEngines(loadTestEngines().engines) : []) {
  describe(`workspace lifecycle on ${engine.name}`, () => {
    const config = testConfig({ healthcheckIntervalMs: 1000 });
    const made: string[] = [];
    let client: DockerClient;
    let ws: Workspaces;
    let project: string;
    let image: string;
    const name = (prefix: string): string => {
      const n = unique(prefix);
      made.push(n);
      return n;
    };

    before(async () => {
      image = await ensureBusyboxImage(engine.host);
      project = await mkdtemp(join(tmpdir(), 'aicli-wsl-'));
      client = await connect(engine, config);
      ws = new Workspaces(client);
    });
    after(async () => {
      await client.close();
      await removeTestObjects(engine.host, config.networkName, made);
      await rm(project, { recursive: true, force: true });
    });

    it('create is idempotent: a second create, spelled differently, returns the same container', async () => {
      const n = name('life');
      const first = await ws.create({ name: n.toUpperCase().replace('-', '_'), image, project, labels: TEST_LABELS });
      assert.equal(first.created, true);
      assert.equal(first.info.name, n);
      assert.equal(first.info.containerName, `workspace_${n}`);
      assert.equal(first.info.state, 'created');
      const second = await ws.create({ name: n, image, project, labels: TEST_LABELS });
      assert.equal(second.created, false);
      assert.equal(second.info.id, first.info.id);
      const listed = await rawRequest(engine.host, 'GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: [`aicli.workspace.name=${n}`] }))}`);
      assert.equal((JSON.parse(listed.body.toString()) as unknown[]).length, 1);
    });

    it('start, then inspect: running, healthy, with its limits, project, network and labels', async () => {
      const n = name('insp');
      const { info: created } = await ws.create({ name: n, image, project, labels: TEST_LABELS, ephemeral: true });
      await ws.start(n);
      const info = await waitFor('a healthy workspace', 30_000, async () => {
        const i = await ws.inspect(n);
        return i.health === 'healthy' ? i : undefined;
      });
      assert.equal(info.id, created.id);
      assert.equal(info.state, 'running');
      assert.equal(info.project, await realpathOf(project));
      assert.equal(info.network, config.networkName);
      assert.deepEqual(info.networks.map((x) => x.name), [config.networkName]);
      assert.equal(info.limits.memoryBytes, config.memoryLimitBytes);
      assert.equal(info.limits.memorySwapBytes, config.memoryLimitBytes);
      assert.equal(info.limits.cpus, config.cpuLimit);
      assert.equal(info.limits.pidsLimit, config.pidsLimit);
      assert.deepEqual(info.limits.ulimits['nofile'], config.ulimitNofile);
      assert.equal(info.limits.restartPolicy, 'on-failure:5');
      assert.equal(info.ephemeral, true);
      assert.match(info.created, /^\d{4}-\d\d-\d\dT/);
      // Checked against the engine's own answer, not the library's reading of it.
      const raw = await rawInspect(engine.host, info.id);
      const labels = raw.Config.Labels ?? {};
      assert.equal(labels['aicli.managed'], 'true');
      assert.equal(labels['aicli.role'], 'workspace');
      assert.equal(labels['aicli.workspace.id'], n);
      assert.equal(labels['aicli.workspace.name'], n);
      assert.equal(labels['aicli.ephemeral'], 'true');
      assert.equal(labels['aicli.test'], 'true');
      assert.equal(labels['aicli.owner.pid'], String(process.pid));
      assert.match(labels['aicli.created'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(raw.State.Health?.Status, 'healthy');
      // The network the workspace was put on carries aicli's labels and the test's.
      const net = JSON.parse((await rawRequest(engine.host, 'GET', `/networks/${config.networkName}`)).body.toString()) as { Labels: Record<string, string>; Driver: string };
      assert.equal(net.Driver, 'bridge');
      assert.equal(net.Labels['aicli.managed'], 'true');
      assert.equal(net.Labels['aicli.test'], 'true');
    });

    it('stop ends it, restart brings it back, start is idempotent', async () => {
      const n = name('stop');
      await ws.create({ name: n, image, labels: TEST_LABELS, start: true });
      await ws.stop(n, { timeoutSeconds: 5 });
      const stopped = await ws.inspect(n);
      assert.equal(stopped.state, 'exited');
      // The keep-alive exits 0 on SIGTERM: it was not killed after the grace period.
      assert.equal(stopped.exitCode, 0);
      await ws.stop(n);
      await ws.restart(n, { timeoutSeconds: 2 });
      assert.equal((await rawInspect(engine.host, stopped.id)).State.Status, 'running');
      await ws.start(n);
      assert.equal((await ws.inspect(n)).state, 'running');
    });

    it('list shows every workspace, and survives one removed while it lists', async () => {
      const [a, b, c] = [name('lsa'), name('lsb'), name('lsc')];
      for (const n of [a, b, c]) await ws.create({ name: n, image, labels: TEST_LABELS });
      const all = await ws.list();
      for (const n of [a, b, c]) assert.ok(all.some((w) => w.name === n), `${n} listed`);
      assert.ok(all.every((w) => w.labels['aicli.managed'] === 'true' && w.state.length > 0 && w.created.length > 0 && w.image.length > 0));
      // An engine API that removes `b` right after the engine listed the containers: the
      // inspects that follow find it gone, as when another process removes it meanwhile.
      const victim = (await ws.inspect(b)).id;
      let removed = false;
      const racing = new Proxy(client.api, {
        get(target, prop, receiver) {
          if (prop !== 'json') return Reflect.get(target, prop, receiver) as unknown;
          return async (call: Parameters<EngineApi['json']>[0]) => {
            const result = await target.json(call);
            if (!removed && call.path === '/containers/json') {
              removed = true;
              await rawRequest(engine.host, 'DELETE', `/containers/${victim}?force=1&v=1`);
            }
            return result;
          };
        },
      });
      const racingWs = new Workspaces({ api: racing, config, endpoint: client.endpoint }, { backend: new ContainerBackend(racing, config) });
      const listed = await racingWs.list();
      assert.ok(removed);
      assert.ok(!listed.some((w) => w.name === b));
      assert.ok(listed.some((w) => w.name === a) && listed.some((w) => w.name === c));
    });

    it('remove force-removes a running workspace with its anonymous volume; then there is nothing to remove', async () => {
      const n = name('rm');
      const { info } = await ws.create({ name: n, image, labels: TEST_LABELS, start: true });
      const volume = info.mounts.find((m) => m.target === '/workspace' && m.type === 'volume')?.source;
      assert.ok(volume !== undefined && volume !== '', 'without a project, /workspace is an anonymous volume');
      assert.equal((await rawRequest(engine.host, 'GET', `/volumes/${volume}`)).status, 200);
      assert.equal(await ws.remove(n), true);
      assert.equal((await rawRequest(engine.host, 'GET', `/containers/${info.id}/json`)).status, 404);
      assert.equal((await rawRequest(engine.host, 'GET', `/volumes/${volume}`)).status, 404);
      assert.equal(await ws.remove(n), false);
      await assert.rejects(ws.inspect(n), WorkspaceNotFoundError);
      await assert.rejects(ws.stop(n), (e: unknown) => e instanceof WorkspaceNotFoundError && e.message.includes(n));
    });

    it('a container aicli did not make is never touched, even with the workspace name', async () => {
      const n = name('foreign');
      const made = await rawRequest(engine.host, 'POST', `/containers/create?name=workspace_${n}`, JSON.stringify({ Image: image, Cmd: ['true'], Labels: TEST_LABELS }));
      assert.equal(made.status, 201, made.body.toString());
      const foreign = (JSON.parse(made.body.toString()) as { Id: string }).Id;
      try {
        await untouched(foreign, n);
      } finally {
        await rawRequest(engine.host, 'DELETE', `/containers/${foreign}?force=1&v=1`);
      }
    });

    /** The foreign container is never started, stopped, removed or listed as a workspace. */
    const untouched = async (foreign: string, n: string): Promise<void> => {
      const before = await rawInspect(engine.host, foreign);
      await assert.rejects(ws.create({ name: n, image, labels: TEST_LABELS }), (e: unknown) => e instanceof WorkspaceConflictError && e.message.includes(`workspace_${n}`));
      assert.equal(await ws.remove(n), false);
      await assert.rejects(ws.stop(n), WorkspaceNotFoundError);
      await assert.rejects(ws.start(n), WorkspaceNotFoundError);
      assert.ok(!(await ws.list()).some((w) => w.id === foreign));
      const afterwards = await rawInspect(engine.host, foreign);
      assert.equal(afterwards.State.Status, before.State.Status);
      assert.deepEqual(afterwards.Config.Labels, before.Config.Labels);
    };

    it('a missing image, pull policy never: ImageNotFoundError naming it and how to get it, and nothing created', async () => {
      const fresh = testConfig();
      await using other = await connect(engine, fresh);
      const missing = `aicli-missing-${unique('img')}:1`;
      const noimg = name('noimg');
      await assert.rejects(
        // Never a pull here: no test asks an engine to reach a public registry (pulls: images.test.ts).
        new Workspaces(other).create({ name: noimg, image: missing, labels: TEST_LABELS, pull: { policy: 'never' } }),
        (e: unknown) => e instanceof ImageNotFoundError && e.message.includes(missing) && e.message.includes(`docker pull ${missing}`),
      );
      assert.deepEqual(await workspaceContainers(engine.host, noimg), []);
      assert.equal((await rawRequest(engine.host, 'GET', `/networks/${fresh.networkName}`)).status, 404);
    });

    it('ulimits the engine cannot grant: the error names the ulimit and its key, and no workspace is left', async () => {
      // Above fs.nr_open no process may have that many files open, whatever its privileges.
      const nrOpen = Number((await readFile('/proc/sys/fs/nr_open', 'utf8')).trim());
      const tooMany = testConfig({ networkName: config.networkName, ulimitNofile: { soft: nrOpen + 1, hard: nrOpen + 1 } });
      await using other = await connect(engine, tooMany);
      const n = name('rlimit');
      await assert.rejects(
        new Workspaces(other).create({ name: n, image, labels: TEST_LABELS, start: true }),
        (e: unknown) => e instanceof InvalidConfigError && e.problems.some((p) => p.key === 'ulimit_nofile' && p.message.includes(`nofile=${nrOpen + 1}`)),
      );
      assert.equal(await ws.remove(n), false, 'the workspace made with limits the engine refused was removed');
    });
  });
}

async function realpathOf(path: string): Promise<string> {
  const { realpath } = await import('node:fs/promises');
  return realpath(path);
}

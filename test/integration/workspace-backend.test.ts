// The backend seam on a plain engine (no Swarm): `orchestrator` picks the container backend
// (auto) or refuses (swarm); exec, logs, cp and stats find the workspace through the backend
// (Workspaces.locate); the Swarm-only create flag is refused here with nothing made; rm
// --keep-data keeps the anonymous volume. The Swarm side is test/integration/swarm.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ContainerBackend, DockerClient, exec, isDockerError, Workspaces, type WorkspaceInfo } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { ensureBusyboxImage, engineSkip, rawRequest, testEngine } from '../support/engines.js';
import { removeTestObjects, TEST_LABELS, testConfig, unique, workspaceContainers } from '../support/workspaces.js';

const skip = engineSkip();

describe('workspaces through the backend orchestrator chooses, on a plain engine', { skip }, () => {
  const engine = (): ReturnType<typeof testEngine> => testEngine('docker28');
  const network = unique('aicli-wsb');
  const names: string[] = [];
  const name = (prefix: string): string => {
    const n = unique(prefix);
    names.push(n);
    return n;
  };
  let home: string;
  let env: Record<string, string>;

  before(async () => {
    await ensureBusyboxImage(engine().host);
    home = await mkdtemp(join(tmpdir(), 'aicli-wsb-'));
    env = { HOME: home, DOCKER_HOST: engine().host, AICLI_DOCKER_NETWORK_NAME: network, AICLI_DOCKER_DEFAULT_IMAGE: 'aicli-test-busybox:latest' };
  });
  after(async () => {
    await removeTestObjects(engine().host, network, names);
    await rm(home, { recursive: true, force: true });
  });

  it('orchestrator auto: the container backend; locate gives this engine and the workspace container, which exec runs in', async () => {
    await using client = await DockerClient.connect({ host: engine().host, env: {}, ensureNetwork: false, config: testConfig({ networkName: network, defaultImage: 'aicli-test-busybox:latest', orchestrator: 'auto' }) });
    await using ws = new Workspaces(client);
    const backend = await ws.backend();
    assert.ok(backend instanceof ContainerBackend, backend.kind);
    const n = name('loc');
    const { info } = await ws.create({ name: n, labels: TEST_LABELS, start: true });
    assert.equal(info.backend, 'container');
    assert.equal(info.node, undefined);
    const target = await ws.locate(n);
    assert.deepEqual([target.container, target.workspace, target.node], [`workspace_${n}`, n, undefined]);
    assert.equal(target.api, client.api);
    const r = await exec(target.api, target.container, ['hostname']);
    assert.deepEqual([r.exitCode, r.stdout], [0, `${n}\n`]);
    await assert.rejects(ws.locate(name('none')), (err: unknown) => isDockerError(err, 'WORKSPACE_NOT_FOUND'));
  });

  it('orchestrator swarm on an engine that is no manager: refused (exit 2) naming where it was set, for ls and exec alike', async () => {
    for (const args of [['workspace', 'ls'], ['workspace', 'exec', 'x', '--', 'true']]) {
      const r = await runCli(args, { ...env, AICLI_DOCKER_ORCHESTRATOR: 'swarm' });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /is not a Swarm manager \(swarm state: inactive\), but orchestrator in AICLI_DOCKER_ORCHESTRATOR asks for Swarm workspaces/);
    }
  });

  it('--constraint places Swarm workspaces only: refused here (exit 2), and a bad one by its syntax; nothing created', async () => {
    const n = name('cons');
    const placed = await runCli(['workspace', 'create', n, '--label', 'aicli.test=true', '--constraint', 'node.role==worker'], env);
    assert.equal(placed.code, 2, placed.stderr);
    assert.match(placed.stderr, /Invalid placement constraint: node\.role==worker: constraints place workspaces on the nodes of a Swarm cluster.*orchestrator: engine/);
    assert.match(placed.stderr, /nothing was created/);
    const bad = await runCli(['workspace', 'create', n, '--constraint', 'zone=a'], env);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /Invalid --constraint: "zone=a" is not a placement constraint/);
    assert.deepEqual(await workspaceContainers(engine().host, n), []);
  });

  it('rm --keep-data keeps the anonymous /workspace volume (and says the workspace is gone); rm without it removes it', async () => {
    const volumeOf = async (n: string): Promise<string> => {
      const r = await runCli(['workspace', 'inspect', n, '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      const mount = (JSON.parse(r.stdout) as WorkspaceInfo).mounts.find((m) => m.target === '/workspace');
      assert.equal(mount?.type, 'volume');
      return mount.source;
    };
    const volumeExists = async (v: string): Promise<boolean> => (await rawRequest(engine().host, 'GET', `/volumes/${v}`)).status === 200;
    const kept = name('keep');
    const gone = name('drop');
    for (const n of [kept, gone]) assert.equal((await runCli(['workspace', 'create', n, '--label', 'aicli.test=true'], env)).code, 0);
    const [keptVolume, goneVolume] = [await volumeOf(kept), await volumeOf(gone)];
    const rmKept = await runCli(['workspace', 'rm', kept, '--keep-data', '--json'], env);
    assert.equal(rmKept.code, 0, rmKept.stderr);
    assert.deepEqual(JSON.parse(rmKept.stdout), { name: kept, removed: true });
    assert.equal((await runCli(['workspace', 'rm', gone], env)).code, 0);
    assert.equal(await volumeExists(keptVolume), true, 'the kept volume is there');
    assert.equal(await volumeExists(goneVolume), false, 'the other went with its workspace');
    assert.equal((await rawRequest(engine().host, 'DELETE', `/volumes/${keptVolume}`)).status, 204);
  });
});

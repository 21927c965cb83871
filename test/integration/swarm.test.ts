// Swarm workspaces through the library on a real Docker 26.1 cluster (a Docker 20.10 worker
// too, drained but for the test that needs it), and Docker 20.10 as a manager. The suite itself
// is test/support/swarm-suite.ts; 28.5 and the CLI run from swarm-28.test.ts and
// swarm-cli.test.ts, each a process with a time budget of its own.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSwarmCluster, type SwarmCluster, type SwarmClusterNode } from '../../scripts/swarm-cluster.js';
import { DockerClient, isDockerError, resolveOrchestrator } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { engineSkip } from '../support/engines.js';
import { managerJson, serviceNames, suffix, swarmClusterSuite } from '../support/swarm-suite.js';

const skip = engineSkip();

// The clusters are independent (own namespaces, folders, names): their suites run side by side.
// Most of their time is Swarm's own waiting (heartbeats, a 2 s gossip delay per task stop).
describe('Swarm workspaces', { skip, concurrency: 2 }, () => {
  swarmClusterSuite('26', 'library');

  describe('Docker 20.10 as a Swarm manager', { concurrency: 1 }, () => {
    let cluster: SwarmCluster;
    let home: string;
    before(async () => {
      cluster = await startSwarmCluster({ version: '20', workers: 1 });
      home = await mkdtemp(join(tmpdir(), 'aicli-swarm-home-'));
    });
    after(async () => {
      await (cluster as SwarmCluster | undefined)?.destroy();
      if ((home as string | undefined) !== undefined) await rm(home, { recursive: true, force: true });
    });

    it('refuses a workspace, naming no-new-privileges and the Docker version that carries it; nothing is left', async () => {
      const r = await runCli(['workspace', 'create', `old-${suffix()}`, '--image', cluster.image], {
        HOME: home,
        AICLI_DOCKER_HOST: cluster.manager.host,
        AICLI_DOCKER_ORCHESTRATOR: 'swarm',
      });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /no-new-privileges/);
      assert.match(r.stderr, /Docker 25\.0/);
      assert.match(r.stderr, /API 1\.41/);
      assert.deepEqual(await serviceNames(cluster), []);
      const nets = await managerJson<{ Name: string; Labels: Record<string, string> | null }[]>(cluster, '/networks');
      assert.deepEqual(nets.filter((n) => n.Labels?.['aicli.managed'] === 'true'), []);
      const vols = await managerJson<{ Volumes: unknown[] | null }>(cluster, '/volumes');
      assert.deepEqual(vols.Volumes ?? [], []);
    });

    it('orchestrator: auto picks swarm on a manager and the engine elsewhere; swarm elsewhere is refused', async () => {
      const worker = cluster.workers[0] as SwarmClusterNode;
      await using onManager = await DockerClient.connect({ host: cluster.manager.host, env: {}, ensureNetwork: false });
      await using onWorker = await DockerClient.connect({ host: worker.host, env: {}, ensureNetwork: false });
      assert.equal(await resolveOrchestrator(onManager, { orchestrator: 'auto' }), 'swarm');
      assert.equal(await resolveOrchestrator(onWorker, { orchestrator: 'auto' }), 'engine');
      assert.equal(await resolveOrchestrator(onWorker, { orchestrator: 'engine' }), 'engine');
      await assert.rejects(resolveOrchestrator(onWorker, { orchestrator: 'swarm', source: 'AICLI_DOCKER_ORCHESTRATOR' }), (err: unknown) => {
        assert.ok(isDockerError(err, 'NOT_SWARM_MANAGER'));
        assert.match((err as Error).message, /not a Swarm manager \(swarm state: active, as a worker.*AICLI_DOCKER_ORCHESTRATOR asks for Swarm workspaces/);
        return true;
      });
    });

    it('nodes on a worker: refused, saying only managers can, and what to do', async () => {
      const r = await runCli(['nodes'], { HOME: home, AICLI_DOCKER_HOST: cluster.workers[0]?.host ?? '' });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /is not a Swarm manager \(swarm state: active, as a worker: only managers can run services\)/);
      assert.match(r.stderr, /Point aicli at a manager/);
    });
  });
});

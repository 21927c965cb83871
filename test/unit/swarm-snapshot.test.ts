// workspaceViews / nodeViews: what ls and nodes say, from services, tasks and nodes shaped as the
// Engine API returns them (fields as seen on the test cluster), and node endpoint routing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isDockerError,
  NodeEngines,
  nodeEndpoint,
  nodeViews,
  workspaceViews,
  type DockerClient,
  type SwarmNode,
  type SwarmService,
  type SwarmTask,
  type TaskState,
} from '../../src/index.js';

function node(id: string, state: SwarmNode['Status']['State'] = 'ready', labels: Record<string, string> = {}): SwarmNode {
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: '2026-01-01T00:00:00Z',
    Spec: { Role: 'worker', Availability: 'active', Labels: labels },
    Description: { Hostname: `host-${id}`, Resources: { NanoCPUs: 2e9, MemoryBytes: 8 * 2 ** 30 }, Engine: { EngineVersion: '26.1.5' } },
    Status: { State: state, Addr: `10.0.0.${id.length}` },
  };
}

function service(name: string, options: { replicas?: number; driver?: string; driverOptions?: Record<string, string> } = {}): SwarmService {
  return {
    ID: `svc-${name}`,
    Version: { Index: 10 },
    CreatedAt: '2026-01-01T00:00:00.123456Z',
    UpdatedAt: '2026-01-01T00:00:00Z',
    Spec: {
      Name: `workspace-${name}`,
      Labels: { 'aicli.managed': 'true', 'aicli.workspace.name': name, 'aicli.created': '2026-01-01T00:00:00Z' },
      TaskTemplate: {
        ContainerSpec: {
          Image: 'img:1@sha256:' + 'a'.repeat(64),
          Mounts: [{ Type: 'volume', Source: `workspace-${name}-data`, Target: '/workspace', VolumeOptions: { DriverConfig: { Name: options.driver ?? 'local', ...(options.driverOptions ? { Options: options.driverOptions } : {}) } } }],
        },
        Resources: { Reservations: { NanoCPUs: 1e9, MemoryBytes: 2 ** 30 } },
      },
      Mode: { Replicated: { Replicas: options.replicas ?? 1 } },
    },
  };
}

/** The i-th item, which must be there. */
function at<T>(xs: readonly T[], i = 0): T {
  const x = xs[i];
  assert.ok(x !== undefined, `no item ${i}`);
  return x;
}

let seq = 0;
function task(svc: SwarmService, nodeId: string | undefined, state: TaskState, desired: TaskState, extra: { err?: string; container?: boolean; at?: string } = {}): SwarmTask {
  seq++;
  return {
    ID: `task-${seq}`,
    Version: { Index: 100 + seq },
    CreatedAt: extra.at ?? `2026-01-01T00:00:${String(seq).padStart(2, '0')}Z`,
    UpdatedAt: extra.at ?? `2026-01-01T00:00:${String(seq).padStart(2, '0')}Z`,
    ServiceID: svc.ID,
    ...(nodeId === undefined ? {} : { NodeID: nodeId }),
    DesiredState: desired,
    Status: {
      Timestamp: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.5Z`,
      State: state,
      Message: state,
      ...(extra.err === undefined ? {} : { Err: extra.err }),
      ...(extra.container === false ? {} : { ContainerStatus: { ContainerID: `c${seq}` } }),
    },
    Spec: svc.Spec.TaskTemplate,
  };
}

describe('workspaceViews', () => {
  it('running on a ready node: running, with its hostname and no message', () => {
    const s = service('a');
    const v = at(workspaceViews([s], [task(s, 'n1', 'running', 'running')], [node('n1')]));
    assert.deepEqual({ state: v.info.state, node: v.info.node, message: v.info.message, image: v.info.image }, { state: 'running', node: 'host-n1', message: '', image: 'img:1' });
    assert.equal(v.data.note, 'volume workspace-a-data on node host-n1 (local to that node)');
  });

  it('pending: no node, and the scheduler\'s own reason', () => {
    const s = service('b');
    const reason = 'no suitable node (insufficient resources on 2 nodes; 1 node not available for new tasks)';
    const v = at(workspaceViews([s], [task(s, undefined, 'pending', 'running', { err: reason, container: false })], [node('n1')]));
    assert.deepEqual({ state: v.info.state, node: v.info.node, message: v.info.message }, { state: 'pending', node: null, message: reason });
  });

  it('a task still "running" on a node that is down is lost, not running on a stale node', () => {
    const s = service('c');
    const v = at(workspaceViews([s], [task(s, 'n1', 'running', 'running')], [node('n1', 'down')]));
    assert.equal(v.info.state, 'lost');
    assert.match(v.info.message, /node host-n1 is down; Swarm will start the workspace on another node/);
    const gone = at(workspaceViews([s], [task(s, 'n9', 'running', 'running')], [node('n1')]));
    assert.equal(gone.info.state, 'lost');
  });

  it('while it moves: the replacement on its new node, the old task ignored, and the data left behind named', () => {
    const s = service('d');
    const old = task(s, 'n1', 'running', 'shutdown');
    const moving = task(s, 'n2', 'ready', 'ready', { container: false });
    const v = at(workspaceViews([s], [old, moving], [node('n1', 'down'), node('n2')]));
    assert.deepEqual({ state: v.info.state, node: v.info.node }, { state: 'starting', node: 'host-n2' });
    assert.match(v.info.message, /moved from host-n1: its data did not follow/);
    const running = task(s, 'n2', 'running', 'running');
    const after = at(workspaceViews([s], [old, moving, running], [node('n1', 'down'), node('n2')]));
    assert.deepEqual({ state: after.info.state, node: after.info.node }, { state: 'running', node: 'host-n2' });
    assert.match(after.info.message, /moved from host-n1: its data did not follow \(it stayed in volume workspace-d-data on host-n1/);
    assert.deepEqual(after.data.leftOn.map((l) => l.node), ['host-n1']);
    assert.match(after.data.note, /older data stayed on host-n1/);
  });

  it('a shared volume driver: the data follows, no warning', () => {
    const s = service('e', { driver: 'local', driverOptions: { type: 'nfs', o: 'addr=10.0.0.1', device: ':/x' } });
    const v = at(workspaceViews([s], [task(s, 'n1', 'running', 'shutdown'), task(s, 'n2', 'running', 'running')], [node('n1', 'down'), node('n2')]));
    assert.equal(v.data.follows, true);
    assert.equal(v.info.message, '');
    assert.match(v.data.note, /is shared: the data follows/);
  });

  it('started again on another node after a stop: the data left on the node named by the stop label', () => {
    const base = service('f');
    const s = { ...base, Spec: { ...base.Spec, Labels: { ...base.Spec.Labels, 'aicli.swarm.data-on': 'host-n1' } } };
    // Swarm forgot the task on n1 when it scaled the slot away: only the label remembers.
    const v = at(workspaceViews([s], [task(s, 'n2', 'running', 'running')], [node('n1'), node('n2')]));
    assert.deepEqual([v.info.state, v.info.node], ['running', 'host-n2']);
    assert.deepEqual(v.data.leftOn.map((l) => l.node), ['host-n1']);
    assert.match(v.info.message, /moved from host-n1: its data did not follow/);
  });

  it('stopped (0 replicas), failed (Swarm gave up), and sorted by name', () => {
    const a = service('z', { replicas: 0 });
    const b = service('y');
    const views = workspaceViews([a, b], [task(b, 'n1', 'rejected', 'shutdown', { err: 'No such image: img:1' })], [node('n1')]);
    assert.deepEqual(views.map((v) => [v.info.name, v.info.state, v.info.message]), [
      ['y', 'failed', 'No such image: img:1'],
      ['z', 'stopped', 'stopped (0 replicas); `workspace start` runs it again'],
    ]);
  });
});

describe('nodeViews', () => {
  it('sums what every task Swarm wants running reserves on each node, and names the workspaces', () => {
    const a = service('a');
    const other = { ...service('x'), ID: 'svc-other' };
    const rows = nodeViews(
      [node('n1', 'ready', { 'aicli.engine': 'tcp://n1:2376' }), node('n2')],
      [task(a, 'n1', 'running', 'running'), task(other, 'n1', 'running', 'running'), task(a, 'n2', 'shutdown', 'shutdown')],
      [a],
      (n) => nodeEndpoint(n, {}),
    );
    const r1 = at(rows, 0);
    const r2 = at(rows, 1);
    assert.deepEqual(r1.reserved, { cpus: 2, memoryBytes: 2 * 2 ** 30 });
    assert.deepEqual(r1.free, { cpus: 0, memoryBytes: 6 * 2 ** 30 });
    assert.deepEqual(r1.workspaces, ['a']);
    assert.deepEqual([r1.endpoint, r1.endpointSource], ['tcp://n1:2376', 'label']);
    assert.deepEqual(r2.reserved, { cpus: 0, memoryBytes: 0 });
    assert.deepEqual([r2.endpoint, r2.endpointSource], [null, null]);
  });
});

describe('node endpoints', () => {
  it('the configuration mapping beats the node label, which beats the engine label', () => {
    const n = { ...node('n1', 'ready', { 'aicli.engine': 'tcp://label:2376' }), Description: { Hostname: 'host-n1', Engine: { Labels: { 'aicli.engine': 'tcp://engine:2376' } } } };
    assert.deepEqual(nodeEndpoint(n, { 'host-n1': 'ssh://me@host-n1' }), { url: 'ssh://me@host-n1', source: 'configuration' });
    assert.deepEqual(nodeEndpoint(n, {}), { url: 'tcp://label:2376', source: 'label' });
    assert.deepEqual(nodeEndpoint({ ...n, Spec: { ...n.Spec, Labels: {} } }, {}), { url: 'tcp://engine:2376', source: 'label' });
  });

  it('without either, the error names the node and both ways to set one; a client per endpoint is opened once', async () => {
    const opened: string[] = [];
    const fake = (host: string): Promise<DockerClient> => {
      opened.push(host);
      return Promise.resolve({ close: () => Promise.resolve() } as unknown as DockerClient);
    };
    await using engines = new NodeEngines(fake, () => ({ 'host-n2': 'unix:///n2.sock' }));
    await assert.rejects(engines.clientFor(node('n1'), 'exec in workspace "w"'), (err: unknown) => {
      assert.ok(isDockerError(err, 'NODE_ENDPOINT_UNKNOWN'));
      const m = (err as Error).message;
      assert.match(m, /^Cannot exec in workspace "w": it runs on Swarm node host-n1 \(n1\)/);
      assert.match(m, /docker node update --label-add aicli\.engine=tcp:\/\/HOST:2376 host-n1/);
      assert.match(m, /swarm_node_endpoints: \{"host-n1": /);
      return true;
    });
    const [a, b] = await Promise.all([engines.clientFor(node('n2'), 'x'), engines.clientFor(node('n2'), 'y')]);
    assert.equal(a, b);
    assert.deepEqual(opened, ['unix:///n2.sock']);
  });
});

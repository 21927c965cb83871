// The Swarm configuration keys: orchestrator, swarm_constraints, swarm_node_endpoints, volume_driver(_opts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidConfigError, loadConfig } from '../../src/index.js';

async function problems(env: Record<string, string>): Promise<string[]> {
  try {
    await loadConfig({ env });
  } catch (err) {
    assert.ok(err instanceof InvalidConfigError);
    return err.problems.map((p) => `${p.source}: ${p.key}: ${p.message}`);
  }
  assert.fail('expected InvalidConfigError');
}

describe('Swarm configuration keys', () => {
  it('read from the environment', async () => {
    const { config } = await loadConfig({
      env: {
        AICLI_DOCKER_ORCHESTRATOR: 'Auto',
        AICLI_DOCKER_SWARM_CONSTRAINTS: 'node.labels.zone == a, node.role!=manager',
        AICLI_DOCKER_SWARM_NODE_ENDPOINTS: 'n1:ssh://me@n1;n2:tcp://10.0.0.2:2376',
        AICLI_DOCKER_VOLUME_DRIVER: 'local',
        AICLI_DOCKER_VOLUME_DRIVER_OPTS: '{"type":"nfs","o":"addr=10.0.0.1,rw","device":":/exports"}',
      },
    });
    assert.equal(config.orchestrator, 'auto');
    assert.deepEqual(config.swarmConstraints, ['node.labels.zone==a', 'node.role!=manager']);
    assert.deepEqual(config.swarmNodeEndpoints, { n1: 'ssh://me@n1', n2: 'tcp://10.0.0.2:2376' });
    assert.deepEqual(config.volumeDriverOpts, { type: 'nfs', o: 'addr=10.0.0.1,rw', device: ':/exports' });
  });

  it('bad values are refused, naming the key and what is expected', async () => {
    const found = await problems({
      AICLI_DOCKER_ORCHESTRATOR: 'kubernetes',
      AICLI_DOCKER_SWARM_CONSTRAINTS: 'zone=a,node.lables.zone==a',
      AICLI_DOCKER_SWARM_NODE_ENDPOINTS: 'n1:/var/run/docker.sock',
      AICLI_DOCKER_VOLUME_DRIVER: 'bad driver',
    });
    assert.equal(found.length, 5, found.join('\n'));
    assert.match(found[0] ?? '', /AICLI_DOCKER_ORCHESTRATOR: orchestrator: "kubernetes" is not an orchestrator; expected "engine", "swarm" or "auto"/);
    assert.match(found[1] ?? '', /swarm_constraints\[0\]: "zone=a" is not a placement constraint/);
    assert.match(found[2] ?? '', /swarm_constraints\[1\]: .*unknown attribute "node.lables.zone"/);
    assert.match(found[3] ?? '', /swarm_node_endpoints\.n1: "\/var\/run\/docker.sock" has no scheme; did you mean "unix:\/\/\/var\/run\/docker.sock"\?/);
    assert.match(found[4] ?? '', /volume_driver: "bad driver" is not a volume driver name/);
  });
});

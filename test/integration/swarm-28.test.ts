// Swarm workspaces through the library on a real Docker 28.5 cluster (started with
// DOCKER_MIN_API_VERSION=1.44, as Docker 29 refuses older clients). See test/support/swarm-suite.ts.
import { describe } from 'node:test';
import { engineSkip } from '../support/engines.js';
import { swarmClusterSuite } from '../support/swarm-suite.js';

describe('Swarm workspaces', { skip: engineSkip() }, () => {
  swarmClusterSuite('28', 'library');
});

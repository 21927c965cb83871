// Swarm workspaces through the CLI on a real Docker 28.5 cluster: the workspace subcommands
// (create, ls, inspect, exec, cp, stats, logs, rm) as users run them, routed to the right node,
// and `nodes`. The library side on 26.1 and 28.5: swarm.test.ts, swarm-28.test.ts.
import { describe } from 'node:test';
import { engineSkip } from '../support/engines.js';
import { swarmClusterSuite } from '../support/swarm-suite.js';

describe('Swarm workspaces', { skip: engineSkip() }, () => {
  swarmClusterSuite('28', 'cli');
});

// Every part of `npm run bench`, in the order they run (and are numbered in its output).
// A new part: a module here (see part.ts, and README's Development section), then one line
// at the end of this list.
import type { Part } from '../part.js';
import { cleanupPart } from './cleanup.js';
import { egressMemoryPart } from './egress-memory.js';
import { egressStartPart } from './egress-start.js';
import { egressThroughputPart } from './egress-throughput.js';
import { eventsPart } from './events.js';
import { execCatPart } from './exec-cat.js';
import { execTruePart } from './exec-true.js';
import { latencyPart } from './latency.js';
import { networkCliPart } from './network-cli.js';
import { networkPart } from './network.js';
import { recoveryPart } from './recovery.js';
import { startupPart } from './startup.js';
import { swarmCreatePart } from './swarm-create.js';
import { swarmLsPart } from './swarm-ls.js';
import { throughputPart } from './throughput.js';
import { workspacePart } from './workspace.js';

export const PARTS: readonly Part[] = [
  latencyPart,
  throughputPart,
  startupPart,
  egressStartPart,
  egressThroughputPart,
  egressMemoryPart,
  workspacePart,
  eventsPart,
  recoveryPart,
  swarmCreatePart,
  swarmLsPart,
  execCatPart,
  execTruePart,
  cleanupPart,
  networkPart,
  networkCliPart,
];

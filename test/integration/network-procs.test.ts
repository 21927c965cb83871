// 16 processes at once on engines that refuse a second network of one name themselves
// (Docker 26.1 and 28.5 answer 409; Podman 4.3 answers 500 "network already exists"):
// the conflict must turn into "use the one that exists", with the same id everywhere.
import { describe, it } from 'node:test';
import { engineSkip, testEngine } from '../support/engines.js';
import { raceRounds } from '../support/race.js';

const skip = engineSkip();

describe('16 processes at once on engines with unique names', { skip }, () => {
  for (const [name, rounds] of [['docker26', 5], ['docker28', 1], ['podman', 1]] as const) {
    it(`${name}, ${rounds} round(s) without the host lock: exactly one network, and every process returns its id`, async (t) => {
      for (const note of await raceRounds(testEngine(name), rounds, { hostLock: false })) t.diagnostic(note);
    });
  }
});

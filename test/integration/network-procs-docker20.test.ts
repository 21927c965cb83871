// 16 processes at once, on Docker 20.10, which accepts any number of same-named networks.
// Without the host-local lock the processes act as if on different hosts: the lock-free
// mechanism alone (src/features/network/converge.ts) must keep it to one network. 4 raw
// creates join each such round, so that every round has duplicates to converge from
// (aicli's own creates mostly meet CheckDuplicate's 409 once one is visible).
import { describe, it } from 'node:test';
import { engineSkip, testEngine } from '../support/engines.js';
import { raceRounds } from '../support/race.js';

const skip = engineSkip();

describe('16 processes at once on docker20', { skip }, () => {
  it('5 rounds without the host lock, 4 foreign creates at the same moment: exactly one network, and every process returns its id', async (t) => {
    for (const note of await raceRounds(testEngine('docker20'), 5, { hostLock: false }, 4)) t.diagnostic(note);
  });

  it('with the host lock: one network, and not one duplicate made', async (t) => {
    const notes = await raceRounds(testEngine('docker20'), 1, { lockWaitMs: 60_000 });
    for (const note of notes) t.diagnostic(note);
    if (!notes.every((n) => n.includes(': 0 duplicate(s) removed'))) throw new Error(`the host lock let duplicates through: ${notes.join('; ')}`);
  });
});

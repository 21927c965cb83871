// The top-level help names every workspace subcommand: its summary is written out in
// main.ts (the workspace table is loaded only when the command runs, for start-up time),
// so this is what keeps the two from drifting apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { WORKSPACE_SUBCOMMANDS } from '../../src/cli/commands/workspace/index.js';

describe('aicli-docker --help', () => {
  it('lists every workspace subcommand in the workspace line', async () => {
    let out = '';
    const code = await main(['--help'], { stdout: (t) => { out += t; }, stderr: () => undefined, env: {}, cwd: process.cwd() });
    assert.equal(code, 0);
    const line = out.split('\n').find((l) => l.trimStart().startsWith('workspace ')) ?? '';
    const listed = /\(([^)]*)\)/.exec(line)?.[1]?.split(', ') ?? [];
    assert.deepEqual([...listed].sort(), Object.keys(WORKSPACE_SUBCOMMANDS).sort(), line);
  });
});

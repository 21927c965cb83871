// Cleanup and crash recovery on real engines: a process killed with SIGKILL in the middle of
// making a workspace leaves nothing that `cleanup --orphans` cannot find; lasting workspaces
// (also one made without --start by a CLI that has exited) and those of a living owner stay;
// `cleanup` removes every managed container and network. Each run narrows cleanup to its own
// label, so tests on the same engine are left alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ownerLabels } from '../../src/features/labels.js';
import { runCli } from '../support/cli.js';
import { ensureBusyboxImage, rawRequest, TEST_ULIMITS, type TestEngine } from '../support/engines.js';
import { insideEngines, unique } from '../support/inside.js';

const CHILD = fileURLToPath(new URL('../support/orphan-child.ts', import.meta.url));

/** What the run made: containers by workspace name (else their own), networks by name, the run's prefix cut. */
async function names(engine: TestEngine, run: string): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`aicli.test.run=${run}`] }));
  const cs = JSON.parse((await rawRequest(engine.host, 'GET', `/containers/json?all=1&filters=${filters}`)).body.toString()) as { Names: string[]; Labels: Record<string, string> | null }[];
  const ns = JSON.parse((await rawRequest(engine.host, 'GET', `/networks?filters=${filters}`)).body.toString()) as { Name: string }[];
  const containerName = (c: (typeof cs)[number]): string => c.Labels?.['aicli.workspace.name'] ?? (c.Names[0] ?? '').slice(1);
  return [...cs.map(containerName), ...ns.map((n) => n.Name)].map((n) => n.slice(run.length + 1)).sort();
}

/** Runs the child until it is making its last workspace, then kills it with SIGKILL (and reaps it). */
async function killedMidCreate(engine: TestEngine, run: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, engine.host, run], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => { resolve(signal); }));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('creating')) resolve(); });
    child.once('exit', (code) => { reject(new Error(`the child exited early (${String(code)})`)); });
  });
  // Its create has reached the engine: kill it before it can start the container.
  for (let i = 0; i < 200 && !(await names(engine, run)).includes('half-made'); i++) await new Promise((r) => setTimeout(r, 25));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', 'the child was still running when it was killed');
}

for (const engine of insideEngines()) {
  describe(`cleanup on ${engine.name}`, () => {
    it('--orphans after a SIGKILL: removes the dead owner\'s ephemeral workspace and network and its half-made workspace; keeps the rest, a lasting never-started one too', async () => {
      await ensureBusyboxImage(engine.host);
      const run = unique('aicli-test-run');
      try {
        await orphansAfterKill(engine, run);
      } finally {
        await removeRun(engine, run);
      }
    });
  });
}

/** What the run left, should the test stop half-way: raw removals, not the library under test. */
async function removeRun(engine: TestEngine, run: string): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`aicli.test.run=${run}`] }));
  const cs = JSON.parse((await rawRequest(engine.host, 'GET', `/containers/json?all=1&filters=${filters}`)).body.toString()) as { Id: string }[];
  for (const c of cs) await rawRequest(engine.host, 'DELETE', `/containers/${c.Id}?force=1&v=1`);
  const ns = JSON.parse((await rawRequest(engine.host, 'GET', `/networks?filters=${filters}`)).body.toString()) as { Name: string }[];
  for (const n of ns) await rawRequest(engine.host, 'DELETE', `/networks/${encodeURIComponent(n.Name)}`);
}

async function orphansAfterKill(engine: TestEngine, run: string): Promise<void> {
  await killedMidCreate(engine, run);
  // An ephemeral workspace of a living owner (this test process).
  const mine = await rawRequest(engine.host, 'POST', `/containers/create?name=${run}-alive`, JSON.stringify({
    Image: 'aicli-test-busybox:latest', Cmd: ['sleep', '100000'], HostConfig: { Ulimits: TEST_ULIMITS },
    Labels: { 'aicli.managed': 'true', 'aicli.test': 'true', 'aicli.test.run': run, 'aicli.ephemeral': 'true', ...ownerLabels() },
  }));
  assert.equal(mine.status, 201);
  const scope = ['--label', `aicli.test.run=${run}`, '--host', engine.host];
  // A lasting workspace made without --start by a CLI that has exited since: its owner is
  // gone and it never ran, as the half-made one; unlike it, it was never meant to start.
  const unstarted = await runCli(['workspace', 'create', `${run}-unstarted`, '--image', 'aicli-test-busybox:latest', '--network', `${run}-net`,
    '--label', 'aicli.test=true', '--label', `aicli.test.run=${run}`, '--host', engine.host]);
  assert.equal(unstarted.code, 0, unstarted.stderr);
  const everything = ['alive', 'ephemeral', 'ephemeral-net', 'half-made', 'lasting', 'net', 'shared-net', 'unstarted'];
  assert.deepEqual(await names(engine, run), everything);

  const orphans = await runCli(['cleanup', '--orphans', '--json', ...scope]);
  assert.equal(orphans.code, 0, orphans.stderr);
  const report = JSON.parse(orphans.stdout) as { items: { name: string; reason: string; removed: boolean }[]; removed: number; failed: number };
  assert.deepEqual(report.items.map((i) => [i.name.replace(/^workspace_/, '').slice(run.length + 1), i.reason, i.removed]).sort(), [
    ['ephemeral', 'ephemeral, owner gone', true],
    ['ephemeral-net', 'ephemeral, owner gone', true],
    ['half-made', 'never started, owner gone', true],
  ]);
  const kept = ['alive', 'lasting', 'net', 'shared-net', 'unstarted'];
  assert.deepEqual(await names(engine, run), kept);

  const dry = await runCli(['cleanup', '--dry-run', ...scope]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /5 managed objects would be removed \(dry run\)/);
  assert.deepEqual(await names(engine, run), kept);

  const all = await runCli(['cleanup', ...scope]);
  assert.equal(all.code, 0, all.stderr);
  assert.match(all.stdout, /5 removed, 0 failed/);
  assert.deepEqual(await names(engine, run), []);
}

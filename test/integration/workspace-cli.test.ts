// The `workspace` command as a user runs it: output, --json, exit codes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { ensureBusyboxImage, engineSkip, loadTestEngines } from '../support/engines.js';
import { removeTestObjects, unique, workspaceEngines } from '../support/workspaces.js';

const skip = engineSkip();
const engines = skip === false ? workspaceEngines(loadTestEngines().engines.filter((e) => e.name === 'docker20' || e.name === 'podman')) : [];

for (const engine of engines) describe(`aicli-docker workspace on ${engine.name}`, () => {
  const network = unique('aicli-wscli');
  const name = unique('cli');
  let home: string;
  let project: string;
  let env: Record<string, string>;
  const run = (...args: string[]): ReturnType<typeof runCli> => runCli(args, env);

  before(async () => {
    await ensureBusyboxImage(engine.host);
    home = await mkdtemp(join(tmpdir(), 'aicli-wscli-'));
    project = await mkdtemp(join(tmpdir(), 'aicli-wscli-p-'));
    env = { HOME: home, DOCKER_HOST: engine.host, AICLI_DOCKER_NETWORK_NAME: network, AICLI_DOCKER_DEFAULT_IMAGE: 'aicli-test-busybox:latest' };
  });
  after(async () => {
    await removeTestObjects(engine.host, network, [name]);
    await rm(home, { recursive: true, force: true });
    await rm(project, { recursive: true, force: true });
  });

  it('create, ls, inspect, stop, start, restart, rm, each with --json', async () => {
    const created = await run('workspace', 'create', name, '--project', project, '--label', 'aicli.test=true', '--ephemeral', '--json');
    assert.equal(created.code, 0, created.stderr);
    const c = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.equal(c['name'], name);
    assert.equal(c['existed'], false);
    assert.equal(c['state'], 'created');
    assert.equal(c['ephemeral'], true);

    const again = await run('workspace', 'create', name, '--label', 'aicli.test=true');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^Found existing workspace ${name}: container workspace_${name} \\(`));

    const started = await run('workspace', 'start', name, '--json');
    assert.equal(started.code, 0, started.stderr);
    assert.equal((JSON.parse(started.stdout) as { state: string }).state, 'running');

    const ls = await run('workspace', 'ls', '--json');
    assert.equal(ls.code, 0, ls.stderr);
    const mine = (JSON.parse(ls.stdout) as Record<string, unknown>[]).find((w) => w['name'] === name);
    assert.ok(mine !== undefined, ls.stdout);
    for (const key of ['name', 'id', 'state', 'health', 'image', 'created']) assert.ok(typeof mine[key] === 'string' && mine[key] !== '', `ls --json has ${key}`);
    assert.equal(mine['id'], c['id']);
    const table = await run('workspace', 'ls');
    assert.match(table.stdout, /^NAME\s+STATE\s+HEALTH\s+IMAGE\s+CREATED\s+ID\s+EGRESS$/m);
    assert.match(table.stdout, new RegExp(`^${name}\\s+running\\s+`, 'm'));

    const inspect = await run('workspace', 'inspect', name);
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, /^Memory\s+512 MiB \(swap total 512 MiB\)$/m);
    assert.match(inspect.stdout, /^Restart\s+on-failure:5$/m);
    assert.match(inspect.stdout, /^Read-only root\s+yes$/m);

    const stopped = await run('workspace', 'stop', name, '--time', '3', '--json');
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal((JSON.parse(stopped.stdout) as { state: string }).state, 'exited');
    const restarted = await run('workspace', 'restart', name);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.match(restarted.stdout, new RegExp(`^Restarted workspace ${name}: running`));

    const removed = await run('workspace', 'rm', name, '--json');
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(JSON.parse(removed.stdout), { name, removed: true });
  });

  it('a missing workspace exits 1 with a clear message; bad input exits 2', async () => {
    const missing = unique('nothere');
    for (const sub of ['inspect', 'start', 'stop', 'restart', 'rm']) {
      const r = await run('workspace', sub, missing);
      assert.equal(r.code, 1, `${sub}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`No workspace named "${missing}"`));
    }
    const j = await run('workspace', 'rm', missing, '--json');
    assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, 'WORKSPACE_NOT_FOUND');
    const cases: [string[], RegExp][] = [
      [['workspace', 'create', '!!!'], /no letter or digit/],
      [['workspace', 'create'], /missing the workspace NAME/],
      [['workspace', 'stop', 'x', '--time', 'soon'], /--time.*whole number of seconds/],
      [['workspace', 'inspect', 'x', '--image', 'y'], /--image does not apply here/],
      [['workspace', 'strat', 'x'], /Did you mean "start"\?/],
      [['workspace', 'create', 'x', '--project', join(home, 'no-such-folder')], /does not exist/],
      [['workspace', 'create', 'x', '--label', 'aicli.managed=false'], /aicli's own/],
      [['workspace', 'create', 'x', '--mount', 'nocolon'], /HOST_PATH:CONTAINER_PATH/],
      [['workspace', 'create', 'x', '--allow-unsafe', 'everything'], /not an isolation rule/],
    ];
    for (const [args, says] of cases) {
      const r = await run(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, says);
    }
  });

  it('a missing image with --pull never exits 1, naming it and how to get it', async () => {
    // --pull never: no test asks an engine to reach a public registry (pulls: images.test.ts).
    const r = await run('workspace', 'create', unique('noimg'), '--image', 'aicli-no-such-image:9', '--pull', 'never', '--label', 'aicli.test=true');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /image "aicli-no-such-image:9" is not on this engine/);
    assert.match(r.stderr, /docker pull aicli-no-such-image:9/);
  });
});

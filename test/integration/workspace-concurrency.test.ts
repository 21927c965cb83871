// 16 processes create the same workspace at once: one container, and every process gets it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { ensureBusyboxImage, engineSkip, loadTestEngines, rawRequest } from '../support/engines.js';
import { removeTestObjects, unique, workspaceEngines } from '../support/workspaces.js';

const skip = engineSkip();
const PROCESSES = 16;

for (const engine of skip === false ? workspaceEngines(loadTestEngines().engines) : []) {
  describe(`concurrent creates on ${engine.name}`, () => {
    const network = unique('aicli-wsc');
    const name = unique('race');
    let home: string;

    before(async () => {
      await ensureBusyboxImage(engine.host);
      home = await mkdtemp(join(tmpdir(), 'aicli-wsc-'));
      // The network is made by the processes themselves, as a user's would be: the network
      // feature converges them on one (Docker 20.10 lets several be made at once).
    });
    after(async () => {
      await removeTestObjects(engine.host, network, [name]);
      await rm(home, { recursive: true, force: true });
    });

    it(`${PROCESSES} processes creating one workspace leave one container, and each returns it`, async () => {
      const env = { HOME: home, DOCKER_HOST: engine.host, AICLI_DOCKER_NETWORK_NAME: network };
      const runs = await Promise.all(
        Array.from({ length: PROCESSES }, () => runCli(['workspace', 'create', name, '--image', 'aicli-test-busybox:latest', '--label', 'aicli.test=true', '--json'], env)),
      );
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const outs = runs.map((r) => JSON.parse(r.stdout) as { id: string; name: string; existed: boolean });
      assert.equal(new Set(outs.map((o) => o.id)).size, 1, 'every process returned the same container');
      assert.equal(outs.filter((o) => !o.existed).length, 1, 'exactly one process created it');
      const filters = encodeURIComponent(JSON.stringify({ label: [`aicli.workspace.name=${name}`] }));
      const listed = JSON.parse((await rawRequest(engine.host, 'GET', `/containers/json?all=1&filters=${filters}`)).body.toString()) as { Id: string }[];
      assert.deepEqual(listed.map((c) => c.Id), [outs[0]?.id]);
    });
  });
}

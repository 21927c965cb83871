// `aicli-docker network ensure | inspect | rm`, run as a user runs them (the built CLI),
// and the promise that read-only commands never create the network.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { engineSkip, testEngine } from '../support/engines.js';
import { rawCreate, rawInspect, rawNetworksNamed, rawRemoveAll, removeContainer, startAttached, TEST_LABELS, uniqueName } from '../support/networks.js';

const skip = engineSkip();
let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aicli-netcli-'));
});
after(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('aicli-docker network', { skip }, () => {
  it('ensure --json creates it once (with --label), then reuses it; inspect and status report it; rm removes it', async () => {
    const host = testEngine('docker26').host;
    const name = uniqueName('cli');
    const env = { HOME: home, AICLI_DOCKER_NETWORK_NAME: name };
    try {
      const first = await runCli(['network', 'ensure', '--json', '--host', host, '--label', 'aicli.test=true', '--label', 'team=infra'], env);
      assert.equal(first.code, 0, first.stderr);
      const made = JSON.parse(first.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(made), ['name', 'id', 'created', 'driver', 'scope', 'removedDuplicates', 'keptDuplicates', 'adopted', 'recreated', 'drift']);
      const raw = (await rawNetworksNamed(host, name))[0] ?? assert.fail('no network was made');
      assert.deepEqual([made['name'], made['id'], made['created'], made['driver'], made['removedDuplicates']], [name, raw.Id, true, 'bridge', []]);
      assert.equal(raw.Labels?.['team'], 'infra');
      assert.equal(raw.Labels['aicli.managed'], 'true');

      const second = await runCli(['network', 'ensure', '--host', host], env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, new RegExp(`^Network\\s+${name}\\nId\\s+${raw.Id}\\nCreated\\s+no \\(it existed\\)\\nDriver\\s+bridge \\(scope local\\)\\nDuplicates\\s+removed 0\\nDrift\\s+none\\n$`));

      const inspect = await runCli(['network', 'inspect', '--json', '--host', host], env);
      assert.equal(inspect.code, 0, inspect.stderr);
      const s = JSON.parse(inspect.stdout) as { present: boolean; managed: boolean; id: string; drift: unknown[] };
      assert.deepEqual([s.present, s.managed, s.id, s.drift], [true, true, raw.Id, []]);

      const status = await runCli(['status', '--json', '--host', host], env);
      assert.equal(status.code, 0, status.stderr);
      const net = (JSON.parse(status.stdout) as { network: { present: boolean; managed: boolean; id: string; drift: unknown[] } }).network;
      assert.deepEqual([net.present, net.managed, net.id, net.drift], [true, true, raw.Id, []]);
      const statusText = await runCli(['status', '--host', host], { ...env, AICLI_DOCKER_NETWORK_INTERNAL: 'true' });
      assert.match(statusText.stdout, new RegExp(`Network\\s+${name}: managed, id ${(raw.Id).slice(0, 12)}, bridge, drift in network_internal`));

      const removed = await runCli(['network', 'rm', '--json', '--host', host], env);
      assert.equal(removed.code, 0, removed.stderr);
      assert.deepEqual(JSON.parse(removed.stdout), { name, removed: [raw.Id], disconnected: [] });
      assert.deepEqual(await rawNetworksNamed(host, name), []);

      const again = await runCli(['network', 'rm', '--host', host], env);
      assert.equal(again.code, 1);
      assert.match(again.stderr, new RegExp(`network ${name} not found`));
    } finally {
      await rawRemoveAll(host, name);
    }
  });

  it('status, info, config and network inspect never create it', async () => {
    const host = testEngine('docker20').host;
    const name = uniqueName('ro');
    const env = { HOME: home, AICLI_DOCKER_NETWORK_NAME: name };
    try {
      for (const args of [['status'], ['status', '--json'], ['info'], ['config', 'show'], ['network', 'inspect'], ['network', 'inspect', '--json']]) {
        const r = await runCli([...args, '--host', host], env);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      }
      const inspect = await runCli(['network', 'inspect', '--host', host], env);
      assert.match(inspect.stdout, /Present\s+no/);
      assert.deepEqual(await rawNetworksNamed(host, name), []);
    } finally {
      await rawRemoveAll(host, name);
    }
  });

  it('refusals caused by the configuration exit 2 and name the key; nothing changes', async () => {
    const host = testEngine('docker26').host;
    const name = uniqueName('refuse');
    const env = { HOME: home, AICLI_DOCKER_NETWORK_NAME: name };
    try {
      const badGateway = await runCli(['network', 'ensure', '--host', host], { ...env, AICLI_DOCKER_NETWORK_SUBNET: '10.213.30.0/24', AICLI_DOCKER_NETWORK_GATEWAY: '10.213.31.1' });
      assert.equal(badGateway.code, 2, badGateway.stderr);
      assert.match(badGateway.stderr, /AICLI_DOCKER_NETWORK_GATEWAY: "10\.213\.31\.1" is outside network_subnet 10\.213\.30\.0\/24/);
      const badSubnet = await runCli(['network', 'ensure', '--host', host, '--json'], { ...env, AICLI_DOCKER_NETWORK_SUBNET: '10.213.30.1/24' });
      assert.equal(badSubnet.code, 2);
      assert.equal((JSON.parse(badSubnet.stdout) as { error: { code: string } }).error.code, 'INVALID_CONFIG');
      assert.match(badSubnet.stderr, /AICLI_DOCKER_NETWORK_SUBNET: "10\.213\.30\.1\/24" has host bits set; .*did you mean "10\.213\.30\.0\/24"\?/);
      assert.deepEqual(await rawNetworksNamed(host, name), []);

      const id = await rawCreate(host, { Name: name, Labels: TEST_LABELS });
      const before = await rawInspect(host, id);
      for (const args of [['network', 'ensure'], ['network', 'rm'], ['network', 'rm', '--force']]) {
        const r = await runCli([...args, '--host', host, '--json'], env);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'NETWORK_NOT_MANAGED');
        assert.match(r.stderr, new RegExp(`AICLI_DOCKER_NETWORK_NAME: the network "${name}" \\(id ${id.slice(0, 12)}\\) exists but aicli did not create it`));
        assert.match(r.stderr, /network_adopt: true/);
      }
      assert.deepEqual(await rawInspect(host, id), before);
      const adopted = await runCli(['network', 'ensure', '--host', host, '--json'], { ...env, AICLI_DOCKER_NETWORK_ADOPT: 'true' });
      assert.equal(adopted.code, 0, adopted.stderr);
      assert.deepEqual(((r: { id: string; adopted: boolean }) => [r.id, r.adopted])(JSON.parse(adopted.stdout) as { id: string; adopted: boolean }), [id, true]);
    } finally {
      await rawRemoveAll(host, name);
    }
  });

  it('rm with an attached container exits 1 naming it; rm --force disconnects it and removes the network', async () => {
    const host = testEngine('docker26').host;
    const name = uniqueName('cli-rm');
    const env = { HOME: home, AICLI_DOCKER_NETWORK_NAME: name };
    try {
      const made = await runCli(['network', 'ensure', '--host', host, '--label', 'aicli.test=true', '--json'], env);
      assert.equal(made.code, 0, made.stderr);
      const ctr = await startAttached(host, name);
      try {
        const refused = await runCli(['network', 'rm', '--host', host], env);
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stderr, new RegExp(`Cannot remove the network "${name}" .*it has 1 container: ${ctr.name} attached; nothing was changed\\..*--force`));
        assert.equal((await rawNetworksNamed(host, name)).length, 1);
        const recreate = await runCli(['network', 'ensure', '--recreate', '--host', host], { ...env, AICLI_DOCKER_NETWORK_INTERNAL: 'true' });
        assert.equal(recreate.code, 1, recreate.stderr);
        assert.match(recreate.stderr, new RegExp(`Cannot recreate the network "${name}".*${ctr.name}`));
        const forced = await runCli(['network', 'rm', '--force', '--host', host], env);
        assert.equal(forced.code, 0, forced.stderr);
        assert.match(forced.stdout, new RegExp(`Removed\\s+${name} \\([0-9a-f]{12}\\)\\nDisconnected\\s+${ctr.name}\\n`));
        assert.deepEqual(await rawNetworksNamed(host, name), []);
      } finally {
        await removeContainer(host, ctr.id);
      }
    } finally {
      await rawRemoveAll(host, name);
    }
  });

  const usage: [string, string[], RegExp][] = [
    ['no subcommand', ['network'], /missing subcommand; expected ensure, inspect or rm/],
    ['a misspelt subcommand', ['network', 'ensuer'], /did you mean "ensure"/],
    ['docker\'s word for it', ['network', 'create'], /did you mean "ensure"/],
    ['--force on ensure', ['network', 'ensure', '--force'], /--force is for `network rm` only/],
    ['a bad --label', ['network', 'ensure', '--label', '=x'], /--label "=x" is not a label/],
    ['a network name as an argument', ['network', 'inspect', 'mynet'], /unexpected argument "mynet"; the network is named by network_name/],
  ];
  for (const [what, args, re] of usage) {
    it(`${what} exits 2`, async () => {
      const r = await runCli([...args, '--host', 'unix:///nonexistent.sock'], { HOME: home });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
    });
  }
});

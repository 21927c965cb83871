// Stats on real engines (this host is cgroup v1; unit tests hold v2 answers): CPU %, memory
// used and limit, PIDs and their limit, network I/O between two test containers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DockerClient, stats, statsStream } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { rawRequest, TEST_LABEL } from '../support/engines.js';
import { insideEngines, testContainer, unique, type TestContainer } from '../support/inside.js';

const MiB = 1024 * 1024;

// The engines side by side: each sample takes the engine a second or two.
describe('stats', { concurrency: true }, () => {
  for (const engine of insideEngines()) {
    describe(`stats on ${engine.name}`, () => {
      let client: DockerClient;
      let busy: TestContainer;
      let peer: TestContainer;
      let net: string;
      before(async () => {
        client = await DockerClient.connect({ host: engine.host, env: {}, ensureNetwork: false });
        // An internal network of this test's own: the only traffic is between its two containers.
        net = unique('aicli-test-net');
        const made = await rawRequest(engine.host, 'POST', '/networks/create', JSON.stringify({ Name: net, Internal: true, Labels: { [TEST_LABEL]: 'true' } }));
        assert.equal(made.status, 201, made.body.toString());
        peer = await testContainer(engine, { network: net });
        busy = await testContainer(engine, {
          network: net,
          memory: 256 * MiB,
          pidsLimit: 64,
          // 48 MiB in /dev/shm (tmpfs: counted as the container's memory), five sleepers, a busy loop.
          cmd: ['sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=48 2>/dev/null; for i in 1 2 3 4 5; do sleep 1000 & done; while :; do :; done'],
        });
      });
      after(async () => {
        await busy.remove();
        await peer.remove();
        await rawRequest(engine.host, 'DELETE', `/networks/${net}`);
        await client.close();
      });

      it('one sample: CPU %, memory used and limit, PIDs and limit, network bytes', async () => {
        const info = JSON.parse((await rawRequest(engine.host, 'GET', `/containers/${peer.id}/json`)).body.toString()) as { NetworkSettings: { Networks: Record<string, { IPAddress: string }> } };
        const ip = info.NetworkSettings.Networks[net]?.IPAddress ?? '';
        assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
        const ping = await rawRequest(engine.host, 'POST', `/containers/${busy.id}/exec`, JSON.stringify({ Cmd: ['ping', '-c', '3', '-s', '1000', '-i', '0.2', ip], AttachStdout: true }));
        const pid = (JSON.parse(ping.body.toString()) as { Id: string }).Id;
        const pinged = await rawRequest(engine.host, 'POST', `/exec/${pid}/start`, JSON.stringify({ Detach: false, Tty: true }));
        assert.match(pinged.body.toString(), /3 packets received/);
        for (let i = 0; i < 50; i++) {
          const fill = JSON.parse((await rawRequest(engine.host, 'GET', `/containers/${busy.id}/top`)).body.toString()) as { Processes: string[][] };
          if (!fill.Processes.some((p) => p.join(' ').includes('dd '))) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const s = await stats(client.api, busy.id);
        assert.equal(s.memoryLimitBytes, 256 * MiB);
        assert.ok(s.memoryUsedBytes >= 40 * MiB && s.memoryUsedBytes < 256 * MiB, `memory used ${s.memoryUsedBytes}`);
        assert.ok(Math.abs(s.memoryPercent - (s.memoryUsedBytes / s.memoryLimitBytes) * 100) < 1e-9);
        assert.ok(s.pids >= 6, `pids ${s.pids}`);
        assert.equal(s.pidsLimit, 64);
        assert.ok(s.cpuPercent !== undefined && s.cpuPercent > 1, `cpu ${String(s.cpuPercent)}`);
        assert.ok(s.netTxBytes >= 3000 && s.netRxBytes >= 3000, `net ${s.netRxBytes}/${s.netTxBytes}`);
        assert.ok(s.blockReadBytes >= 0 && s.blockWriteBytes >= 0);
      });

      it('a sample a second as a stream, until the caller stops', async () => {
        const ac = new AbortController();
        const got = [];
        for await (const s of statsStream(client.api, busy.id, { signal: ac.signal })) {
          got.push(s);
          if (got.length === 2) ac.abort();
        }
        assert.equal(got.length, 2);
        assert.ok(got.every((s) => s.memoryLimitBytes === 256 * MiB));
        assert.ok(got[1]?.cpuPercent !== undefined);
      });

      it('workspace stats --json and its table', async () => {
        const [j, t] = await Promise.all([
          runCli(['workspace', 'stats', busy.workspace, '--json', '--host', engine.host]),
          runCli(['workspace', 'stats', busy.workspace, '--host', engine.host]),
        ]);
        assert.equal(j.code, 0, j.stderr);
        const s = JSON.parse(j.stdout) as Record<string, unknown>;
        assert.equal(s['name'], busy.workspace);
        assert.equal(s['memoryLimitBytes'], 256 * MiB);
        assert.equal(t.code, 0, t.stderr);
        assert.match(t.stdout, /^NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS\n/);
        assert.match(t.stdout, new RegExp(`${busy.workspace}\\s+\\d+\\.\\d\\d%\\s+\\S+ / 268\\.4MB`));
      });
    });
  }
});

// Podman's Docker-compatible service as a user meets it (issue 14): which engine aicli sees,
// what it refuses naming Podman and the missing piece (Swarm, overlay networks, the bridge
// option the egress allowlist needs), the fact that last refusal rests on (netavark drops
// com.docker.network.bridge.inhibit_ipv4, and the host answers at the gateway address), and
// doctor's list of differences. The workspace and inside-a-workspace tests run on Podman too.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  DockerClient,
  EngineUnsupportedError,
  engineProfile,
  profileFromVersion,
  requireEngineCapability,
  resolveOrchestrator,
  supportsBridgeInhibitIpv4,
} from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { spawnCli } from '../support/spawn-cli.js';
import { engineSkip, ensureBusyboxImage, rawRequest, TEST_LABEL, TEST_ULIMITS, testEngine } from '../support/engines.js';
import { unique } from '../support/workspaces.js';

const skip = engineSkip();
const INHIBIT = 'com.docker.network.bridge.inhibit_ipv4';

/** Podman may refuse a removal while the container is on its way out (its command just ended): retried. */
async function removeContainer(host: string, id: string): Promise<void> {
  for (let i = 0; i < 25; i++) {
    const r = await rawRequest(host, 'DELETE', `/containers/${id}?force=1&v=1`);
    if (r.status === 204 || r.status === 404) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface DoctorJson {
  ok: boolean;
  checks: { id: string; status: string; detail: string; fix?: string }[];
  differences: { id: string; handling: string; detail: string }[];
}

describe('Podman', { skip }, () => {
  let podman: DockerClient;
  let docker: DockerClient;
  const podmanHost = (): string => testEngine('podman').host;

  before(async () => {
    podman = await DockerClient.connect({ host: podmanHost(), env: {}, ensureNetwork: false });
    docker = await DockerClient.connect({ host: testEngine('docker26').host, env: {}, ensureNetwork: false });
  });
  after(async () => {
    await podman.close();
    await docker.close();
  });

  it('is known for what it is from the connection\'s ping, without a request of its own, and from /version', async () => {
    // A /version call now fails the test: the profile comes from what connect() saw.
    const refuse = (): Promise<never> => Promise.reject(new Error('/version was asked'));
    const api = podman.api as unknown as { version: () => Promise<never> };
    api.version = refuse;
    let seen;
    try {
      seen = await engineProfile(podman.api);
    } finally {
      delete (api as { version?: unknown }).version;
    }
    assert.equal(seen.kind, 'podman');
    assert.match(seen.label, /^Podman 4\.\d+\.\d+$/);
    // The same refusal on an API that connect() did not open: it would have to ask.
    const bare = new Proxy(podman.api, {
      get(target, prop) {
        if (prop === 'version') return refuse;
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    await assert.rejects(engineProfile(bare), /\/version was asked/);
    const raw = JSON.parse((await rawRequest(podmanHost(), 'GET', '/version')).body.toString()) as Record<string, unknown>;
    assert.deepEqual(profileFromVersion(raw), seen);
    const d = await engineProfile(docker.api);
    assert.equal(d.kind, 'docker');
    assert.match(d.version, /^26\./);
  });

  it('Swarm and overlay networks are refused naming Podman and what it lacks, and nothing is created', async () => {
    await assert.rejects(resolveOrchestrator(podman, { orchestrator: 'swarm', source: 'orchestrator in the test' }), (e: unknown) => {
      assert.ok(e instanceof EngineUnsupportedError, String(e));
      assert.match(e.engine, /^Podman 4\./);
      assert.equal(e.missing, 'a Swarm orchestrator');
      assert.match(e.message, /Podman 4\.\d+\.\d+ \(at unix:\/\/.*\) has none: Podman has no Swarm mode \(asked by orchestrator in the test\)/);
      assert.match(e.message, /Set orchestrator: engine/);
      return true;
    });
    assert.equal(await resolveOrchestrator(podman, { orchestrator: 'auto' }), 'engine', 'auto runs workspaces as containers');
    const nodes = await runCli(['nodes', '--host', podmanHost()]);
    assert.equal(nodes.code, 2, nodes.stderr);
    assert.match(nodes.stderr, /needs a Swarm orchestrator, and Podman 4\.\S+ .* has none/);
    const name = unique('aicli-ovl');
    const overlay = await runCli(['network', 'ensure', '--host', podmanHost()], { AICLI_DOCKER_NETWORK_NAME: name, AICLI_DOCKER_NETWORK_DRIVER: 'overlay' });
    assert.equal(overlay.code, 2, overlay.stderr);
    assert.match(overlay.stderr, /network_driver: overlay needs overlay networks, and Podman 4\.\S+ .* has none: .*netavark .*\(asked by AICLI_DOCKER_NETWORK_DRIVER\)\. Nothing was created\. Set network_driver: bridge/);
    assert.equal((await rawRequest(podmanHost(), 'GET', `/networks/${name}`)).status, 404);
  });

  it('the egress allowlist\'s bridge option: netavark drops it and the host answers at the gateway address, so Podman is said not to have it (Docker keeps it)', async () => {
    assert.equal(await supportsBridgeInhibitIpv4(podman.api), false);
    assert.equal(await supportsBridgeInhibitIpv4(docker.api), true);
    await assert.rejects(requireEngineCapability(podman.api, 'bridge-inhibit-ipv4'), (e: unknown) =>
      e instanceof EngineUnsupportedError && e.problems[0]?.key === 'egress_allow' && /inhibit_ipv4, and Podman .* has none: netavark ignores it/.test(e.message));
    await requireEngineCapability(docker.api, 'bridge-inhibit-ipv4');

    // The measurement the answer rests on, repeated: should a later Podman honour the option, this fails.
    const name = unique('aicli-inh');
    const body = JSON.stringify({ Name: name, Internal: true, Labels: { [TEST_LABEL]: 'true' }, Options: { [INHIBIT]: 'true' } });
    const made = await rawRequest(podmanHost(), 'POST', '/networks/create', body);
    assert.equal(made.status, 201, made.body.toString());
    const listener = net.createServer();
    let container = '';
    try {
      assert.match((JSON.parse(made.body.toString()) as { Warning?: string }).Warning ?? '', /inhibit_ipv4.*not a recognized option/);
      const n = JSON.parse((await rawRequest(podmanHost(), 'GET', `/networks/${name}`)).body.toString()) as { Options: Record<string, string> | null; IPAM: { Config: { Gateway: string }[] } };
      assert.equal(n.Options?.[INHIBIT], undefined, 'the option is dropped');
      const gateway = n.IPAM.Config[0]?.Gateway ?? '';
      assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/);
      // A host process on every address; a container on the internal network dials the gateway.
      const accepted = new Promise<string>((resolve) => listener.on('connection', (s) => { resolve(s.remoteAddress ?? ''); s.destroy(); }));
      await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
      const port = (listener.address() as net.AddressInfo).port;
      const c = await rawRequest(podmanHost(), 'POST', `/containers/create?name=${unique('aicli-inh')}`, JSON.stringify({
        Image: await ensureBusyboxImage(podmanHost()), Cmd: ['nc', '-w', '5', gateway, String(port)], Labels: { [TEST_LABEL]: 'true' },
        HostConfig: { NetworkMode: name, Ulimits: TEST_ULIMITS },
      }));
      assert.equal(c.status, 201, c.body.toString());
      container = (JSON.parse(c.body.toString()) as { Id: string }).Id;
      assert.equal((await rawRequest(podmanHost(), 'POST', `/containers/${container}/start`)).status, 204);
      const from = await Promise.race([accepted, new Promise<string>((resolve) => setTimeout(() => { resolve('nothing came'); }, 20_000).unref())]);
      assert.match(from, /\d+\.\d+\.\d+\.\d+$/, 'the host answered the container at the gateway address');
    } finally {
      listener.close();
      if (container !== '') await removeContainer(podmanHost(), container);
      await rawRequest(podmanHost(), 'DELETE', `/networks/${name}`);
    }
    // Docker keeps it (what it then does is the egress feature's to test).
    const dname = unique('aicli-inh');
    const dmade = await rawRequest(testEngine('docker26').host, 'POST', '/networks/create', body.replace(name, dname));
    try {
      assert.equal(dmade.status, 201, dmade.body.toString());
      const dn = JSON.parse((await rawRequest(testEngine('docker26').host, 'GET', `/networks/${dname}`)).body.toString()) as { Options: Record<string, string> };
      assert.equal(dn.Options[INHIBIT], 'true');
    } finally {
      await rawRequest(testEngine('docker26').host, 'DELETE', `/networks/${dname}`);
    }
  });

  it('events says once that Podman sends no network events (a Docker engine is not said to)', async () => {
    const said = /^events: Podman 4\.\S+ sends no network events; container events only$/m;
    for (const [host, podmanToo] of [[podmanHost(), true], [testEngine('docker26').host, false]] as const) {
      await using cli = spawnCli(['events', '--host', host], {});
      const end = Date.now() + 20_000;
      while (!/Ctrl-C to stop/.test(cli.stderr()) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 300));
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited, 0, cli.stderr());
      assert.equal(said.test(cli.stderr()), podmanToo, cli.stderr());
    }
  });

  it('doctor lists the differences of the engine it talks to, and fails a configuration that asks for what it lacks', async () => {
    const r = await runCli(['doctor', '--json', '--host', podmanHost()]);
    const p = JSON.parse(r.stdout) as DoctorJson;
    const check = p.checks.find((c) => c.id === 'differences');
    assert.equal(check?.status, 'pass', r.stdout);
    assert.match(check.detail, /^Podman 4\.\S+: \d+ differences from Docker/);
    for (const id of ['swarm', 'overlay', 'inhibit-ipv4', 'ulimits', 'read-only-tmpfs', 'health', 'events']) assert.ok(p.differences.some((d) => d.id === id), `${id} listed`);
    assert.deepEqual([...new Set(p.differences.map((d) => d.handling))].sort(), ['differs', 'handled', 'refused']);
    const text = await runCli(['doctor', '--host', podmanHost()]);
    assert.match(text.stdout, /^Where this engine differs from Docker:\n {2}- Swarm \(refused\): Podman has no Swarm mode/m);
    const swarm = await runCli(['doctor', '--json', '--host', podmanHost()], { AICLI_DOCKER_ORCHESTRATOR: 'swarm' });
    assert.equal(swarm.code, 1, swarm.stdout);
    const s = (JSON.parse(swarm.stdout) as DoctorJson).checks.find((c) => c.id === 'differences');
    assert.equal(s?.status, 'fail');
    assert.match(s.detail, /asks for what Podman \S+ lacks: orchestrator: swarm/);
    assert.match(s.fix ?? '', /orchestrator: engine/);
    const d = JSON.parse((await runCli(['doctor', '--json', '--host', testEngine('docker26').host])).stdout) as DoctorJson;
    assert.deepEqual(d.differences, []);
    assert.match(d.checks.find((c) => c.id === 'differences')?.detail ?? '', /^none: Docker 26\./);
  });
});

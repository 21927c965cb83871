// Egress on the suite's shared engines (no container here looks anything up or sends
// anything): the gateway image made over ssh and run, refusals that leave nothing,
// Podman measured, and the CLI's answers for a workspace without a gateway.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  checkEgressSupport,
  defaultConfig,
  DockerClient,
  EgressNotFoundError,
  EgressUnsupportedError,
  egressStatus,
  ensureGatewayImage,
  GATEWAY_REPOSITORY,
  ImageNotFoundError,
  InvalidConfigError,
  prepareEgress,
  removeEgress,
  type GatewayImage,
} from '../../src/index.js';
import { LABELS, ownerGone } from '../../src/features/labels.js';
import { demux } from '../support/egress-lab.js';
import { runCli } from '../support/cli.js';
import { BUSYBOX_IMAGE, engineSkip, ensureBusyboxImage, loadTestEngines, rawRequest, TEST_LABEL, testEngine } from '../support/engines.js';

const skip = engineSkip();
const labels = { [TEST_LABEL]: 'true' };
const suffix = (): string => randomBytes(3).toString('hex');

async function json<T>(host: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await rawRequest(host, method, path, body === undefined ? undefined : JSON.stringify(body));
  if (res.status >= 400) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.toString()}`);
  const text = res.body.toString();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Every network and container labelled as this workspace's. */
async function objectsOf(host: string, workspace: string): Promise<unknown[]> {
  const f = encodeURIComponent(JSON.stringify({ label: [`aicli.workspace.name=${workspace}`] }));
  return [...(await json<unknown[]>(host, 'GET', `/networks?filters=${f}`)), ...(await json<unknown[]>(host, 'GET', `/containers/json?all=1&filters=${f}`))];
}

describe('the gateway image, made on a remote engine over ssh', { skip }, () => {
  let client: DockerClient | undefined;
  let image: GatewayImage | undefined;
  const host = (): string => testEngine(loadTestEngines().ssh?.target ?? 'docker20').host;

  before(async () => {
    const ssh = loadTestEngines().ssh;
    if (ssh === undefined) throw new Error('no ssh engine in the test engines');
    client = await DockerClient.connect({ host: ssh.host, sshCommand: ['ssh', '-F', ssh.config], env: {}, ensureNetwork: false });
  });
  after(async () => {
    await client?.close();
    if (image !== undefined) await rawRequest(host(), 'DELETE', `/images/${image.id}?force=1`);
  });

  it('is imported once (found again by its label), and runs this Node there', async () => {
    if (client === undefined) throw new Error('not connected');
    image = await ensureGatewayImage(client.api, { labels });
    assert.equal(image.created, true);
    assert.match(image.reference, new RegExp(`^${GATEWAY_REPOSITORY}:[0-9a-f]{16}$`));
    const again = await ensureGatewayImage(client.api, { labels });
    assert.deepEqual(again, { ...image, created: false });

    const cfg = (await json<{ Config: { User: string; Entrypoint: string[]; Labels: Record<string, string>; Env: string[] } }>(host(), 'GET', `/images/${image.id}/json`)).Config;
    assert.equal(cfg.User, '65534:65534');
    assert.equal(cfg.Entrypoint[0], process.execPath);
    assert.equal(cfg.Entrypoint.at(-1), '/aicli/egress-proxy.cjs');
    assert.equal(cfg.Labels['aicli.managed'], 'true');
    assert.equal(cfg.Labels['aicli.role'], 'egress-image');
    assert.equal(cfg.Labels['aicli.egress.image'], image.identity);
    assert.ok(cfg.Env.some((e) => e.startsWith('LD_LIBRARY_PATH=/')));

    // The runtime works there: the same Node, with no network at all.
    const c = await json<{ Id: string }>(host(), 'POST', '/containers/create', {
      Image: image.id,
      Entrypoint: [process.execPath, '-e', 'console.log(process.version, require("node:fs").statSync("/aicli/egress-proxy.cjs").size > 0)'],
      Labels: labels,
      HostConfig: { NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'] },
    });
    try {
      await json(host(), 'POST', `/containers/${c.Id}/start`);
      const waited = await json<{ StatusCode: number }>(host(), 'POST', `/containers/${c.Id}/wait`);
      const out = demux((await rawRequest(host(), 'GET', `/containers/${c.Id}/logs?stdout=1&stderr=1`)).body);
      assert.equal(waited.StatusCode, 0, out);
      assert.equal(out.trim(), `${process.version} true`);
    } finally {
      await rawRequest(host(), 'DELETE', `/containers/${c.Id}?force=1&v=1`);
    }
  });
});

describe('prepareEgress refusals leave nothing behind', { skip }, () => {
  let client: DockerClient | undefined;
  const d26 = (): string => testEngine('docker26').host;
  // The aicli network the gateway leaves by: made by the network feature on first use.
  const uplink = `aicli-egress-test-uplink-${suffix()}`;
  const config = { ...defaultConfig(), networkName: uplink };

  before(async () => {
    client = await DockerClient.connect({ host: d26(), env: {}, ensureNetwork: false });
    await ensureBusyboxImage(d26());
  });
  after(async () => {
    await client?.close();
    await rawRequest(d26(), 'DELETE', `/networks/${uplink}`);
  });

  it('a bad name, a bad port, a missing image or an internal aicli network', async () => {
    if (client === undefined) throw new Error('not connected');
    const ws = `ws-refused-${suffix()}`;
    const base = { workspaceName: ws, image: BUSYBOX_IMAGE, labels, config };
    await assert.rejects(prepareEgress(client.api, { ...base, allow: ['ok.test', '10.0.0.1'] }), (e: unknown) => e instanceof InvalidConfigError && /egress_allow\[1\]: "10\.0\.0\.1" is an IP address/.test(e.message));
    await assert.rejects(prepareEgress(client.api, { ...base, allow: ['ok.test'], ports: [0] }), (e: unknown) => e instanceof InvalidConfigError && /egress_ports\[0\]/.test(e.message));
    await assert.rejects(prepareEgress(client.api, { ...base, allow: ['ok.test'], image: `aicli-no-such-image:${suffix()}` }), ImageNotFoundError);
    await assert.rejects(prepareEgress(client.api, { ...base, allow: ['ok.test'], config: { ...config, networkInternal: true } }), (e: unknown) => e instanceof InvalidConfigError && /is internal, so an egress gateway would have no way out/.test(e.message));
    await assert.rejects(prepareEgress(client.api, { ...base, workspaceName: 'bad/name', allow: ['ok.test'] }), /cannot name a network or container/);
    assert.deepEqual(await objectsOf(d26(), ws), []);
  });

  it('egress_image: a configured image is used as given, and removal leaves nothing', async () => {
    if (client === undefined) throw new Error('not connected');
    const image = await ensureGatewayImage(client.api, { labels });
    const ws = `ws-image-${suffix()}`;
    try {
      // Nothing is asked of this gateway: it only has to run, from the image named.
      const prepared = await prepareEgress(client.api, { workspaceName: ws, allow: ['ok.test'], image: image.reference, config, labels });
      const g = await json<{ Config: { Image: string }; State: { Running: boolean } }>(d26(), 'GET', `/containers/${prepared.gateway.id}/json`);
      assert.equal(g.Config.Image, image.reference);
      assert.equal(g.State.Running, true);
      assert.equal(prepared.image, image.reference);
      assert.deepEqual(await removeEgress(client.api, { workspaceName: ws }), { gateway: true, network: true });
      assert.deepEqual(await objectsOf(d26(), ws), []);
    } finally {
      await removeEgress(client.api, { workspaceName: ws }).catch(() => undefined);
      if (image.created) await rawRequest(d26(), 'DELETE', `/images/${image.id}?force=1`);
    }
  });

  it('a workspace without a gateway: the library and the CLI say so (exit 1, JSON error code)', async () => {
    if (client === undefined) throw new Error('not connected');
    const ws = `ws-none-${suffix()}`;
    await assert.rejects(egressStatus(client.api, { workspaceName: ws }), (e: unknown) => e instanceof EgressNotFoundError && e.message.includes(`"${ws}"`) && /--egress-allow/.test(e.message));
    const r = await runCli(['workspace', 'egress', ws, '--host', d26()], { HOME: '/nonexistent' });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`Workspace "${ws}" has no egress gateway`));
    const j = await runCli(['workspace', 'egress', ws, '--allow', 'a.test', '--json', '--host', d26()], { HOME: '/nonexistent' });
    assert.equal(j.code, 1);
    assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, 'EGRESS_NOT_FOUND');
    const bad = await runCli(['workspace', 'egress', ws, '--allow', '*.a.test', '--host', d26()], { HOME: '/nonexistent' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--allow: egress_allow\[0\]: "\*\.a\.test" is a wildcard; write "\.a\.test"/);
  });
});

describe('which engines can do it (doctor)', { skip }, () => {
  it('Docker 26 can; Podman 4.3 drops the bridge option (measured) and prepareEgress refuses there, leaving nothing', async () => {
    await using d26 = await DockerClient.connect({ host: testEngine('docker26').host, env: {}, ensureNetwork: false });
    const ok = await checkEgressSupport(d26.api, { labels });
    assert.equal(ok.ok, true, JSON.stringify(ok.items));
    assert.deepEqual(ok.items.map((i) => i.name), ['engine', 'gateway image', 'bridge option']);
    const d = await runCli(['doctor', '--json', '--host', testEngine('docker26').host], { HOME: '/nonexistent', AICLI_DOCKER_EGRESS_ALLOW: 'registry.npmjs.org,github.com' });
    const egress = (JSON.parse(d.stdout) as { checks: { id: string; status: string; detail: string }[] }).checks.find((c) => c.id === 'egress');
    assert.equal(egress?.status, 'pass', d.stdout);
    assert.match(egress.detail, /^egress_allow \(2 names\) can be enforced: Docker 26\.1\.\S+ on linux\/amd64; /);

    const podmanHost = testEngine('podman').host;
    await using pod = await DockerClient.connect({ host: podmanHost, env: {}, ensureNetwork: false });
    const no = await checkEgressSupport(pod.api, { labels });
    assert.equal(no.ok, false);
    const bridge = no.items.find((i) => i.name === 'bridge option');
    assert.equal(bridge?.ok, false);
    assert.match(bridge.detail, /does not keep com\.docker\.network\.bridge\.inhibit_ipv4/);

    await ensureBusyboxImage(podmanHost);
    const uplink = `aicli-egress-test-uplink-${suffix()}`;
    const ws = `ws-podman-${suffix()}`;
    try {
      const config = { ...defaultConfig(), networkName: uplink };
      await assert.rejects(prepareEgress(pod.api, { workspaceName: ws, allow: ['ok.test'], image: BUSYBOX_IMAGE, config, labels }), EgressUnsupportedError);
      assert.deepEqual(await objectsOf(podmanHost, ws), []);
      // doctor says so: a failure when egress_allow is set, a warning otherwise (exit 1 only for the failure).
      const home = { HOME: '/nonexistent', AICLI_DOCKER_NETWORK_NAME: uplink, AICLI_DOCKER_DEFAULT_IMAGE: BUSYBOX_IMAGE };
      const doctor = async (more: Record<string, string>): Promise<{ status?: string; detail?: string; fix?: string }> => {
        const r = await runCli(['doctor', '--json', '--host', podmanHost], { ...home, ...more });
        return (JSON.parse(r.stdout) as { checks: { id: string; status: string; detail: string; fix?: string }[] }).checks.find((c) => c.id === 'egress') ?? {};
      };
      const wanted = await doctor({ AICLI_DOCKER_EGRESS_ALLOW: 'registry.npmjs.org' });
      assert.equal(wanted.status, 'fail');
      assert.match(wanted.detail ?? '', /cannot enforce an egress allowlist, and egress_allow is set: .*NOT: the engine does not keep com\.docker\.network\.bridge\.inhibit_ipv4/);
      assert.match(wanted.fix ?? '', /Docker 20\.10 or newer/);
      assert.equal((await doctor({})).status, 'warn');
    } finally {
      await rawRequest(podmanHost, 'DELETE', `/networks/${uplink}`);
    }
    // The probe networks are gone too: this process's, and those of the CLI runs (now exited).
    // Another suite on the same engine may hold a probe of its own while this one looks.
    const probes = await json<{ Name: string; Labels: Record<string, string> }[]>(podmanHost, 'GET', `/networks?filters=${encodeURIComponent(JSON.stringify({ label: ['aicli.role=egress-network-probe'] }))}`);
    assert.deepEqual(probes.filter((n) => n.Labels[LABELS.ownerPid] === String(process.pid) || ownerGone(n.Labels)).map((n) => n.Name), []);
  });
});

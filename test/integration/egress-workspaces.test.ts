// Workspaces with an egress allowlist on the suite's shared engines (nothing here looks
// anything up or sends anything out: what gets out is proven in the labs, egress-d*.test.ts):
// 16 processes making one, the CLI's flags and answers, failures that leave nothing,
// and crash recovery. Every workspace has its gateway and network; rm takes them along.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { removeGatewayImages } from '../support/egress-images.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage, engineSkip, rawRequest, testEngine } from '../support/engines.js';
import { removeTestObjects, unique } from '../support/workspaces.js';

const skip = engineSkip();
const PROCESSES = 16;
const CHILD = fileURLToPath(new URL('../support/egress-orphan-child.ts', import.meta.url));

async function list<T>(host: string, kind: 'containers' | 'networks', label: string): Promise<T[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
  const res = await rawRequest(host, 'GET', `/${kind}${kind === 'containers' ? '/json?all=1&' : '?'}filters=${filters}`);
  return JSON.parse(res.body.toString()) as T[];
}

interface Summary {
  Id: string;
  Names?: string[];
  Name?: string;
  State?: string;
  Labels?: Record<string, string> | null;
}

/** Everything labelled as this workspace's, by role: `workspace`, `egress-gateway`, `egress-network`. */
async function objectsOf(host: string, workspace: string): Promise<Record<string, { name: string; state: string }[]>> {
  const out: Record<string, { name: string; state: string }[]> = {};
  const label = `aicli.workspace.name=${workspace}`;
  for (const c of await list<Summary>(host, 'containers', label)) (out[c.Labels?.['aicli.role'] ?? '?'] ??= []).push({ name: (c.Names?.[0] ?? '').slice(1), state: c.State ?? '' });
  for (const n of await list<Summary>(host, 'networks', label)) (out[n.Labels?.['aicli.role'] ?? '?'] ??= []).push({ name: n.Name ?? '', state: 'network' });
  return out;
}

describe('workspaces with an egress allowlist', { skip }, () => {
  const network = unique('aicli-wse');
  let home: string;
  const made: string[] = [];
  const hosts = (): string[] => [testEngine('docker20').host, testEngine('docker28').host];
  const env = (host: string, more: Record<string, string> = {}): Record<string, string> => ({
    HOME: home,
    DOCKER_HOST: host,
    AICLI_DOCKER_NETWORK_NAME: network,
    AICLI_DOCKER_DEFAULT_IMAGE: BUSYBOX_IMAGE,
    ...more,
  });
  const name = (prefix: string): string => {
    const n = unique(prefix);
    made.push(n);
    return n;
  };

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'aicli-wse-'));
    for (const host of hosts()) await ensureBusyboxImage(host);
  });
  after(async () => {
    for (const host of hosts()) {
      // Through the raw API: the workspaces, gateways and networks of this file, then the aicli network.
      for (const n of made) {
        for (const c of await list<Summary>(host, 'containers', `aicli.workspace.name=${n}`)) await rawRequest(host, 'DELETE', `/containers/${c.Id}?force=1&v=1`);
        for (const net of await list<Summary>(host, 'networks', `aicli.workspace.name=${n}`)) await rawRequest(host, 'DELETE', `/networks/${net.Id}`);
      }
      await removeTestObjects(host, network);
      await removeGatewayImages(host);
      await rawRequest(host, 'DELETE', `/images/aicli-test-bad-gateway:${network}?force=1`);
    }
    await rm(home, { recursive: true, force: true });
  });

  it(`${PROCESSES} processes creating one workspace with an allowlist (and starting it) leave one workspace, one gateway, one network (Docker 20.10)`, async () => {
    const host = testEngine('docker20').host;
    const n = name('race');
    const runs = await Promise.all(
      Array.from({ length: PROCESSES }, () => runCli(['workspace', 'create', n, '--egress-allow', 'a.test,b.test', '--start', '--label', 'aicli.test=true', '--json'], env(host))),
    );
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const outs = runs.map((r) => JSON.parse(r.stdout) as { id: string; existed: boolean; state: string; egress?: { allow: string[]; gateway: { running: boolean } } });
    assert.equal(new Set(outs.map((o) => o.id)).size, 1, 'every process returned the same workspace');
    assert.equal(outs.filter((o) => !o.existed).length, 1, 'exactly one process created it');
    for (const o of outs) {
      assert.equal(o.state, 'running');
      assert.deepEqual(o.egress?.allow, ['a.test', 'b.test']);
      assert.equal(o.egress.gateway.running, true, 'each process returns once the gateway runs');
    }
    const objects = await objectsOf(host, n);
    assert.deepEqual(objects, {
      workspace: [{ name: `workspace_${n}`, state: 'running' }],
      'egress-gateway': [{ name: `aicli-egress-${n}`, state: 'running' }],
      'egress-network': [{ name: `aicli-egress-${n}`, state: 'network' }],
    });
    const rmd = await runCli(['workspace', 'rm', n], env(host));
    assert.equal(rmd.code, 0, rmd.stderr);
    assert.deepEqual(await objectsOf(host, n), {}, 'rm takes the gateway and the network along');
  });

  it('--egress-allow and --egress-image: checked before anything is made (exit 2 naming the flag); inspect and ls show the allowlist', async () => {
    const host = testEngine('docker28').host;
    const n = name('flags');
    const bad = await runCli(['workspace', 'create', n, '--egress-allow', 'ok.test,*.x.test', '--label', 'aicli.test=true'], env(host));
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--egress-allow: egress_allow\[1\]: "\*\.x\.test" is a wildcard; write "\.x\.test"/);
    const internal = await runCli(['workspace', 'create', n, '--egress-allow', 'ok.test', '--label', 'aicli.test=true'], env(host, { AICLI_DOCKER_NETWORK_INTERNAL: 'true' }));
    assert.equal(internal.code, 2, internal.stderr);
    assert.match(internal.stderr, /--egress-allow: cannot be used with network_internal: true \(set by AICLI_DOCKER_NETWORK_INTERNAL\)/);
    const image = await runCli(['workspace', 'create', n, '--egress-allow', 'ok.test', '--egress-image', ' ', '--label', 'aicli.test=true'], env(host));
    assert.equal(image.code, 2, image.stderr);
    assert.match(image.stderr, /--egress-image: " " is not an image reference/);
    const policy = await runCli(['workspace', 'create', n, '--egress-allow', 'ok.test', '--pid', 'host', '--label', 'aicli.test=true'], env(host));
    assert.equal(policy.code, 2, policy.stderr);
    assert.match(policy.stderr, /Refused: .*nothing was created/);
    assert.deepEqual(await objectsOf(host, n), {}, 'nothing was made');

    const ok = await runCli(['workspace', 'create', n, '--egress-allow', 'Registry.npmjs.org, .githubusercontent.com', '--label', 'aicli.test=true'], env(host));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`^Created workspace ${n}: container workspace_${n} \\([0-9a-f]{12}\\), created\\.$`, 'm'));
    assert.match(ok.stdout, new RegExp(`^Egress: only registry\\.npmjs\\.org, \\.githubusercontent\\.com \\(ports 80, 443\\); gateway running \\(aicli-egress-${n}\\)\\.$`, 'm'));
    const ins = await runCli(['workspace', 'inspect', n], env(host));
    assert.match(ins.stdout, new RegExp(`^Egress +registry\\.npmjs\\.org, \\.githubusercontent\\.com \\(ports 80, 443\\); gateway running \\(aicli-egress-${n}\\)$`, 'm'));
    const json = JSON.parse((await runCli(['workspace', 'inspect', n, '--json'], env(host))).stdout) as { network: string; egress: unknown; labels: Record<string, string> };
    assert.equal(json.network, `aicli-egress-${n}`, 'the workspace is on its own network');
    assert.deepEqual(json.egress, { allow: ['registry.npmjs.org', '.githubusercontent.com'], ports: [80, 443], network: `aicli-egress-${n}`, gateway: { name: `aicli-egress-${n}`, state: 'running', running: true } });
    const ls = await runCli(['workspace', 'ls'], env(host));
    assert.match(ls.stdout, /^NAME\s+STATE\s+HEALTH\s+IMAGE\s+CREATED\s+ID\s+EGRESS$/m);
    assert.match(ls.stdout, new RegExp(`^${n}\\s.*\\sregistry\\.npmjs\\.org,\\.githubusercontent\\.com \\(gateway running\\)$`, 'm'));
    // Without the flag, egress_allow is unset: the same name is found and returned as it is.
    const again = await runCli(['workspace', 'create', n, '--json'], env(host));
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { existed: boolean }).existed, true);
    const rmd = await runCli(['workspace', 'rm', n], env(host));
    assert.equal(rmd.code, 0, rmd.stderr);
    assert.deepEqual(await objectsOf(host, n), {});
  });

  it('a gateway that cannot be made or cannot start: the create fails and leaves nothing (workspace, gateway, network)', async () => {
    const host = testEngine('docker28').host;
    const missing = name('noimg');
    const r = await runCli(['workspace', 'create', missing, '--egress-allow', 'ok.test', '--egress-image', `aicli-test-none:${network}`, '--label', 'aicli.test=true'], env(host));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`aicli-test-none:${network}`));
    assert.deepEqual(await objectsOf(host, missing), {});

    // An image whose entry point does not exist: the gateway is made, and its start fails.
    const base = JSON.parse((await rawRequest(host, 'POST', '/containers/create', JSON.stringify({ Image: BUSYBOX_IMAGE, Labels: { 'aicli.test': 'true' } }))).body.toString()) as { Id: string };
    try {
      const q = new URLSearchParams({ container: base.Id, repo: 'aicli-test-bad-gateway', tag: network });
      q.append('changes', 'ENTRYPOINT ["/no/such/proxy"]');
      q.append('changes', 'LABEL aicli.test=true');
      assert.equal((await rawRequest(host, 'POST', `/commit?${q.toString()}`, '{}')).status, 201);
    } finally {
      await rawRequest(host, 'DELETE', `/containers/${base.Id}?force=1&v=1`);
    }
    const dead = name('deadgw');
    const d = await runCli(['workspace', 'create', dead, '--egress-allow', 'ok.test', '--egress-image', `aicli-test-bad-gateway:${network}`, '--start', '--label', 'aicli.test=true'], env(host));
    assert.equal(d.code, 1, d.stderr);
    assert.match(d.stderr, /no\/such\/proxy/);
    assert.deepEqual(await objectsOf(host, dead), {}, 'the workspace made meanwhile went with its gateway and network');
  });

  it('cleanup --orphans after a SIGKILL: a never-started workspace goes with its running gateway and its network', async () => {
    const host = testEngine('docker28').host;
    const n = name('orphan');
    const run = unique('run');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, host, n, network, run], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => { resolve(signal); }));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('made')) resolve(); });
      child.once('exit', (code) => { reject(new Error(`the child exited early (${String(code)})`)); });
    });
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    assert.deepEqual(Object.keys(await objectsOf(host, n)).sort(), ['egress-gateway', 'egress-network', 'workspace']);
    const r = await runCli(['cleanup', '--orphans', '--label', `aicli.test.run=${run}`, '--json'], env(host));
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { items: { kind: string; name: string; reason: string; removed: boolean }[] };
    const got = report.items.map((i) => `${i.kind} ${i.name}: ${i.reason}`).sort();
    assert.deepEqual(got, [
      `container aicli-egress-${n}: egress gateway of workspace ${n}`,
      `container workspace_${n}: never started, owner gone`,
      `network aicli-egress-${n}: egress network of workspace ${n}`,
    ]);
    assert.ok(report.items.every((i) => i.removed));
    assert.deepEqual(await objectsOf(host, n), {});
  });
});

// Egress parts of `npm run bench`, in an egress lab of their own (a private engine in a
// network namespace, the outside in another: test/support/egress-lab.ts), since they
// need an outside to talk to. Against a bare baseline in the same run:
//   egress-start       Workspaces.create({ start: true }) of a workspace with egress_allow
//                      (its network, gateway, patch; done once the gateway runs) vs
//                      without, interleaved rounds, medians
//   egress-throughput  100 MB read by a client in a workspace: through the gateway's
//                      CONNECT vs straight from a container on the aicli network
//   egress-memory      the gateway's own memory (anonymous RSS) idle and at its peak
//                      while the transfers run, sampled from /proc on the host
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { apiPath, applyEgress, DockerClient, ensureGatewayImage, prepareEgress, removeEgress, Workspaces, type EgressPrepared } from '../src/index.js';
import { GATEWAY_NODE_FLAGS } from '../src/features/egress/image.js';
import { startLab, type Lab } from '../test/support/egress-lab.js';
import { hardened } from '../test/support/egress-scenario.js';
import { TEST_LABEL } from '../test/support/engines.js';
import { median } from './stats.js';

export interface EgressBenchResult {
  readonly engine: string;
  readonly start?: { readonly rounds: number; readonly withoutMs: readonly number[]; readonly withMs: readonly number[]; readonly withoutMedianMs: number; readonly withMedianMs: number; readonly deltaMs: number };
  readonly transfer?: { readonly bytes: number; readonly directMBps: readonly number[]; readonly proxyMBps: readonly number[]; readonly directBest: number; readonly proxyBest: number; readonly ratio: number };
  readonly memory?: { readonly flags: readonly string[]; readonly idleAnonKiB: number; readonly peakAnonKiB: number; readonly idleRssKiB: number; readonly peakRssKiB: number; readonly samples: number };
}

const labels = { [TEST_LABEL]: 'true' };
const BULK = 'bulk.test';
const BYTES = 100 * 1024 * 1024;

async function startPart(client: DockerClient, lab: Lab, rounds: number): Promise<NonNullable<EgressBenchResult['start']>> {
  const withoutMs: number[] = [];
  const withMs: number[] = [];
  const ws = new Workspaces(client);
  const egress = { allow: [BULK], hostAddresses: [lab.addr.hostUplink] };
  // Round 0 warms both paths (and makes the gateway image); it is not counted.
  for (let i = 0; i <= rounds; i++) {
    const plain = `bench-${lab.id}-${i}`;
    let t0 = performance.now();
    await ws.create({ name: plain, labels, start: true });
    const without = performance.now() - t0;
    await ws.remove(plain);

    const name = `bench-${lab.id}-${i}-egress`;
    t0 = performance.now();
    // Returns once the workspace and its gateway run (the gateway starts while the workspace is made).
    await ws.create({ name, labels, start: true, egress });
    const withEgress = performance.now() - t0;
    await ws.remove(name);
    if (i > 0) {
      withoutMs.push(without);
      withMs.push(withEgress);
    }
  }
  return { rounds, withoutMs, withMs, withoutMedianMs: median(withoutMs), withMedianMs: median(withMs), deltaMs: median(withMs) - median(withoutMs) };
}

/** A Node client in a container: reads BYTES sent by the outside's :443, straight or through CONNECT; prints its own timing. */
function clientScript(mode: 'direct' | 'proxy', outside: string): string {
  return `
const net = require('node:net');
const [host, port] = ${mode === 'proxy' ? "process.env.HTTP_PROXY.replace('http://', '').replace(/\\/$/, '').split(':')" : `['${outside}', '443']`};
const s = net.connect(Number(port), host);
let t0 = 0n, got = 0, head = ${mode === 'proxy' ? 'false' : 'true'}, pending = '';
const go = () => { t0 = process.hrtime.bigint(); s.write('SEND ${BYTES}\\n'); };
s.on('connect', () => { if (head) go(); else s.write('CONNECT ${BULK}:443 HTTP/1.1\\r\\n\\r\\n'); });
s.on('data', (d) => {
  if (!head) { pending += d.toString('latin1'); const i = pending.indexOf('\\r\\n\\r\\n'); if (i < 0) return; if (!pending.startsWith('HTTP/1.1 200')) { console.log(JSON.stringify({ error: pending })); process.exit(1); } head = true; go(); return; }
  got += d.length;
});
s.on('end', () => { console.log(JSON.stringify({ bytes: got, ms: Number(process.hrtime.bigint() - t0) / 1e6 })); });
s.on('error', (e) => { console.log(JSON.stringify({ error: e.message })); process.exit(1); });
`;
}

function procStatus(pid: number): { anon: number; rss: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? Number.NaN);
  return { anon: kib('RssAnon'), rss: kib('VmRSS') };
}

export async function transferPart(client: DockerClient, lab: Lab, prepared: EgressPrepared, rounds: number, sample: (on: boolean) => void): Promise<NonNullable<EgressBenchResult['transfer']>> {
  const run = async (mode: 'direct' | 'proxy'): Promise<number> => {
    const base = { ...hardened(prepared.image, lab.aicli.name, []), Entrypoint: [process.execPath, '-e', clientScript(mode, lab.addr.outside)] };
    // A client container beside the workspace's, with the workspace's patch (only the network path matters here).
    const body = mode === 'proxy' ? applyEgress(base, prepared.patch) : base;
    if (mode === 'proxy') sample(true);
    const { output } = await lab.run(body, 120_000);
    if (mode === 'proxy') sample(false);
    const line = output.split('\n').find((l) => l.startsWith('{'));
    const r = JSON.parse(line ?? '{}') as { bytes?: number; ms?: number; error?: string };
    if (r.ms === undefined || r.bytes === undefined || r.bytes < BYTES) throw new Error(`bench: the ${mode} transfer failed: ${output.slice(0, 500)}`);
    return r.bytes / (1024 * 1024) / (r.ms / 1000);
  };
  const directMBps: number[] = [];
  const proxyMBps: number[] = [];
  await run('direct');
  await run('proxy');
  for (let i = 0; i < rounds; i++) {
    directMBps.push(await run('direct'));
    proxyMBps.push(await run('proxy'));
  }
  const directBest = Math.max(...directMBps);
  const proxyBest = Math.max(...proxyMBps);
  return { bytes: BYTES, directMBps, proxyMBps, directBest, proxyBest, ratio: proxyBest / directBest };
}

export async function egressBench(parts: ReadonlySet<string>, version: '20' | '26' | '28' = '26'): Promise<EgressBenchResult> {
  const lab = await startLab({ version, iptables: true });
  const client = await DockerClient.connect({ host: lab.host, env: {}, ensureNetwork: false, config: lab.config });
  let image: string | undefined;
  const result: { -readonly [K in keyof EgressBenchResult]: EgressBenchResult[K] } = { engine: `Docker ${version} (iptables on, own network namespace)` };
  try {
    lab.setZone({ a: { [BULK]: lab.addr.outside } });
    image = (await ensureGatewayImage(client.api, { labels })).id;
    if (parts.has('egress-start')) result.start = await startPart(client, lab, 9);
    if (parts.has('egress-throughput') || parts.has('egress-memory')) {
      const name = `bench-${lab.id}-bulk`;
      const prepared = await prepareEgress(client.api, { workspaceName: name, allow: [BULK], config: lab.config, labels, hostAddresses: [lab.addr.hostUplink] });
      try {
        const pid = (await client.api.json<{ State: { Pid: number } }>({ method: 'GET', path: apiPath`/containers/${prepared.gateway.id}/json` })).State.Pid;
        // Idle: after start-up has settled.
        await new Promise((r) => setTimeout(r, 1500));
        const idle = procStatus(pid);
        let peak = { ...idle };
        let samples = 0;
        let timer: NodeJS.Timeout | undefined;
        const sample = (on: boolean): void => {
          clearInterval(timer);
          if (!on) return;
          timer = setInterval(() => {
            const now = procStatus(pid);
            samples++;
            peak = { anon: Math.max(peak.anon, now.anon), rss: Math.max(peak.rss, now.rss) };
          }, 10);
        };
        const transfer = await transferPart(client, lab, prepared, 5, sample);
        if (parts.has('egress-throughput')) result.transfer = transfer;
        if (parts.has('egress-memory')) result.memory = { flags: GATEWAY_NODE_FLAGS, idleAnonKiB: idle.anon, peakAnonKiB: peak.anon, idleRssKiB: idle.rss, peakRssKiB: peak.rss, samples };
      } finally {
        await removeEgress(client.api, { workspaceName: name });
      }
    }
  } finally {
    if (image !== undefined) await client.api.json({ method: 'DELETE', path: apiPath`/images/${image}`, query: { force: true } }).catch(() => undefined);
    await client.close();
    await lab.close();
  }
  return result;
}

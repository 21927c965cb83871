// One egress scenario in a lab: a neighbor on the aicli network, a workspace's gateway
// made by prepareEgress, the DNS zone, and runners for the self-test and the workspace
// probes. `leak` builds a deliberately broken variant (scripts/egress-leaky.ts), to show
// that the checks see each way out.
import { GATEWAY_ALIAS, applyEgress, prepareEgress, type DockerClient, type EgressPrepared } from '../../src/index.js';
import { assessSelfTest, assessWorkspace, NAMES, selfTestScript, sections, token, workspaceScript, type ProbeTargets } from './egress-checks.js';
import { BUSYBOX_IMAGE, TEST_LABEL } from './engines.js';
import { rawRequest } from './engines.js';
import type { Lab } from './egress-lab.js';

export type Leak = 'none' | 'normal-network' | 'dns-forwarder' | 'no-inhibit' | 'lookup-first';

export interface Scenario {
  readonly lab: Lab;
  readonly workspaceName: string;
  readonly prepared: EgressPrepared;
  readonly neighbor: { readonly id: string; readonly ip: string };
  readonly gateway: { readonly internal: string; readonly uplink: string };
  /** The hardened ContainerCreate body of a workspace-like container, with the patch applied. */
  workspaceBody(cmd: string[]): Record<string, unknown>;
  targets(): ProbeTargets;
  close(): Promise<void>;
}

interface Inspect {
  Id: string;
  State: { Pid: number; Running: boolean };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

async function call<T>(host: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await rawRequest(host, method, path, body === undefined ? undefined : JSON.stringify(body));
  if (res.status >= 400) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.toString()}`);
  const text = res.body.toString();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

export function inspect(host: string, id: string): Promise<Inspect> {
  return call<Inspect>(host, 'GET', `/containers/${id}/json`);
}

/** A workspace as issue 9 makes one: read-only, no capabilities, no new privileges, an unprivileged user, limits. */
export function hardened(image: string, network: string, cmd: string[]): Record<string, unknown> {
  return {
    Image: image,
    User: '65534:65534',
    Cmd: cmd,
    Labels: { [TEST_LABEL]: 'true' },
    HostConfig: {
      NetworkMode: network,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Memory: 256 * 1024 * 1024,
      MemorySwap: 256 * 1024 * 1024,
      PidsLimit: 256,
      Tmpfs: { '/tmp': 'rw,nosuid,size=16m', '/probe': 'rw,nosuid,size=16m,mode=1777' },
    },
  };
}

export async function setUpScenario(lab: Lab, client: DockerClient, options: { leak?: Leak; proxyBundle?: string } = {}): Promise<Scenario> {
  const leak = options.leak ?? 'none';
  const workspaceName = `ws-${lab.id}-${token().slice(1, 5)}`;
  const made: string[] = [];
  const host = lab.host;
  const neighborC = await call<{ Id: string }>(host, 'POST', '/containers/create', {
    ...hardened(BUSYBOX_IMAGE, lab.aicli.name, ['httpd', '-f', '-p', '7000', '-h', '/tmp']),
  });
  made.push(neighborC.Id);
  await call(host, 'POST', `/containers/${neighborC.Id}/start`);
  const neighborIp = (await inspect(host, neighborC.Id)).NetworkSettings.Networks[lab.aicli.name]?.IPAddress ?? '';

  const prepared = await prepareEgress(client.api, {
    workspaceName,
    allow: [NAMES.allowed, NAMES.loopback, NAMES.hostBridge, NAMES.hostUplink, NAMES.metadata, NAMES.neighbor, NAMES.workspaceSide, NAMES.v6only, NAMES.rebind],
    network: lab.aicli.name,
    // The lab's engine host is a network namespace of its own: its uplink is not one of
    // this process's interfaces, so it is named, as a caller with a remote engine would.
    hostAddresses: [lab.addr.hostUplink],
    labels: { [TEST_LABEL]: 'true' },
    ...(options.proxyBundle === undefined ? {} : { proxyBundle: options.proxyBundle }),
  });
  const gw = await inspect(host, prepared.gateway.id);
  const gateway = {
    internal: gw.NetworkSettings.Networks[prepared.network.name]?.IPAddress ?? '',
    uplink: gw.NetworkSettings.Networks[lab.aicli.name]?.IPAddress ?? '',
  };
  let dnsOverride: string | undefined;
  let networkMode = prepared.network.name;

  if (leak === 'normal-network') networkMode = lab.aicli.name;
  if (leak === 'no-inhibit') {
    // The same network, without inhibit_ipv4: the host gets the bridge address back.
    const net = await call<{ Labels: Record<string, string> }>(host, 'GET', `/networks/${prepared.network.name}`);
    await call(host, 'POST', `/networks/${prepared.network.name}/disconnect`, { Container: prepared.gateway.id, Force: true });
    await call(host, 'DELETE', `/networks/${prepared.network.name}`);
    await call(host, 'POST', '/networks/create', { Name: prepared.network.name, Driver: 'bridge', Internal: true, Labels: net.Labels, IPAM: { Config: [{ Subnet: prepared.network.subnet }] } });
    await call(host, 'POST', `/networks/${prepared.network.name}/connect`, { Container: prepared.gateway.id, EndpointConfig: { Aliases: [GATEWAY_ALIAS] } });
    await call(host, 'POST', `/containers/${prepared.gateway.id}/restart?t=1`);
  }
  if (leak === 'dns-forwarder') {
    // A gateway that also forwards DNS: a relay on both networks, which the workspace uses as its resolver.
    const relay = `const d=require('dgram');const s=d.createSocket('udp4');s.on('message',(m,r)=>{const c=d.createSocket('udp4');c.on('message',(a)=>{s.send(a,r.port,r.address);c.close()});c.send(m,53,'${lab.addr.outside}')});s.bind(53)`;
    const fwd = await call<{ Id: string }>(host, 'POST', '/containers/create', {
      Image: prepared.image,
      Entrypoint: [process.execPath, '-e', relay],
      User: '0:0',
      Labels: { [TEST_LABEL]: 'true' },
      HostConfig: { NetworkMode: prepared.network.name, CapAdd: ['NET_BIND_SERVICE'] },
    });
    made.push(fwd.Id);
    await call(host, 'POST', `/networks/${lab.aicli.name}/connect`, { Container: fwd.Id });
    await call(host, 'POST', `/containers/${fwd.Id}/start`);
    dnsOverride = (await inspect(host, fwd.Id)).NetworkSettings.Networks[prepared.network.name]?.IPAddress;
  }

  const internalGatewayIp = prepared.network.subnet.replace(/\.\d+\/\d+$/, '.1');
  lab.setZone({
    a: {
      [NAMES.allowed]: lab.addr.outside,
      [NAMES.forbidden]: lab.addr.outside,
      [NAMES.later]: lab.addr.outside,
      [NAMES.loopback]: '127.0.0.1',
      [NAMES.hostBridge]: lab.aicli.gateway,
      [NAMES.hostUplink]: lab.addr.hostUplink,
      [NAMES.metadata]: '169.254.169.254',
      [NAMES.neighbor]: neighborIp,
      [NAMES.workspaceSide]: gateway.internal,
    },
    aaaa: { [NAMES.v6only]: 'fd000000000000000000000000000001' },
    rebind: { [NAMES.rebind]: [lab.addr.outside, '127.0.0.1'] },
  });
  await lab.watch(prepared.network.subnet, `br-${prepared.network.id.slice(0, 12)}`);

  return {
    lab,
    workspaceName,
    prepared,
    neighbor: { id: neighborC.Id, ip: neighborIp },
    gateway,
    workspaceBody(cmd) {
      const body = applyEgress(hardened(BUSYBOX_IMAGE, lab.aicli.name, cmd), prepared.patch);
      const hc = body['HostConfig'] as Record<string, unknown>;
      if (networkMode !== prepared.network.name) {
        hc['NetworkMode'] = networkMode;
        body['NetworkingConfig'] = { EndpointsConfig: { [networkMode]: {} } };
      }
      if (dnsOverride !== undefined) hc['Dns'] = [dnsOverride];
      return body;
    },
    targets() {
      return {
        tok: token(),
        outside: lab.addr.outside,
        hostAddresses: [lab.aicli.gateway, lab.addr.hostUplink, internalGatewayIp],
        resolvers: ['127.0.0.11', '127.0.0.1', lab.addr.outside, lab.addr.hostUplink, lab.aicli.gateway, internalGatewayIp, gateway.internal, gateway.uplink],
        neighbor: neighborIp,
        gatewayUplink: gateway.uplink,
      };
    },
    async close() {
      for (const id of made) await rawRequest(host, 'DELETE', `/containers/${id}?force=1&v=1`).catch(() => undefined);
    },
  };
}

/** The self-test from a plain container on the aicli network; returns what it could not reach. */
export async function runSelfTest(sc: Scenario): Promise<{ failures: string[]; output: string }> {
  const t = sc.targets();
  const since = Date.now();
  const { output } = await sc.lab.run({ ...hardenedPlain(sc), Cmd: ['sh', '-c', selfTestScript(t)] });
  const after = (e: { t: number }): boolean => e.t >= since;
  const failures = assessSelfTest(t, { sections: sections(output), outside: sc.lab.outsideLog().filter(after), host: sc.lab.hostLog().filter(after), guard: await sc.lab.guard() });
  return { failures, output };
}

function hardenedPlain(sc: Scenario): Record<string, unknown> {
  return hardened(BUSYBOX_IMAGE, sc.lab.aicli.name, []);
}

/** Every probe from a workspace-like container; returns what failed (empty: held to its allowlist). */
export async function runWorkspaceChecks(sc: Scenario): Promise<{ failures: string[]; output: string }> {
  const t = sc.targets();
  const since = Date.now();
  const { output } = await sc.lab.run(sc.workspaceBody(['sh', '-c', workspaceScript(t)]), 90_000);
  // The last probes end with their `timeout`; a moment for the servers' logs to land.
  await new Promise((r) => setTimeout(r, 300));
  const after = (e: { t: number }): boolean => e.t >= since;
  const failures = assessWorkspace(t, { sections: sections(output), outside: sc.lab.outsideLog().filter(after), host: sc.lab.hostLog().filter(after), guard: await sc.lab.guard() });
  return { failures, output };
}

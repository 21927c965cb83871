// One egress scenario in a lab: a workspace made by Workspaces.create with egress_allow
// (its network and gateway made on the way), a neighbor on the aicli network, the DNS
// zone, and runners for the self-test and the workspace probes. `leak` builds a
// deliberately broken variant (scripts/egress-leaky.ts), to show that the checks see each
// way out.
import { DockerClient, GATEWAY_ALIAS, Workspaces, gatewayName, type ContainerCreateBody, type DockerConfig, type WorkspaceInfo, type WorkspaceSpecPatch } from '../../src/index.js';
import { assessSelfTest, assessWorkspace, NAMES, selfTestScript, sections, token, workspaceScript, type ProbeTargets } from './egress-checks.js';
import { BUSYBOX_IMAGE, TEST_LABEL } from './engines.js';
import { rawRequest } from './engines.js';
import type { Lab } from './egress-lab.js';

export type Leak = 'none' | 'normal-network' | 'dns-forwarder' | 'no-inhibit' | 'lookup-first';

/** Every name a scenario's workspace is allowed: most of them resolve to what the gateway must refuse. */
export const SCENARIO_ALLOW: readonly string[] = [NAMES.allowed, NAMES.loopback, NAMES.hostBridge, NAMES.hostUplink, NAMES.metadata, NAMES.neighbor, NAMES.workspaceSide, NAMES.v6only, NAMES.rebind];

export interface Scenario extends AsyncDisposable {
  readonly lab: Lab;
  readonly client: DockerClient;
  readonly workspaces: Workspaces;
  readonly workspaceName: string;
  /** The workspace as `create` returned it (running). */
  readonly workspace: WorkspaceInfo;
  readonly network: { readonly id: string; readonly name: string; readonly subnet: string };
  readonly neighbor: { readonly id: string; readonly ip: string };
  readonly gateway: { readonly id: string; readonly image: string; readonly internal: string; readonly uplink: string };
  targets(): ProbeTargets;
  close(): Promise<void>;
}

interface Inspect {
  Id: string;
  Image: string;
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

/** A plain hardened container (not a workspace): the self-test's, and the bench's clients. */
export function hardened(image: string, network: string, cmd: string[]): ContainerCreateBody {
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

export interface ScenarioOptions {
  readonly leak?: Leak;
  readonly proxyBundle?: string;
  /** Changes to the lab's configuration (e.g. egress_image). */
  readonly config?: Partial<DockerConfig>;
}

export async function setUpScenario(lab: Lab, options: ScenarioOptions = {}): Promise<Scenario> {
  const leak = options.leak ?? 'none';
  const workspaceName = `ws-${lab.id}-${token().slice(1, 5)}`;
  const host = lab.host;
  const made: string[] = [];
  const config: DockerConfig = { ...lab.config, egressAllow: SCENARIO_ALLOW, ...options.config };
  const client = await DockerClient.connect({ host, env: {}, ensureNetwork: false, config });
  const workspaces = new Workspaces(client);
  const netName = `aicli-egress-${workspaceName}`;
  try {
    // Leaky variants: each changes one thing of the real design.
    const patches: WorkspaceSpecPatch[] = [];
    let relay: string | undefined;
    if (leak === 'normal-network') {
      // The workspace on a normal network (with the proxy variables, and its DNS still pointing nowhere).
      patches.push({ source: 'leak', HostConfig: { NetworkMode: lab.aicli.name }, NetworkingConfig: { EndpointsConfig: { [lab.aicli.name]: {} } } });
    }
    if (leak === 'dns-forwarder') {
      // A DNS relay beside the gateway, on both networks, as the workspace's resolver. Its
      // address is known in advance: the workspace's network is made here first, as aicli
      // would make it but with a known subnet (aicli finds it and uses it).
      const third = 100 + Number.parseInt(lab.id.slice(0, 2), 16) % 50;
      const subnet = `${lab.aicli.subnet.split('.').slice(0, 2).join('.')}.${third}.0/24`;
      relay = subnet.replace(/0\/24$/, '250');
      await call(host, 'POST', '/networks/create', {
        Name: netName,
        Driver: 'bridge',
        Internal: true,
        Options: { 'com.docker.network.bridge.inhibit_ipv4': 'true' },
        IPAM: { Config: [{ Subnet: subnet }] },
        Labels: { [TEST_LABEL]: 'true', 'aicli.managed': 'true', 'aicli.role': 'egress-network', 'aicli.workspace.name': workspaceName },
      });
      patches.push({ source: 'leak', HostConfig: { Dns: [relay] } });
    }
    const { info } = await workspaces.create({
      name: workspaceName,
      labels: { [TEST_LABEL]: 'true' },
      // no-inhibit swaps the network before the workspace first joins it.
      start: leak !== 'no-inhibit',
      patches,
      egress: {
        // The lab's engine host is a network namespace of its own: its uplink is not one of
        // this process's interfaces, so it is named, as a caller with a remote engine would.
        hostAddresses: [lab.addr.hostUplink],
        ...(options.proxyBundle === undefined ? {} : { proxyBundle: options.proxyBundle }),
      },
    });
    const gatewayId = (await call<{ Id: string }>(host, 'GET', `/containers/${gatewayName(workspaceName)}/json`)).Id;
    const net = await call<{ Id: string; Labels: Record<string, string>; IPAM: { Config: { Subnet: string }[] } }>(host, 'GET', `/networks/${netName}`);
    const subnet = net.IPAM.Config[0]?.Subnet ?? '';
    let netId = net.Id;
    if (leak === 'no-inhibit') {
      // The same network, without inhibit_ipv4: the host gets the bridge address back.
      await call(host, 'POST', `/networks/${netName}/disconnect`, { Container: gatewayId, Force: true });
      await call(host, 'DELETE', `/networks/${netName}`);
      netId = (await call<{ Id: string }>(host, 'POST', '/networks/create', { Name: netName, Driver: 'bridge', Internal: true, Labels: net.Labels, IPAM: { Config: [{ Subnet: subnet }] } })).Id;
      await call(host, 'POST', `/networks/${netName}/connect`, { Container: gatewayId, EndpointConfig: { Aliases: [GATEWAY_ALIAS] } });
      await call(host, 'POST', `/containers/${gatewayId}/restart?t=1`);
      await workspaces.start(workspaceName);
    }
    if (relay !== undefined) {
      const source = `const d=require('dgram');const s=d.createSocket('udp4');s.on('message',(m,r)=>{const c=d.createSocket('udp4');c.on('message',(a)=>{s.send(a,r.port,r.address);c.close()});c.send(m,53,'${lab.addr.outside}')});s.bind(53)`;
      const fwd = await call<{ Id: string }>(host, 'POST', '/containers/create', {
        Image: (await inspect(host, gatewayId)).Image,
        Entrypoint: [process.execPath, '-e', source],
        User: '0:0',
        Labels: { [TEST_LABEL]: 'true' },
        HostConfig: { NetworkMode: netName, CapAdd: ['NET_BIND_SERVICE'] },
        NetworkingConfig: { EndpointsConfig: { [netName]: { IPAMConfig: { IPv4Address: relay } } } },
      });
      made.push(fwd.Id);
      await call(host, 'POST', `/networks/${lab.aicli.name}/connect`, { Container: fwd.Id });
      await call(host, 'POST', `/containers/${fwd.Id}/start`);
    }

    const neighborC = await call<{ Id: string }>(host, 'POST', '/containers/create', hardened(BUSYBOX_IMAGE, lab.aicli.name, ['httpd', '-f', '-p', '7000', '-h', '/tmp']));
    made.push(neighborC.Id);
    await call(host, 'POST', `/containers/${neighborC.Id}/start`);
    const neighborIp = (await inspect(host, neighborC.Id)).NetworkSettings.Networks[lab.aicli.name]?.IPAddress ?? '';

    const gw = await inspect(host, gatewayId);
    const gateway = {
      id: gatewayId,
      image: gw.Image,
      internal: gw.NetworkSettings.Networks[netName]?.IPAddress ?? '',
      uplink: gw.NetworkSettings.Networks[lab.aicli.name]?.IPAddress ?? '',
    };
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
    await lab.watch(subnet, `br-${netId.slice(0, 12)}`);
    const internalGatewayIp = subnet.replace(/\.\d+\/\d+$/, '.1');

    const close = async (): Promise<void> => {
      for (const id of made) await rawRequest(host, 'DELETE', `/containers/${id}?force=1&v=1`).catch(() => undefined);
      await workspaces.remove(workspaceName).catch(() => undefined);
      await client.close();
    };
    return {
      lab,
      client,
      workspaces,
      workspaceName,
      workspace: info,
      network: { id: netId, name: netName, subnet },
      neighbor: { id: neighborC.Id, ip: neighborIp },
      gateway,
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
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (err) {
    for (const id of made) await rawRequest(host, 'DELETE', `/containers/${id}?force=1&v=1`).catch(() => undefined);
    await client.close();
    throw err;
  }
}

/** The self-test from a plain container on the aicli network; returns what it could not reach. */
export async function runSelfTest(sc: Scenario): Promise<{ failures: string[]; output: string }> {
  const t = sc.targets();
  const since = Date.now();
  const { output } = await sc.lab.run({ ...hardened(BUSYBOX_IMAGE, sc.lab.aicli.name, []), Cmd: ['sh', '-c', selfTestScript(t)] });
  const after = (e: { t: number }): boolean => e.t >= since;
  const failures = assessSelfTest(t, { sections: sections(output), outside: sc.lab.outsideLog().filter(after), host: sc.lab.hostLog().filter(after), guard: await sc.lab.guard() });
  return { failures, output };
}

/** Every probe, run inside the workspace itself (exec); returns what failed (empty: held to its allowlist). */
export async function runWorkspaceChecks(sc: Scenario): Promise<{ failures: string[]; output: string }> {
  const t = sc.targets();
  const since = Date.now();
  const { output } = await sc.lab.exec(sc.workspace.id, ['sh', '-c', `rm -f /probe/c.*; ${workspaceScript(t)}`]);
  // The last probes end with their `timeout`; a moment for the servers' logs to land.
  await new Promise((r) => setTimeout(r, 300));
  const after = (e: { t: number }): boolean => e.t >= since;
  const failures = assessWorkspace(t, { sections: sections(output), outside: sc.lab.outsideLog().filter(after), host: sc.lab.hostLog().filter(after), guard: await sc.lab.guard() });
  return { failures, output };
}

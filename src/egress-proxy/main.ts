/**
 * The gateway's entry point (bundled into one file, dist/egress-proxy.cjs, and run by
 * Node in the gateway container). Reads its settings from the environment, refuses to
 * start on anything it cannot read (fails closed: no gateway, no egress), listens only
 * on its address in the workspace network, and writes one JSON line per decision.
 */
import { promises as dns } from 'node:dns';
import { networkInterfaces } from 'node:os';
import { makeAllowlist } from './allowlist.js';
import { parseCidr, parseIpv4, inCidr, type Cidr } from './addresses.js';
import { GATEWAY_ENV, GATEWAY_PORT } from './contract.js';
import { createProxy } from './proxy.js';

function fail(message: string): never {
  process.stderr.write(`aicli egress gateway: ${message}\n`);
  process.exit(2);
}

function list(name: string): string[] {
  const text = process.env[name];
  if (text === undefined) fail(`${name} is not set`);
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function main(): void {
  const workspace = process.env[GATEWAY_ENV.workspace] ?? fail(`${GATEWAY_ENV.workspace} is not set`);
  let allow;
  try {
    allow = makeAllowlist(list(GATEWAY_ENV.allow), list(GATEWAY_ENV.ports).map(Number));
  } catch (err) {
    fail((err as Error).message);
  }
  const deny: Cidr[] = list(GATEWAY_ENV.deny).map((c) => parseCidr(c, 'the engine host or the workspace side') ?? fail(`${GATEWAY_ENV.deny}: ${c} is not an IPv4 CIDR`));
  const subnetText = process.env[GATEWAY_ENV.subnet] ?? fail(`${GATEWAY_ENV.subnet} is not set`);
  const subnet = parseCidr(subnetText) ?? fail(`${GATEWAY_ENV.subnet}: ${subnetText} is not an IPv4 CIDR`);

  // Every network this container is on is the workspace side or the engine host's.
  let listen: string | undefined;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      const own = parseCidr(a.cidr ?? `${a.address}/32`, 'the workspace side or the engine host');
      if (own !== undefined) deny.push(own);
      const ip = parseIpv4(a.address);
      if (ip !== undefined && inCidr(ip, subnet)) listen = a.address;
    }
  }
  if (listen === undefined) fail(`no address of this container is in the workspace network ${subnetText}`);

  const resolver = new dns.Resolver({ timeout: 2000, tries: 2 });
  const write = (line: object): void => {
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  const server = createProxy({ allow, deny, workspace, resolve4: (host) => resolver.resolve4(host), log: write });
  server.on('error', (err) => fail(`cannot listen on ${listen}:${GATEWAY_PORT}: ${err.message}`));
  server.listen(GATEWAY_PORT, listen, () => {
    write({ time: new Date().toISOString(), event: 'start', workspace, allow: [...allow.exact, ...allow.suffixes], ports: [...allow.ports], listen: `${listen}:${GATEWAY_PORT}` });
  });
  const stop = (): void => {
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

process.on('uncaughtException', (err) => {
  process.stderr.write(`aicli egress gateway: ${err.stack ?? String(err)}\n`);
  process.exit(1);
});
main();

// A process that makes a workspace with an egress allowlist, asked to start it, and is then
// killed with SIGKILL before the workspace's start happens (test/integration/egress-workspaces.test.ts):
// its gateway runs, its network exists, its workspace was never started (half-made).
//   node --import tsx test/support/egress-orphan-child.ts HOST NAME NETWORK RUN
import { defaultConfig, DockerClient, Workspaces, type EngineApi } from '../../src/index.js';
import { BUSYBOX_IMAGE } from './engines.js';

const [host = '', name = '', network = '', run = ''] = process.argv.slice(2);
const config = { ...defaultConfig(), networkName: network, defaultImage: BUSYBOX_IMAGE, egressAllow: ['a.test'] };
const client = await DockerClient.connect({ host, env: {}, ensureNetwork: false, config });

// The engine API as the product sees it, except that the workspace's own start never happens
// (the gateway's does): the process says so and waits there until the SIGKILL.
let workspaceId: string | undefined;
const held = new Proxy(client.api, {
  get(target, prop, receiver) {
    const value = Reflect.get(target, prop, receiver) as unknown;
    // Its other methods run on the real object (they reach its private fields).
    if (prop !== 'json') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    return async (call: Parameters<EngineApi['json']>[0]) => {
      if (call.method === 'POST' && workspaceId !== undefined && call.path === `/containers/${workspaceId}/start`) {
        process.stdout.write('made\n');
        setInterval(() => undefined, 60_000);
        return new Promise<never>(() => undefined);
      }
      const answer = await target.json(call);
      if (call.method === 'POST' && call.path === '/containers/create' && call.query?.['name'] === `workspace_${name}`) workspaceId = (answer as { Id: string }).Id;
      return answer;
    };
  },
});
const workspaces = new Workspaces({ api: held, config, endpoint: client.endpoint });
await workspaces.create({ name, labels: { 'aicli.test': 'true', 'aicli.test.run': run }, start: true });

// A process that makes workspaces and is killed with SIGKILL in the middle of making one
// (test/integration/cleanup.test.ts). Its other objects carry labels as aicli puts them:
// managed, created, owner (this process), ephemeral or not, and the test run's label. The
// last one is made by the product itself, `Workspaces.create({ start: true })`, whose start
// is held back until the SIGKILL comes: the container exists, and is never started.
//   node --import tsx test/support/orphan-child.ts HOST RUN_ID
import { apiPath, defaultConfig, DockerClient, Workspaces, type EngineApi } from '../../src/index.js';
import { ownerLabels, rfc3339 } from '../../src/features/labels.js';
import { TEST_ULIMITS } from './engines.js';

const [host = '', run = ''] = process.argv.slice(2);
const config = { ...defaultConfig(), networkName: `${run}-net` };
await using client = await DockerClient.connect({ ensureNetwork: false, host, env: {}, config });
const runLabels = { 'aicli.test': 'true', 'aicli.test.run': run };
const labels = (extra: Record<string, string>): Record<string, string> => ({
  'aicli.managed': 'true',
  'aicli.created': rfc3339(),
  ...runLabels,
  ...ownerLabels(),
  ...extra,
});
const create = async (name: string, extra: Record<string, string>): Promise<string> => {
  const r = await client.api.json<{ Id: string }>({
    method: 'POST',
    path: apiPath`/containers/create`,
    query: { name },
    json: { Image: 'aicli-test-busybox:latest', Cmd: ['sleep', '100000'], Labels: labels(extra), HostConfig: { Ulimits: TEST_ULIMITS } },
  });
  return r.Id;
};
const start = async (id: string): Promise<void> => {
  await client.api.json({ method: 'POST', path: apiPath`/containers/${id}/start` });
};
await start(await create(`${run}-ephemeral`, { 'aicli.ephemeral': 'true', 'aicli.workspace.name': `${run}-ephemeral` }));
await start(await create(`${run}-lasting`, { 'aicli.workspace.name': `${run}-lasting` }));
await client.api.json({ method: 'POST', path: apiPath`/networks/create`, json: { Name: `${run}-ephemeral-net`, Internal: true, Labels: labels({ 'aicli.ephemeral': 'true' }) } });
await client.api.json({ method: 'POST', path: apiPath`/networks/create`, json: { Name: `${run}-shared-net`, Internal: true, Labels: labels({}) } });

// The engine API as the product sees it, except that a container start never happens: the
// process says so and waits there (a timer keeps it alive) until the SIGKILL.
const held = new Proxy(client.api, {
  get(target, prop, receiver) {
    const value = Reflect.get(target, prop, receiver) as unknown;
    // Its other methods run on the real object (they reach its private fields).
    if (prop !== 'json') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    return async (call: Parameters<EngineApi['json']>[0]) => {
      if (call.method === 'POST' && /^\/containers\/[^/]+\/start$/.test(call.path)) {
        process.stdout.write('creating\n');
        setInterval(() => undefined, 60_000);
        return new Promise<never>(() => undefined);
      }
      return target.json(call);
    };
  },
});
const workspaces = new Workspaces({ api: held, config, endpoint: client.endpoint });
await workspaces.create({ name: `${run}-half-made`, image: 'aicli-test-busybox:latest', labels: runLabels, start: true });

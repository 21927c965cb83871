// A process that makes workspaces and is killed with SIGKILL in the middle of making one
// (test/integration/cleanup.test.ts). Labels as aicli puts them: managed, created, owner
// (this process), ephemeral or not, and the test run's label.
//   node --import tsx test/support/orphan-child.ts HOST RUN_ID
import { apiPath, DockerClient } from '../../src/index.js';
import { ownerLabels, rfc3339 } from '../../src/features/labels.js';

const [host = '', run = ''] = process.argv.slice(2);
await using client = await DockerClient.connect({ ensureNetwork: false, host, env: {} });
const labels = (extra: Record<string, string>): Record<string, string> => ({
  'aicli.managed': 'true',
  'aicli.created': rfc3339(),
  'aicli.test': 'true',
  'aicli.test.run': run,
  ...ownerLabels(),
  ...extra,
});
const create = async (name: string, extra: Record<string, string>): Promise<string> => {
  const r = await client.api.json<{ Id: string }>({
    method: 'POST',
    path: apiPath`/containers/create`,
    query: { name },
    json: { Image: 'aicli-test-busybox:latest', Cmd: ['sleep', '100000'], Labels: labels(extra) },
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
process.stdout.write('creating\n');
// The create of a workspace is under way: the container exists, and it will never be started.
await create(`${run}-half-made`, { 'aicli.workspace.name': `${run}-half-made` });
// Still "busy" (a timer keeps the process alive) when the SIGKILL comes: it never starts it.
setInterval(() => undefined, 60_000);

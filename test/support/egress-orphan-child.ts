// A process that makes a workspace with an egress allowlist and is then killed with
// SIGKILL before it ever starts it (test/integration/egress-workspaces.test.ts): its
// gateway runs, its network exists, its workspace was never started.
//   node --import tsx test/support/egress-orphan-child.ts HOST NAME NETWORK RUN
import { defaultConfig, DockerClient, Workspaces } from '../../src/index.js';
import { BUSYBOX_IMAGE } from './engines.js';

const [host = '', name = '', network = '', run = ''] = process.argv.slice(2);
const config = { ...defaultConfig(), networkName: network, defaultImage: BUSYBOX_IMAGE, egressAllow: ['a.test'] };
const client = await DockerClient.connect({ host, env: {}, ensureNetwork: false, config });
await new Workspaces(client).create({ name, labels: { 'aicli.test': 'true', 'aicli.test.run': run } });
process.stdout.write('made\n');
// Busy until the SIGKILL comes.
setInterval(() => undefined, 60_000);

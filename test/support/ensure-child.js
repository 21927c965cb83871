// One of many processes racing to ensure the same network (test/integration/network-race.test.ts).
//   node test/support/ensure-child.js <host> <network name> <options JSON>
// Connects (without the network), prints "ready", waits for "go" on stdin, so that all the
// processes call ensureNetwork() at the same moment, then prints the result as JSON.
// Runs the built library (dist/), as a user's program would: `npm run build` first.
import process from 'node:process';
import { DockerClient, defaultConfig } from '../../dist/index.js';

const [host, name, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? '{}');
const client = await DockerClient.connect({ host, env: {}, config: { ...defaultConfig(), networkName: name }, ensureNetwork: false });
try {
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const result = await client.ensureNetwork({ labels: { 'aicli.test': 'true' }, ...options });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: err.code ?? err.name, message: err.message })}\n`);
  process.exitCode = 1;
} finally {
  await client.close();
  process.stdin.destroy();
}

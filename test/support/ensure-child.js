// One of many processes racing to ensure the same network (test/support/race.ts).
//   node test/support/ensure-child.js <host>
// Connects once (without the network) and prints "ready". Then, for each line on stdin,
// {"name": ..., "options": {...}}, calls ensureNetwork() for that network name and prints
// the result (or the error) as one JSON line; the test sends the same line to every
// process at the same moment. Ends when stdin ends. Runs the built library (dist/), as a
// user's program would: `npm run build` first.
import process from 'node:process';
import { createInterface } from 'node:readline';
import { DockerClient, defaultConfig, ensureNetwork } from '../../dist/index.js';

const [host] = process.argv.slice(2);
const client = await DockerClient.connect({ host, env: {}, ensureNetwork: false });
try {
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const { name, options } = JSON.parse(line);
    try {
      const result = await ensureNetwork(client.api, { ...defaultConfig(), networkName: name }, { labels: { 'aicli.test': 'true' }, ...options });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } catch (err) {
      process.stdout.write(`${JSON.stringify({ error: err.code ?? err.name, message: err.message })}\n`);
    }
  }
} finally {
  await client.close();
}

// The gateway images the tests of this Node made on a shared engine (labelled aicli.test,
// and run by this very Node binary): removed when a test file is done, since the other
// Node version's run may be using its own (another binary, another image) meanwhile.
import { rawRequest } from './engines.js';

export async function removeGatewayImages(host: string): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ label: ['aicli.role=egress-image', 'aicli.test=true'] }));
  const images = JSON.parse((await rawRequest(host, 'GET', `/images/json?filters=${filters}`)).body.toString()) as { Id: string }[];
  for (const img of images) {
    const cfg = (JSON.parse((await rawRequest(host, 'GET', `/images/${img.Id}/json`)).body.toString()) as { Config?: { Entrypoint?: string[] | null } }).Config;
    if (cfg?.Entrypoint?.[0] === process.execPath) await rawRequest(host, 'DELETE', `/images/${img.Id}?force=1`);
  }
}

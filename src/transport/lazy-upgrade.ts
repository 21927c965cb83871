// upgrade.js is loaded when the first hijack needs it (CLI commands without one never load
// it), and loaded once: a dynamic import per exec still resolves the module each time, which
// under a loader hook is a round trip to the hook's thread.
import type { ExchangeOptions, ExchangeRequest, ExchangeUpgrade } from './exchange.js';

let upgradeModule: Promise<typeof import('./upgrade.js')> | undefined;

export async function openUpgradeLazily(options: ExchangeOptions, req: ExchangeRequest): Promise<ExchangeUpgrade> {
  upgradeModule ??= import('./upgrade.js');
  return (await upgradeModule).openUpgrade(options, req);
}

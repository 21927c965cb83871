// A private Docker 20.10 engine for the health parts (they stop and restart it), in a
// fresh short folder, removed with everything it mounted when the bench ends.
import fs from 'node:fs';
import { startDockerd, type PrivateEngine } from '../scripts/dockerd.js';
import type { Shared } from './part.js';

export async function benchEngine(): Promise<{ engine: PrivateEngine; destroy: () => Promise<void> }> {
  const parent = fs.mkdtempSync('/tmp/aicli-bench-pe-');
  try {
    const engine = await startDockerd({ version: '20', dir: `${parent}/e` });
    return {
      engine,
      async destroy() {
        await engine.destroy();
        fs.rmSync(parent, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(parent, { recursive: true, force: true });
    throw err;
  }
}

/** The private engine `events` and `recovery` share (both stop and start it, so it is a private one). */
export const privateEngine: Shared<{ readonly engine: PrivateEngine; destroy: () => Promise<void> }> = {
  name: 'private engine',
  open: () => benchEngine(),
  close: (priv) => priv.destroy(),
};

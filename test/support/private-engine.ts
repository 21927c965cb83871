// A private Docker engine for tests that stop, restart or kill one (scripts/dockerd.js),
// in a fresh short folder, destroyed (processes, mounts, folder) by dispose.
import fs from 'node:fs';
import { startDockerd, type PrivateEngine } from '../../scripts/dockerd.js';

export async function privateEngine(version: '20' | '26' | '28'): Promise<PrivateEngine & { [Symbol.asyncDispose](): Promise<void> }> {
  const parent = fs.mkdtempSync('/tmp/aicli-pe-');
  try {
    const engine = await startDockerd({ version, dir: `${parent}/e` });
    const destroy = engine.destroy.bind(engine);
    return Object.assign(engine, {
      async destroy() {
        await destroy();
        fs.rmSync(parent, { recursive: true, force: true });
      },
      async [Symbol.asyncDispose]() {
        await destroy();
        fs.rmSync(parent, { recursive: true, force: true });
      },
    });
  } catch (err) {
    fs.rmSync(parent, { recursive: true, force: true });
    throw err;
  }
}

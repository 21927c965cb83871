// Part 3: wall time of `aicli-docker status --host H` vs `node -e 0`, interleaved.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

export interface StartupResult {
  readonly runs: number;
  readonly cliMedianMs: number;
  readonly nodeMedianMs: number;
}

const BIN = fileURLToPath(new URL('../bin/aicli-docker.js', import.meta.url));

export function startup(host: string, runs = 15): StartupResult {
  // Only PATH and an empty HOME: no developer config, DOCKER_* or NODE_OPTIONS leaks in.
  const home = mkdtempSync(path.join(tmpdir(), 'aicli-bench-home-'));
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home };
  const run = (args: string[]): number => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { env, cwd: home, encoding: 'utf8', timeout: 30_000 });
    const ms = performance.now() - t0;
    if (r.error !== undefined) throw r.error;
    if (r.status !== 0) throw new Error(`bench: node ${args.join(' ')} exited ${String(r.status)} (signal ${String(r.signal)})\n${r.stderr}${r.stdout}`);
    return ms;
  };
  const cliArgs = [BIN, 'status', '--host', host];
  const nodeArgs = ['-e', '0'];
  try {
    run(cliArgs); // warm the file cache once, unmeasured
    run(nodeArgs);
    const cli: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < runs; i++) {
      cli.push(run(cliArgs));
      node.push(run(nodeArgs));
    }
    return { runs, cliMedianMs: median(cli), nodeMedianMs: median(node) };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

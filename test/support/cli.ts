import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/aicli-docker.js', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI (bin/aicli-docker.js → dist/) as a user would, with only the
 * environment given (plus PATH), so the developer's own DOCKER_* never leak in.
 */
export function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}, options: { privateRun?: boolean } = {}): Promise<CliResult> {
  // privateRun: in a mount namespace of its own, with empty tmpfs over /run and /var/run,
  // so no system engine socket exists for it (nothing outlives the process). Needs root.
  const [cmd, argv] = options.privateRun === true
    ? ['unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /run && { [ -L /var/run ] || mount -t tmpfs tmpfs /var/run; } && exec "$0" "$@"', process.execPath, BIN, ...args]]
    : [process.execPath, [BIN, ...args]];
  return new Promise((resolve) => {
    execFile(cmd, argv, { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

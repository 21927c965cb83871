// Killing an exec's command inside the container. The Engine API has no call for it, and
// closing the hijacked connection leaves the process running. The ways considered:
//  - the exec's Pid from GET /exec/{id}/json: a PID on the engine's host, which a client on
//    another host (tcp, ssh, a Swarm node) cannot signal;
//  - a wrapper (`sh -c 'echo $$ > file; exec "$@"'`): changes argv, needs a writable file
//    on a read-only root, and misses the command's children;
//  - a marker in the environment (chosen): every exec gets AICLI_EXEC_ID=<random id>, which its
//    children inherit; a second exec, as the same user, finds the processes whose
//    /proc/PID/environ holds the marker and sends them SIGKILL. It works on any engine
//    (local, remote, rootless, Podman), kills the whole tree, and leaves the command as it is.
//    It needs sh, grep and kill in the image (busybox, Debian, Alpine all have them).
import type { EngineApi } from '../../engine/engine-api.js';
import { startExec } from './process.js';

export const EXEC_MARKER = 'AICLI_EXEC_ID';

/** 24 hex digits: every marker has the same length, so one can never be a prefix of another. */
export function newMarker(): string {
  // The global Web Crypto, not node:crypto: it loads only when an exec runs, not at start-up.
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(12))).toString('hex');
}

// The marker goes in as an argument ($1), not in the environment, so this script never
// matches (and kills) itself. grep -z reads NUL-separated entries; -x matches a whole one.
const SCRIPT =
  'm="' + EXEC_MARKER + '=$1"; n=0; ' +
  'for e in /proc/[0-9]*/environ; do ' +
  'if grep -qxzF "$m" "$e" 2>/dev/null; then p=${e#/proc/}; kill -KILL "${p%/environ}" 2>/dev/null && n=$((n+1)); fi; ' +
  'done; echo "$n"';

/**
 * Sends SIGKILL to every process in the container that carries the marker; resolves with how
 * many were signalled (0 when they had already gone), or rejects when the kill could not run.
 */
export async function killMarked(api: EngineApi, container: string, marker: string, user: string | undefined, timeoutMs = 10_000): Promise<number> {
  const signal = AbortSignal.timeout(timeoutMs);
  const run = await startExec(api, { container, cmd: ['sh', '-c', SCRIPT, 'aicli-kill', marker], env: [], user, tty: false, call: { signal } });
  const chunks: Buffer[] = [];
  run.stdout.on('data', (c: Buffer) => chunks.push(c));
  run.stderr.resume();
  const code = await run.wait({ signal });
  const count = Number(Buffer.concat(chunks).toString('utf8').trim());
  if (code !== 0 || !Number.isInteger(count)) throw new Error(`the kill helper exited with ${code}`);
  return count;
}

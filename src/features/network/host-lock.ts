/**
 * A host-local mutex for "look, then create", so processes on one host do not race each
 * other into duplicate creates. It only saves work: correctness never depends on it
 * (processes on other hosts cannot see it; see converge.ts).
 *
 * The lock is a listening socket in Linux's abstract namespace (a name starting with NUL):
 * the kernel frees it the moment its holder dies, SIGKILL included, so it can never go
 * stale and there is no file to clean up. Where abstract sockets do not exist (macOS,
 * Windows) acquiring simply fails and the caller goes on without the lock.
 */
import { createServer, type Server } from 'node:net';
import type { Logger } from '../../logger.js';
import { delay } from './delay.js';

export interface HostLock {
  /** Frees the lock; safe twice. */
  release(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** FNV-1a, 64 bits: a short, stable name for any key (abstract names are limited to 107 bytes). */
function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

export function hostLockName(key: string): string {
  return `\0aicli-docker/lock/${fnv1a64(key)}`;
}

function tryListen(name: string): Promise<Server | 'busy' | 'unsupported'> {
  return new Promise((resolve) => {
    const server = createServer((socket) => {
      socket.destroy();
    });
    server.once('error', (err: NodeJS.ErrnoException) => {
      server.close();
      resolve(err.code === 'EADDRINUSE' ? 'busy' : 'unsupported');
    });
    server.listen(name, () => {
      // Never keeps the process alive on its own.
      server.unref();
      resolve(server);
    });
  });
}

/**
 * Takes the lock named by `key`, waiting up to `waitMs` while another process holds it.
 * Resolves undefined when it could not be had (busy for too long, or not on this platform):
 * the caller then goes on without it.
 */
export async function acquireHostLock(key: string, options: { waitMs: number; signal?: AbortSignal | undefined; logger?: Logger | undefined }): Promise<HostLock | undefined> {
  const name = hostLockName(key);
  const end = performance.now() + options.waitMs;
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted === true) return undefined;
    const got = await tryListen(name);
    if (got === 'unsupported') {
      options.logger?.debug({ key }, 'host-local network lock unavailable on this platform; going on without it');
      return undefined;
    }
    if (got !== 'busy') {
      let released = false;
      const release = async (): Promise<void> => {
        if (released) return;
        released = true;
        await new Promise<void>((resolve) => {
          got.close(() => {
            resolve();
          });
        });
      };
      return { release, [Symbol.asyncDispose]: release };
    }
    if (performance.now() >= end) {
      options.logger?.debug({ key, waitedMs: options.waitMs }, 'host-local network lock still held; going on without it');
      return undefined;
    }
    // Short, jittered polls: the holder keeps it for one create, tens of milliseconds.
    await delay(Math.min(10 + Math.random() * 15 * Math.min(attempt + 1, 4), Math.max(0, end - performance.now())), options.signal).catch(() => undefined);
  }
}

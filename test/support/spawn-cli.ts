// The built CLI as a long-running child (monitor, events): lines as they come, signals, exit.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/aicli-docker.js', import.meta.url));

export interface RunningCli extends AsyncDisposable {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: string[];
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** Waits until a stdout line satisfies `pred`, and returns it with its index. */
  waitLine(pred: (line: string) => boolean, withinMs?: number, from?: number): Promise<{ line: string; index: number }>;
}

export function spawnCli(args: readonly string[], env: Readonly<Record<string, string>>): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } });
  const lines: string[] = [];
  let pending = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    pending += String(c);
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.on('data', (c: Buffer) => (err += String(c)));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => { resolve(code ?? sig ?? 'unknown'); }));
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    async waitLine(pred, withinMs = 20_000, from = 0) {
      const end = Date.now() + withinMs;
      for (;;) {
        const index = lines.findIndex((l, i) => i >= from && pred(l));
        const line = lines[index];
        if (line !== undefined) return { line, index };
        if (Date.now() > end || child.exitCode !== null) throw new Error(`no such line within ${withinMs} ms (exit ${String(child.exitCode)}); stdout:\n${lines.join('\n')}\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async [Symbol.asyncDispose]() {
      // Only this child, by its own PID.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

// Pull and load progress on the terminal: a bar per layer on a TTY (redrawn in place, at
// most ten times a second), plain lines elsewhere (one per layer status change, never per
// byte), JSON lines with --json (the engine's messages as they come).
import type { JsonMessage, LayerProgress, ProgressEvent, PullProgress } from '../index.js';

/** Bytes as the docker CLI shows them: 1.5MB (decimal units). */
export function humanBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? String(v) : v.toFixed(v < 10 ? 2 : 1)}${units[i] ?? 'B'}`;
}

function bar(l: LayerProgress, width: number): string {
  if (l.current === undefined || l.total === undefined) return '';
  const filled = Math.min(width, Math.floor((l.current / l.total) * width));
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}] ${humanBytes(l.current)}/${humanBytes(l.total)}`;
}

export interface ProgressPrinter {
  readonly onProgress: (event: ProgressEvent, progress: PullProgress) => void;
  readonly onMessage: (message: JsonMessage) => void;
  /** Draws the last state (a TTY's throttled redraw may be pending). */
  done(): void;
}

export function progressPrinter(mode: 'tty' | 'plain' | 'json', write: (text: string) => void): ProgressPrinter {
  if (mode === 'json') {
    return { onProgress: () => undefined, onMessage: (m) => { write(`${JSON.stringify(m)}\n`); }, done: () => undefined };
  }
  if (mode === 'plain') {
    return {
      onProgress: (e) => {
        if (e.kind === 'status') write(`${e.status}\n`);
        else if (e.changed) write(`${e.layer.id}: ${e.layer.status}\n`);
      },
      onMessage: () => undefined,
      done: () => undefined,
    };
  }
  let drawn = 0;
  let last = 0;
  let state: PullProgress | undefined;
  const redraw = (): void => {
    if (state === undefined) return;
    let out = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const l of state.layers) out += `\x1b[2K${l.id}: ${l.status.padEnd(18)} ${bar(l, 30)}\n`;
    drawn = state.layers.length;
    write(out);
    last = Date.now();
  };
  return {
    onProgress: (e, progress) => {
      state = progress;
      if (e.kind === 'status') {
        // Above the bars: clear them, print the line, draw them again below it.
        write(`${drawn > 0 ? `\x1b[${drawn}A\x1b[J` : ''}${e.status}\n`);
        drawn = 0;
        redraw();
      } else if (e.changed || Date.now() - last >= 100) redraw();
    },
    onMessage: () => undefined,
    done: redraw,
  };
}

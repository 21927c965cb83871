import { parseDuration } from '../index.js';
import { UsageError, type CommandContext } from './command.js';

/** A duration flag (`--interval 5s`), or `fallback` when absent; bad input names the flag (exit 2). */
export function durationFlag(ctx: CommandContext, name: string, fallback: number, min = 1): number {
  const raw = ctx.flags[name];
  if (raw === undefined) return fallback;
  let ms: number;
  try {
    ms = parseDuration(String(raw));
  } catch {
    throw new UsageError(`--${name} ${JSON.stringify(raw)} is not a duration; expected e.g. 500ms, 5s or 1m.`);
  }
  if (ms < min) throw new UsageError(`--${name} ${JSON.stringify(raw)} is too short; expected at least ${min} ms.`);
  return ms;
}

/**
 * A point in time as `docker events --since/--until` take it: a duration before now
 * (`10m`, `1h30m`), a Unix timestamp in seconds (`1717000000`, `1717000000.5`), or an
 * RFC 3339 date (`2024-05-01T10:00:00Z`, `2024-05-01`).
 */
export function timeFlag(ctx: CommandContext, name: string, now: Date = new Date()): Date | undefined {
  const raw = ctx.flags[name];
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const bad = (): UsageError => new UsageError(`--${name} ${JSON.stringify(raw)} is not a time; expected a duration before now (10m, 1h30m), a Unix timestamp (1717000000) or an RFC 3339 date (2024-05-01T10:00:00Z).`);
  if (/^\d+(\.\d+)?$/.test(text)) return new Date(Math.round(Number(text) * 1000));
  if (/^(\d*\.?\d+(ms|h|m|s))+$/.test(text)) {
    try {
      return new Date(now.getTime() - parseDuration(text));
    } catch {
      throw bad();
    }
  }
  // Date.parse takes many forms; accept only what RFC 3339 (and its date-only form) allows.
  if (!/^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?$/.test(text)) throw bad();
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw bad();
  return new Date(ms);
}

/** RFC 3339 with the engine's nanoseconds: `2024-05-01T10:00:00.123456789Z`. */
export function nanoIso(timeNano: string): string {
  const ns = BigInt(timeNano);
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  return `${iso.slice(0, 19)}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/**
 * Unit parsers that read values the way the docker CLI does (go-units): sizes as
 * `RAMInBytes` (every multiple binary, case-insensitive, decimals allowed), durations
 * as Go durations restricted to ms/s/m/h (a bare integer is milliseconds), CPUs as the
 * decimal `--cpus` takes. Arithmetic is done on BigInt so `1.1s` is exactly 1100 ms.
 *
 * The `read*` functions return a result for the configuration loader, which adds the
 * key and the source; the `parse*` functions throw for library callers.
 */
import { InvalidArgumentError } from '../../errors.js';

export type UnitResult = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly problem: string };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export const SIZE_EXPECTED = 'expected bytes or a number with a unit: 512m, 1g, 1.5GiB, 536870912';
export const DURATION_EXPECTED = 'expected a duration such as 500ms, 30s, 2m, 1m30s, or an integer number of milliseconds';
export const CPUS_EXPECTED = 'expected a positive decimal number of CPUs such as 0.5, 1 or 2.5';

const SIZE_SHIFT: Readonly<Record<string, bigint>> = { '': 0n, b: 0n, k: 10n, m: 20n, g: 30n, t: 40n, p: 50n };

/** `12` and `5` (for 12.5) → 125n over 10n. */
function decimal(int: string, frac: string | undefined): { num: bigint; den: bigint } {
  const f = frac ?? '';
  return { num: BigInt(int + f), den: 10n ** BigInt(f.length) };
}

const fail = (problem: string): UnitResult => ({ ok: false, problem });

/** Reads a size in bytes: `512m`, `1g`, `1.5GiB`, `512MB`, `1024b`, `536870912` or a JSON/YAML integer. */
export function readSize(input: string | number): UnitResult {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) return fail(`is not a size; a bare number must be a whole number of bytes (${SIZE_EXPECTED})`);
    if (input < 0) return fail(`is negative; ${SIZE_EXPECTED}`);
    return { ok: true, value: input };
  }
  const text = input.trim();
  if (text.startsWith('-')) return fail(`is negative; ${SIZE_EXPECTED}`);
  // go-units allows one space before the unit and any mix of case (`1.5 GiB`, `512mb`).
  const m = /^(\d+)(?:\.(\d+))? ?(?:(b)|([kmgtp])(?:i?b)?)?$/i.exec(text);
  if (m === null) return fail(`is not a size; ${SIZE_EXPECTED}`);
  const [, int = '0', frac, , letter = ''] = m;
  const { num, den } = decimal(int, frac);
  const shift = SIZE_SHIFT[letter.toLowerCase()] ?? 0n;
  // Docker truncates fractions of a byte (int64(float * multiplier)); so do we.
  const bytes = (num << shift) / den;
  if (bytes > MAX_SAFE) return fail(`is too large; at most ${Number.MAX_SAFE_INTEGER} bytes`);
  return { ok: true, value: Number(bytes) };
}

const DURATION_UNIT_MS: Readonly<Record<string, bigint>> = { ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n };

/** Reads a duration in whole milliseconds: `500ms`, `30s`, `1.5s`, `1m30s`, `2h`, or a bare integer of milliseconds. */
export function readDuration(input: string | number): UnitResult {
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) return fail(`is not a duration; a bare number must be a whole number of milliseconds (${DURATION_EXPECTED})`);
    if (input < 0) return fail(`is negative; ${DURATION_EXPECTED}`);
    return { ok: true, value: input };
  }
  const text = input.trim();
  if (text.startsWith('-')) return fail(`is negative; ${DURATION_EXPECTED}`);
  if (text.length === 0) return fail(`is empty; ${DURATION_EXPECTED}`);
  if (/^\d+$/.test(text)) {
    return BigInt(text) > MAX_SAFE ? fail(`is too long; at most ${Number.MAX_SAFE_INTEGER} ms`) : { ok: true, value: Number(text) };
  }
  // Go accepts `1.5s`, `.5s` and `1.s`; so do we.
  const part = /(\d*)(?:\.(\d*))?(ms|h|m|s)/y;
  let numMs = 0n;
  let den = 1n;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    const [whole = '', int = '', frac = '', unit = 'ms'] = m ?? [];
    if (m === null || int + frac === '') return fail(`is not a duration; ${DURATION_EXPECTED}`);
    const d = decimal(int === '' ? '0' : int, frac);
    // Sum a/b + c/d over a common denominator; denominators are powers of ten.
    const common = d.den > den ? d.den : den;
    numMs = numMs * (common / den) + d.num * (DURATION_UNIT_MS[unit] ?? 1n) * (common / d.den);
    den = common;
    at += whole.length;
  }
  if (numMs % den !== 0n) return fail('is finer than a millisecond; durations are whole milliseconds');
  const ms = numMs / den;
  if (ms > MAX_SAFE) return fail(`is too long; at most ${Number.MAX_SAFE_INTEGER} ms`);
  return { ok: true, value: Number(ms) };
}

/** Reads a CPU count the way `docker run --cpus` does: a positive decimal with at most 9 decimal places (NanoCPUs). */
export function readCpus(input: string | number): UnitResult {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return fail(`is not a number; ${CPUS_EXPECTED}`);
    // String(1e-7) is "1e-7"; write small numbers out so the decimal check below applies.
    text = /e/i.test(String(input)) ? input.toFixed(20).replace(/\.?0+$/, '') : String(input);
  } else {
    text = input.trim();
  }
  if (text.startsWith('-')) return fail(`is negative; ${CPUS_EXPECTED}`);
  const m = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (m === null || text === '' || text === '.') return fail(`is not a number; ${CPUS_EXPECTED}`);
  const [, int = '', frac = ''] = m;
  if (frac.replace(/0+$/, '').length > 9) return fail('is too precise; the engine counts CPUs in billionths (at most 9 decimal places)');
  const nano = BigInt((int === '' ? '0' : int) + frac.padEnd(9, '0').slice(0, 9));
  if (nano === 0n) return fail(`is zero; ${CPUS_EXPECTED}`);
  if (nano > MAX_SAFE) return fail('is too large');
  return { ok: true, value: Number(nano) / 1e9 };
}

function orThrow(kind: string, input: string | number, result: UnitResult): number {
  if (result.ok) return result.value;
  throw new InvalidArgumentError(kind, `${JSON.stringify(input)} ${result.problem}`);
}

/** Bytes from a size (`512m`, `1.5GiB`, `536870912`). Throws `InvalidArgumentError`. */
export function parseSize(input: string | number): number {
  return orThrow('size', input, readSize(input));
}

/** Whole milliseconds from a duration (`500ms`, `30s`, `1m30s`, `1000`). Throws `InvalidArgumentError`. */
export function parseDuration(input: string | number): number {
  return orThrow('duration', input, readDuration(input));
}

/** A positive CPU count from a decimal (`0.5`, `2`). Throws `InvalidArgumentError`. */
export function parseCpus(input: string | number): number {
  return orThrow('CPU count', input, readCpus(input));
}

const SIZE_UNITS: readonly (readonly [string, number])[] = [
  ['p', 2 ** 50],
  ['t', 2 ** 40],
  ['g', 2 ** 30],
  ['m', 2 ** 20],
  ['k', 2 ** 10],
];

/** The shortest exact form: `512m`, `1g`, `1536k`; bytes that are not a whole multiple stay a plain integer. */
export function formatSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new InvalidArgumentError('size', `${bytes} is not a whole, non-negative number of bytes`);
  if (bytes === 0) return '0';
  for (const [unit, factor] of SIZE_UNITS) if (bytes % factor === 0) return `${bytes / factor}${unit}`;
  return String(bytes);
}

/** Go style: `30s`, `1m30s`, `1h`, `250ms`, `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new InvalidArgumentError('duration', `${ms} is not a whole, non-negative number of milliseconds`);
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, factor] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / factor);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * factor;
  }
  return out;
}

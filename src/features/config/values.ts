/**
 * Value checkers shared by the keys. A layer hands a value either as parsed from a
 * file (`from: 'file'`: YAML/JSON types) or as a string from the environment or a
 * flag (`from: 'text'`). Checkers return every issue they find, each with a path
 * relative to the key (`[0]`, `./tmp`), so one bad list item does not hide another.
 */
import { readCpus, readDuration, readSize, type UnitResult } from './units.js';

export type RawValue = { readonly from: 'file'; readonly value: unknown } | { readonly from: 'text'; readonly value: string };

export interface Issue {
  /** Appended to the key: `''`, `[1]`, `./tmp`. */
  readonly path: string;
  readonly message: string;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly Issue[] };

/** How a bad value is shown in a message; a secret key gets one that hides it. */
export type Quote = (value: unknown) => string;

export type Check<T> = (raw: RawValue, quote: Quote) => Checked<T>;

export const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
export const bad = (message: string, path = ''): Checked<never> => ({ ok: false, issues: [{ path, message }] });

/** JSON.stringify is typed as returning a string, but gives undefined for undefined and functions. */
export function toJson(value: unknown): string | undefined {
  return JSON.stringify(value);
}

export const quoteValue: Quote = (value) => {
  const text = toJson(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

export const hideValue: Quote = () => '(value hidden)';

/** `a list`, `a mapping`, `the number 5`, `"abc"`: what was found instead. */
export function describe(value: unknown, quote: Quote): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return `the number ${quote(value)}`;
  if (typeof value === 'boolean') return `the boolean ${quote(value)}`;
  return quote(value);
}

/** A string (file strings, or any text) checked by `problem`, which returns what is wrong or undefined. */
export function stringCheck(
  expected: string,
  problem: (s: string) => string | undefined,
  options: { integers?: boolean } = {},
): Check<string> {
  return (raw, quote) => {
    let value = raw.value;
    // `user: 1000` is a YAML number; a uid is what was meant.
    if (options.integers === true && typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
    if (typeof value !== 'string') return bad(`expected ${expected}, found ${describe(value, quote)}`);
    const wrong = problem(value);
    return wrong === undefined ? ok(value) : bad(`${quote(value)} ${wrong}`);
  };
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

export const booleanCheck: Check<boolean> = (raw, quote) => {
  const value = raw.value;
  if (typeof value === 'boolean') return ok(value);
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return ok(true);
    if (FALSE_WORDS.has(word)) return ok(false);
    return bad(`${quote(value)} is not a boolean; expected true or false (also yes/no, 1/0, on/off)`);
  }
  return bad(`expected true or false, found ${describe(value, quote)}`);
};

/** A number read by a unit reader, then held to `limit` (which returns what is wrong or undefined). */
export function unitCheck(
  read: (input: string | number) => UnitResult,
  expected: string,
  limit: (n: number) => string | undefined,
): Check<number> {
  return (raw, quote) => {
    const value = raw.value;
    if (typeof value !== 'string' && typeof value !== 'number') return bad(`expected ${expected}, found ${describe(value, quote)}`);
    const result = read(value);
    if (!result.ok) return bad(`${quote(value)} ${result.problem}`);
    const wrong = limit(result.value);
    return wrong === undefined ? ok(result.value) : bad(`${quote(value)} ${wrong}`);
  };
}

export const sizeCheck = (expected: string, limit: (n: number) => string | undefined): Check<number> => unitCheck(readSize, expected, limit);
export const durationCheck = (expected: string, limit: (n: number) => string | undefined): Check<number> =>
  unitCheck(readDuration, expected, limit);
export const cpusCheck = (expected: string, limit: (n: number) => string | undefined): Check<number> => unitCheck(readCpus, expected, limit);

/** A whole number, from a file number or digits in text. */
export function integerCheck(expected: string, limit: (n: number) => string | undefined): Check<number> {
  return (raw, quote) => {
    const value = raw.value;
    let n: number;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) n = Number(value);
    else if (typeof value === 'string') return bad(`${quote(value)} is not a whole number; expected ${expected}`);
    else return bad(`expected ${expected}, found ${describe(value, quote)}`);
    if (!Number.isSafeInteger(n)) return bad(`${quote(value)} is not a whole number; expected ${expected}`);
    const wrong = limit(n);
    return wrong === undefined ? ok(n) : bad(`${quote(value)} ${wrong}`);
  };
}

/**
 * Items of a list from text: a JSON array (`["a","b"]`), else comma-separated with
 * blanks dropped (so `[]` is the only way to say "empty" in the environment). `notAList`
 * is the message when the text starts a JSON array but is not one.
 */
export function textItems(text: string, notAList = `${JSON.stringify(text)} is not a JSON list of strings; expected e.g. ["a","b"] or a,b`): unknown[] | Issue {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed as unknown[];
    } catch {
      // reported below
    }
    return { path: '', message: notAList };
  }
  return trimmed
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * A list of strings. `item` checks one (and may normalise it); duplicates after
 * normalising are dropped, keeping the first.
 */
export function listCheck(
  expected: string,
  item: (s: string) => { value: string } | { problem: string },
  options: { nonEmpty?: boolean } = {},
): Check<readonly string[]> {
  return (raw, quote) => {
    let items: unknown[];
    if (raw.from === 'text') {
      const got = textItems(raw.value);
      if (!Array.isArray(got)) return { ok: false, issues: [got] };
      items = got;
    } else if (Array.isArray(raw.value)) {
      items = raw.value as unknown[];
    } else {
      return bad(`expected ${expected}, found ${describe(raw.value, quote)}`);
    }
    if (options.nonEmpty === true && items.length === 0) return bad(`${quote(raw.value)} is empty; expected ${expected} with at least one item`);
    const issues: Issue[] = [];
    const out: string[] = [];
    items.forEach((value, i) => {
      if (typeof value !== 'string') {
        issues.push({ path: `[${i}]`, message: `expected a string, found ${describe(value, quote)}` });
        return;
      }
      const checked = item(value);
      if ('problem' in checked) issues.push({ path: `[${i}]`, message: `${quote(value)} ${checked.problem}` });
      else if (!out.includes(checked.value)) out.push(checked.value);
    });
    return issues.length > 0 ? { ok: false, issues } : ok(out);
  };
}

/**
 * A mapping of string keys to string values. From text: a JSON object, or
 * `;`-separated `KEY:VALUE` entries (`;` because the values hold commas).
 */
export function mapCheck(
  expected: string,
  entry: (key: string, value: string, quote: Quote) => string | undefined,
): Check<Readonly<Record<string, string>>> {
  return (raw, quote) => {
    let entries: [string, unknown][];
    if (raw.from === 'text') {
      const text = raw.value.trim();
      if (text.startsWith('{')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return bad(`${quote(raw.value)} is not a JSON object; expected ${expected}`);
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return bad(`expected ${expected}`);
        entries = Object.entries(parsed);
      } else {
        entries = text
          .split(';')
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .map((s) => {
            const colon = s.indexOf(':');
            return colon === -1 ? [s, ''] : [s.slice(0, colon), s.slice(colon + 1)];
          });
      }
    } else if (raw.value !== null && typeof raw.value === 'object' && !Array.isArray(raw.value)) {
      entries = Object.entries(raw.value);
    } else {
      return bad(`expected ${expected}, found ${describe(raw.value, quote)}`);
    }
    const issues: Issue[] = [];
    const out: Record<string, string> = {};
    for (const [key, value] of entries) {
      // A YAML `/run:` with no value means "no options".
      const text = value === null ? '' : value;
      if (typeof text !== 'string') {
        issues.push({ path: `.${key}`, message: `expected a string of options, found ${describe(value, quote)}` });
        continue;
      }
      const wrong = entry(key, text, quote);
      if (wrong === undefined) Object.defineProperty(out, key, { value: text, enumerable: true, writable: true, configurable: true });
      else issues.push({ path: `.${key}`, message: wrong });
    }
    return issues.length > 0 ? { ok: false, issues } : ok(out);
  };
}

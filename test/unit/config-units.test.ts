// node:test tracks the promises describe() and it() return; awaiting them is not how suites are written.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDuration, formatSize, parseCpus, parseDuration, parseSize } from '../../src/features/config/index.js';
import { isDockerError } from '../../src/errors.js';

const junkChar = fc.constantFrom(...Array.from('xyzqwXYZ!@#$^&*()/\\"\'`~<>?;|{}[]_=+'));
/** A string with at least one character no unit syntax allows. */
const junk = fc.tuple(fc.string({ maxLength: 8 }), junkChar, fc.string({ maxLength: 8 })).map(([a, c, b]) => a + c + b);

function throwsInvalid(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (error) {
    return isDockerError(error, 'INVALID_ARGUMENT');
  }
}

describe('sizes (docker RAMInBytes)', () => {
  const cases: [string | number, number][] = [
    ['512m', 512 * 2 ** 20],
    ['1g', 2 ** 30],
    ['1.5GiB', 1.5 * 2 ** 30],
    ['512MB', 512 * 2 ** 20],
    ['512mb', 512 * 2 ** 20],
    ['1 g', 2 ** 30],
    ['1024', 1024],
    ['1024b', 1024],
    ['2k', 2048],
    ['1t', 2 ** 40],
    ['1p', 2 ** 50],
    ['0.1k', 102],
    [536870912, 536870912],
    [' 64m ', 64 * 2 ** 20],
  ];
  for (const [input, bytes] of cases) it(`${JSON.stringify(input)} is ${bytes} bytes`, () => {
    assert.equal(parseSize(input), bytes);
  });

  for (const bad of ['', 'abc', '1x', '-1m', '1.2.3m', '1ib', 'm', '1e3', '1kk', 'NaN', 'Infinity', '0x10', '9007199254740992', '9p', 1.5, -1, Number.NaN, Infinity]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
    assert.ok(throwsInvalid(() => parseSize(bad)));
  });
  }

  it('format then parse gives the value back', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (n) => parseSize(formatSize(n)) === n));
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 20 }), fc.constantFrom(1, 2 ** 10, 2 ** 20, 2 ** 30), (k, unit) => parseSize(formatSize(k * unit)) === k * unit));
  });

  it('formats in human units', () => {
    assert.equal(formatSize(536870912), '512m');
    assert.equal(formatSize(2 ** 30), '1g');
    assert.equal(formatSize(1536 * 2 ** 20), '1536m');
    assert.equal(formatSize(1023), '1023');
    assert.equal(formatSize(0), '0');
  });

  it('junk never parses', () => {
    fc.assert(fc.property(junk, (s) => throwsInvalid(() => parseSize(s))));
    fc.assert(fc.property(fc.maxSafeNat().filter((n) => n > 0), (n) => throwsInvalid(() => parseSize(`-${formatSize(n)}`))));
  });
});

describe('durations (Go style, integer = milliseconds)', () => {
  const cases: [string | number, number][] = [
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['1.1s', 1100],
    ['.5s', 500],
    ['1h2m3s4ms', 3_723_004],
    ['1000', 1000],
    [250, 250],
  ];
  for (const [input, ms] of cases) it(`${JSON.stringify(input)} is ${ms} ms`, () => {
    assert.equal(parseDuration(input), ms);
  });

  for (const bad of ['', 's', '1S', '1d', '1.0005s', '-1s', '1s-', '10 s', '1us', 'abc', '1.5', 1.5, -5]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
    assert.ok(throwsInvalid(() => parseDuration(bad)));
  });
  }

  it('format then parse gives the value back', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (ms) => parseDuration(formatDuration(ms)) === ms));
  });

  it('formats like Go', () => {
    assert.equal(formatDuration(30_000), '30s');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(250), '250ms');
    assert.equal(formatDuration(0), '0s');
  });

  it('junk never parses', () => {
    fc.assert(fc.property(junk, (s) => throwsInvalid(() => parseDuration(s))));
  });
});

describe('CPUs (docker --cpus)', () => {
  for (const [input, cpus] of [['0.5', 0.5], ['1', 1], ['2.5', 2.5], ['.25', 0.25], [1.5, 1.5], ['0.000000001', 1e-9], [1e-7, 1e-7]] as const) {
    it(`${JSON.stringify(input)} is ${cpus}`, () => {
    assert.equal(parseCpus(input), cpus);
  });
  }
  for (const bad of ['', '0', '-1', '1e3', 'one', '1.0000000001', '.', 0, -0.5, 1e-10, 1e21, Number.NaN, Infinity]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
    assert.ok(throwsInvalid(() => parseCpus(bad)));
  });
  }
  it('decimals with up to 9 places parse back', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 64_000_000_000 }), (nano) => parseCpus((nano / 1e9).toFixed(9)) === Number((nano / 1e9).toFixed(9))));
  });
  it('junk never parses', () => {
    fc.assert(fc.property(junk, (s) => throwsInvalid(() => parseCpus(s))));
  });
});

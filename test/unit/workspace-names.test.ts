import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { generateContainerName, generateImageTag, InvalidArgumentError, isSanitizedName, sanitizeName, workspaceLabels, WORKSPACE_NAME_MAX } from '../../src/index.js';

/** Docker's own rule for container names, and the DNS label rule (the id is the host name). */
const DOCKER_CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const DOCKER_TAG = /^[\w][\w.-]{0,127}$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Strings with at least one ASCII letter or digit somewhere, among anything else. */
const named = fc
  .tuple(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.constantFrom(...Array.from('abcxyzABCXYZ0189')), fc.string({ unit: 'grapheme', maxLength: 80 }))
  .map(([a, c, b]) => `${a}${c}${b}`);
const longName = fc.string({ unit: fc.constantFrom(...Array.from('abcdefghij0123456789- _')), minLength: 70, maxLength: 200 }).filter((s) => /[a-j0-9]/.test(s));

describe('sanitizeName', () => {
  it("keeps the original rules: lower case, spaces and underscores to '-', only a-z 0-9 -", () => {
    assert.equal(sanitizeName('My Project'), 'my-project');
    assert.equal(sanitizeName('my_project'), 'my-project');
    assert.equal(sanitizeName('API v2.0 (beta)!'), 'api-v20-beta');
  });

  it('never starts or ends with "-", collapses runs of "-", folds accents', () => {
    assert.equal(sanitizeName('--a--b__c  d--'), 'a-b-c-d');
    assert.equal(sanitizeName(' _x_ '), 'x');
    assert.equal(sanitizeName('Café Crème'), 'cafe-creme');
    assert.equal(sanitizeName('ÅNGSTRÖM'), 'angstrom');
  });

  it('refuses a name with nothing usable, naming it', () => {
    for (const bad of ['', '   ', '---', '___', '!!!', '日本語', '🙂']) {
      assert.throws(() => sanitizeName(bad), (e: unknown) => e instanceof InvalidArgumentError && e.message.includes(JSON.stringify(bad)) && /letter or digit/.test(e.message), bad);
    }
    assert.throws(() => sanitizeName(undefined as unknown as string), InvalidArgumentError);
  });

  it('property: the result is always valid for Docker and DNS, and at most 63 characters', () => {
    fc.assert(
      fc.property(named, (input) => {
        const out = sanitizeName(input);
        assert.ok(out.length >= 1 && out.length <= WORKSPACE_NAME_MAX, out);
        assert.match(out, DNS_LABEL);
        assert.ok(!out.includes('--'), out);
        assert.match(generateContainerName(out), DOCKER_CONTAINER_NAME);
        assert.match(generateImageTag(out).split(':')[1] ?? '', DOCKER_TAG);
        assert.ok(isSanitizedName(out));
      }),
      { numRuns: 2000 },
    );
  });

  it('property: stable and idempotent', () => {
    fc.assert(
      fc.property(named, (input) => {
        const out = sanitizeName(input);
        assert.equal(sanitizeName(input), out);
        assert.equal(sanitizeName(out), out);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: a string with no letter or digit is refused', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...Array.from(' _-!?.,:;/\\@#$%^&*()[]{}"\'`~+=<>|')), maxLength: 40 }), (input) => {
        assert.throws(() => sanitizeName(input), InvalidArgumentError);
      }),
    );
  });

  it('property: long names are truncated with a hash, so distinct long names stay distinct', () => {
    fc.assert(
      fc.property(longName, longName, (a, b) => {
        const [x, y] = [sanitizeName(a), sanitizeName(b)];
        assert.ok(x.length <= WORKSPACE_NAME_MAX && y.length <= WORKSPACE_NAME_MAX);
        // Inputs that fold to different names must not meet after truncation.
        const fold = (s: string): string => s.toLowerCase().replace(/[\s_]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
        if (fold(a) !== fold(b)) assert.notEqual(x, y);
      }),
      { numRuns: 1000 },
    );
    // Two names alike for their first 100 characters differ only in what truncation drops.
    const stem = 'project-'.repeat(13);
    const [one, two] = [sanitizeName(`${stem}one`), sanitizeName(`${stem}two`)];
    assert.notEqual(one, two);
    assert.equal(one.slice(0, 50), two.slice(0, 50));
    assert.match(one, /-[0-9a-f]{8}$/);
  });

  it('short valid names are kept as they are', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('-')), (name) => {
        assert.equal(sanitizeName(name), name);
      }),
    );
  });
});

describe('workspace labels and engine names', () => {
  it('workspaceLabels: managed, id, name and an RFC 3339 creation time', () => {
    const labels = workspaceLabels('my-proj', 'my-proj', new Date('2024-05-06T07:08:09.123Z'));
    assert.deepEqual(labels, {
      'aicli.managed': 'true',
      'aicli.workspace.id': 'my-proj',
      'aicli.workspace.name': 'my-proj',
      'aicli.created': '2024-05-06T07:08:09Z',
    });
    assert.match(workspaceLabels('a', 'b')['aicli.created'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('the image tag and container name follow the original forms', () => {
    assert.equal(generateImageTag('ws1'), 'aicli-workspace:ws1');
    assert.equal(generateContainerName('ws1'), 'workspace_ws1');
  });

  it('ids and names that reach a container name or a label must be sanitized already', () => {
    for (const bad of ['My-Proj', 'a_b', '-a', 'a-', 'a--b', '', 'x'.repeat(64), 'a/b', 'a b']) {
      assert.throws(() => generateContainerName(bad), (e: unknown) => e instanceof InvalidArgumentError && e.message.includes('workspace id'), bad);
      assert.throws(() => generateImageTag(bad), InvalidArgumentError, bad);
      assert.throws(() => workspaceLabels(bad, 'ok'), InvalidArgumentError, bad);
      assert.throws(() => workspaceLabels('ok', bad), InvalidArgumentError, bad);
    }
    assert.throws(() => generateContainerName('My Proj'), /sanitizeName gives "my-proj"/);
  });
});

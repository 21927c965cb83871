#!/usr/bin/env node
// After the test run: fails if any test engine still holds a container,
// network, volume or image labelled aicli.test=true or aicli.managed=true, or a
// volume that no container uses.
//   node scripts/leak-check.js <stateDir>/engines.json
// The busybox fixture image (aicli-test-busybox, test/support/engines.ts) is
// unlabelled on purpose, so it is never reported: it is shared by all tests
// and disappears with the engines' state dir.
// (.js, not .mjs: the package is ESM, and eslint's config only knows *.js scripts.)
import fs from 'node:fs';
import http from 'node:http';
import console from 'node:console';
import process from 'node:process';

const LABELS = ['aicli.test=true', 'aicli.managed=true'];
const KINDS = [
  // [kind, list path, how to name one item]
  ['container', '/containers/json?all=1', (x) => `${x.Id.slice(0, 12)} ${x.Names?.join(',') ?? ''} ${x.State ?? ''}`],
  ['network', '/networks', (x) => `${x.Id.slice(0, 12)} ${x.Name}`],
  ['volume', '/volumes', (x) => x.Name],
  ['image', '/images/json', (x) => `${x.Id.slice(7, 19)} ${(x.RepoTags ?? []).join(',')}`],
];

function get(socketPath, path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`GET ${path}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
        else resolve(JSON.parse(body));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timeout`)));
    req.on('error', reject);
  });
}

const file = process.argv[2];
if (!file) { console.error('usage: leak-check.js <engines.json>'); process.exit(2); }
const { engines } = JSON.parse(fs.readFileSync(file, 'utf8'));
let leaks = 0;
let errors = 0;
for (const e of engines) {
  const sock = e.host.replace(/^unix:\/\//, '');
  for (const [kind, base, describe] of KINDS) {
    for (const label of LABELS) {
      const filters = encodeURIComponent(JSON.stringify({ label: [label] }));
      try {
        const res = await get(sock, `${base}${base.includes('?') ? '&' : '?'}filters=${filters}`);
        const items = kind === 'volume' ? res.Volumes ?? [] : res;
        for (const x of items) {
          leaks++;
          console.error(`LEAK ${e.name}: ${kind} ${describe(x)} (${label})`);
        }
      } catch (err) {
        errors++;
        console.error(`leak-check ${e.name}: cannot list ${kind}s: ${err.message}`);
      }
    }
  }
}
// Storage (issue 14): a volume no container uses is one a test left behind (an anonymous
// volume of a container removed without v=1); the engines start with none.
for (const e of engines) {
  const sock = e.host.replace(/^unix:\/\//, '');
  try {
    const res = await get(sock, `/volumes?filters=${encodeURIComponent(JSON.stringify({ dangling: ['true'] }))}`);
    for (const v of res.Volumes ?? []) {
      leaks++;
      console.error(`LEAK ${e.name}: volume ${v.Name} used by no container (anonymous volumes go with their container: DELETE ...?v=1)`);
    }
  } catch (err) {
    errors++;
    console.error(`leak-check ${e.name}: cannot list volumes: ${err.message}`);
  }
}
if (leaks || errors) {
  console.error(`leak-check: FAILED, ${leaks} leaked object(s), ${errors} error(s)`);
  process.exit(1);
}
console.log(`leak-check: ok, nothing labelled ${LABELS.join(' or ')} left on ${engines.map((e) => e.name).join(', ')}`);

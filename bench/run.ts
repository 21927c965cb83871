// `npm run bench` (scripts/bench.sh) runs: node --import tsx bench/run.ts <host> [--only NAME,...]
// Runs the default parts, or those named (bench/parts/: one module each), in their order;
// prints each one's table, PASS/MISS per goal, and one final `BENCH_JSON {...}` line.
// Exit code: 0 = measured (goals may be missed), 1 = the bench itself failed, 2 = bad usage.
import { row, type Goal, type PartContext, type Shared } from './part.js';
import { PARTS } from './parts/index.js';

function usage(problem?: string): never {
  const names = PARTS.map((p) => (p.inDefault ? p.name : `${p.name} (not by default)`)).join(', ');
  process.stderr.write(`${problem === undefined ? '' : `bench: ${problem}\n`}usage: node --import tsx bench/run.ts <host> [--only NAME,...]\n  parts: ${names}\n`);
  process.exit(2);
}

const [host, flag, onlyArg] = process.argv.slice(2);
if (host === undefined || host.startsWith('-') || (flag !== undefined && (flag !== '--only' || onlyArg === undefined))) usage();
const named = onlyArg?.split(',');
const unknown = named?.filter((n) => !PARTS.some((p) => p.name === n)) ?? [];
if (unknown.length > 0) usage(`no part named ${unknown.map((n) => `"${n}"`).join(', ')}`);
const parts = PARTS.filter((p) => (named === undefined ? p.inDefault : named.includes(p.name)));

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

// What parts share is opened by the first that uses it and closed after the last selected one.
const opened = new Map<Shared<unknown>, Promise<unknown>>();
const lastUser = new Map<Shared<unknown>, string>();
for (const p of parts) for (const s of p.shares) lastUser.set(s, p.name);
const close = async (s: Shared<unknown>): Promise<void> => {
  const value = opened.get(s);
  if (value === undefined) return;
  opened.delete(s);
  let v: unknown;
  try {
    v = await value;
  } catch {
    return; // It never opened: nothing to close, and its part has failed already.
  }
  await s.close(v);
};
const ctx: PartContext = {
  host,
  selected: new Set(parts.map((p) => p.name)),
  use<T>(s: Shared<T>): Promise<T> {
    let value = opened.get(s);
    if (value === undefined) {
      value = s.open(ctx);
      opened.set(s, value);
    }
    return value as Promise<T>;
  },
  log(line) {
    process.stderr.write(`bench: ${line}\n`);
  },
};

const goals: Record<string, Goal> = {};
const json: Record<string, unknown> = {};
out(`aicli-docker bench: ${host} (node ${process.version})`);
try {
  for (const [i, p] of parts.entries()) {
    const section = await p.run(ctx);
    out('');
    out(`${i + 1}. ${section.title}`);
    for (const line of section.rows) out(line);
    Object.assign(goals, section.goals);
    const had = json[p.jsonKey];
    json[p.jsonKey] = isObject(had) && isObject(section.json) ? { ...had, ...section.json } : section.json;
    for (const s of p.shares) if (lastUser.get(s) === p.name) await close(s);
  }
} finally {
  for (const s of [...opened.keys()].reverse()) await close(s);
}

out('');
out('goals');
for (const [name, g] of Object.entries(goals)) out(row(`  ${name}`, `${g.ratio}`, g.goal, g.pass ? 'PASS' : 'MISS'));
out(`BENCH_JSON ${JSON.stringify({ host, node: process.version, ...json, goals })}`);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

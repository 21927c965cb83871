// N processes that connect once, then, round after round, all call ensureNetwork() for the
// same new name at the same moment (test/support/ensure-child.js).
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EnsureNetworkResult } from '../../src/index.js';
import type { TestEngine } from './engines.js';
import { rawCreate, rawNetworksNamed, rawRemoveAll, TEST_LABELS, uniqueName } from './networks.js';

const CHILD = fileURLToPath(new URL('./ensure-child.js', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

export type RacerResult = EnsureNetworkResult | { error: string; message: string };

export interface Racers {
  /** One round: every process ensures `name`; `intruders` raw creates (CheckDuplicate: false) join at the same moment. */
  round(name: string, options: Record<string, unknown>, intruders?: number): Promise<{ results: RacerResult[]; intruded: string[] }>;
  close(): Promise<void>;
}

function lines(child: ChildProcessByStdio<Writable, Readable, null>): () => Promise<string> {
  let buffer = '';
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const next = waiting.shift();
      if (next === undefined) queue.push(line);
      else next(line);
    }
  });
  const exited = new Promise<string>((resolve) => child.once('exit', (code) => {
    resolve(`{"error":"EXITED","message":"racer exited (${String(code)})"}`);
  }));
  return () => {
    const line = queue.shift();
    return line !== undefined ? Promise.resolve(line) : Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited]);
  };
}

export async function startRacers(engine: TestEngine, n: number): Promise<Racers> {
  if (!existsSync(DIST)) throw new Error(`${DIST} missing: run \`npm run build\` first (npm test does)`);
  const children = Array.from({ length: n }, () => spawn(process.execPath, [CHILD, engine.host], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const next = children.map(lines);
  const close = async (): Promise<void> => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await gone;
        clearTimeout(timer);
      }),
    );
  };
  try {
    const ready = await Promise.all(next.map((read) => read()));
    if (ready.some((l) => l !== 'ready')) throw new Error(`a racer did not start: ${ready.find((l) => l !== 'ready') ?? ''}`);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    async round(name, options, intruders = 0) {
      const line = `${JSON.stringify({ name, options })}\n`;
      const answers = next.map((read) => read());
      for (const child of children) child.stdin.write(line);
      // Another tool (or an old aicli elsewhere) creating the same managed network at the same
      // moment, without CheckDuplicate: Docker 20.10 accepts every one of them.
      // (One may fail when the host's address pools run short: the engines share them.)
      const tries = await Promise.allSettled(Array.from({ length: intruders }, () => rawCreate(engine.host, { Name: name, CheckDuplicate: false, Labels: { ...TEST_LABELS, 'aicli.managed': 'true' } })));
      const intruded = tries.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const results = (await Promise.all(answers)).map((l) => JSON.parse(l) as RacerResult);
      return { results, intruded };
    },
    close,
  };
}

/**
 * `rounds` rounds of 16 processes at once on `engine`: after each, exactly one network of the
 * round's name on the engine, every process returned its id, and every extra network was
 * removed by exactly one process (which said so). Returns one line per round, for diagnostics.
 */
export async function raceRounds(engine: TestEngine, rounds: number, options: Record<string, unknown>, intruders = 0): Promise<string[]> {
  const racers = await startRacers(engine, 16);
  const notes: string[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const network = uniqueName(`race${round}`);
      try {
        const { results, intruded } = await racers.round(network, options, intruders);
        const failed = results.filter((r): r is { error: string; message: string } => 'error' in r);
        assert.deepEqual(failed, [], 'every process succeeded');
        const ok = results as EnsureNetworkResult[];
        const ids = new Set(ok.map((r) => r.id));
        assert.equal(ids.size, 1, `round ${round}: ids ${[...ids].join(', ')}`);
        assert.deepEqual((await rawNetworksNamed(engine.host, network)).map((n) => n.Id), [...ids], `round ${round}: networks on the engine`);
        const removed = ok.flatMap((r) => r.removedDuplicates);
        assert.equal(new Set(removed).size, removed.length, 'no duplicate removed twice');
        for (const id of intruded) assert.ok(removed.includes(id) || ids.has(id), `foreign duplicate ${id.slice(0, 12)} neither won nor was removed`);
        const foreignWon = intruded.some((id) => ids.has(id));
        notes.push(`${engine.name} round ${round}: ${removed.length} duplicate(s) removed (${intruded.length} foreign); the winner was made by ${foreignWon ? 'a foreign create' : 'aicli'}; ${ok.filter((r) => r.created).length} process(es) report creating it`);
      } finally {
        await rawRemoveAll(engine.host, network);
      }
    }
  } finally {
    await racers.close();
  }
  return notes;
}

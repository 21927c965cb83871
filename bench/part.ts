// What a part of `npm run bench` is. Each part is one module in bench/parts/ (registered in
// bench/parts/index.ts): its name for `--only`, whether the default run takes it, its goals,
// what it measures, and how it shows the result as table rows and as its entry in the
// `BENCH_JSON {...}` line. bench/run.ts only selects parts, runs them, and prints.
import { round } from './stats.js';

/** A verdict as the table and `BENCH_JSON.goals` show it: the value compared (for most goals a ratio), the goal, PASS or MISS. */
export interface Goal {
  readonly ratio: number;
  readonly goal: string;
  readonly pass: boolean;
}

/** One goal of a part: its name, the bound as shown (`<= 2.5`), and its verdict on a result. */
export interface GoalSpec<R> {
  readonly name: string;
  readonly goal: string;
  /** The value shown and whether it meets the goal; undefined when this run could not measure it (no docker CLI on PATH). */
  verdict(result: R): { readonly value: number; readonly pass: boolean } | undefined;
}

/**
 * Something several parts use, made once (when the first of them runs) and closed after the
 * last of them that was selected has run, or when the bench fails: the engine connections
 * latency and throughput share, the private engine of events and recovery, ...
 */
export interface Shared<T> {
  readonly name: string;
  open(ctx: PartContext): Promise<T>;
  close(value: T): Promise<void>;
}

export interface PartContext {
  /** The engine under test (`unix://...` or `tcp://...`). */
  readonly host: string;
  /** The names of the parts this run takes. */
  readonly selected: ReadonlySet<string>;
  /** A shared thing, opened on first use; the part lists it in `shares`. */
  use<T>(shared: Shared<T>): Promise<T>;
  /** Set-up notes, to stderr (stdout carries only the table and the JSON line). */
  log(line: string): void;
}

export interface PartSpec<R> {
  /** As `--only` takes it. */
  readonly name: string;
  /** Whether `npm run bench` without `--only` runs it. */
  readonly inDefault: boolean;
  readonly goals: readonly GoalSpec<R>[];
  /** What it shares with other parts (see Shared). */
  readonly shares?: readonly Shared<unknown>[];
  measure(ctx: PartContext): Promise<R>;
  /** The section's heading, without its number (run.ts numbers the sections in run order). */
  title(result: R): string;
  /** The section's table, line by line. */
  rows(result: R): readonly string[];
  /** Its key in the `BENCH_JSON` line; two parts giving objects under one key are merged. */
  readonly jsonKey: string;
  json(result: R): unknown;
}

/** What run.ts prints of a part that ran. */
export interface Section {
  readonly title: string;
  readonly rows: readonly string[];
  readonly goals: Readonly<Record<string, Goal>>;
  readonly json: unknown;
}

/** A part with its result's type hidden: what run.ts holds. */
export interface Part {
  readonly name: string;
  readonly inDefault: boolean;
  readonly goalNames: readonly string[];
  readonly shares: readonly Shared<unknown>[];
  readonly jsonKey: string;
  run(ctx: PartContext): Promise<Section>;
}

export function part<R>(spec: PartSpec<R>): Part {
  return {
    name: spec.name,
    inDefault: spec.inDefault,
    goalNames: spec.goals.map((g) => g.name),
    shares: spec.shares ?? [],
    jsonKey: spec.jsonKey,
    async run(ctx) {
      const result = await spec.measure(ctx);
      const goals: Record<string, Goal> = {};
      for (const g of spec.goals) {
        const v = g.verdict(result);
        if (v !== undefined) goals[g.name] = { ratio: v.value, goal: g.goal, pass: v.pass };
      }
      return { title: spec.title(result), rows: spec.rows(result), goals, json: spec.json(result) };
    },
  };
}

/** `a / b` at most `max` (shown to 3 decimals); `of` gives undefined when b was not measured. */
export function ratioAtMost<R>(name: string, max: number, of: (r: R) => readonly [number, number | undefined] | undefined): GoalSpec<R> {
  return ratioGoal(name, `<= ${max}`, (x) => x <= max, of);
}

/** `a / b` at least `min`. */
export function ratioAtLeast<R>(name: string, min: number, of: (r: R) => readonly [number, number | undefined] | undefined): GoalSpec<R> {
  return ratioGoal(name, `>= ${min}`, (x) => x >= min, of);
}

/** `a / b` below `max`. */
export function ratioBelow<R>(name: string, max: number, of: (r: R) => readonly [number, number | undefined] | undefined): GoalSpec<R> {
  return ratioGoal(name, `< ${max}`, (x) => x < max, of);
}

function ratioGoal<R>(name: string, goal: string, ok: (ratio: number) => boolean, of: (r: R) => readonly [number, number | undefined] | undefined): GoalSpec<R> {
  return {
    name,
    goal,
    verdict(r) {
      const pair = of(r);
      if (pair === undefined || pair[1] === undefined) return undefined;
      const ratio = pair[0] / pair[1];
      return { value: round(ratio, 3), pass: ok(ratio) };
    },
  };
}

/** One table line: a 30-wide label, then 12-wide cells. */
export const row = (...cells: (string | number)[]): string =>
  cells
    .map((c, i) => String(c).padEnd(i === 0 ? 30 : 12))
    .join('')
    .trimEnd();

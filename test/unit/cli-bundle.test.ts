// The CLI bundle's splitting (scripts/bundle-cli.js): each command's chunks hold what it
// uses, though every command imports from one index module that re-exports everything.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { directImports } from '../../scripts/direct-imports.js';

// A library as tsc emits it: an index of re-exports (named, renamed, `export *`, one more
// index below it), one module with code of its own that re-exports, and two commands.
const FILES: Record<string, string> = {
  'index.js': "export { a } from './a.js';\nexport * from './b.js';\nexport { c as cee } from './sub/index.js';\nexport { d, dd } from './d.js';\n",
  'sub/index.js': "export { c } from '../c.js';\n",
  'a.js': "export const a = 'MODULE_A';\n",
  'b.js': "export function b() { return 'MODULE_B'; }\nexport const unusedB = 2;\n",
  'c.js': "export const c = 'MODULE_C';\n",
  // Not an export list: importing through it must still run it.
  'd.js': "import { a } from './a.js';\nglobalThis.__dRan = true;\nexport { a as dd };\nexport const d = 'MODULE_D';\n",
  'cmd-a.js': "import { a } from './index.js';\nexport const run = () => a;\n",
  'cmd-b.js': "import { b, cee } from './index.js';\nexport const run = () => `${b()}+${cee}`;\n",
  'cmd-d.js': "import { dd } from './index.js';\nexport const run = () => `${dd}:${String(globalThis.__dRan)}`;\n",
  'entry.js': "export const load = (n) => n === 'a' ? import('./cmd-a.js') : n === 'b' ? import('./cmd-b.js') : import('./cmd-d.js');\n",
};

let dir: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'aicli-bundle-test-'));
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(dir, 'src', name)), { recursive: true });
    writeFileSync(path.join(dir, 'src', name), text);
  }
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function bundle(out: string, plugins: boolean): Promise<Metafile> {
  const result = await build({
    absWorkingDir: dir,
    entryPoints: ['src/entry.js'],
    outdir: out,
    entryNames: '[name]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    metafile: true,
    logLevel: 'silent',
    plugins: plugins ? [directImports({ root: path.join(dir, 'src') })] : [],
  });
  return result.metafile;
}

/** The source modules a command's output loads before it runs: its own and its static imports'. */
function loadedBy(meta: Metafile, command: string): string[] {
  const outputs = meta.outputs;
  // Loaded with import(), a command's output is named NAME-HASH.js.
  const start = Object.keys(outputs).find((o) => path.basename(o).startsWith(`${command}-`));
  assert.ok(start !== undefined, `no output for ${command}`);
  const seen = new Set<string>();
  const walk = (o: string): void => {
    if (seen.has(o)) return;
    seen.add(o);
    for (const i of outputs[o]?.imports ?? []) if (i.kind === 'import-statement' && outputs[i.path] !== undefined) walk(i.path);
  };
  walk(start);
  return [...seen].flatMap((o) => Object.entries(outputs[o]?.inputs ?? {}).filter(([, x]) => x.bytesInOutput > 0).map(([input]) => input.replace(/^src\//, ''))).sort();
}

describe('the CLI bundle (scripts/direct-imports.js)', () => {
  it('gives each command only the modules it uses, not all that the index re-exports', async () => {
    const meta = await bundle('out', true);
    assert.deepEqual(loadedBy(meta, 'cmd-a'), ['a.js', 'cmd-a.js']);
    assert.deepEqual(loadedBy(meta, 'cmd-b'), ['b.js', 'c.js', 'cmd-b.js']);
    // What a module with code of its own re-exports is still imported through it.
    assert.deepEqual(loadedBy(meta, 'cmd-d'), ['a.js', 'cmd-d.js', 'd.js']);
  });

  it('without it, every command loads everything the index reaches (why it exists)', async () => {
    const meta = await bundle('plain', false);
    for (const command of ['cmd-a', 'cmd-b']) {
      const loaded = loadedBy(meta, command);
      for (const module of ['a.js', 'b.js', 'c.js', 'd.js']) assert.ok(loaded.includes(module), `${command} without the plugin: ${loaded.join(', ')}`);
    }
  });

  it('keeps what each import means: renamed, through export *, through two indexes, and the side effects of a module with code', async () => {
    await bundle('run', true);
    const entry = (await import(pathToFileURL(path.join(dir, 'run', 'entry.js')).href)) as { load: (n: string) => Promise<{ run: () => string }> };
    assert.equal((await entry.load('a')).run(), 'MODULE_A');
    assert.equal((await entry.load('b')).run(), 'MODULE_B+MODULE_C');
    assert.equal((await entry.load('d')).run(), 'MODULE_A:true');
  });
});

// Bundles the CLI for start-up time (`npm run bench` measures it): a few modules instead
// of ~150, and each command loads only what it uses.
//
// 1. esbuild bundles dist/cli/run.js as ES modules split into chunks: each command (loaded
//    with import() by src/cli/main.ts) and each part loaded on demand (undici, tar-stream,
//    the ssh and upgrade code) is an entry, and what several share is a chunk of its own.
//    esbuild splits by file, and a file joins a command's chunks when any file the command
//    reaches imports it; scripts/direct-imports.js points imports past src/index.ts (the
//    CLI's one import) and the features' index.ts, so a command reaches only what it uses.
// 2. Each output file is then turned into a CommonJS module (esbuild's transform: imports
//    become require(), import() a require() in a promise), with a package.json saying so,
//    and bin/aicli-docker.js is CommonJS too: Node 20 then never starts its ES module
//    loader (~7 ms) nor pays its per-module cost (~0.4 ms a file), which `status` did.
//    esbuild splits only ES modules, hence two steps.
//
// The CLI talks node:http, so undici's chunk is normally never loaded; where it is,
// undici's node:http2 import (for HTTP/2, which aicli never negotiates) would drag in tls
// and crypto: it gets the same stand-in undici itself falls back to when http2 is missing.
// The library in dist/ is not bundled.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, transform } from 'esbuild';
import { directImports } from './direct-imports.js';

const OUT = 'dist/cli-bundle';

const result = await build({
  entryPoints: ['dist/cli/run.js'],
  outdir: OUT,
  entryNames: '[name]',
  bundle: true,
  splitting: true,
  write: false,
  metafile: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // yaml is imported only when a configuration file is read.
  external: ['yaml'],
  plugins: [
    directImports({ root: 'dist' }),
    {
      name: 'no-http2',
      setup(b) {
        b.onResolve({ filter: /^(node:)?http2$/ }, () => ({ path: 'http2', namespace: 'no-http2' }));
        b.onLoad({ filter: /.*/, namespace: 'no-http2' }, () => ({ contents: 'module.exports = { constants: {} };', loader: 'js' }));
      },
    },
  ],
});

// The CLI imports only src/index.ts: were it bundled, each command would load every feature
// again (see direct-imports.js). It is, when it holds anything but exports.
if (Object.keys(result.metafile.inputs).includes('dist/index.js')) {
  throw new Error('bundle-cli: src/index.ts is in the CLI bundle, so every command would load every feature; keep it a list of exports only (scripts/direct-imports.js)');
}

const files = await Promise.all(
  result.outputFiles.map(async (file) => {
    const { code } = await transform(file.text, {
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      loader: 'js',
      logLevel: 'warning',
      // import() of another chunk (or of yaml) becomes require() in a promise.
      supported: { 'dynamic-import': false },
      // ES modules are strict: so stay these.
      banner: '"use strict";',
      // main.ts finds package.json from its own URL.
      define: { 'import.meta.url': '__aicliModuleUrl' },
    });
    const url = code.includes('__aicliModuleUrl') ? 'const __aicliModuleUrl = require("node:url").pathToFileURL(__filename).href;\n' : '';
    return { path: file.path, code: code.replace('"use strict";\n', `"use strict";\n${url}`) };
  }),
);

// Chunk names carry content hashes: start empty so no stale chunk is left to ship.
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
writeFileSync(path.join(OUT, 'package.json'), '{ "type": "commonjs" }\n');
// run.js last: scripts/quickstart.sh takes its time for the build's.
for (const f of files.sort((a, b) => Number(path.basename(a.path) === 'run.js') - Number(path.basename(b.path) === 'run.js'))) writeFileSync(f.path, f.code);

// Bundles the CLI for start-up time (`npm run bench` measures it): one module for what
// every command needs instead of ~40, with what only some need (undici, each command)
// split into chunks loaded on demand. The CLI talks node:http, so undici's chunk is
// normally never loaded; where it is, undici's node:http2 import (for HTTP/2, which
// aicli never negotiates) would drag in tls and crypto: it gets the same stand-in undici
// itself falls back to when http2 is missing. The library in dist/ is not bundled.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start empty so no stale chunk is left to ship.
rmSync('dist/cli-bundle', { recursive: true, force: true });

await build({
  entryPoints: ['dist/cli/run.js'],
  outdir: 'dist/cli-bundle',
  entryNames: '[name]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // yaml is imported only when a configuration file is read.
  external: ['yaml'],
  // undici is CommonJS: give its require() calls a real require in the ESM bundle.
  banner: { js: "import { createRequire as __aicliRequire } from 'node:module'; const require = __aicliRequire(import.meta.url);" },
  plugins: [
    {
      name: 'no-http2',
      setup(b) {
        b.onResolve({ filter: /^(node:)?http2$/ }, () => ({ path: 'http2', namespace: 'no-http2' }));
        b.onLoad({ filter: /.*/, namespace: 'no-http2' }, () => ({ contents: 'module.exports = { constants: {} };', loader: 'js' }));
      },
    },
  ],
});

// Bundles the CLI into one file (dist/cli.bundle.js) for start-up time: one module to
// load instead of ~70 (ours and undici's). `npm run bench` measures the effect.
// undici loads node:http2 at start for HTTP/2, which aicli never negotiates; that one
// import drags in http, tls and crypto (~40 ms). The bundle gets the same stand-in undici
// itself falls back to when http2 is missing. The library in dist/ is not bundled.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/run.js'],
  outfile: 'dist/cli.bundle.js',
  bundle: true,
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

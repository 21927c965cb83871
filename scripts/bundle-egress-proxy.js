// Bundles the egress gateway's proxy (src/egress-proxy/) into one self-contained file,
// dist/egress-proxy.cjs, which the gateway image carries and Node runs there. CommonJS
// and minified: it is parsed on every gateway start, in a container limited to 64 MiB.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/egress-proxy/main.ts'],
  outfile: 'dist/egress-proxy.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

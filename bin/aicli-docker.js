#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// A CLI run makes a handful of requests, then exits. Without this, Node waits at exit
// for V8 to finish optimising undici's WebAssembly HTTP parser in the background:
// ~200 ms of a ~450 ms `status` run, measured by `npm run bench`. The baseline
// compiler is plenty for a few responses; the library itself is not affected.
setFlagsFromString('--liftoff-only');

// One bundled file (scripts/bundle-cli.js) instead of ~70 modules.
await import('../dist/cli.bundle.js');

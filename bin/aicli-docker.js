#!/usr/bin/env node
// CommonJS (bin/package.json), as the bundle it loads (scripts/bundle-cli.js): start-up time
// counts, and an ES module here would start Node's ES module loader for nothing.
require('../dist/cli-bundle/run.js');

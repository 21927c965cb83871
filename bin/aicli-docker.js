#!/usr/bin/env node
// CommonJS (bin/package.json), as the bundle it loads (scripts/bundle-cli.js): start-up time
// counts, and an ES module here would start Node's ES module loader for nothing.
const path = require('node:path');
const bundle = path.join(__dirname, '..', 'dist', 'cli-bundle');
require('./compile-cache.js').enableCompileCache(bundle + path.sep);
require(path.join(bundle, 'run.js'));

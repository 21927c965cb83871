#!/usr/bin/env node
// One bundled module (scripts/bundle-cli.js) instead of ~40: start-up time counts.
await import('../dist/cli-bundle/run.js');

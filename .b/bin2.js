import { setFlagsFromString } from 'node:v8';
setFlagsFromString('--liftoff-only');
await import('../dist/cli.bundle.js');

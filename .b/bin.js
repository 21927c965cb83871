import { setFlagsFromString } from 'node:v8';
setFlagsFromString('--liftoff-only');
await import('./run.js');

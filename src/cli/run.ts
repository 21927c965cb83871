import { main } from './main.js';

// The process entry: real streams and environment, then exit with main's code.
const code = await main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
  // Getters: process.stdin is made (and its tty module loaded) only by commands that use it.
  streams: {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
  },
});
process.exitCode = code;

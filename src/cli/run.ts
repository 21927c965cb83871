import { main } from './main.js';

// A reader that went away (`… | head`): stop as a SIGPIPE would, quietly. A command that
// cleans up when interrupted (exec kills its command inside the container) is asked to.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  if (process.listenerCount('SIGINT') > 0) process.emit('SIGINT');
  else process.exit(process.exitCode ?? 0);
});

// The process entry: real streams and environment, then exit with main's code. No
// top-level await: the CLI bundle is CommonJS (scripts/bundle-cli.js), and main never rejects.
void main(process.argv.slice(2), {
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
}).then((code) => {
  process.exitCode = code;
});

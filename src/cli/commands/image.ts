import { ensureImage, loadImage, pullImage, type ProgressEvent, type PullProgress } from '../../index.js';
import { closest } from '../../suggest.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { connectCli, homeOf } from '../connect.js';
import { progressPrinter, type ProgressPrinter } from '../progress.js';

const SUBCOMMANDS = ['pull', 'load'];

function printer(ctx: CommandContext): ProgressPrinter {
  const mode = ctx.global.json ? 'json' : ctx.streams?.stdout.isTTY === true ? 'tty' : 'plain';
  return progressPrinter(mode, ctx.stdout);
}

function one(ctx: CommandContext, what: string): string {
  const [, arg, extra] = ctx.args;
  if (arg === undefined) throw new UsageError(`image ${ctx.args[0] ?? ''}: missing ${what}. See --help.`);
  if (extra !== undefined) throw new UsageError(`image ${ctx.args[0] ?? ''}: unexpected argument "${extra}". See --help.`);
  return arg;
}

async function pull(ctx: CommandContext): Promise<number> {
  const image = one(ctx, 'IMAGE');
  await using client = await connectCli(ctx);
  const p = printer(ctx);
  const onProgress = (e: ProgressEvent, s: PullProgress): void => { p.onProgress(e, s); };
  const options = { credentials: { env: ctx.env, homeDir: homeOf(ctx) }, onProgress, onMessage: p.onMessage, logger: ctx.logger };
  // --missing: keep a local image (what a workspace create does); otherwise always ask the registry.
  const r = ctx.flags['missing'] === true ? await ensureImage(client.api, image, options) : await pullImage(client.api, image, options);
  p.done();
  if (ctx.global.json) ctx.stdout(`${JSON.stringify({ image: r.image, id: r.id, pulled: r.pulled })}\n`);
  else ctx.stdout(r.pulled ? `Pulled ${r.image} (${r.id.slice(7, 19)})\n` : `${r.image} is here already (${r.id.slice(7, 19)})\n`);
  return 0;
}

async function load(ctx: CommandContext): Promise<number> {
  const file = one(ctx, 'FILE (a tarball made by `docker save`)');
  await using client = await connectCli(ctx);
  const p = printer(ctx);
  const source = file === '-' ? ctx.streams?.stdin : file;
  if (source === undefined) throw new UsageError('image load -: no standard input here');
  const r = await loadImage(client.api, source, { onProgress: (e, s) => { p.onProgress(e, s); }, onMessage: p.onMessage });
  p.done();
  if (ctx.global.json) ctx.stdout(`${JSON.stringify({ images: r.images })}\n`);
  else for (const i of r.images) ctx.stdout(`Loaded ${i}\n`);
  return 0;
}

export const imageCommand: Command = {
  name: 'image',
  summary: 'Get images: pull from a registry (with the docker CLI\'s credentials) or load a tarball.',
  usage: 'aicli-docker image pull IMAGE [--missing] [--json]\n       aicli-docker image load FILE|- [--json]',
  flags: [{ name: 'missing', type: 'boolean', description: 'image pull: use the local image when there is one; pull only if it is missing' }],
  async run(ctx) {
    const sub = ctx.args[0];
    switch (sub) {
      case 'pull':
        return pull(ctx);
      case 'load':
        return load(ctx);
      case undefined:
        throw new UsageError('image: missing subcommand; expected pull or load. See --help.');
      default: {
        const near = closest(sub, SUBCOMMANDS);
        throw new UsageError(`image: unknown subcommand "${sub}"${near === undefined ? '' : `; did you mean "${near}"?`} Expected pull or load.`);
      }
    }
  },
};

import { cleanup, InvalidArgumentError } from '../../index.js';
import { UsageError, type Command } from '../command.js';
import { connectCli } from '../connect.js';

/** `--label K=V` (repeatable) as a label set. */
function labels(values: string | boolean | string[] | undefined): Record<string, string> {
  const list = Array.isArray(values) ? values : typeof values === 'string' ? [values] : [];
  const out: Record<string, string> = {};
  for (const v of list) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError('--label', `"${v}" is not KEY=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

export const cleanupCommand: Command = {
  name: 'cleanup',
  summary: 'Remove what aicli made: every managed container and network, or with --orphans only what a gone process left.',
  usage: 'aicli-docker cleanup [--dry-run] [--orphans] [--label KEY=VALUE]... [--json]',
  flags: [
    { name: 'dry-run', type: 'boolean', description: 'List what would be removed; remove nothing' },
    { name: 'orphans', type: 'boolean', description: 'Only ephemeral workspaces whose process is gone, and workspaces a gone process left half-made (created to be started, never started)' },
    { name: 'label', type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'Only objects that also carry this label (repeatable)' },
  ],
  async run(ctx) {
    if (ctx.args.length > 0) throw new UsageError(`cleanup: unexpected argument "${ctx.args[0] ?? ''}". See --help.`);
    await using client = await connectCli(ctx);
    const report = await cleanup(client.api, { dryRun: ctx.flags['dry-run'] === true, orphans: ctx.flags['orphans'] === true, labels: labels(ctx.flags['label']), logger: ctx.logger });
    if (ctx.global.json) {
      ctx.stdout(`${JSON.stringify(report, null, 2)}\n`);
      return report.failed > 0 ? 1 : 0;
    }
    const verb = report.dryRun ? 'would remove' : 'removed';
    for (const i of report.items) {
      const what = `${i.kind} ${i.name === '' ? i.id.slice(0, 12) : i.name} (${i.id.slice(0, 12)}; ${i.reason})`;
      if (report.dryRun || i.removed) ctx.stdout(`${verb} ${what}\n`);
      else ctx.stderr(`could not remove ${what}: ${i.error ?? 'unknown error'}\n`);
    }
    const scope = report.orphans ? 'orphaned objects' : 'managed objects';
    ctx.stdout(report.items.length === 0 ? `Nothing to remove: no ${scope}.\n` : report.dryRun ? `${report.items.length} ${scope} would be removed (dry run).\n` : `${report.removed} removed, ${report.failed} failed.\n`);
    return report.failed > 0 ? 1 : 0;
  },
};

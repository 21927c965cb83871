import { runDoctor, type DoctorReport } from '../../index.js';
import { UsageError, type Command } from '../command.js';
import { loadCliConfig } from '../connect.js';
import { EXIT } from '../exit-codes.js';

function text(r: DoctorReport): string {
  const width = Math.max(...r.checks.map((c) => c.title.length));
  const lines = r.checks.map((c) => `${c.status.padEnd(5)} ${c.title.padEnd(width)}  ${c.detail}${c.fix === undefined ? '' : `\n${' '.repeat(width + 8)}fix: ${c.fix}`}`);
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const verdict = r.ok ? `ready${r.warnings > 0 ? ` (${plural(r.warnings, 'warning')})` : ''}` : `${plural(r.failures, 'failure')}, ${plural(r.warnings, 'warning')}`;
  const differences = r.differences.map((d) => `  - ${d.topic} (${d.handling}): ${d.detail}`);
  const listed = differences.length === 0 ? '' : `\nWhere this engine differs from Docker:\n${differences.join('\n')}\n`;
  return `${lines.join('\n')}\n${listed}\ndoctor: ${verdict}\n`;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check what workspaces need (engine, API version, aicli network, limits, default image, disk), each with its fix; exit 1 if any fails.',
  usage: 'aicli-docker doctor [--json]',
  flags: [],
  async run(ctx) {
    if (ctx.args.length > 0) throw new UsageError(`doctor: unexpected argument "${ctx.args[0] ?? ''}". See --help.`);
    const config = await loadCliConfig(ctx);
    const report = await runDoctor({ config, env: ctx.env, logger: ctx.logger, httpClient: 'node' });
    ctx.stdout(ctx.global.json ? `${JSON.stringify(report, null, 2)}\n` : text(report));
    if (report.ok) return EXIT.ok;
    return report.unavailable ? EXIT.unavailable : EXIT.failure;
  },
};

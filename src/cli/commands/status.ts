import type { NetworkSummary } from '../../index.js';
import type { Command } from '../command.js';
import { connectCli } from '../connect.js';

function networkRow(n: NetworkSummary): string {
  if (!n.present) return `${n.name}: absent (made on first use, or by \`network ensure\`)`;
  const owner = n.managed ? 'managed' : n.adopted ? 'adopted (not made by aicli)' : 'NOT made by aicli: refused (see network_adopt)';
  const drift = n.drift.length === 0 ? 'no drift' : `drift in ${n.drift.map((d) => d.key).join(', ')}`;
  const dups = n.duplicates.length === 0 ? '' : `, ${n.duplicates.length} duplicate(s)`;
  return `${n.name}: ${owner}, id ${(n.id ?? '').slice(0, 12)}, ${n.driver ?? ''}, ${drift}${dups}`;
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'Connect to the engine the docker CLI would use and report where it is, its versions and health.',
  usage: 'aicli-docker status [--json]',
  flags: [],
  async run(ctx) {
    await using client = await connectCli(ctx);
    const s = await client.status();
    if (ctx.global.json) {
      ctx.stdout(`${JSON.stringify(s, null, 2)}\n`);
      return 0;
    }
    const rows: [string, string][] = [
      ['Endpoint', s.endpoint],
      ['Source', s.source],
      ['Engine', `${s.serverVersion} (${s.os}/${s.arch})`],
      ['API version', `${s.apiVersion} (${s.apiVersionNegotiated ? `negotiated; engine speaks ${s.serverApiVersion}` : 'pinned'})`],
      ['Healthy', `${s.healthy ? 'yes' : 'no'} (ping ${s.pingLatencyMs.toFixed(1)} ms)`],
      ['Network', networkRow(s.network)],
    ];
    ctx.stdout(rows.map(([k, v]) => `${k.padEnd(13)}${v}`).join('\n') + '\n');
    for (const w of s.warnings) ctx.stderr(`warning: ${w.key}: ${w.message}\n`);
    return 0;
  },
};

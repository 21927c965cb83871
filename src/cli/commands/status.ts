import type { Command } from '../command.js';
import { connectCli } from '../connect.js';

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
    ];
    ctx.stdout(rows.map(([k, v]) => `${k.padEnd(13)}${v}`).join('\n') + '\n');
    for (const w of s.warnings) ctx.stderr(`warning: ${w.key}: ${w.message}\n`);
    return 0;
  },
};

import type { CommandContext } from '../../command.js';
import { egressText, openWorkspaces, printJson, shortId } from './common.js';
import { UsageError } from '../../command.js';

export async function listWorkspaces(ctx: CommandContext): Promise<number> {
  if (ctx.args.length > 0) throw new UsageError(`workspace ls: unexpected argument "${ctx.args[0] ?? ''}". See --help.`);
  await using session = await openWorkspaces(ctx);
  const all = await session.workspaces.list();
  if (ctx.global.json) {
    printJson(ctx, all);
    return 0;
  }
  // Where each runs and why, for backends that place workspaces on nodes (Swarm).
  const placed = all.some((w) => w.node !== undefined);
  const said = all.some((w) => w.message !== undefined && w.message !== '');
  const rows = [
    ['NAME', 'STATE', 'HEALTH', ...(placed ? ['NODE'] : []), 'IMAGE', 'CREATED', 'ID', 'EGRESS', ...(said ? ['MESSAGE'] : [])],
    ...all.map((w) => [
      w.name,
      w.state,
      w.health,
      ...(placed ? [w.node ?? '-'] : []),
      w.image,
      w.created.replace(/\.\d+/, ''),
      shortId(w.id),
      egressText(w),
      ...(said ? [w.message ?? ''] : []),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  ctx.stdout(rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 2))).join('').trimEnd()).join('\n') + '\n');
  return 0;
}

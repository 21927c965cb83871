import type { CommandContext } from '../../command.js';
import { infoLines, nameArg, openWorkspaces, printJson } from './common.js';

export async function inspectWorkspace(ctx: CommandContext): Promise<number> {
  const name = nameArg(ctx, 'inspect');
  await using session = await openWorkspaces(ctx);
  const info = await session.workspaces.inspect(name);
  if (ctx.global.json) printJson(ctx, info);
  else ctx.stdout(infoLines(info));
  return 0;
}

/** start, stop, restart, rm: one name in, one action, the state out. */
import { InvalidArgumentError, WorkspaceNotFoundError, sanitizeName, type Workspaces } from '../../../index.js';
import type { CommandContext } from '../../command.js';
import { nameArg, openWorkspaces, printJson, stateText } from './common.js';

function seconds(ctx: CommandContext): number | undefined {
  const t = ctx.flags['time'];
  if (typeof t !== 'string') return undefined;
  if (!/^\d+$/.test(t.trim())) throw new InvalidArgumentError('--time', `${JSON.stringify(t)} is not a whole number of seconds`);
  return Number(t);
}

async function act(ctx: CommandContext, sub: string, done: string, action: (w: Workspaces, name: string) => Promise<void>): Promise<number> {
  const name = nameArg(ctx, sub);
  await using session = await openWorkspaces(ctx);
  await action(session.workspaces, name);
  const info = await session.workspaces.inspect(name);
  if (ctx.global.json) printJson(ctx, info);
  else ctx.stdout(`${done} workspace ${info.name}: ${stateText(info)}.\n`);
  return 0;
}

export const startWorkspace = (ctx: CommandContext): Promise<number> => act(ctx, 'start', 'Started', (w, n) => w.start(n));

export function stopWorkspace(ctx: CommandContext): Promise<number> {
  const timeoutSeconds = seconds(ctx);
  return act(ctx, 'stop', 'Stopped', (w, n) => w.stop(n, timeoutSeconds === undefined ? {} : { timeoutSeconds }));
}

export function restartWorkspace(ctx: CommandContext): Promise<number> {
  const timeoutSeconds = seconds(ctx);
  return act(ctx, 'restart', 'Restarted', (w, n) => w.restart(n, timeoutSeconds === undefined ? {} : { timeoutSeconds }));
}

export async function removeWorkspace(ctx: CommandContext): Promise<number> {
  const name = nameArg(ctx, 'rm');
  await using session = await openWorkspaces(ctx);
  const removed = await session.workspaces.remove(name, { keepData: ctx.flags['keep-data'] === true });
  if (!removed) throw new WorkspaceNotFoundError(sanitizeName(name), session.client.endpoint.url);
  if (ctx.global.json) printJson(ctx, { name: sanitizeName(name), removed });
  else ctx.stdout(`Removed workspace ${sanitizeName(name)}.\n`);
  return 0;
}

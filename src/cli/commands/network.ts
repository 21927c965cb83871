import type { NetworkDrift } from '../../index.js';
import { closest } from '../../suggest.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { connectCli } from '../connect.js';

const SUBCOMMANDS = ['ensure', 'inspect', 'rm'];

function print(ctx: CommandContext, json: unknown, rows: [string, string][]): number {
  if (ctx.global.json) ctx.stdout(`${JSON.stringify(json, null, 2)}\n`);
  else ctx.stdout(rows.map(([k, v]) => `${k.padEnd(13)}${v}`).join('\n') + '\n');
  return 0;
}

function noMoreArgs(ctx: CommandContext): void {
  const extra = ctx.args[1];
  if (extra !== undefined) throw new UsageError(`network ${ctx.args[0] ?? ''}: unexpected argument "${extra}"; the network is named by network_name (AICLI_DOCKER_NETWORK_NAME). See --help.`);
}

function onlyFor(ctx: CommandContext, flag: string, sub: string): void {
  const v = ctx.flags[flag];
  if (v !== undefined && v !== false && ctx.args[0] !== sub) throw new UsageError(`--${flag} is for \`network ${sub}\` only. See --help.`);
}

function labels(ctx: CommandContext): Record<string, string> {
  const raw = ctx.flags['label'];
  const out: Record<string, string> = {};
  for (const item of Array.isArray(raw) ? raw : []) {
    const eq = item.indexOf('=');
    const key = eq === -1 ? item : item.slice(0, eq);
    if (key === '' || /\s/.test(key)) throw new UsageError(`--label "${item}" is not a label; expected KEY=VALUE such as team=infra.`);
    out[key] = eq === -1 ? '' : item.slice(eq + 1);
  }
  return out;
}

const driftText = (drift: readonly NetworkDrift[]): string => (drift.length === 0 ? 'none' : drift.map((d) => `${d.key}: configured ${d.want}, the network has ${d.have}`).join('; '));
const ids = (list: readonly string[]): string => (list.length === 0 ? 'none' : list.map((id) => id.slice(0, 12)).join(', '));

async function ensure(ctx: CommandContext): Promise<number> {
  noMoreArgs(ctx);
  const extra = labels(ctx);
  await using client = await connectCli(ctx);
  const r = await client.ensureNetwork({ recreate: ctx.flags['recreate'] === true, labels: extra });
  const json = { name: r.name, id: r.id, created: r.created, driver: r.driver, scope: r.scope, removedDuplicates: r.removedDuplicates, keptDuplicates: r.keptDuplicates, adopted: r.adopted, recreated: r.recreated, drift: r.drift };
  const made = r.recreated ? 'yes (recreated: the old one had drifted)' : r.created ? 'yes (by this call)' : r.adopted ? 'no (adopted: network_adopt)' : 'no (it existed)';
  const rows: [string, string][] = [
    ['Network', r.name],
    ['Id', r.id],
    ['Created', made],
    ['Driver', `${r.driver} (scope ${r.scope})`],
    ['Duplicates', `removed ${r.removedDuplicates.length}${r.removedDuplicates.length === 0 ? '' : ` (${ids(r.removedDuplicates)})`}${r.keptDuplicates.length === 0 ? '' : `, kept ${ids(r.keptDuplicates)} (in use or not aicli's)`}`],
    ['Drift', r.drift.length === 0 ? 'none' : `${driftText(r.drift)} (replace it with --recreate)`],
  ];
  return print(ctx, json, rows);
}

async function inspect(ctx: CommandContext): Promise<number> {
  noMoreArgs(ctx);
  await using client = await connectCli(ctx);
  const s = await client.inspectNetwork();
  if (!s.present) {
    return print(ctx, s, [
      ['Network', s.name],
      ['Present', 'no (`aicli-docker network ensure` creates it)'],
    ]);
  }
  const containers = s.containers.length === 0 ? 'none' : `${s.containers.length}: ${s.containers.map((c) => c.name).join(', ')}`;
  const subnet = s.subnets.length === 0 ? 'none' : `${s.subnets.join(', ')}${s.gateways.length === 0 ? '' : ` (gateway ${s.gateways.join(', ')})`}`;
  return print(ctx, s, [
    ['Network', s.name],
    ['Present', 'yes'],
    ['Managed', s.managed ? 'yes (aicli.managed=true)' : s.adopted ? 'no (adopted: network_adopt)' : 'no: aicli did not create it and will not use it (see network_adopt)'],
    ['Id', s.id ?? ''],
    ['Driver', `${s.driver ?? ''} (scope ${s.scope ?? ''})`],
    ['Internal', s.internal === true ? 'yes' : 'no'],
    ['Subnet', subnet],
    ['Created', s.createdAt ?? ''],
    ['Containers', containers],
    ['Drift', driftText(s.drift)],
    ['Duplicates', ids(s.duplicates)],
  ]);
}

async function rm(ctx: CommandContext): Promise<number> {
  noMoreArgs(ctx);
  await using client = await connectCli(ctx);
  const r = await client.removeNetwork({ force: ctx.flags['force'] === true });
  return print(ctx, r, [
    ['Removed', `${r.name} (${ids(r.removed)})`],
    ['Disconnected', r.disconnected.length === 0 ? 'none' : r.disconnected.join(', ')],
  ]);
}

export const networkCommand: Command = {
  name: 'network',
  summary: 'Ensure, inspect or remove the aicli network (named by network_name).',
  usage:
    'aicli-docker network ensure [--recreate] [--label KEY=VALUE]... [--json]\n' +
    '       aicli-docker network inspect [--json]\n' +
    '       aicli-docker network rm [--force] [--json]',
  flags: [
    { name: 'recreate', type: 'boolean', description: 'ensure: replace the network if it drifted from the configuration (refused while containers are attached)' },
    { name: 'label', type: 'string', multiple: true, valueName: 'KEY=VALUE', description: 'ensure: an extra label for a network it creates (repeatable)' },
    { name: 'force', type: 'boolean', description: 'rm: disconnect attached containers first' },
  ],
  async run(ctx) {
    const sub = ctx.args[0];
    onlyFor(ctx, 'recreate', 'ensure');
    onlyFor(ctx, 'force', 'rm');
    if (Array.isArray(ctx.flags['label']) && ctx.args[0] !== 'ensure') throw new UsageError('--label is for `network ensure` only. See --help.');
    switch (sub) {
      case 'ensure':
        return ensure(ctx);
      case 'inspect':
        return inspect(ctx);
      case 'rm':
        return rm(ctx);
      case undefined:
        throw new UsageError('network: missing subcommand; expected ensure, inspect or rm. See --help.');
      default: {
        const near = closest(sub, [...SUBCOMMANDS, 'remove', 'create']);
        const suggestion = near === 'remove' ? 'rm' : near === 'create' ? 'ensure' : near;
        throw new UsageError(`network: unknown subcommand "${sub}"${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`} Expected ensure, inspect or rm.`);
      }
    }
  },
};

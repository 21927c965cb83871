/**
 * `workspace egress NAME [--allow LIST] [--tail N] [--json]`: a workspace's allowlist,
 * whether its gateway runs, and its recent decisions; `--allow` gives it a new allowlist
 * by re-creating only the gateway. Exported as a subcommand map that the `workspace`
 * command takes in.
 */
import { checkEgressInput, egressStatus, InvalidConfigError, setEgressAllow, type Decision, type EgressStatus } from '../../index.js';
import { UsageError, type CommandContext, type FlagSpec } from '../command.js';
import { connectCli } from '../connect.js';

/** One `workspace` subcommand; `ctx.args` holds what follows its word. */
export interface WorkspaceSubcommand {
  readonly summary: string;
  readonly usage: string;
  readonly flags: readonly FlagSpec[];
  run(ctx: CommandContext): Promise<number>;
}

/** `--allow` as the configuration reads `egress_allow` from text: `a,b` or a JSON list; `""` allows nothing. */
export function parseAllowFlag(value: string): string[] {
  const trimmed = value.trim();
  let items: unknown;
  if (trimmed.startsWith('[')) {
    try {
      items = JSON.parse(trimmed);
    } catch {
      items = undefined;
    }
    if (!Array.isArray(items) || !items.every((i) => typeof i === 'string')) {
      throw new InvalidConfigError([{ source: '--allow', key: 'egress_allow', message: `${JSON.stringify(value)} is not a JSON list of host names; expected e.g. a.example.com,b.example.com` }]);
    }
    return checkEgressInput(items, [443], '--allow').allow;
  }
  return checkEgressInput(trimmed.split(',').map((s) => s.trim()).filter((s) => s !== ''), [443], '--allow').allow;
}

function describeDecision(d: Decision): string {
  const what = `${d.method} ${d.host}${d.port === 0 ? '' : `:${d.port}`}`;
  const why =
    d.decision === 'allow'
      ? `-> ${d.address ?? '?'}`
      : d.reason === 'address'
        ? `resolves to ${d.address ?? '?'} (${d.range ?? '?'})`
        : d.reason === 'not-allowed'
          ? 'not on the allowlist'
          : d.reason === 'port'
            ? 'port not allowed'
            : d.reason === 'ip-literal'
              ? 'IP address (names only)'
              : `${d.reason ?? ''}${d.detail === undefined ? '' : ` (${d.detail})`}`;
  return `  ${d.time.replace(/\.\d+Z$/, 'Z')}  ${d.decision.padEnd(5)}  ${what}  ${why}`;
}

function printStatus(ctx: CommandContext, s: EgressStatus, note?: string): void {
  if (ctx.global.json) {
    ctx.stdout(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  const rows: [string, string][] = [
    ['Workspace', s.workspace],
    ['Allowlist', `${s.allow.length === 0 ? '(nothing)' : s.allow.join(', ')}  (ports ${s.ports.join(', ')})`],
    ['Gateway', `${s.gateway.name}: ${s.gateway.state}${s.gateway.running ? '' : '  (no gateway, no egress)'}`],
    ['Network', s.network],
  ];
  const lines = rows.map(([k, v]) => `${k.padEnd(11)}${v}`);
  if (note !== undefined) lines.push('', note);
  else lines.push('', 'Recent decisions (oldest first):', ...(s.decisions.length === 0 ? ['  (none yet)'] : s.decisions.map(describeDecision)));
  ctx.stdout(`${lines.join('\n')}\n`);
}

const egress: WorkspaceSubcommand = {
  summary: "Show a workspace's egress allowlist and recent decisions, or change the allowlist",
  usage: 'aicli-docker workspace egress NAME [--allow LIST] [--tail N] [--json]',
  flags: [
    { name: 'allow', type: 'string', valueName: 'LIST', description: 'workspace egress: new allowlist, comma-separated (re-creates only the gateway)' },
    { name: 'tail', type: 'string', valueName: 'N', description: 'workspace egress: how many recent decisions to show (default 20)' },
  ],
  async run(ctx) {
    const [name, ...extra] = ctx.args;
    if (name === undefined) throw new UsageError('workspace egress: missing the workspace name. Usage: aicli-docker workspace egress NAME [--allow LIST] [--json]');
    if (extra.length > 0) throw new UsageError(`workspace egress: unexpected argument "${extra[0] ?? ''}". See --help.`);
    const allowFlag = ctx.flags['allow'];
    const tailFlag = ctx.flags['tail'];
    const tail = typeof tailFlag === 'string' ? Number(tailFlag) : 20;
    if (!Number.isSafeInteger(tail) || tail < 0) throw new UsageError(`workspace egress: --tail "${String(tailFlag)}" is not a number of decisions; expected e.g. 50`);
    // Checked before connecting: bad input changes nothing.
    const allow = typeof allowFlag === 'string' ? parseAllowFlag(allowFlag) : undefined;
    await using client = await connectCli(ctx);
    if (allow !== undefined) {
      const s = await setEgressAllow(client.api, { workspaceName: name, allow, logger: ctx.logger });
      printStatus(ctx, s, `Gateway re-created with the new allowlist; the workspace was not touched.`);
      return 0;
    }
    printStatus(ctx, await egressStatus(client.api, { workspaceName: name, decisions: tail }));
    return 0;
  },
};

export const egressSubcommands: Readonly<Record<string, WorkspaceSubcommand>> = { egress };

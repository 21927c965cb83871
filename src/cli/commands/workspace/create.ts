import { InvalidArgumentError, parseMount, type CreateWorkspaceOptions, type WorkspaceSpecPatch } from '../../../index.js';
import type { CommandContext } from '../../command.js';
import { homeOf } from '../../connect.js';
import { progressPrinter } from '../../progress.js';
import { egressText, infoLines, nameArg, objectText, openWorkspaces, printJson, stateText } from './common.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `KEY=VALUE` pairs of a repeatable flag. */
function pairs(values: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(flag, `${JSON.stringify(v)} is not KEY=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** `--env KEY=VALUE`, or `--env KEY` to pass this environment's value (left out when unset, as docker does). */
function envOf(values: readonly string[], env: CommandContext['env']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq === 0) throw new InvalidArgumentError('--env', 'a variable needs a name before "="');
    if (eq > 0) out[v.slice(0, eq)] = v.slice(eq + 1);
    else if (env[v] !== undefined) out[v] = env[v];
  }
  return out;
}

const NAMESPACE_FLAGS = [
  ['pid', 'PidMode'],
  ['ipc', 'IpcMode'],
  ['uts', 'UTSMode'],
  ['userns', 'UsernsMode'],
] as const;

export async function createWorkspace(ctx: CommandContext): Promise<number> {
  const name = nameArg(ctx, 'create');
  const f = ctx.flags;
  const capAdd = list(f['cap-add']);
  const allow = list(f['allow-unsafe']);
  // Flags that set configuration keys go through the configuration, so messages name them.
  const overrides = {
    values: {
      network_name: text(f['network']),
      cap_add: capAdd.length > 0 ? capAdd.join(',') : undefined,
      allow_unsafe: allow.length > 0 ? allow.join(',') : undefined,
      egress_allow: text(f['egress-allow']),
      egress_image: text(f['egress-image']),
    },
    names: { network_name: '--network', cap_add: '--cap-add', allow_unsafe: '--allow-unsafe', egress_allow: '--egress-allow', egress_image: '--egress-image' },
  };
  const patches: WorkspaceSpecPatch[] = [];
  for (const [flag, field] of NAMESPACE_FLAGS) {
    const mode = text(f[flag]);
    if (mode === undefined) continue;
    if (mode.trim() === '') throw new InvalidArgumentError(`--${flag}`, 'is empty; expected a mode such as "private"');
    patches.push({ source: `--${flag}`, setting: flag, HostConfig: { [field]: mode } });
  }
  // A pull shows its progress as `image pull` does, on stderr: stdout stays the result.
  const progress = progressPrinter(ctx.global.json ? 'json' : ctx.streams?.stderr.isTTY === true ? 'tty' : 'plain', ctx.stderr);
  let pulling: string | undefined;
  const options: CreateWorkspaceOptions = {
    name,
    image: text(f['image']),
    pull: {
      policy: text(f['pull']) as 'missing' | 'never' | undefined,
      credentials: { env: ctx.env, homeDir: homeOf(ctx) },
      onPull: (image) => {
        pulling = image;
        if (!ctx.global.json) ctx.stderr(`Image ${image} is not on the engine: pulling it\n`);
      },
      onProgress: progress.onProgress,
      onMessage: progress.onMessage,
    },
    project: text(f['project']),
    mounts: list(f['mount']).map((m) => parseMount(m, '--mount')),
    env: envOf(list(f['env']), ctx.env),
    labels: pairs(list(f['label']), '--label'),
    ephemeral: f['ephemeral'] === true,
    start: f['start'] === true,
    patches,
    constraints: list(f['constraint']),
    cwd: ctx.cwd,
    optionNames: { name: 'workspace NAME', image: '--image', project: '--project', mounts: '--mount', env: '--env', labels: '--label', constraints: '--constraint', pull: '--pull' },
  };
  await using session = await openWorkspaces(ctx, overrides);
  const { info, created } = await session.workspaces.create(options);
  if (pulling !== undefined) {
    progress.done();
    if (!ctx.global.json) ctx.stderr(`Pulled ${pulling}\n`);
  }
  if (ctx.global.json) {
    printJson(ctx, { ...info, existed: !created });
    return 0;
  }
  ctx.stdout(`${created ? 'Created' : 'Found existing'} workspace ${info.name}: ${objectText(info)}, ${stateText(info)}.\n`);
  if (info.egress !== undefined) ctx.stdout(`Egress: only ${egressText(info, true)}.\n`);
  if (ctx.global.logLevel === 'debug') ctx.stdout(infoLines(info));
  return 0;
}

import { parseArgs } from 'node:util';
import { closest } from '../suggest.js';
import { UsageError, type FlagSpec, type GlobalFlags } from './command.js';

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'host', type: 'string', valueName: 'URL', description: 'Engine address: unix:///PATH, tcp://HOST:PORT, https://HOST:PORT or ssh://[USER@]HOST[:PORT]; beats DOCKER_HOST' },
  { name: 'context', type: 'string', valueName: 'NAME', description: 'Docker context to use; beats DOCKER_CONTEXT' },
  { name: 'config', type: 'string', valueName: 'FILE', description: 'Configuration file (YAML or JSON)' },
  { name: 'timeout', type: 'string', valueName: 'DURATION', description: 'Time-out of each engine call, connecting and the first ping too, e.g. 2s, 500ms (default 30s; 5s to connect and for the first ping)' },
  { name: 'log-level', type: 'string', valueName: 'LEVEL', description: 'debug, info, warn, error or silent (default warn)' },
  { name: 'json', type: 'boolean', description: 'Machine-readable output' },
  { name: 'help', type: 'boolean', description: 'Show help' },
  { name: 'version', type: 'boolean', description: 'Show the aicli-docker version' },
];

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

function toOptions(specs: readonly FlagSpec[]): Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> {
  return Object.fromEntries(specs.map((s) => [s.name, { type: s.type, ...(s.multiple === true ? { multiple: true } : {}), ...(s.short === undefined ? {} : { short: s.short }) }]));
}

/** First pass: find the command words without knowing the command's own flags yet. */
export function commandWords(argv: readonly string[]): string[] {
  const { tokens } = parseArgs({ args: [...argv], options: toOptions(GLOBAL_FLAGS), strict: false, allowPositionals: true, tokens: true });
  return tokens.filter((t) => t.kind === 'positional').map((t) => t.value);
}

function unknownFlag(flag: string, specs: readonly FlagSpec[]): string {
  const name = flag.replace(/^-+/, '').split('=')[0] ?? '';
  const near = closest(name, specs.map((s) => s.name)) ?? specs.map((s) => s.name).find((n) => n.startsWith(name) && name.length >= 3);
  return `unknown flag ${flag}.${near === undefined ? '' : ` Did you mean --${near}?`}`;
}

/** Second pass: strict, with global and command flags, accepted before or after the command. */
export function parseAll(argv: readonly string[], commandFlags: readonly FlagSpec[]): { positionals: string[]; values: Values; global: GlobalFlags } {
  const specs = [...GLOBAL_FLAGS, ...commandFlags];
  let parsed: { positionals: string[]; values: Values };
  try {
    const r = parseArgs({ args: [...argv], options: toOptions(specs), strict: true, allowPositionals: true });
    parsed = { positionals: r.positionals, values: r.values };
  } catch (err) {
    const message = (err as Error).message;
    const flag = /^Unknown option '(-[^']+)'/.exec(message)?.[1];
    throw new UsageError(`${flag === undefined ? message : unknownFlag(flag, specs)} See --help.`);
  }
  const v = parsed.values;
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  return {
    positionals: parsed.positionals,
    values: v,
    global: { host: str('host'), context: str('context'), config: str('config'), timeout: str('timeout'), logLevel: str('log-level'), json: v['json'] === true },
  };
}

export function formatFlags(specs: readonly FlagSpec[]): string {
  return specs
    .map((s) => `  ${s.short === undefined ? '' : `-${s.short}, `}--${s.name}${s.type === 'string' ? ` ${s.valueName ?? 'VALUE'}` : ''}`.padEnd(30) + s.description)
    .join('\n');
}

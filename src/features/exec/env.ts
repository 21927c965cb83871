import { InvalidArgumentError } from '../../errors.js';

/** Environment for a command: a map, or `KEY=value` entries as `docker exec -e` takes them. */
export type ExecEnv = Readonly<Record<string, string>> | readonly string[];

const KEY = /^[^=\0]+$/;

/**
 * `KEY=value` entries for the Engine API. Errors name the key or the entry's position,
 * never a value: values are often tokens.
 */
export function toEnvList(env: ExecEnv | undefined): string[] {
  if (env === undefined) return [];
  const out: string[] = [];
  if (Array.isArray(env)) {
    (env as readonly string[]).forEach((entry, i) => {
      const eq = entry.indexOf('=');
      const key = eq < 0 ? entry : entry.slice(0, eq);
      if (eq <= 0 || !KEY.test(key)) throw new InvalidArgumentError('env', `entry ${i + 1} ${eq <= 0 ? 'has no KEY= part' : `has a bad key ${JSON.stringify(key)}`}; expected KEY=value`);
      if (entry.includes('\0')) throw new InvalidArgumentError('env', `the value of ${key} holds a NUL byte`);
      out.push(entry);
    });
    return out;
  }
  for (const [key, value] of Object.entries(env as Readonly<Record<string, string>>)) {
    if (!KEY.test(key)) throw new InvalidArgumentError('env', `bad key ${JSON.stringify(key)}: a key is not empty and holds no "=" or NUL`);
    if (typeof value !== 'string' || value.includes('\0')) throw new InvalidArgumentError('env', `the value of ${key} must be a string without NUL bytes`);
    out.push(`${key}=${value}`);
  }
  return out;
}

/** The keys only, for logs. */
export function envKeys(list: readonly string[]): string[] {
  return list.map((e) => e.slice(0, e.indexOf('=')));
}

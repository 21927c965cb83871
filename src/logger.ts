/**
 * The library logs through an injected logger with pino's call shape
 * (`logger.debug({ fields }, 'message')`) and is silent by default; the CLI decides
 * what reaches the terminal. Nothing secret is ever passed to it.
 */
export type LogFields = Record<string, unknown>;
export type LogFn = (fields: LogFields, message: string) => void;

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop: LogFn = () => undefined;

export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A logger that writes one line per record to `write` (stderr in the CLI):
 * JSON lines when `json` is set, else `level message key=value`.
 */
export function createStreamLogger(options: {
  level: LogLevel;
  json: boolean;
  write: (line: string) => void;
  now?: () => Date;
}): Logger {
  const rank = LOG_LEVELS.indexOf(options.level);
  const now = options.now ?? (() => new Date());
  const make =
    (level: Exclude<LogLevel, 'silent'>): LogFn =>
    (fields, message) => {
      if (LOG_LEVELS.indexOf(level) < rank) return;
      if (options.json) {
        options.write(JSON.stringify({ level, time: now().toISOString(), msg: message, ...fields }) + '\n');
        return;
      }
      const kv = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      options.write(`${level.padEnd(5)} ${message}${kv === '' ? '' : ` ${kv}`}\n`);
    };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}

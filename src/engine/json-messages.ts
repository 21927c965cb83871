// The engine's JSON message streams (pull, push, load, import, build): one JSON object per
// line, sent with HTTP 200 before the work is done, so a failure arrives as a message
// (`{"error": ..., "errorDetail": {"message": ...}}`) inside the 200 answer.
import type { Readable } from 'node:stream';

export interface JsonMessage {
  readonly id?: string;
  readonly status?: string;
  readonly progress?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  /** `docker load`'s words ("Loaded image: x:y\n"). */
  readonly stream?: string;
  readonly error?: string;
  readonly errorDetail?: { readonly message?: string; readonly code?: number };
  readonly aux?: Readonly<Record<string, unknown>>;
}

/** The error a message carries, in the engine's words, or undefined. */
export function messageError(m: JsonMessage): string | undefined {
  const detail = m.errorDetail?.message;
  if (typeof detail === 'string' && detail !== '') return detail;
  return typeof m.error === 'string' && m.error !== '' ? m.error : undefined;
}

/** Each message of a JSON-lines body, in order; blank lines skipped. A line that does not parse throws. */
export async function* jsonMessages(body: Readable): AsyncGenerator<JsonMessage> {
  let rest = '';
  for await (const chunk of body) {
    rest += (chunk as Buffer).toString('utf8');
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line !== '') yield JSON.parse(line) as JsonMessage;
      nl = rest.indexOf('\n');
    }
  }
  const last = rest.trim();
  if (last !== '') yield JSON.parse(last) as JsonMessage;
}

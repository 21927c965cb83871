/** An error's code and message, as JSON output carries them. */
export function errorJson(e: Error): { code: string; message: string } {
  const code = (e as { code?: unknown }).code;
  return { code: typeof code === 'string' ? code : e.name, message: e.message };
}

/**
 * The first sentence of an error message (what happened, without the advice), for lines
 * that repeat every few seconds; the full message is printed once, when things change.
 */
export function firstSentence(message: string): string {
  const m = /^(.+?[^.\s])\.(\s+[A-Z(`]|$)/s.exec(message);
  return m?.[1] ?? message;
}

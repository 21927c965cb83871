// tar-stream, loaded when a copy runs: commands that never copy (status, exec) do not pay
// for its start-up (the CLI bundle puts it in a chunk of its own).
import type * as TarStream from 'tar-stream';

export type { Header, Pack } from 'tar-stream';
/** A header as tar-stream takes it: only the name is required. */
export type HeaderArg = Partial<TarStream.Header> & Pick<TarStream.Header, 'name'>;

let loaded: Promise<typeof TarStream> | undefined;

export function tarStream(): Promise<typeof TarStream> {
  // tar-stream is CommonJS: Node gives its exports by name, a bundle (the CLI's) as `default`.
  loaded ??= import('tar-stream').then((m: unknown) => {
    const named = m as Partial<typeof TarStream> & { default?: typeof TarStream };
    return typeof named.pack === 'function' ? named : (named.default ?? named);
  });
  return loaded;
}

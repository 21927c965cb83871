// Pull (and push, load) progress, per layer, from the engine's JSON messages: what the CLI
// draws as bars on a terminal, prints as lines elsewhere, or passes on as JSON lines.
import type { JsonMessage } from '../../engine/json-messages.js';

export interface LayerProgress {
  readonly id: string;
  /** The engine's words: "Pulling fs layer", "Downloading", "Extracting", "Pull complete", "Already exists"… */
  readonly status: string;
  /** Bytes done and in all, when the engine says (downloading, extracting). */
  readonly current: number | undefined;
  readonly total: number | undefined;
}

/** One progress event: a layer changed, or a message about the whole image. */
export type ProgressEvent =
  | { readonly kind: 'layer'; readonly layer: LayerProgress; /** True when the status word changed (not only the bytes). */ readonly changed: boolean }
  | { readonly kind: 'status'; readonly status: string };

/** Layer ids are 12 hex digits; other `id`s (a tag name) belong to image-wide messages. */
const LAYER_ID = /^[0-9a-f]{12}$/;

/** Folds messages into per-layer state, in the order the layers first appeared. */
export class PullProgress {
  readonly #layers = new Map<string, LayerProgress>();

  get layers(): readonly LayerProgress[] {
    return [...this.#layers.values()];
  }

  /** Applies one message; returns what changed, or undefined for a message with nothing to show. */
  apply(m: JsonMessage): ProgressEvent | undefined {
    // `stream` text (load's "Loaded image: …") is the result, not progress: callers report it.
    const status = (m.status ?? '').trim();
    if (status === '') return undefined;
    if (m.id === undefined || !LAYER_ID.test(m.id)) return { kind: 'status', status: m.id === undefined || m.id === '' ? status : `${m.id}: ${status}` };
    const before = this.#layers.get(m.id);
    const d = m.progressDetail;
    const layer: LayerProgress = {
      id: m.id,
      status,
      current: typeof d?.current === 'number' ? d.current : undefined,
      total: typeof d?.total === 'number' && d.total > 0 ? d.total : undefined,
    };
    this.#layers.set(m.id, layer);
    return { kind: 'layer', layer, changed: before?.status !== status };
  }
}

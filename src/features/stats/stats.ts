// A container's resource use as `docker stats` shows it: one sample, or one a second.
import { InvalidArgumentError } from '../../errors.js';
import type { CallOptions, EngineApi } from '../../engine/engine-api.js';
import { containerInspect, containerStats } from '../../engine/container-api.js';
import { jsonMessages } from '../../engine/json-messages.js';
import { toStatsSample, type RawStats, type StatsSample } from '../../engine/stats-decode.js';

export type { StatsSample };

async function oneAnswer(api: EngineApi, container: string, call: CallOptions): Promise<RawStats> {
  const res = await containerStats(api, container, { stream: false }, call);
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as RawStats;
}

/**
 * One sample, CPU % included. Docker's one-shot answer carries the previous CPU sample (it
 * waits a second for it); an engine that sends none (Podman) is asked again a second later.
 */
export async function stats(api: EngineApi, container: string, options: CallOptions = {}): Promise<StatsSample> {
  if (container === '') throw new InvalidArgumentError('container', 'an id or name is required');
  const first = await oneAnswer(api, container, options);
  const sample = toStatsSample(first);
  if (sample.cpuPercent !== undefined) return withPidsLimit(api, container, sample, options);
  await new Promise((r) => setTimeout(r, 1000));
  return withPidsLimit(api, container, toStatsSample(await oneAnswer(api, container, options), first), options);
}

/** The container's configured PIDs limit (HostConfig.PidsLimit), or undefined when it has none. */
async function configuredPidsLimit(api: EngineApi, container: string, options: CallOptions): Promise<number | undefined> {
  const host = (await containerInspect(api, container, options)).raw['HostConfig'] as { PidsLimit?: unknown } | undefined;
  const limit = host?.PidsLimit;
  return typeof limit === 'number' && limit > 0 ? limit : undefined;
}

/** Podman's stats carry no PIDs limit: it is read from the container instead (one inspect). */
async function withPidsLimit(api: EngineApi, container: string, sample: StatsSample, options: CallOptions): Promise<StatsSample> {
  if (sample.pidsLimit !== undefined) return sample;
  const pidsLimit = await configuredPidsLimit(api, container, options);
  return pidsLimit === undefined ? sample : { ...sample, pidsLimit };
}

/** A sample a second until the container stops or the signal aborts (break out of the loop to stop early). */
export async function* statsStream(api: EngineApi, container: string, options: { readonly signal?: AbortSignal } = {}): AsyncGenerator<StatsSample> {
  if (container === '') throw new InvalidArgumentError('container', 'an id or name is required');
  const res = await containerStats(api, container, { stream: true }, { signal: options.signal });
  let previous: RawStats | undefined;
  // Read once, the first time a sample lacks it (Podman's never carry it).
  let pidsLimit: Promise<number | undefined> | undefined;
  try {
    for await (const m of jsonMessages(res.body)) {
      const raw = m as unknown as RawStats;
      const sample = toStatsSample(raw, previous);
      previous = raw;
      if (sample.pidsLimit !== undefined) {
        yield sample;
        continue;
      }
      pidsLimit ??= configuredPidsLimit(api, container, { signal: options.signal }).catch(() => undefined);
      const limit = await pidsLimit;
      yield limit === undefined ? sample : { ...sample, pidsLimit: limit };
    }
  } catch (err) {
    if (options.signal?.aborted !== true) throw err;
  } finally {
    res.body.destroy();
  }
}

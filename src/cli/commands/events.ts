import { engineProfile, EVENT_DEFAULTS, watchEvents, type EngineEvent, type EventStreamItem } from '../../index.js';
import { UsageError, type Command, type CommandContext } from '../command.js';
import { loadCliConfig } from '../connect.js';
import { onInterrupt } from '../interrupt.js';
import { errorJson, firstSentence } from '../short-error.js';
import { nanoIso, timeFlag } from '../time-flags.js';
import { connectWhenUp } from '../wait-connect.js';

function eventJson(e: EngineEvent): Record<string, unknown> {
  return {
    kind: 'event',
    time: nanoIso(e.timeNano),
    timeNano: e.timeNano,
    type: e.type,
    action: e.action,
    ...(e.actionDetail === undefined ? {} : { actionDetail: e.actionDetail }),
    id: e.id,
    name: e.name ?? null,
    labels: e.labels,
    attributes: e.attributes,
  };
}

/** Docker's own `docker events` line: time, type, action, id, then the name. */
function eventText(e: EngineEvent): string {
  const action = e.actionDetail === undefined ? e.action : `${e.action}: ${e.actionDetail}`;
  return `${nanoIso(e.timeNano)} ${e.type} ${action} ${e.id}${e.name === undefined ? '' : ` (name=${e.name})`}\n`;
}

function print(ctx: CommandContext, item: EventStreamItem | { kind: 'state'; state: 'waiting'; time: Date; attempt: number; delayMs: number; error: Error }, first: boolean): void {
  const json = ctx.global.json;
  if (item.kind === 'event') {
    ctx.stdout(json ? `${JSON.stringify(eventJson(item.event))}\n` : eventText(item.event));
    return;
  }
  if (json) {
    const out =
      item.state === 'connected'
        ? { kind: 'state', state: 'connected', time: item.time.toISOString(), since: item.since?.toISOString() ?? null, reconnects: item.reconnects }
        : { kind: 'state', state: 'waiting', time: item.time.toISOString(), attempt: item.attempt, delayMs: item.delayMs, error: errorJson(item.error) };
    ctx.stdout(`${JSON.stringify(out)}\n`);
    return;
  }
  // Text: the stream's state goes to stderr, so stdout stays one event per line.
  if (item.state === 'waiting') ctx.stderr(`events: engine away (${item.attempt === 1 ? item.error.message : firstSentence(item.error.message)}); trying again in ${(item.delayMs / 1000).toFixed(1)}s (attempt ${item.attempt})\n`);
  else if (!first) ctx.stderr(`events: reconnected; resumed from ${item.since?.toISOString() ?? 'now'}\n`);
}

async function run(ctx: CommandContext): Promise<number> {
  if (ctx.args.length > 0) throw new UsageError(`events: unexpected argument "${ctx.args[0] ?? ''}". See --help.`);
  const now = new Date();
  const since = timeFlag(ctx, 'since', now);
  const until = timeFlag(ctx, 'until', now);
  if (since !== undefined && until !== undefined && until < since) throw new UsageError('--until is before --since; nothing could be shown.');
  const all = ctx.flags['all'] === true;
  const loaded = await loadCliConfig(ctx);
  using interrupt = onInterrupt();
  const signal = interrupt.signal;
  let attempt = 0;
  const asked = new Date();
  const client = await connectWhenUp(ctx, loaded, { signal, everyMs: EVENT_DEFAULTS.reconnect.maxDelayMs, pingTimeoutMs: Math.min(loaded.config.timeoutMs, 5_000) }, (error) => {
    attempt++;
    print(ctx, { kind: 'state', state: 'waiting', time: new Date(), attempt, delayMs: EVENT_DEFAULTS.reconnect.maxDelayMs, error }, false);
  });
  if (client === undefined) return 0;
  try {
    // Waiting for the engine at start loses nothing: the stream then starts from when it was asked.
    const from = since ?? (attempt > 0 ? asked : undefined);
    await using watcher = watchEvents(client, {
      scope: all ? 'all' : 'managed',
      ...(from === undefined ? {} : { since: from }),
      ...(until === undefined ? {} : { until }),
      signal,
      logger: ctx.logger,
    });
    if (!ctx.global.json) {
      ctx.stderr(`events: following ${all ? 'every event' : "aicli's containers and networks"} on ${client.endpoint.url}; Ctrl-C to stop\n`);
      // Podman 4 sends none of a network's events (issue 14): said once, not left to silence.
      const engine = await engineProfile(client.api, { signal });
      if (engine.kind === 'podman') ctx.stderr(`events: ${engine.label} sends no network events; container events only\n`);
    }
    let first = true;
    for await (const item of watcher) {
      print(ctx, item, first);
      if (item.kind === 'state' && item.state === 'connected') first = false;
    }
  } finally {
    await client.close();
  }
  return 0;
}

export const eventsCommand: Command = {
  name: 'events',
  summary: "Follow the engine's events (aicli's containers and networks; --all for every event) until interrupted; survives engine restarts without loss.",
  usage: 'aicli-docker events [--since 10m] [--until TIME] [--all] [--json]',
  flags: [
    { name: 'since', type: 'string', valueName: 'TIME', description: 'Start from a time: 10m (ago), a Unix timestamp, or an RFC 3339 date' },
    { name: 'until', type: 'string', valueName: 'TIME', description: 'Stop at a time (same forms); without it, follow until interrupted' },
    { name: 'all', type: 'boolean', description: 'Every event of the engine, not only aicli-managed objects' },
  ],
  run,
};

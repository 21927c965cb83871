import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerClient, watchEvents, type EventStreamItem } from '../../src/index.js';
import { engineSkip, ensureBusyboxImage } from '../support/engines.js';
import { createContainer, events, isEvent, MANAGED, pullUntil, suffix } from '../support/events.js';
import { privateEngine } from '../support/private-engine.js';

const skip = engineSkip();

describe('events across an engine restart (private engine)', { skip }, () => {
  it('containers made before the restart, right after it (before the stream reconnects) and later are each delivered once, in order', async () => {
    await using engine = await privateEngine('26');
    await ensureBusyboxImage(engine.host);
    const id = suffix();
    const [a, b, c] = ['a', 'b', 'c'].map((x) => `aicli-test-rs-${x}-${id}`) as [string, string, string];
    await using client = await DockerClient.connect({ host: engine.host, env: {}, ensureNetwork: false });
    await using watcher = watchEvents(client);
    const items = watcher[Symbol.asyncIterator]();
    const seen: EventStreamItem[] = [];
    await pullUntil(items, seen, (x) => x.kind === 'state');
    await createContainer(engine.host, a, MANAGED);
    await pullUntil(items, seen, isEvent('create', a));
    await engine.stop();
    // The drop is visible at once: a `waiting` item, not silence.
    await pullUntil(items, seen, (x) => x.kind === 'state' && x.state === 'waiting');
    // The watcher is pull-based: nothing reconnects until the next pull, so b is made
    // while the engine is back and the stream is not.
    await engine.start();
    await createContainer(engine.host, b, MANAGED);
    const bMadeAt = Date.now();
    const back = await pullUntil(items, seen, (x) => x.kind === 'state' && x.state === 'connected' && x.reconnects > 0, 60_000);
    assert.ok(back.kind === 'state' && back.state === 'connected' && back.time.getTime() >= bMadeAt, 'reconnected after b was made');
    await pullUntil(items, seen, isEvent('create', b));
    await createContainer(engine.host, c, MANAGED);
    await pullUntil(items, seen, isEvent('create', c));
    const creates = events(seen).filter((e) => e.action === 'create').map((e) => e.name);
    assert.deepEqual(creates, [a, b, c]);
  });
});

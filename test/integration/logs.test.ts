// Container logs on real engines: stdout and stderr as separate lines with times, tail and
// since, a long line joined again, and follow across a restart of the container, ending
// when it stops for good.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DockerClient, logs, type LogLine } from '../../src/index.js';
import { rawRequest } from '../support/engines.js';
import { insideEngines, testContainer } from '../support/inside.js';

const TICKS = 'echo start; i=0; while true; do echo tick$i; echo warn$i >&2; i=$((i+1)); sleep 0.2; done';

for (const engine of insideEngines()) {
  describe(`logs on ${engine.name}`, () => {
    let client: DockerClient;
    before(async () => {
      client = await DockerClient.connect({ host: engine.host, env: {}, ensureNetwork: false });
    });
    after(async () => {
      await client.close();
    });

    it('gives stdout and stderr as separate lines with times; tail, since, and a 40,000-character line in one piece', async () => {
      await using c = await testContainer(engine, { cmd: ['sh', '-c', 'echo one; echo two >&2; head -c 40000 /dev/zero | tr "\\0" x; echo; sleep 0.3; echo three'] });
      await rawRequest(engine.host, 'POST', `/containers/${c.id}/wait`);
      const all: LogLine[] = [];
      for await (const l of logs(client.api, c.id)) all.push(l);
      // The engine keeps each stream's order; between the two there is none to keep.
      const of = (stream: string): string[] => all.filter((l) => l.stream === stream).map((l) => (l.line.length > 100 ? `x${l.line.length}` : l.line));
      assert.deepEqual(of('stdout'), ['one', 'x40000', 'three']);
      assert.deepEqual(of('stderr'), ['two']);
      assert.ok(all.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(l.time)), all.map((l) => l.time).join(' '));
      assert.ok(all.some((l) => l.line.length === 40000 && /^x+$/.test(l.line)));
      const last: string[] = [];
      for await (const l of logs(client.api, c.id, { tail: 1 })) last.push(l.line);
      assert.deepEqual(last, ['three']);
      const future: string[] = [];
      for await (const l of logs(client.api, c.id, { since: Date.now() / 1000 + 3600 })) future.push(l.line);
      assert.deepEqual(future, []);
    });

    it('follows across a restart of the container, and ends when it stops for good', async () => {
      await using c = await testContainer(engine, { cmd: ['sh', '-c', TICKS] });
      const seen: LogLine[] = [];
      let restarted = false;
      let stopped = false;
      const started = Date.now();
      for await (const l of logs(client.api, c.id, { follow: true, restartGraceMs: 3000 })) {
        seen.push(l);
        const starts = seen.filter((x) => x.line === 'start').length;
        if (!restarted && l.line === 'tick3') {
          restarted = true;
          const r = await rawRequest(engine.host, 'POST', `/containers/${c.id}/restart?t=0`);
          assert.equal(r.status, 204);
        }
        if (!stopped && starts === 2 && l.line === 'tick3') {
          stopped = true;
          const r = await rawRequest(engine.host, 'POST', `/containers/${c.id}/stop?t=0`);
          assert.equal(r.status, 204);
        }
        assert.ok(Date.now() - started < 60_000, 'the follow did not end');
      }
      // Each stream, cut where a run begins (its first line), is two runs that each count up
      // from 0 with no line lost and none given twice. Podman stamps logs to the second, so a
      // restarted run's first lines share a time, and a text, with the run before: only the
      // order can show a repeat or a loss.
      const runs = (stream: LogLine['stream'], first: string, prefix: string): string[] => {
        const lines = seen.filter((l) => l.stream === stream).map((l) => l.line);
        const cuts = lines.flatMap((l, i) => (l === first ? [i] : []));
        assert.equal(cuts.length, 2, `${stream}: ${lines.join(' ')}`);
        return cuts.map((at, k) => {
          const run = lines.slice(at, cuts[k + 1]);
          const counted = first === 'start' ? run.slice(1) : run;
          assert.deepEqual(counted, counted.map((_, i) => `${prefix}${i}`), `${stream}, run ${k + 1}: ${run.join(' ')}`);
          return run.join(' ');
        });
      };
      const [one, two] = runs('stdout', 'start', 'tick');
      assert.match(one ?? '', /^start tick0 tick1 tick2 tick3/);
      assert.match(two ?? '', /^start tick0 tick1 tick2 tick3/);
      runs('stderr', 'warn0', 'warn');
    });

    it('a follow ends when the caller aborts', async () => {
      await using c = await testContainer(engine, { cmd: ['sh', '-c', TICKS] });
      const ac = new AbortController();
      let n = 0;
      for await (const l of logs(client.api, c.id, { follow: true, signal: ac.signal })) {
        if (l.line === 'tick2') ac.abort();
        n++;
      }
      assert.ok(n >= 3);
    });
  });
}

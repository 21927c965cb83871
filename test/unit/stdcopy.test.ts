// Docker's 8-byte frame headers: any split of the stream into chunks gives the same two
// outputs, payloads are views (no copy), a bad header is an error, stream 3 is kept apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { demuxBuffer, StdcopyDemuxer } from '../../src/engine/stdcopy.js';

function frame(stream: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

describe('stdcopy demultiplexer', () => {
  it('any chunking of any frames gives the same stdout and stderr', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(1, 2), fc.uint8Array({ maxLength: 300 })), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 50 }),
        (frames, cuts) => {
          const wire = Buffer.concat(frames.map(([s, p]) => frame(s, Buffer.from(p))));
          const want = { out: Buffer.concat(frames.filter(([s]) => s === 1).map(([, p]) => Buffer.from(p))), err: Buffer.concat(frames.filter(([s]) => s === 2).map(([, p]) => Buffer.from(p))) };
          const out: Buffer[] = [];
          const err: Buffer[] = [];
          let ends = 0;
          const d = new StdcopyDemuxer((s, p, end) => {
            (s === 2 ? err : out).push(Buffer.from(p));
            if (end) ends++;
            return true;
          });
          let at = 0;
          for (let i = 0; at < wire.length; i++) {
            const n = cuts[i % cuts.length] ?? 1;
            d.push(wire.subarray(at, at + n));
            at += n;
          }
          assert.ok(d.atBoundary);
          assert.deepEqual(Buffer.concat(out), want.out);
          assert.deepEqual(Buffer.concat(err), want.err);
          assert.equal(ends, frames.filter(([, p]) => p.length > 0).length);
        },
      ),
    );
  });

  it('hands on payloads as views of the chunk, without copying', () => {
    const wire = Buffer.concat([frame(1, Buffer.from('hello')), frame(2, Buffer.from('world'))]);
    const seen: Buffer[] = [];
    new StdcopyDemuxer((_s, p) => {
      seen.push(p);
      return true;
    }).push(wire);
    assert.equal(seen[0]?.buffer, wire.buffer);
    assert.equal(seen[1]?.byteOffset, wire.byteOffset + 21);
  });

  it('a header that is not a frame header is an error; a cut-off frame is not at a boundary', () => {
    const d = new StdcopyDemuxer(() => true);
    assert.throws(() => d.push(Buffer.from('HTTP/1.1 500 oops\r\n')), /not a multiplexed stream/);
    const cut = new StdcopyDemuxer(() => true);
    cut.push(frame(1, Buffer.from('abcdef')).subarray(0, 10));
    assert.equal(cut.atBoundary, false);
  });

  it("keeps the engine's own error (stream 3) apart, and reports a full sink", () => {
    let calls = 0;
    const d = new StdcopyDemuxer(() => {
      calls++;
      return false;
    });
    assert.equal(d.push(Buffer.concat([frame(3, Buffer.from('exec failed')), frame(1, Buffer.from('x'))])), false);
    assert.equal(d.systemError, 'exec failed');
    assert.equal(calls, 1);
    assert.deepEqual(demuxBuffer(Buffer.concat([frame(0, Buffer.from('in')), frame(2, Buffer.from('e'))])), { stdout: Buffer.from('in'), stderr: Buffer.from('e') });
  });
});

// The drain's watermark merge (native/live_merger.cc) on synthetic streams:
// whatever the arrival schedule, what it releases is in timestamp order,
// once, and never revised.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../src/native.js';
import { LAYOUT, TL_REC_ENTER, enterBytes, parseRecords, type EnterRecord } from '../src/wire.js';

const native = loadNative();

/** An argument-less enter record, as the BPF side writes it. */
function enter(cpu: number, seq: number, ts: bigint): Buffer {
  const b = Buffer.alloc(enterBytes(0));
  b.writeUInt16LE(b.length, LAYOUT['tl_hdr.size']);
  b.writeUInt8(TL_REC_ENTER, LAYOUT['tl_hdr.type']);
  b.writeUInt32LE(1000 + cpu, LAYOUT['tl_hdr.tid']);
  b.writeUInt32LE(seq, LAYOUT['tl_event.seq']);
  b.writeUInt16LE(cpu, LAYOUT['tl_event.cpu']);
  b.writeBigUInt64LE(ts, LAYOUT['tl_event.ts']);
  return b;
}

const enters = (buf: Buffer): EnterRecord[] =>
  parseRecords(buf).filter((r): r is EnterRecord => r.kind === 'enter');

describe('LiveMerger', () => {
  it('holds back what a slower CPU could still precede, then releases in order', () => {
    const m = new native.LiveMerger(2);
    m.add(0, Buffer.concat([enter(0, 0, 100n), enter(0, 1, 300n)]), 1000n);
    m.add(1, enter(1, 0, 200n), 1000n);
    // Slack 800: cpu 1 is known to have passed max(200, 1000-800) = 200.
    expect(enters(m.release(800n)).map((r) => r.ts)).toEqual([100n, 200n]);
    expect(m.watermark()).toBe(200n);
    // cpu 1 read again later with nothing new: it has passed 2000-800.
    m.add(1, Buffer.alloc(0), 2000n);
    m.add(0, Buffer.alloc(0), 2000n);
    expect(enters(m.release(800n)).map((r) => r.ts)).toEqual([300n]);
  });

  it('flags a record published after newer ones went out, instead of reordering', () => {
    const m = new native.LiveMerger(2);
    m.add(0, enter(0, 0, 500n), 1000n);
    m.add(1, Buffer.alloc(0), 1000n);
    expect(enters(m.release(0n)).map((r) => r.ts)).toEqual([500n]);
    m.add(1, enter(1, 0, 400n), 1100n); // stamped before 500, published after
    m.add(0, Buffer.alloc(0), 1100n);
    const late = enters(m.release(0n));
    expect(late.map((r) => [r.ts, r.late])).toEqual([[400n, true]]);
    const raw = m.flush();
    expect(raw.length).toBe(0);
  });

  it('releases every record once, in order, under any arrival schedule', () => {
    // Per CPU: increasing timestamps; reads at increasing times; a record is
    // read by the first read at or after its time + a delay below the slack.
    const slack = 50n;
    const cpuStream = fc.array(
      fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 49 })),
      {
        maxLength: 60,
      },
    );
    fc.assert(
      fc.property(
        fc.array(cpuStream, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 40 }),
        (streams, readGaps) => {
          const ncpus = streams.length;
          const m = new native.LiveMerger(ncpus);
          // Absolute times and publish times per record.
          const recs = streams.map((s, cpu) => {
            let t = 0n;
            return s.map(([gap, delay], seq) => {
              t += BigInt(gap);
              return { cpu, seq, ts: t, published: t + BigInt(delay) };
            });
          });
          const next = recs.map(() => 0);
          const out: EnterRecord[] = [];
          let now = 0n;
          for (const gap of readGaps) {
            now += BigInt(gap);
            for (let cpu = 0; cpu < ncpus; cpu++) {
              const batch: Buffer[] = [];
              const list = recs[cpu]!;
              while (next[cpu]! < list.length && list[next[cpu]!]!.published <= now) {
                const r = list[next[cpu]!]!;
                batch.push(enter(cpu, r.seq, r.ts));
                next[cpu]!++;
              }
              m.add(cpu, Buffer.concat(batch), now);
            }
            out.push(...enters(m.release(slack)));
          }
          out.push(...enters(m.flush()));
          // Order never revised: released timestamps never go down.
          for (let i = 1; i < out.length; i++) {
            expect(out[i]!.ts).toBeGreaterThanOrEqual(out[i - 1]!.ts);
          }
          // No record is late: delays are within the slack.
          expect(out.filter((r) => r.late)).toEqual([]);
          // Everything that was read went out exactly once.
          const read = recs.flatMap((l, cpu) => l.slice(0, next[cpu]));
          expect(out.map((r) => `${r.cpu}/${r.seq}`).sort()).toEqual(
            read.map((r) => `${r.cpu}/${r.seq}`).sort(),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

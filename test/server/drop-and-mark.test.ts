// Issue #12 item 8: one drop-and-mark piece. The addon's outbox (JS did not take batches fast
// enough) and an HTTP /stream (its client did not read) drop batches through the same
// LossLedger (native/loss_ledger.h). The same dropped batches must come out as the same markers,
// byte for byte, whichever path dropped them: per CPU, records as "consumer behind", markers
// with their own reasons and counts, the end of the cgroup last.
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNative } from '../../src/native.js';
import { BacklogBudget } from '../../src/server/backlog-budget.js';
import { takeFrames } from '../../src/server/encode.js';
import { LiveStream } from '../../src/server/stream.js';
import { ALL_CPUS, PerCpu } from '../../src/server/tally.js';
import {
  TL_LOST_BUSY,
  TL_LOST_CONSUMER,
  TL_LOST_GONE,
  TL_LOST_OVERWRITTEN,
  TL_REC_ENTER,
  TL_REC_EXIT,
  parseRecords,
  type LostRecord,
} from '../../src/wire.js';
import { event, lost, param } from '../helpers/records.js';

const native = loadNative();
const ID = 7n;
const [ENTER, EXIT] = [TL_REC_ENTER, TL_REC_EXIT];

/** The ledger alone: what it owes after `dropped`. */
function viaLedger(dropped: Buffer[]): Buffer {
  const ledger = new native.LossLedger();
  for (const b of dropped) ledger.drop(b);
  return ledger.take();
}

/**
 * The addon's outbox, kept full by one queued batch, handed `dropped` by the drain: the markers
 * come before the cgroup's next batch (the drain's next tick, empty here), or, if none comes,
 * once JS takes what was queued.
 */
function viaOutbox(
  dropped: Buffer[],
  then: 'next batch' | 'take',
): { markers: Buffer; behind: number } {
  const queued = event(ENTER, 9, 1n);
  const outbox = new native.Outbox(queued.length);
  expect(outbox.push(ID, queued)).toBe(true);
  for (const b of dropped) expect(outbox.push(ID, b)).toBe(false);
  if (then === 'next batch') outbox.push(ID, Buffer.alloc(0));
  const [first, ...rest] = outbox.take();
  expect(first).toEqual([ID, queued]);
  expect(rest.every(([id]) => id === ID)).toBe(true);
  expect(rest.length).toBeLessThanOrEqual(1);
  expect(outbox.take()).toEqual([]);
  return { markers: Buffer.concat(rest.map(([, b]) => b)), behind: outbox.dropped(ID) };
}

/** A response that takes everything written at once (its client has caught up). */
class CaughtUpResponse extends EventEmitter {
  readonly writableLength = 0;
  readonly written: Buffer[] = [];
  write(b: Buffer): boolean {
    this.written.push(b);
    return true;
  }
}

/** An HTTP /stream (raw frames) whose budget admits nothing, then whose client catches up. */
function viaStream(dropped: Buffer[]): Buffer {
  const res = new CaughtUpResponse();
  const stream = new LiveStream(
    res as unknown as http.ServerResponse,
    'raw',
    new BacklogBudget(0, 0),
    () => {},
  );
  for (const b of dropped) stream.records(b);
  expect(res.written).toEqual([]);
  stream.settle();
  return Buffer.concat(takeFrames(Buffer.concat(res.written)).frames);
}

type Marker = [cpu: number, reason: number, count: number, tsFrom: bigint, tsTo: bigint];
const markersOf = (b: Buffer): Marker[] =>
  (parseRecords(b) as LostRecord[]).map((m) => [
    m.cpu,
    m.reason,
    Number(m.count),
    m.tsFrom,
    m.tsTo,
  ]);

const TABLE: Array<{ what: string; dropped: Buffer[]; owed: Marker[] }> = [
  {
    what: 'records: one "consumer behind" per CPU, spanning its events, params not counted',
    dropped: [
      Buffer.concat([event(ENTER, 0, 30n), param(), event(EXIT, 0, 31n), event(ENTER, 1, 32n)]),
      event(EXIT, 1, 40n),
    ],
    owed: [
      [0, TL_LOST_CONSUMER, 2, 30n, 31n],
      [1, TL_LOST_CONSUMER, 2, 32n, 40n],
    ],
  },
  {
    what: 'markers keep their CPU, reason and span (a ring overwritten is not a slow consumer)',
    dropped: [
      Buffer.concat([
        lost(TL_LOST_OVERWRITTEN, 1649n, 5n, 20n, 1),
        event(ENTER, 0, 30n),
        lost(TL_LOST_BUSY, 3n, 33n, 33n, 0),
      ]),
    ],
    owed: [
      [1, TL_LOST_OVERWRITTEN, 1649, 5n, 20n],
      [0, TL_LOST_CONSUMER, 1, 30n, 30n],
      [0, TL_LOST_BUSY, 3, 33n, 33n],
    ],
  },
  {
    what: 'the end of the cgroup is said, last',
    dropped: [Buffer.concat([event(EXIT, 1, 40n), lost(TL_LOST_GONE, 0n, 41n, 41n)])],
    owed: [
      [1, TL_LOST_CONSUMER, 1, 40n, 40n],
      [ALL_CPUS, TL_LOST_GONE, 0, 41n, 41n],
    ],
  },
  {
    what: 'a marker about all CPUs stays one',
    dropped: [lost(TL_LOST_CONSUMER, 7n, 5n, 6n), lost(TL_LOST_CONSUMER, 3n, 8n, 9n)],
    owed: [[ALL_CPUS, TL_LOST_CONSUMER, 10, 5n, 9n]],
  },
  {
    what: 'a marker of no events owes nothing',
    dropped: [lost(TL_LOST_OVERWRITTEN, 0n, 1n, 2n, 0)],
    owed: [],
  },
  {
    what: 'an unknown time (0) does not widen a span',
    dropped: [lost(TL_LOST_BUSY, 3n, 0n, 0n, 0), lost(TL_LOST_BUSY, 2n, 10n, 12n, 0)],
    owed: [[0, TL_LOST_BUSY, 5, 10n, 12n]],
  },
  {
    what: 'oldest gap first, then by CPU, then by reason',
    dropped: [
      Buffer.concat([
        event(ENTER, 1, 5n),
        lost(TL_LOST_OVERWRITTEN, 4n, 5n, 5n, 0),
        event(ENTER, 0, 5n),
        lost(TL_LOST_BUSY, 1n, 2n, 3n, 1),
      ]),
    ],
    owed: [
      [1, TL_LOST_BUSY, 1, 2n, 3n],
      [0, TL_LOST_OVERWRITTEN, 4, 5n, 5n],
      [0, TL_LOST_CONSUMER, 1, 5n, 5n],
      [1, TL_LOST_CONSUMER, 1, 5n, 5n],
    ],
  },
];

describe('one drop-and-mark piece: the outbox and a /stream owe alike', () => {
  it.each(TABLE)('$what', ({ dropped, owed }) => {
    const ledger = viaLedger(dropped);
    expect(markersOf(ledger)).toEqual(owed);
    const outboxNext = viaOutbox(dropped, 'next batch');
    const outboxTake = viaOutbox(dropped, 'take');
    const stream = viaStream(dropped);
    // Byte for byte: one piece made them.
    expect(outboxNext.markers).toEqual(ledger);
    expect(outboxTake.markers).toEqual(ledger);
    expect(stream).toEqual(ledger);
    // notShown: the events the outbox owed as "consumer behind", nothing else.
    const behind = owed.filter((m) => m[1] === TL_LOST_CONSUMER).reduce((s, m) => s + m[2], 0);
    expect(outboxNext.behind).toBe(behind);
  });

  it('owe exactly what any sequence of dropped batches stood for, the same way', () => {
    const batch = fc
      .array(
        fc.oneof(
          fc.record({ kind: fc.constant('ev' as const), cpu: fc.nat(3), ts: fc.bigInt(1n, 1000n) }),
          fc.record({
            kind: fc.constant('lost' as const),
            cpu: fc.oneof(fc.nat(3), fc.constant(ALL_CPUS)),
            reason: fc.constantFrom(TL_LOST_OVERWRITTEN, TL_LOST_BUSY, TL_LOST_CONSUMER),
            count: fc.bigInt(0n, 1000000n),
            tsFrom: fc.bigInt(0n, 1000n),
          }),
        ),
        { minLength: 1, maxLength: 20 },
      )
      .map((items) =>
        Buffer.concat(
          items.map((i) =>
            i.kind === 'ev'
              ? event(ENTER, i.cpu, i.ts)
              : lost(i.reason, i.count, i.tsFrom, i.tsFrom + 5n, i.cpu),
          ),
        ),
      );
    fc.assert(
      fc.property(fc.array(batch, { maxLength: 6 }), (dropped) => {
        const ledger = viaLedger(dropped);
        const want = new PerCpu();
        for (const b of dropped) want.addRecords(b);
        const got = new PerCpu();
        got.addRecords(ledger);
        expect(got).toEqual(want);
        expect(viaOutbox(dropped, 'next batch').markers).toEqual(ledger);
        expect(viaOutbox(dropped, 'take').markers).toEqual(ledger);
        expect(viaStream(dropped)).toEqual(ledger);
      }),
    );
  });

  it('the outbox owes per cgroup, and says each its own markers after what was queued', () => {
    const queued = event(ENTER, 0, 1n);
    const outbox = new native.Outbox(queued.length);
    outbox.push(1n, queued);
    outbox.push(2n, event(ENTER, 0, 2n));
    outbox.push(1n, Buffer.concat([event(ENTER, 1, 3n), event(EXIT, 1, 4n)]));
    outbox.push(2n, lost(TL_LOST_GONE, 0n, 5n, 5n));
    const [first, ...rest] = outbox.take();
    expect(first).toEqual([1n, queued]);
    const taken = rest.map(([id, b]) => [id, markersOf(b)]);
    expect(taken).toEqual([
      [1n, [[1, TL_LOST_CONSUMER, 2, 3n, 4n]]],
      [
        2n,
        [
          [0, TL_LOST_CONSUMER, 1, 2n, 2n],
          [ALL_CPUS, TL_LOST_GONE, 0, 5n, 5n],
        ],
      ],
    ]);
    expect([outbox.dropped(1n), outbox.dropped(2n), outbox.dropped(3n)]).toEqual([2, 1, 0]);
  });

  it('forgets a cgroup no longer recorded, after its last markers: no ledger per cgroup ever seen', () => {
    const outbox = new native.Outbox(event(ENTER, 0, 1n).length);
    // 1000 cgroups come and go, each dropping something; each forgotten when removed.
    for (let id = 1n; id <= 1000n; id++) {
      outbox.push(id, event(ENTER, 0, id));
      outbox.push(id, Buffer.concat([event(ENTER, 1, id), event(EXIT, 1, id)])); // dropped
      outbox.forget(id); // owes its markers still: kept until they are taken
      expect(outbox.dropped(id)).toBe(2);
      const taken = outbox.take();
      expect(taken.map(([cg]) => cg)).toEqual([id, id]);
      expect(markersOf(taken[1]![1])).toEqual([[1, TL_LOST_CONSUMER, 2, id, id]]);
    }
    expect(outbox.ledgers()).toBe(0);
    // One that owes nothing goes at once; one recorded again starts from nothing.
    outbox.push(7n, event(ENTER, 0, 1n));
    outbox.take();
    outbox.forget(7n);
    expect(outbox.ledgers()).toBe(0);
    outbox.push(8n, Buffer.concat([event(ENTER, 0, 2n), event(EXIT, 0, 3n)])); // too large: dropped
    outbox.forget(8n);
    outbox.push(8n, Buffer.alloc(0)); // recorded again before the take: the debt stays said
    expect(markersOf(outbox.take()[0]![1])).toHaveLength(1);
    expect(outbox.ledgers()).toBe(1);
  });
});

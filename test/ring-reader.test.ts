// The native ring reader (native/ring_reader.cc, through the addon's readRing export) against a
// model of the BPF writer (test/helpers/ring-writer.ts) writing into a synthetic ring element.
//
// Every read goes through Consumer.read(), which checks what must hold after any read whatever the
// case: delivered seqs strictly increase; each delivered group is byte for byte what the writer
// published for that seq (the event and all the params it announced, no pads); every seq skipped
// is counted by exactly one TL_LOST_OVERWRITTEN marker right before the record that revealed the
// gap, with ts_from/ts_to the timestamps around it; ctl->failed shows up once as TL_LOST_BUSY;
// the returned state agrees with the stream. Two checks tie the reader to the protocol in
// bpf/traceloop.h rather than to its own code: everything the protocol lets a reader find (from
// the first record that starts in a page at or after head - ring_bytes + inflight, computed from
// the writer's record starts, not from page_start[]) is delivered, and nothing at or after that
// boundary is counted lost.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRecords } from '../src/format/index.js';
import { loadNative, type RingReaderState } from '../src/native.js';
import {
  LAYOUT,
  TL_FLAG_COMM_LATER,
  TL_LOST_BUSY,
  TL_LOST_OVERWRITTEN,
  TL_PARAM_FAULT,
  TL_PARAM_OK,
  TL_PARAM_TRUNCATED,
  TL_REC_ENTER,
  TL_REC_EXIT,
  TL_REC_LOST,
  TL_REC_PARAM,
  parseRecords,
  type EnterRecord,
  type ExitRecord,
} from '../src/wire.js';
import {
  DONE_BYTES,
  DONE_SHORT_BYTES,
  ENTER_MAX,
  RingWriter,
  groupBytes,
  groupComplete,
  groupReach,
  type Group,
  type ParamInput,
  type RingWriterOptions,
  type WriteOptions,
} from './helpers/ring-writer.js';

const native = loadNative();
const PAGE = 4096;
const U32 = 2n ** 32n;

// ---- reading and checking ---------------------------------------------------------------------

interface DeliveredGroup {
  kind: 'group';
  seq: bigint;
  ts: bigint;
  bytes: Buffer;
}

interface Marker {
  kind: 'lost';
  reason: number;
  cpu: number;
  count: bigint;
  tsFrom: bigint;
  tsTo: bigint;
}

type Item = DeliveredGroup | Marker;

interface ReadOutcome {
  items: Item[];
  groups: DeliveredGroup[];
  markers: Marker[];
  raw: Buffer;
  state: RingReaderState;
  /** The boundary the protocol guarantees is found: everything from here on is delivered. */
  boundary: number;
}

/** The full seq of a record, from its low 32 bits and the ring's emitted counter. */
function widen(seq32: number, emitted: bigint): bigint {
  if (emitted === 0n) return BigInt(seq32);
  const newest = emitted - 1n;
  return newest - (((((newest % U32) - BigInt(seq32)) % U32) + U32) % U32);
}

/** Splits the reader's output into groups (event + params) and markers, raw bytes kept. */
function split(raw: Buffer, emitted: bigint): Item[] {
  const items: Item[] = [];
  let off = 0;
  let current: { start: number; item: DeliveredGroup } | undefined;
  const close = (end: number): void => {
    if (current) current.item.bytes = raw.subarray(current.start, end);
    current = undefined;
  };
  while (off < raw.length) {
    expect(raw.length - off, `trailing bytes at ${off}`).toBeGreaterThanOrEqual(8);
    const size = raw.readUInt16LE(off);
    const type = raw.readUInt8(off + 2);
    expect(size % 8, `size ${size} at ${off}`).toBe(0);
    expect(size, `size at ${off}`).toBeGreaterThanOrEqual(8);
    expect(off + size, `record at ${off} runs past the end`).toBeLessThanOrEqual(raw.length);
    if (type === TL_REC_PARAM) {
      expect(current, `a param without its event at ${off}`).toBeDefined();
    } else {
      close(off);
      if (type === TL_REC_LOST) {
        items.push({
          kind: 'lost',
          reason: raw.readUInt8(off + 3),
          cpu: raw.readUInt32LE(off + 8),
          count: raw.readBigUInt64LE(off + 16),
          tsFrom: raw.readBigUInt64LE(off + 24),
          tsTo: raw.readBigUInt64LE(off + 32),
        });
      } else {
        expect([TL_REC_ENTER, TL_REC_EXIT], `record type at ${off}`).toContain(type);
        const item: DeliveredGroup = {
          kind: 'group',
          seq: widen(raw.readUInt32LE(off + 8), emitted),
          ts: raw.readBigUInt64LE(off + 16),
          bytes: Buffer.alloc(0),
        };
        items.push(item);
        current = { start: off, item };
      }
    }
    off += size;
  }
  close(off);
  return items;
}

/**
 * Whether delivered group bytes are what the writer wrote for g. An enter whose comm the read
 * could not know (TL_FLAG_COMM_LATER: only in a read with no state, or after a loss) may
 * carry another comm (its thread's next named one): compared without its flags and comm.
 */
function sameDelivery(bytes: Buffer, g: Group, mayNotKnow: boolean): boolean {
  const want = groupBytes(g);
  if (bytes.equals(want)) return true;
  if (g.kind !== 'enter' || !mayNotKnow || bytes.length !== want.length) return false;
  if ((bytes.readUInt8(3) & TL_FLAG_COMM_LATER) === 0) return false;
  const a = Buffer.from(bytes);
  const b = Buffer.from(want);
  for (const x of [a, b]) {
    x.writeUInt8(0, 3);
    x.fill(0, 32, 48);
  }
  return a.equals(b);
}

/** One reader of one ring: state carried between reads, like poll(). */
/** tl_ring_ctrl.last_ts (src/wire.ts LAYOUT). */
const CTRL_LAST_TS_OFFSET = LAYOUT['tl_ring_ctrl.last_ts'];

class Consumer {
  state: RingReaderState | null = null;
  readonly delivered = new Set<bigint>();
  lastSeq = -1n;
  lastTs = 0n;
  lost = 0n;
  failedSeen = 0n;
  /** Threads whose comm this reader must know (see sameDelivery). */
  readonly named = new Set<number>();

  constructor(readonly w: RingWriter) {}

  read(): ReadOutcome {
    const w = this.w;
    if (this.state === null) this.named.clear();
    const head = w.head;
    const lo = w.oldestSafe(head);
    const boundary = w.indexedBoundary(lo, head);
    const out = native.readRing(w.element, w.ringBytes, w.inflightBytes, w.cpu, this.state);
    const items = split(out.records, w.emitted);

    let gap = 0n;
    let busy = 0n;
    for (const [i, it] of items.entries()) {
      if (it.kind === 'lost') {
        expect(it.cpu).toBe(w.cpu);
        expect(it.count).toBeGreaterThan(0n);
        if (it.reason === TL_LOST_BUSY) {
          expect(i, 'the busy marker comes last').toBe(items.length - 1);
          expect([it.tsFrom, it.tsTo]).toEqual([this.lastTs, this.lastTs]);
          busy += it.count;
        } else {
          // One writer, and readRing sees no head move while it copies: never torn.
          expect(it.reason).toBe(TL_LOST_OVERWRITTEN);
          this.named.clear();
          expect(it.tsFrom, 'ts_from: the newest record before the gap').toBe(this.lastTs);
          const next = items[i + 1];
          if (next?.kind !== 'group') {
            // Nothing after the gap to reveal it: the reader counted what lies below the
            // published count (ctl->published) and was not delivered, up to the newest
            // published timestamp (ctl->last_ts).
            const newest = w.element.readBigUInt64LE(CTRL_LAST_TS_OFFSET);
            expect(it.tsTo).toBe(newest > this.lastTs ? newest : this.lastTs);
            expect(gap, 'a trailing marker follows the last group').toBe(0n);
            for (let q = this.lastSeq + 1n; q < this.lastSeq + 1n + it.count; q++) {
              const g = w.group(q);
              if (g && groupComplete(g)) {
                expect(
                  groupReach(g),
                  `seq ${q} lost though it starts past the boundary`,
                ).toBeLessThan(boundary);
              }
            }
            this.lastSeq += it.count;
            this.lost += it.count;
            continue;
          }
          expect(it.tsTo, 'ts_to: the oldest record after the gap').toBe(next.ts);
          gap += it.count;
        }
        this.lost += it.count;
        continue;
      }
      expect(it.seq, 'seqs strictly increase').toBeGreaterThan(this.lastSeq);
      expect(it.seq - this.lastSeq - 1n, `records missing before seq ${it.seq}`).toBe(gap);
      const from = this.lastSeq + 1n > w.emittedStart ? this.lastSeq + 1n : w.emittedStart;
      for (let s = from; s < it.seq; s++) {
        const g = w.group(s);
        if (g) {
          expect(groupReach(g), `seq ${s} lost though it starts past the boundary`).toBeLessThan(
            boundary,
          );
        }
      }
      const g = w.group(it.seq);
      expect(g, `seq ${it.seq} was written`).toBeDefined();
      expect(groupComplete(g!), `seq ${it.seq} delivered before all its params`).toBe(true);
      // A thread's comm is known once the reader has read an enter naming it since its state
      // began or it last lost records.
      const mayNotKnow = !this.named.has(g!.tid);
      expect(sameDelivery(it.bytes, g!, mayNotKnow), `bytes of seq ${it.seq}`).toBe(true);
      if (g!.commFlags) this.named.add(g!.tid);
      expect(it.ts).toBe(g!.ts);
      this.delivered.add(it.seq);
      this.lastSeq = it.seq;
      this.lastTs = it.ts;
      gap = 0n;
    }
    expect(busy, 'ctl->failed reported once').toBe(w.failed - this.failedSeen);
    this.failedSeen = w.failed;

    // Everything the protocol lets a reader find is delivered (or was before).
    for (let i = w.groups.length - 1; i >= 0; i--) {
      const g = w.groups[i]!;
      if (groupReach(g) < boundary) break;
      if (groupComplete(g)) expect(this.delivered.has(g.seq), `seq ${g.seq} delivered`).toBe(true);
    }

    // The stream agrees with the state, and parseRecords reads the same stream.
    const s = out.state;
    expect(s.delivered).toBe(this.delivered.size);
    expect(BigInt(s.lost)).toBe(this.lost);
    expect(s.nextSeq).toBe(this.lastSeq + 1n);
    expect(s.lastTs).toBe(this.lastTs);
    expect(s.failedSeen).toBe(w.failed);
    expect(BigInt(s.delivered + s.lost)).toBe(s.nextSeq + s.failedSeen);
    const last = w.groups[w.groups.length - 1];
    if (last && !groupComplete(last) && last.published > 0 && last.start >= boundary) {
      expect(s.pos, 'resumes at the group held back').toBe(BigInt(last.start));
    } else if (!last || groupComplete(last) || last.published === 0) {
      expect(s.pos, 'resumes at head').toBe(BigInt(head));
    }
    const parsed = parseRecords(out.records);
    const groups = items.filter((x): x is DeliveredGroup => x.kind === 'group');
    expect(parsed.filter((r) => r.kind !== 'lost').map((r) => (r as EnterRecord).ts)).toEqual(
      groups.map((x) => x.ts),
    );
    for (const r of parsed) {
      if (r.kind === 'lost') continue;
      expect(r.params.length).toBe(w.group(widen(r.seq, w.emitted))!.nparams);
    }

    this.state = s;
    return {
      items,
      groups,
      markers: items.filter((x): x is Marker => x.kind === 'lost'),
      raw: out.records,
      state: s,
      boundary,
    };
  }
}

/** A read with no prior state (what snapshot() does). */
const freshRead = (w: RingWriter): ReadOutcome => new Consumer(w).read();

// ---- writing ----------------------------------------------------------------------------------

/** A small deterministic PRNG (mulberry32), so bursts are reproducible from a seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pattern = Buffer.from(Array.from({ length: 16384 }, (_, i) => (i * 131 + (i >> 8)) & 0xff));
let patternAt = 0;
/** `n` bytes (n <= 8192) that differ from one param to the next. */
function payload(n: number): Buffer {
  patternAt = (patternAt + 4099) % 8192;
  return Buffer.from(pattern.subarray(patternAt, patternAt + n));
}

/** `n` groups of mixed kinds and sizes: enters with 0..3 params up to maxCapture, exits. */
function burst(w: RingWriter, n: number, seed: number): void {
  const rnd = prng(seed);
  for (let i = 0; i < n; i++) {
    const tid = 100 + Math.floor(rnd() * 4);
    const nparams = Math.floor(rnd() * 4);
    const params = Array.from({ length: nparams }, () =>
      payload(Math.floor(rnd() * (w.maxCapture + 1))),
    );
    if (rnd() < 0.5) w.enter(tid, Math.floor(rnd() * 512), Math.floor(rnd() * 7), params);
    else w.exit(tid, Math.floor(rnd() * 512), BigInt(Math.floor(rnd() * 100) - 50), params);
  }
}

/** Writes groups until at least `bytes` more have been published. */
function writeBytes(w: RingWriter, bytes: number, seed: number): void {
  const target = w.head + bytes;
  let s = seed;
  while (w.head < target) burst(w, 8, s++);
}

/**
 * Writes enters and exits (no params) so that head ends exactly at `target`, in the same lap or
 * at its end, with no pad: six-arg enters while more than 340 bytes are left (an enter is 80
 * bytes, 96 when it names its comm, and reserves 112), then one enter of the size that leaves a
 * multiple of 40, then exits (40, which fit up to the last byte of the lap). Exact or none at all
 * for a target less than 40 bytes away (`rem` 0 or 40..: anything from 152 up can be made).
 */
function fillExactly(w: RingWriter, target: number): void {
  const pads = w.pads.length;
  while (target - w.head > 340) w.enter(7, 1, 6);
  const rem = target - w.head;
  const base = w.nextEnterSize(7, 0);
  const b = [...Array(12).keys()].find((b) => rem - 40 * b === 0);
  const e = [...Array(12).keys()].find((b) => {
    const left = rem - 40 * b;
    return left >= base && left <= base + 48;
  });
  if (b === undefined && e === undefined) throw new Error(`cannot fill ${rem} bytes exactly`);
  if (b === undefined) w.enter(7, 1, (rem - 40 * e! - base) / 8);
  for (let i = 0; i < (b ?? e!); i++) w.exit(7, 1, 0n);
  expect(w.head).toBe(target);
  expect(w.pads.length, 'fillExactly wrote no pad').toBe(pads);
}

/** fillExactly, a lap at a time: head ends exactly at `target`. */
function advanceTo(w: RingWriter, target: number): void {
  while (w.head < target) {
    const lapEnd = (Math.floor(w.head / w.ringBytes) + 1) * w.ringBytes;
    fillExactly(w, Math.min(target, lapEnd));
  }
}

const mk = (o: Partial<RingWriterOptions> = {}): RingWriter =>
  new RingWriter({ ringBytes: 16384, maxCapture: 256, ...o });

const seqsOf = (r: ReadOutcome): bigint[] => r.groups.map((g) => g.seq);
const range = (from: bigint, to: bigint): bigint[] => {
  const out: bigint[] = [];
  for (let s = from; s < to; s++) out.push(s);
  return out;
};
/** The first group whose event starts at or after `pos`. */
const firstGroupFrom = (w: RingWriter, pos: number): Group | undefined =>
  w.groups.find((g) => g.start >= pos);

// ---- cases ------------------------------------------------------------------------------------

describe('readRing: the model writer', () => {
  it('lays the control block and page index out as the header says', () => {
    const w = mk({ ringBytes: 65536, maxCapture: 4096 });
    expect(w.ctrlBytes).toBe(4096); // 2144 + 8 * 16 rounded to a page
    expect(w.maxCapture).toBe(4096);
    expect(w.inflightBytes).toBe(2 * (16 + 4096) + 112);
    expect(mk({ ringBytes: 4096, maxCapture: 4096 }).maxCapture).toBe(496); // ring / 8 - 16
    expect(mk({ ringBytes: 1 << 24 }).ctrlBytes).toBe(36864); // 2144 + 8 * 4096 -> 9 pages
    w.enter(1, 2, 6, [payload(5000)]); // a page-crossing param: 16 + 4096 bytes
    expect(w.head).toBe(96 + 16 + 4096);
    expect(w.pageStart(1)).toBe(96 + 16 + 4096);
    expect(w.element.readBigUInt64LE(8)).toBe(1n);
    expect(w.group(0n)!.records[1]!.readUInt8(9)).toBe(TL_PARAM_TRUNCATED);
  });

  it('pads to the end of the lap when the largest record of the kind might not fit', () => {
    const w = mk({ ringBytes: 8192, maxCapture: 256 });
    advanceTo(w, 8192 - 40 * 3); // 120 bytes left: an exit (40) fits, an enter (max 96) fits
    w.enter(1, 1, 0); // 48 bytes at 8072
    expect(w.pads).toEqual([]);
    w.enter(1, 1, 0); // 72 left < 96: pad, then the enter at 8192
    expect(w.pads).toEqual([8120]);
    expect(w.group(w.emitted - 1n)!.start).toBe(8192);
    expect(w.pageStart(0)).toBe(8192);
  });
});

describe('readRing', () => {
  it('gives nothing for an empty ring', () => {
    const w = mk();
    const r = new Consumer(w).read();
    expect(r.raw.length).toBe(0);
    expect(r.state).toMatchObject({ pos: 0n, nextSeq: 0n, delivered: 0, lost: 0 });
  });

  it('delivers a few records whole, in order, byte for byte', () => {
    const w = mk();
    w.enter(101, 257, 4, [Buffer.from('/etc/passwd'), { bytes: Buffer.from('xyz'), arg: 3 }]);
    w.exit(101, 257, 3n);
    w.enter(102, 0, 3);
    w.exit(102, 0, 5n, [Buffer.from('hello'), { fault: true, want: 64 }]);
    w.enter(103, 59, 6, [payload(300)]); // 300 > max_capture: truncated to 256
    const r = new Consumer(w).read();
    expect(seqsOf(r)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(r.markers).toEqual([]);
    expect(r.raw.equals(Buffer.concat(w.groups.map(groupBytes)))).toBe(true);
    expect(r.state).toMatchObject({ pos: BigInt(w.head), nextSeq: 5n, delivered: 5, lost: 0 });

    const [e0, x1, e2, x3, e4] = parseRecords(r.raw) as [
      EnterRecord,
      ExitRecord,
      EnterRecord,
      ExitRecord,
      EnterRecord,
    ];
    expect(e0).toMatchObject({ kind: 'enter', tid: 101, nr: 257, seq: 0, pid: 4242 });
    expect(e0.comm).toBe('tl-model');
    expect(e0.args).toHaveLength(4);
    expect(e0.params.map((p) => [p.arg, p.status, p.bytes.toString()])).toEqual([
      [0, TL_PARAM_OK, '/etc/passwd'],
      [3, TL_PARAM_OK, 'xyz'],
    ]);
    expect(x1).toMatchObject({ kind: 'exit', ret: 3n, params: [] });
    expect(e2).toMatchObject({ kind: 'enter', tid: 102, args: [0x210n, 0x211n, 0x212n] });
    expect(x3.params.map((p) => [p.status, p.want, p.bytes.length])).toEqual([
      [TL_PARAM_OK, 5, 5],
      [TL_PARAM_FAULT, 64, 0],
    ]);
    expect(w.faults).toBe(1n);
    expect(e4.params[0]).toMatchObject({ status: TL_PARAM_TRUNCATED, want: 300 });
    expect(e4.params[0]!.bytes.length).toBe(256);
  });

  describe('a ring exactly full (head == ring_bytes, not wrapped)', () => {
    it.each([16384, 65536])('read all along: nothing lost (%i bytes)', (ringBytes) => {
      const w = mk({ ringBytes });
      const c = new Consumer(w);
      fillExactly(w, ringBytes / 2);
      c.read();
      fillExactly(w, ringBytes);
      const r = c.read();
      expect(w.pads).toEqual([]);
      expect(r.markers).toEqual([]);
      expect([...c.delivered]).toEqual(range(0n, w.emitted));
    });

    it.each([16384, 65536])('no prior state (%i bytes)', (ringBytes) => {
      // The next record goes to data[0]: a writer may be storing up to inflight bytes there
      // now, and the rest of the first page has no indexed boundary, so what starts in it is
      // given up (by design); it is counted, not dropped.
      const w = mk({ ringBytes });
      fillExactly(w, ringBytes);
      const r = freshRead(w);
      const first = firstGroupFrom(w, PAGE)!;
      expect(r.boundary).toBe(first.start);
      expect(r.markers).toEqual([
        {
          kind: 'lost',
          reason: TL_LOST_OVERWRITTEN,
          cpu: 0,
          count: first.seq,
          tsFrom: 0n,
          tsTo: first.ts,
        },
      ]);
      expect(seqsOf(r)).toEqual(range(first.seq, w.emitted));
      expect(BigInt(r.state.delivered + r.state.lost)).toBe(w.emitted);
    });

    it('no prior state, one-page ring: every record is delivered or counted lost', () => {
      // BUG (native/ring_reader.cc): with head == ring_bytes == 4096 the safe window
      // [head - ring_bytes + inflight, head) = [1024, 4096) holds no page boundary, so
      // find_boundary() returns head: no record is delivered, and none is counted lost either
      // (a gap is only ever reported by the record after it). snapshot() of a full 4 KiB ring
      // shows an empty flight record with no TL_REC_LOST marker.
      const w = mk({ ringBytes: 4096 });
      fillExactly(w, 4096);
      const r = freshRead(w);
      expect(BigInt(r.state.delivered + r.state.lost)).toBe(w.emitted);
    });
  });

  it('no prior state, two-page ring: a group cut by the boundary is delivered or counted lost', () => {
    // BUG (native/ring_reader.cc), same root as above on an 8 KiB ring that has not even
    // wrapped: records up to 3000, then an enter with three 1008-byte params (the most an 8 KiB
    // ring allows) ends at head = 6168. The safe window is [24, 6168); its first page boundary
    // is 4096, whose first record is the enter's second param (at 4120). The reader skips the
    // two params as orphans and reaches head with no event to reveal the gap: the records
    // before and the enter itself are neither delivered nor counted.
    const w = mk({ ringBytes: 8192, maxCapture: 4096 });
    expect([w.maxCapture, w.inflightBytes]).toEqual([1008, 2160]);
    advanceTo(w, 3000);
    w.enter(8, 0, 6, [payload(1008), payload(1008), payload(1008)]);
    expect([w.head, w.oldestSafe(), w.indexedBoundary(w.oldestSafe())]).toEqual([6168, 136, 4120]);
    const r = freshRead(w);
    expect(BigInt(r.state.delivered + r.state.lost)).toBe(w.emitted);
  });

  it.each([
    [16384, 256, 1.5],
    [16384, 256, 3.25],
    [65536, 4096, 3.6],
    [8192, 1024, 7],
  ])(
    'a ring of %i bytes (max capture %i) wrapped %f laps, no prior state: the newest records',
    (ringBytes, maxCapture, laps) => {
      const w = mk({ ringBytes, maxCapture });
      writeBytes(w, Math.floor(laps * ringBytes), ringBytes + laps);
      expect(w.head).toBeGreaterThan(ringBytes);
      const r = freshRead(w);
      const first = firstGroupFrom(w, r.boundary)!;
      expect(r.boundary).toBeLessThan(w.oldestSafe() + 2 * PAGE + 16 + w.maxCapture);
      expect(r.markers).toEqual([
        {
          kind: 'lost',
          reason: TL_LOST_OVERWRITTEN,
          cpu: 0,
          count: first.seq,
          tsFrom: 0n,
          tsTo: first.ts,
        },
      ]);
      expect(r.items[0]!.kind).toBe('lost');
      expect(seqsOf(r)).toEqual(range(first.seq, w.emitted));
      expect(BigInt(r.state.delivered + r.state.lost)).toBe(w.emitted);
      expect(w.pads.length).toBeGreaterThanOrEqual(Math.floor(laps));
    },
  );

  it('reads incrementally: only new records, none twice', () => {
    const w = mk({ ringBytes: 16384 });
    const c = new Consumer(w);
    let seen = 0n;
    for (let i = 0; i < 16; i++) {
      burst(w, 20, i); // some 6 KiB: less than the safe window
      const r = c.read();
      expect(r.markers).toEqual([]);
      expect(seqsOf(r)).toEqual(range(seen, w.emitted));
      seen = w.emitted;
      expect(c.read().raw.length).toBe(0); // nothing new: nothing
    }
    expect(w.head).toBeGreaterThan(3 * 16384);
    expect(c.state).toMatchObject({ lost: 0, delivered: Number(w.emitted) });
  });

  it('counts exactly what was missed when the reader falls more than a ring behind', () => {
    const w = mk({ ringBytes: 16384 });
    const c = new Consumer(w);
    burst(w, 40, 1);
    const before = c.read();
    const last = before.groups[before.groups.length - 1]!;
    writeBytes(w, 2.5 * 16384, 2);
    const r = c.read();
    const first = firstGroupFrom(w, r.boundary)!;
    expect(r.markers).toEqual([
      {
        kind: 'lost',
        reason: TL_LOST_OVERWRITTEN,
        cpu: 0,
        count: first.seq - last.seq - 1n,
        tsFrom: last.ts,
        tsTo: first.ts,
      },
    ]);
    expect(seqsOf(r)).toEqual(range(first.seq, w.emitted));
    expect(BigInt(r.state.delivered + r.state.lost)).toBe(w.emitted);
  });

  it('gives up a resume position a writer may be overwriting (within a ring, past the window)', () => {
    const w = mk({ ringBytes: 16384, maxCapture: 1024 }); // inflight 2176
    const c = new Consumer(w);
    burst(w, 10, 3);
    c.read();
    const pos = w.head;
    advanceTo(w, pos + 16384 - 1024); // the old position is now within inflight of the next lap
    expect(pos).toBeLessThan(w.oldestSafe());
    const r = c.read();
    expect(r.markers).toHaveLength(1);
    expect(r.markers[0]!.count).toBeGreaterThan(0n);
    expect(BigInt(r.state.delivered + r.state.lost)).toBe(w.emitted);
  });

  describe('an incomplete group at the head', () => {
    it.each<[string, WriteOptions]>([
      ['the event published, no param yet', { publish: 1 }],
      ['one of two params published', { publish: 2 }],
      ['one of two params published, the next one half-stored', { publish: 2, midRecord: true }],
      ['the event itself still being stored', { publish: 0, midRecord: true }],
    ])('is held back, then delivered whole: %s', (_name, opts) => {
      const w = mk({ ringBytes: 16384 });
      const c = new Consumer(w);
      burst(w, 6, 4);
      const held = w.enter(77, 2, 3, [payload(200), payload(100)], opts);
      if (!opts.midRecord) w.scribble(96); // garbage past head, as the writer may have stored
      const r1 = c.read();
      expect(r1.markers).toEqual([]);
      expect(seqsOf(r1)).toEqual(range(0n, held));
      const r2 = c.read(); // still incomplete: nothing, nothing twice
      expect(r2.raw.length).toBe(0);
      w.finish();
      w.exit(77, 2, 0n);
      const r3 = c.read();
      expect(seqsOf(r3)).toEqual([held, held + 1n]);
      expect(r3.markers).toEqual([]);
      expect(parseRecords(r3.raw)[0]).toMatchObject({ kind: 'enter', tid: 77 });
      expect((parseRecords(r3.raw)[0] as EnterRecord).params).toHaveLength(2);
    });

    it('is held back across the end of a lap (a pad between the event and its param)', () => {
      const w = mk({ ringBytes: 8192, maxCapture: 256 });
      const c = new Consumer(w);
      advanceTo(w, 8192 - 40 * 4); // 160 left: the param (max 272) will not fit
      c.read();
      const held = w.enter(5, 5, 6, [payload(40)], { publish: 1, midRecord: true });
      expect(w.pads).toEqual([8192 - 64]);
      expect(c.read().raw.length).toBe(0);
      w.finish();
      const r = c.read();
      expect(seqsOf(r)).toEqual([held]);
      expect(r.groups[0]!.bytes.length).toBe(96 + 56); // the event and its param, no pad
    });
  });

  it('reports busy failures once, with their count', () => {
    const w = mk();
    const c = new Consumer(w);
    w.failBusy(2); // before anything was written: ts_from = ts_to = 0
    let r = c.read();
    expect(r.markers).toEqual([
      { kind: 'lost', reason: TL_LOST_BUSY, cpu: 0, count: 2n, tsFrom: 0n, tsTo: 0n },
    ]);
    burst(w, 3, 5);
    w.failBusy(3);
    burst(w, 2, 6);
    r = c.read();
    const lastTs = r.groups[r.groups.length - 1]!.ts;
    expect(seqsOf(r)).toEqual(range(0n, 5n));
    expect(r.markers).toEqual([
      { kind: 'lost', reason: TL_LOST_BUSY, cpu: 0, count: 3n, tsFrom: lastTs, tsTo: lastTs },
    ]);
    expect(c.read().markers).toEqual([]); // nothing new to report
    expect(r.state).toMatchObject({ delivered: 5, lost: 5, failedSeen: 5n });
    expect(BigInt(r.state.delivered + r.state.lost)).toBe(w.emitted + w.failed);
    // A fresh reader reports every failure the ring ever counted.
    expect(freshRead(w).markers.map((m) => [m.reason, m.count])).toEqual([[TL_LOST_BUSY, 5n]]);
  });

  it('skips the pad at the end of a lap and reads on in the next', () => {
    const w = mk({ ringBytes: 8192, maxCapture: 256 });
    const c = new Consumer(w);
    advanceTo(w, 8192 - 40 * 2); // 80 left: the next enter (max 96) pads
    c.read();
    w.enter(1, 1, 6);
    w.exit(1, 1, 0n, [payload(10)]);
    expect(w.pads).toEqual([8112]);
    const r = c.read();
    expect(r.markers).toEqual([]);
    expect(seqsOf(r)).toEqual(range(w.emitted - 2n, w.emitted));
    // A reader starting fresh finds the lap's first record through page_start[0].
    burst(w, 20, 7);
    const f = freshRead(w);
    expect(BigInt(f.state.delivered + f.state.lost)).toBe(w.emitted);
  });

  it('widens 32-bit seqs across 2^32', () => {
    const w = mk({ emittedStart: U32 - 3n });
    const c = new Consumer(w);
    burst(w, 6, 8);
    const r = c.read();
    expect(r.markers.map((m) => m.count)).toEqual([U32 - 3n]); // numbered before this ring's data
    expect(seqsOf(r)).toEqual(range(U32 - 3n, U32 + 3n));
    const [, ...events] = parseRecords(r.raw) as Array<EnterRecord | ExitRecord>;
    expect(events.map((e) => e.seq)).toEqual([2 ** 32 - 3, 2 ** 32 - 2, 2 ** 32 - 1, 0, 1, 2]);
    burst(w, 4, 9);
    expect(seqsOf(c.read())).toEqual(range(U32 + 3n, U32 + 7n));
  });

  it('ignores whatever a writer stored past head', () => {
    const w = mk({ ringBytes: 8192 });
    const c = new Consumer(w);
    burst(w, 10, 10);
    w.scribble(ENTER_MAX, 0x02); // would look like enter records to a reader that peeked
    expect(seqsOf(c.read())).toEqual(range(0n, 10n));
  });
});

// ---- properties -------------------------------------------------------------------------------

type Op =
  | { op: 'enter'; nargs: number; sizes: number[]; fault: boolean }
  | { op: 'exit'; ret: number; sizes: number[] }
  | { op: 'burst'; n: number; seed: number }
  | { op: 'busy'; n: number }
  | { op: 'read' }
  | { op: 'snapshot' }
  | { op: 'partial'; nargs: number; sizes: number[]; publish: number; midRecord: boolean }
  | { op: 'scribble'; n: number }
  | { op: 'call'; nargs: number; sizes: number[]; ret: number; read: boolean }
  | { op: 'rename'; tid: number; name: string };

// Param sizes as a fraction of max_capture, up to a little over it (then truncated).
const size = fc.integer({ min: 0, max: 1100 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('enter' as const),
      nargs: fc.integer({ min: 0, max: 6 }),
      sizes: fc.array(size, { maxLength: 3 }),
      fault: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('exit' as const),
      ret: fc.integer({ min: -4095, max: 1 << 20 }),
      sizes: fc.array(size, { maxLength: 2 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('burst' as const),
      n: fc.integer({ min: 1, max: 200 }),
      seed: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('busy' as const), n: fc.integer({ min: 1, max: 3 }) }),
  },
  { weight: 4, arbitrary: fc.constant({ op: 'read' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'snapshot' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('partial' as const),
      nargs: fc.integer({ min: 0, max: 6 }),
      sizes: fc.array(size, { minLength: 1, maxLength: 3 }),
      publish: fc.integer({ min: 0, max: 3 }),
      midRecord: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('call' as const),
      nargs: fc.integer({ min: 0, max: 6 }),
      sizes: fc.array(size, { maxLength: 3 }),
      ret: fc.integer({ min: -4095, max: 1 << 20 }),
      read: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('rename' as const),
      tid: fc.constantFrom(100, 101, 200, 203),
      name: fc.constantFrom('a', 'sh', 'fifteen_chars__', 'sixteen_chars___'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('scribble' as const),
      n: fc.integer({ min: 8, max: 96 }),
    }),
  },
);

function run(w: RingWriter, ops: readonly Op[]): void {
  const c = new Consumer(w);
  const params = (sizes: readonly number[], fault = false): ParamInput[] =>
    sizes.map((s, i) => {
      const bytes = payload(Math.floor((s * w.maxCapture) / 1000));
      return fault && i === 0 ? { fault: true, want: bytes.length } : bytes;
    });
  for (const o of ops) {
    if (
      o.op !== 'read' &&
      o.op !== 'snapshot' &&
      o.op !== 'busy' &&
      o.op !== 'scribble' &&
      o.op !== 'rename'
    ) {
      w.finish(); // the writer holding the ring gets to complete before the next one
    }
    switch (o.op) {
      case 'enter':
        w.enter(200, 2, o.nargs, params(o.sizes, o.fault));
        break;
      case 'exit':
        w.exit(201, 0, BigInt(o.ret), params(o.sizes));
        break;
      case 'burst':
        burst(w, o.n, o.seed);
        break;
      case 'busy':
        w.failBusy(o.n);
        break;
      case 'read':
        c.read();
        break;
      case 'snapshot':
        freshRead(w);
        break;
      case 'partial':
        w.enter(202, 4, o.nargs, params(o.sizes), { publish: o.publish, midRecord: o.midRecord });
        break;
      case 'scribble':
        if (w.isPending) break; // the pending writer's own stores are what is past head
        w.scribble(Math.min(o.n, o.n) & ~7);
        break;
      case 'rename':
        w.setComm(o.tid, o.name);
        break;
      case 'call':
        // A whole call, completed in place when nothing came between (a read may).
        w.enter(203, 9, o.nargs, params(o.sizes));
        if (o.read) c.read();
        if (w.done(203, 9, BigInt(o.ret)) === null) w.exit(203, 9, BigInt(o.ret));
        break;
    }
  }
  w.finish();
  const end = c.read();
  expect(BigInt(end.state.delivered + end.state.lost), 'poll: delivered + lost').toBe(
    w.emitted + w.failed,
  );
  const snap = freshRead(w);
  expect(BigInt(snap.state.delivered + snap.state.lost), 'snapshot: delivered + lost').toBe(
    w.emitted + w.failed,
  );
}

describe('readRing: one record per call (TL_REC_DONE)', () => {
  /** The same calls written by two writers: one completes each in place, one writes exits. */
  function pair(o: Partial<RingWriterOptions> = {}) {
    const one = mk(o);
    const two = mk(o);
    return {
      one,
      two,
      call(tid: number, nr: number, nargs: number, params: Buffer[], ret: bigint): void {
        one.enter(tid, nr, nargs, params);
        two.enter(tid, nr, nargs, params);
        expect(one.done(tid, nr, ret), 'completed in place').not.toBeNull();
        two.exit(tid, nr, ret);
      },
    };
  }
  const lines = (records: Buffer): string[] =>
    formatRecords(parseRecords(records), { time: (ts) => String(ts), durations: true });

  it('delivers the very records, and so the lines, of the two-record form', () => {
    const { one, two, call } = pair();
    call(100, 39, 0, [], 4242n); // getpid()
    call(100, 1, 3, [Buffer.from('x'.repeat(64))], 64n); // write(1, "xx...", 64)
    call(101, 2, 4, [Buffer.from('/etc/passwd')], -2n); // open: ENOENT
    call(100, 0, 3, [], -11n); // read, no exit capture in this model: EAGAIN
    call(100, 9, 6, [], 0x7f0000001000n); // mmap: a return value that needs the long form
    expect(one.head).toBe(two.head - 4 * (40 - DONE_SHORT_BYTES) - (40 - DONE_BYTES));
    const a = freshRead(one);
    const b = freshRead(two);
    expect(a.raw.equals(b.raw)).toBe(true);
    expect(a.state).toEqual({ ...b.state, pos: BigInt(one.head) });
    const text = lines(a.raw);
    expect(text).toEqual(lines(b.raw));
    expect(text).toHaveLength(5);
    // Durations from the 32-bit delta: the model's clock steps 1000 ns per record.
    for (const l of text) expect(l).toMatch(/ <0\.000001>$/);
    expect(text[1]).toMatch(/^.*write\(.*\) = 64 <0\.000001>$/);
  });

  it('bytes per call: an argument-less call takes 40 bytes, a 64-byte write 144', () => {
    const w = mk();
    w.enter(1, 39, 0); // the thread's first: it names its comm
    w.done(1, 39, 1n);
    expect(w.head).toBe(32 + 16 + DONE_SHORT_BYTES);
    w.enter(1, 39, 0);
    w.done(1, 39, 1n);
    expect(w.head - 56).toBe(32 + DONE_SHORT_BYTES);
    w.enter(1, 1, 3, [payload(64)]);
    w.done(1, 1, 64n);
    expect(w.head - 56 - 40).toBe(56 + 16 + 64 + DONE_SHORT_BYTES);
  });

  it('takes the long form for a duration past 16 bits, and delivers it the same', () => {
    const o = { tsStep: 70_000n }; // 70 us per record
    const one = mk(o);
    const two = mk(o);
    one.enter(1, 7, 3);
    two.enter(1, 7, 3);
    one.done(1, 7, 1n);
    two.exit(1, 7, 1n);
    expect(one.head).toBe(56 + 16 + DONE_BYTES);
    expect(freshRead(one).raw.equals(freshRead(two).raw)).toBe(true);
    expect(lines(freshRead(one).raw)[0]).toMatch(/ = 1 <0\.000070>$/);
  });

  it('completes an enter delivered by an earlier read', () => {
    const w = mk();
    const c = new Consumer(w);
    burst(w, 5, 7);
    w.enter(300, 7, 2, [payload(30)]);
    const r1 = c.read();
    expect(r1.groups.map((g) => g.seq)).toEqual(range(0n, w.emitted));
    const seq = w.done(300, 7, 5n);
    const r2 = c.read();
    expect(seqsOf(r2)).toEqual([seq]);
    expect(parseRecords(r2.raw)).toMatchObject([{ kind: 'exit', tid: 300, nr: 7, ret: 5n }]);
  });

  it('is not used when another record came between', () => {
    const w = mk();
    w.enter(300, 7, 0);
    w.exit(301, 8, 0n);
    expect(w.done(300, 7, 0n)).toBeNull();
    w.enter(300, 7, 0);
    expect(w.done(300, 8, 0n), 'another syscall').toBeNull();
    expect(w.done(301, 7, 0n), 'another thread').toBeNull();
  });

  it('counts a done whose enter was not read (overwritten, or before the window) as lost', () => {
    const w = mk({ ringBytes: 16384 });
    const c = new Consumer(w);
    c.read();
    for (let i = 0; i < 400; i++) {
      w.enter(400 + (i % 3), 9, i % 7, i % 5 === 0 ? [payload(100)] : []);
      w.done(400 + (i % 3), 9, BigInt(i));
    }
    // More than a lap behind: the oldest records are gone, some dones among the first found.
    const r = c.read();
    expect(r.markers).toHaveLength(1);
    expect(BigInt(r.state.delivered + r.state.lost)).toBe(w.emitted);
    const s = freshRead(w);
    expect(BigInt(s.state.delivered + s.state.lost)).toBe(w.emitted);
    // Every call read is whole: each delivered exit right after its enter.
    const recs = parseRecords(s.raw).filter((x) => x.kind !== 'lost');
    const firstEnter = recs.findIndex((x) => x.kind === 'enter');
    for (let i = firstEnter; i + 1 < recs.length; i += 2) {
      expect([recs[i]!.kind, recs[i + 1]!.kind]).toEqual(['enter', 'exit']);
      expect(recs[i + 1]!.ts - recs[i]!.ts).toBe(1000n);
    }
  });

  it('follows its enter across the end of a lap', () => {
    const w = mk({ ringBytes: 8192 });
    const c = new Consumer(w);
    w.enter(5, 5, 0);
    advanceTo(w, 8192 - 112);
    c.read();
    const enter = w.emitted;
    w.setComm(5, 'renamed');
    w.enter(5, 5, 6); // the largest enter (renamed: both comms): it ends exactly at the lap's end
    const seq = w.done(5, 5, 0n);
    expect(seq).not.toBeNull();
    expect(w.group(seq!)!.start).toBe(8192);
    expect(w.pads).toEqual([]);
    expect(seqsOf(c.read())).toEqual([enter, seq]);
  });
});

describe('readRing under random writes and reads', () => {
  // TL_PROP_RUNS=5000 npx vitest run test/ring-reader.test.ts: a deeper search than CI's.
  const numRuns = Number(process.env.TL_PROP_RUNS ?? 150);
  const timeout = Math.max(60_000, numRuns * 50);
  const config = (ringBytes: fc.Arbitrary<number>) =>
    fc.record({
      ringBytes,
      maxCapture: fc.constantFrom(16, 64, 256, 1024, 4096),
      ops: fc.array(opArb, { maxLength: 40 }),
    });

  it(
    'keeps every invariant, and accounts for every record at the end (16 KiB, 64 KiB)',
    () => {
      fc.assert(
        fc.property(config(fc.constantFrom(16384, 65536)), ({ ringBytes, maxCapture, ops }) => {
          run(new RingWriter({ ringBytes, maxCapture }), ops);
        }),
        { numRuns },
      );
    },
    timeout,
  );

  it(
    'keeps every invariant, and accounts for every record at the end (4 KiB, 8 KiB)',
    () => {
      // Fails with the bug shown by the one- and two-page cases above: a fresh or fallen-behind
      // read whose window holds no page boundary, or only orphan params past it, skips to head
      // and counts nothing. On 4 KiB rings within a few runs; on 8 KiB ones rarely (a group of
      // large params cut by the boundary).
      fc.assert(
        fc.property(config(fc.constantFrom(4096, 8192)), ({ ringBytes, maxCapture, ops }) => {
          run(new RingWriter({ ringBytes, maxCapture }), ops);
        }),
        // Shrinking a failure here can take half a minute: stop it, keeping the best so far.
        { numRuns, interruptAfterTimeLimit: 2000 },
      );
    },
    timeout,
  );
});

describe('readRing: comm carried forward (bpf/traceloop.h)', () => {
  const commOfEnter = (r: ReturnType<typeof parseRecords>[number]): string =>
    r.kind === 'enter' ? (r.commLater ? `~${r.comm}` : r.comm) : '';
  const enters = (raw: Buffer) =>
    parseRecords(raw).filter((r): r is EnterRecord => r.kind === 'enter');

  it('names a thread once, then carries its comm; a rename is named again', () => {
    const w = mk();
    const c = new Consumer(w);
    w.enter(10, 1, 0);
    w.enter(10, 1, 0);
    w.setComm(10, 'renamed');
    w.enter(10, 1, 0);
    w.enter(10, 1, 0);
    // 48 (named) + 32 + 64 (renamed: both comms) + 32
    expect(w.head).toBe(48 + 32 + 64 + 32);
    const r = c.read();
    expect(enters(r.raw).map(commOfEnter)).toEqual(['tl-model', 'tl-model', 'renamed', 'renamed']);
  });

  it('names again after an eighth of the ring, so a fresh read knows every busy thread', () => {
    const w = mk({ ringBytes: 16384 });
    for (let i = 0; i < 600; i++) w.enter(10 + (i % 3), 1, i % 7);
    const r = freshRead(w);
    expect(r.markers).toHaveLength(1);
    const e = enters(r.raw);
    expect(e.length).toBeGreaterThan(100);
    expect(e.filter((x) => x.commLater)).toEqual([]);
    expect(new Set(e.map((x) => x.comm))).toEqual(new Set(['tl-model']));
  });

  it('gives the enters before a rename the comm the rename record carries as the one before', () => {
    const w = mk({ ringBytes: 16384 });
    // The fresh read's window will begin at the page boundary 4096: between the two enters.
    advanceTo(w, PAGE - 104);
    const x = w.head;
    w.enter(20, 1, 0); // named at x
    while (w.head < x + 1800) w.enter(21, 1, 6);
    const carriedAt = w.head;
    w.enter(20, 1, 0); // within the refresh distance (2 KiB): carried
    while (w.head < PAGE + 12000) w.enter(21, 1, 6);
    w.setComm(20, 'after-exec');
    w.enter(20, 59, 0); // named and RENAMED: the comm before rides along
    const r = freshRead(w);
    // The named enter is outside the read's window, the carried one inside.
    expect(r.boundary).toBeGreaterThan(x);
    expect(r.boundary).toBeLessThanOrEqual(carriedAt);
    const e = enters(r.raw).filter((x) => x.tid === 20);
    expect(e.map(commOfEnter)).toEqual(['tl-model', 'after-exec']);
  });

  it('marks what it cannot know: the name the thread had at its next named enter, [~name]', () => {
    const w = mk({ ringBytes: 16384 });
    // The fresh read's window will begin at the page boundary 4096: between the two enters.
    advanceTo(w, PAGE - 104);
    const x = w.head;
    w.enter(30, 1, 0); // named at x
    while (w.head < x + 1800) w.enter(31, 1, 6);
    const carriedAt = w.head;
    w.enter(30, 1, 0); // within the refresh distance (2 KiB): carried
    while (w.head < PAGE + 12000) w.enter(31, 1, 6);
    w.enter(94, 1, 0); // takes slot 30 % 64: nothing will say what thread 30 was called before
    w.setComm(30, 'later');
    w.enter(30, 1, 0); // named, neither SAME nor RENAMED
    const r = freshRead(w);
    expect(r.boundary).toBeGreaterThan(x);
    expect(r.boundary).toBeLessThanOrEqual(carriedAt);
    const e = enters(r.raw).filter((x) => x.tid === 30);
    expect(e.map(commOfEnter)).toEqual(['~later', 'later']);
    const lines = formatRecords(parseRecords(r.raw), { time: () => 'T' });
    expect(lines.filter((l) => l.includes(' 30 ['))[0]).toMatch(/^T cpu#0 30 \[~later\] /);
  });

  it('never lends a thread a name from before a rename the reader forgot (its bound on threads)', () => {
    const w = mk({ ringBytes: 16384 });
    const c = new Consumer(w);
    w.enter(50, 1, 0); // named 'tl-model'
    c.read();
    // The reader remembers as many threads as it may (CommMemory's bound, 1 << 16): the
    // next thread it meets makes it forget them all, thread 50's name included.
    const fake = Buffer.alloc(16);
    fake.write('other', 'latin1');
    const known = c.state!.comms;
    for (let t = 100_000; known.length < 1 << 16; t++) known.push([t, fake]);
    w.setComm(50, 'second');
    w.enter(50, 1, 0); // named, RENAMED: the name before was 'tl-model'
    w.setComm(50, 'third');
    w.enter(50, 1, 0); // named, RENAMED: the name before was 'second'
    w.enter(51, 1, 0); // a new thread: the reader forgets every name
    w.enter(50, 1, 0); // carried ('third'): the writer's cache still knows 50
    // Read as the drain does (the Consumer's model of what a reader must know has no bound).
    const out = native.readRing(w.element, w.ringBytes, w.inflightBytes, w.cpu, c.state);
    const e = enters(out.records).filter((x) => x.tid === 50);
    expect(e.map(commOfEnter).slice(0, 2)).toEqual(['second', 'third']);
    // Not 'tl-model' (what the first rename in this read said came before it): unknown, marked.
    expect(e[2]!.commLater).toBe(true);
    expect(e[2]!.comm).not.toBe('tl-model');
  });

  it('forgets carried comms at a loss: what the lost records named may have changed', () => {
    const w = mk({ ringBytes: 16384 });
    const c = new Consumer(w);
    w.enter(40, 1, 0);
    c.read();
    w.setComm(40, 'renamed');
    w.enter(40, 1, 0); // named, then lost with the lap below
    for (let i = 0; i < 300; i++) w.enter(41, 1, 6);
    w.enter(40, 1, 0); // carried: 'renamed', which this reader never saw
    const r = c.read();
    expect(r.markers).toHaveLength(1);
    const e = enters(r.raw).filter((x) => x.tid === 40);
    expect(e.map(commOfEnter)).not.toContain('tl-model');
  });
});

// The stream of one cgroup, kept outside React. At 200k events/s, decoding
// every call into text would cost more than a core, and the screen shows
// thirty lines: so records are only *indexed* as they arrive (a few header
// reads each, no allocation of strings or BigInts) and a line is decoded the
// first time something needs its text (it becomes visible, a filter reads
// it). Each Entry keeps a view into the batch it came from; batches are
// copies the addon handed over, so they stay valid as long as referenced.
//
// Pairing follows src/format/records.ts: an enter directly followed by its
// exit is one line; otherwise the enter is `<unfinished ...>` and the exit
// `<... resumed>`. Text comes from that very formatter, fed the records of
// one line, so a line reads exactly as in a dump.
import { createLineFormatter, formatLost, type LineFormatter } from '../format/index.js';
import {
  LAYOUT,
  TL_REC_ENTER,
  TL_REC_EXIT,
  TL_REC_LOST,
  parseRecords,
  type EnterRecord,
  type ExitRecord,
  type LostRecord,
} from '../wire.js';

const HDR_SIZE = LAYOUT['tl_hdr.size'];
const HDR_TYPE = LAYOUT['tl_hdr.type'];
const HDR_TID = LAYOUT['tl_hdr.tid'];
const EV_NR = LAYOUT['tl_event.nr'];
const EV_CPU = LAYOUT['tl_event.cpu'];
const ENTER_PID = LAYOUT['tl_enter.pid'];
const EXIT_PID = LAYOUT['tl_exit.pid'];
const EXIT_RET = LAYOUT['tl_exit.ret'];
const LOST_CPU = LAYOUT['tl_lost.cpu'];

/** Where one record and the params after it sit in a batch. */
export interface Span {
  buf: Buffer;
  start: number;
  end: number;
}

/** One line of the stream: a call (enter and/or exit) or a lost marker. */
export class Entry {
  /** Full strace-style text, decoded on first use. */
  text: string | undefined = undefined;
  /** The screen row (columns, no colour), built on first display. */
  row: string | undefined = undefined;
  /** Filter generation this entry was last matched against, and the answer. */
  matchGen = -1;
  matched = false;

  constructor(
    /** Position in the stream since the store began: stable across eviction. */
    readonly seq: number,
    readonly enter: Span | undefined,
    readonly exit: Span | undefined,
    readonly lost: Span | undefined,
    readonly tid: number,
    readonly pid: number,
    readonly nr: number,
    readonly cpu: number,
    /** The exit returned -4095..-1. */
    readonly failed: boolean,
    /** Enter and exit came back to back: one `= ret` line. */
    readonly joined: boolean,
  ) {}

  get isLost(): boolean {
    return this.lost !== undefined;
  }
}

export interface StoreOptions {
  /** Lines kept (the oldest go first). */
  capacity?: number;
  /** Renders a record timestamp, e.g. createWallClock(sampleClocks()). */
  time: (ts: bigint) => string;
  maxString?: number;
}

export const DEFAULT_CAPACITY = 100_000;

export function parseSpan(s: Span): (EnterRecord | ExitRecord | LostRecord)[] {
  return parseRecords(s.buf.subarray(s.start, s.end));
}

export class StreamStore {
  /** Bumped on every change a screen could show. */
  version = 0;
  /** Lines ever added (the next entry's seq). */
  total = 0;
  readonly capacity: number;
  private ring: (Entry | undefined)[];
  private head = 0; // index of the oldest entry
  private size = 0;
  /** The enter whose line waits to see whether its exit comes next. */
  private pending: { span: Span; tid: number; pid: number; nr: number; cpu: number } | undefined;
  /** Enters shown as unfinished, by tid, waiting for their exit. */
  private readonly unfinished = new Map<number, { span: Span; nr: number }>();
  private readonly time: (ts: bigint) => string;
  private readonly maxString: number | undefined;

  constructor(opts: StoreOptions) {
    this.capacity = Math.max(1, opts.capacity ?? DEFAULT_CAPACITY);
    this.ring = new Array<Entry | undefined>(this.capacity);
    this.time = opts.time;
    this.maxString = opts.maxString;
  }

  get length(): number {
    return this.size;
  }

  /** The i-th oldest entry kept, 0 <= i < length. */
  at(i: number): Entry {
    return this.ring[(this.head + i) % this.capacity]!;
  }

  /** A copy of what is kept now: the frozen view of a pause. */
  toArray(): Entry[] {
    const out = new Array<Entry>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.at(i);
    return out;
  }

  /**
   * Indexes one batch of merged records (src/wire.ts layout). An empty batch
   * means the drain found nothing new: a call still pending is then shown as
   * unfinished rather than held back while its thread blocks.
   */
  ingest(buf: Buffer): void {
    const before = this.total;
    let off = 0;
    let last: Span | undefined; // the record params attach to
    while (off + 8 <= buf.length) {
      const size = buf.readUInt16LE(off + HDR_SIZE);
      if (size === 0 || off + size > buf.length) break; // parseRecords would throw; show what we have
      const type = buf.readUInt8(off + HDR_TYPE);
      if (type === TL_REC_ENTER || type === TL_REC_EXIT || type === TL_REC_LOST) {
        const span: Span = { buf, start: off, end: off + size };
        if (type === TL_REC_ENTER) this.onEnter(span);
        else if (type === TL_REC_EXIT) this.onExit(span);
        else this.onLost(span);
        last = span;
      } else if (last) {
        // PARAM (and PAD between a record and its params) belong to the record before.
        last.end = off + size;
      }
      off += size;
    }
    if (buf.length === 0) this.flushPending();
    if (this.total !== before) this.version++;
  }

  /** Shows a call still pending as unfinished (the stream ended or paused). */
  flushPending(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.unfinished.set(p.tid, { span: p.span, nr: p.nr });
    this.push(p.span, undefined, undefined, p.tid, p.pid, p.nr, p.cpu, false);
    this.version++;
  }

  /** The full strace-style line of an entry (decoded once, then kept). */
  textOf(e: Entry): string {
    if (e.text === undefined) e.text = this.decode(e);
    return e.text;
  }

  /** A formatter for one line; `time` is the store's wall clock. */
  formatter(): LineFormatter {
    return createLineFormatter({
      time: this.time,
      ...(this.maxString !== undefined ? { maxString: this.maxString } : {}),
    });
  }

  get clock(): (ts: bigint) => string {
    return this.time;
  }

  private decode(e: Entry): string {
    try {
      if (e.lost) {
        const lost = parseSpan(e.lost)[0];
        return lost?.kind === 'lost' ? formatLost(lost, this.time) : '---- LOST ----';
      }
      const fmt = this.formatter();
      const enter = e.enter ? parseSpan(e.enter) : [];
      const exit = e.exit ? parseSpan(e.exit) : [];
      let lines: string[];
      if (e.joined) {
        lines = fmt.push([...enter, ...exit]); // one line: `= ret`
      } else if (e.enter && e.exit) {
        fmt.push(enter);
        fmt.flush(); // the `<unfinished ...>` half, shown as its own entry
        lines = fmt.push(exit);
      } else {
        lines = [...fmt.push(enter.length ? enter : exit), ...fmt.flush()];
      }
      return lines[lines.length - 1] ?? '?';
    } catch (err) {
      return `(undecodable record: ${(err as Error).message})`;
    }
  }

  private onEnter(span: Span): void {
    this.flushPendingQuiet();
    const { buf, start } = span;
    const tid = buf.readUInt32LE(start + HDR_TID);
    this.unfinished.delete(tid); // a new call: whatever was in flight ended unseen
    this.pending = {
      span,
      tid,
      pid: buf.readUInt32LE(start + ENTER_PID),
      nr: buf.readUInt16LE(start + EV_NR),
      cpu: buf.readUInt16LE(start + EV_CPU),
    };
  }

  private onExit(span: Span): void {
    const { buf, start } = span;
    const tid = buf.readUInt32LE(start + HDR_TID);
    const nr = buf.readUInt16LE(start + EV_NR);
    const pid = buf.readUInt32LE(start + EXIT_PID);
    const cpu = buf.readUInt16LE(start + EV_CPU);
    // -4095..-1 as a 64-bit value: high word all ones, low word in range.
    const lo = buf.readInt32LE(start + EXIT_RET);
    const failed = buf.readInt32LE(start + EXIT_RET + 4) === -1 && lo < 0 && lo >= -4095;
    const p = this.pending;
    if (p && p.tid === tid && p.nr === nr) {
      this.pending = undefined;
      this.push(p.span, span, undefined, tid, p.pid, nr, p.cpu, failed, true);
      return;
    }
    this.flushPendingQuiet();
    const u = this.unfinished.get(tid);
    this.unfinished.delete(tid);
    const enter = u && u.nr === nr ? u.span : undefined;
    this.push(enter, span, undefined, tid, pid, nr, cpu, failed);
  }

  private onLost(span: Span): void {
    this.flushPendingQuiet();
    const cpu = span.buf.readUInt32LE(span.start + LOST_CPU);
    this.push(undefined, undefined, span, 0, 0, -1, cpu, false);
  }

  private flushPendingQuiet(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.unfinished.set(p.tid, { span: p.span, nr: p.nr });
    this.push(p.span, undefined, undefined, p.tid, p.pid, p.nr, p.cpu, false);
  }

  private push(
    enter: Span | undefined,
    exit: Span | undefined,
    lost: Span | undefined,
    tid: number,
    pid: number,
    nr: number,
    cpu: number,
    failed: boolean,
    joined = false,
  ): void {
    const e = new Entry(this.total++, enter, exit, lost, tid, pid, nr, cpu, failed, joined);
    if (this.size < this.capacity) {
      this.ring[(this.head + this.size) % this.capacity] = e;
      this.size++;
    } else {
      this.ring[this.head] = e;
      this.head = (this.head + 1) % this.capacity;
    }
  }
}

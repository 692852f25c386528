// The stream of one cgroup, kept outside React. At 200k events/s, decoding
// every call into text would cost more than a core, and the screen shows
// thirty lines: so records are only *indexed* as they arrive (a few header
// reads each, no allocation of strings or BigInts) and a line is decoded the
// first time something needs its text (it becomes visible, a filter reads
// it). Each Entry keeps a view into the batch it came from; batches are
// copies the addon handed over, so they stay valid as long as referenced.
//
// Per line, the store keeps numbers in typed arrays (a column per field) and
// two Buffer references: no object per event, so 200k events/s make no
// garbage for the collector. An Entry object is made only for a line that
// is looked at (visible, filtered, detailed) and kept while it is in the
// ring.
//
// Pairing is src/format/pairing.ts, the machine the formatter uses too: an
// enter directly followed by its exit is one line; otherwise the enter is
// `<unfinished ...>` and the exit `<... resumed>`; rt_sigreturn pairs
// whatever number its exit carries; a new child's first `= 0` is no line; a
// call that never returns is complete at its enter; a process's end (the
// kernel's TL_NR_PROC_END exit) is its `+++ exited with N +++` line. Text
// comes from the formatter, fed the records of one line, so a line reads as
// in a dump.
import { createLineFormatter, formatLost, type LineFormatter } from '../format/index.js';
import { CallPairing, COMPLETE, DROPPED, ENDED, JOINED } from '../format/pairing.js';
import { mergeParamsInto } from '../format/call.js';
import { ParamSlots } from '../format/param-slots.js';
import type { FdNamer } from '../format/fd-table.js';
import { FdHistory } from './fd-history.js';
import { TRIGGER_MARK } from '../capture/format.js';
import {
  callNr,
  LAYOUT,
  TL_REC_ENTER,
  TL_REC_EXIT,
  TL_REC_LOST,
  TL_NR_PROC_END,
  parseRecords,
  RecordWalk,
  type EnterRecord,
  type ExitRecord,
  type LostRecord,
} from '../wire.js';

const HDR_TID = LAYOUT['tl_hdr.tid'];
const EV_CPU = LAYOUT['tl_event.cpu'];
const EV_TS = LAYOUT['tl_event.ts'];
const ENTER_PID = LAYOUT['tl_enter.pid'];
const EXIT_PID = LAYOUT['tl_exit.pid'];
const EXIT_RET = LAYOUT['tl_exit.ret'];
const LOST_CPU = LAYOUT['tl_lost.cpu'];
/** tl_lost.cpu of a marker about no one CPU. */
const ALL_CPUS = 0xffffffff;

/** The errno of a failed call (its exit returned -4095..-1), else undefined. */
export function errnoOf(e: Entry): number | undefined {
  if (!e.failed || !e.exit) return undefined;
  return -e.exit.buf.readInt32LE(e.exit.start + EXIT_RET);
}

/** Nanoseconds between a call's enter and its exit; undefined without both. */
export function durationOf(e: Entry): number | undefined {
  if (!e.enter || !e.exit || e.lossBetween) return undefined;
  const from = e.enter.buf.readBigUInt64LE(e.enter.start + EV_TS);
  const to = e.exit.buf.readBigUInt64LE(e.exit.start + EV_TS);
  return Number(to - from);
}

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
  /** The screen row (columns, no colour; the result apart), built on first display. */
  row: { text: string; result: string } | undefined = undefined;
  /** The fd names its text shows (strace -y's, without brackets), set with `text`. */
  fdNames: readonly string[] | undefined = undefined;
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
    /** A gap the UI itself saw (it was cut off from the recorder): its whole line. */
    readonly note?: string,
    /** Lost events came between its enter and its exit (pairing.ts's lossBetween). */
    readonly lossBetween = false,
  ) {}

  /** A marker of what is missing (the recorder's lost events, or a gap of this UI's): never filtered out. */
  get isLost(): boolean {
    return this.lost !== undefined || this.note !== undefined;
  }
}

export interface StoreOptions {
  /** Lines kept (the oldest go first). */
  capacity?: number;
  /** Renders a record timestamp, e.g. createWallClock(sampleClocks()). */
  time: (ts: bigint) => string;
  maxString?: number;
  /** The record whose line ends with TRIGGER_MARK: a triggered capture's (`traceloop view`). */
  mark?: { cpu: number; seq: number };
  /** strace -y: name fds from the calls seen (fd-history.ts); off, lines show them bare. */
  decodeFds?: boolean;
}

/**
 * Lines kept for scrolling back. A pause copies the columns (about 1 ms per
 * 2,500 lines on a small VM), so this bounds the pause key's latency; the
 * whole flight record is one `s` away anyway.
 */
export const DEFAULT_CAPACITY = 20_000;

export function parseSpan(s: Span): (EnterRecord | ExitRecord | LostRecord)[] {
  return parseRecords(s.buf.subarray(s.start, s.end));
}

const F_FAILED = 1;
const F_JOINED = 2;
const F_LOST = 4;
const F_ENTER = 8;
const F_EXIT = 16;
const F_NOTE = 32;
/** Lost events came between the line's enter and exit: their time apart is no duration. */
const F_LOSS_BETWEEN = 64;

/** An enter held back for its exit: where it lies (params extend `end`) and its numbers. */
interface Held {
  buf: Buffer;
  start: number;
  end: number;
  tid: number;
  pid: number;
  nr: number;
  cpu: number;
}

/** The columns of a ring of lines; copied whole when a pause freezes the view. */
class Columns {
  head = 0; // slot of the oldest line
  size = 0;
  /** seq of the oldest line kept. */
  first = 0;
  readonly tid: Int32Array;
  readonly pid: Int32Array;
  readonly nr: Int32Array;
  readonly cpu: Uint32Array;
  readonly flags: Uint8Array;
  readonly enterStart: Int32Array;
  readonly enterEnd: Int32Array;
  readonly exitStart: Int32Array;
  readonly exitEnd: Int32Array;
  readonly enterBuf: (Buffer | undefined)[];
  readonly exitBuf: (Buffer | undefined)[];
  /** The text of each F_NOTE line, by seq (few: one per reconnection). */
  readonly notes: Map<number, string>;
  /** Entries made so far, by seq (a frozen copy starts with the live ones: decoded text included). */
  readonly made: Map<number, Entry>;

  constructor(
    readonly capacity: number,
    from?: Columns,
  ) {
    const copy = <T extends Int32Array | Uint32Array | Uint8Array>(
      a: T | undefined,
      make: () => T,
    ) => (a ? a.slice() : make()) as T;
    this.tid = copy(from?.tid, () => new Int32Array(capacity));
    this.pid = copy(from?.pid, () => new Int32Array(capacity));
    this.nr = copy(from?.nr, () => new Int32Array(capacity));
    this.cpu = copy(from?.cpu, () => new Uint32Array(capacity));
    this.flags = copy(from?.flags, () => new Uint8Array(capacity));
    this.enterStart = copy(from?.enterStart, () => new Int32Array(capacity));
    this.enterEnd = copy(from?.enterEnd, () => new Int32Array(capacity));
    this.exitStart = copy(from?.exitStart, () => new Int32Array(capacity));
    this.exitEnd = copy(from?.exitEnd, () => new Int32Array(capacity));
    // Filled, not `new Array(n)`: a large holey array is a dictionary in V8,
    // slow to write per event and to copy on a pause.
    const refs = (): (Buffer | undefined)[] => Array.from({ length: capacity }, () => undefined);
    this.enterBuf = from ? from.enterBuf.slice() : refs();
    this.exitBuf = from ? from.exitBuf.slice() : refs();
    this.made = from ? new Map(from.made) : new Map<number, Entry>();
    this.notes = from ? new Map(from.notes) : new Map<number, string>();
    if (from) {
      this.head = from.head;
      this.size = from.size;
      this.first = from.first;
    }
  }

  /** The slot a new line goes to (evicting the oldest when full). */
  claim(): number {
    if (this.size < this.capacity) return (this.head + this.size++) % this.capacity;
    const slot = this.head;
    this.made.delete(this.first);
    this.notes.delete(this.first);
    this.head = (this.head + 1) % this.capacity;
    this.first++;
    return slot;
  }

  at(i: number): Entry {
    const seq = this.first + i;
    const had = this.made.get(seq);
    if (had) return had;
    const k = (this.head + i) % this.capacity;
    const f = this.flags[k]!;
    const span = (buf: Buffer | undefined, start: number, end: number): Span | undefined =>
      buf ? { buf, start, end } : undefined;
    const enterSpan =
      f & F_ENTER ? span(this.enterBuf[k], this.enterStart[k]!, this.enterEnd[k]!) : undefined;
    const exitSpan =
      f & F_EXIT ? span(this.exitBuf[k], this.exitStart[k]!, this.exitEnd[k]!) : undefined;
    const e = new Entry(
      seq,
      f & F_LOST ? undefined : enterSpan,
      exitSpan,
      f & F_LOST ? enterSpan : undefined,
      this.tid[k]!,
      this.pid[k]!,
      this.nr[k]!,
      this.cpu[k]!,
      (f & F_FAILED) !== 0,
      (f & F_JOINED) !== 0,
      f & F_NOTE ? this.notes.get(seq) : undefined,
      (f & F_LOSS_BETWEEN) !== 0,
    );
    this.made.set(seq, e);
    return e;
  }
}

export class StreamStore {
  /** Bumped on every change a screen could show. */
  version = 0;
  /** Lines ever added (the next line's seq). */
  total = 0;
  readonly capacity: number;
  private cols: Columns;
  /** Which exit ends which enter; an enter it gives up on becomes an unfinished line. */
  private readonly pairing = new CallPairing<Held>((h) => this.unfinishedLine(h));
  /** The enter the PARAM records that follow belong to (held back, or complete). */
  private current: Held | undefined;
  private readonly time: (ts: bigint) => string;
  private readonly maxString: number | undefined;
  private readonly mark: { cpu: number; seq: number } | undefined;
  /** What each line's fds were (strace -y), when names are on. */
  private readonly fds: FdHistory | undefined;
  /** A call that changes fd tables, fed once its params are in: its enter, or its line's slot. */
  private fdEnter: Held | undefined;
  private fdExit: { slot: number; seq: number; enter: Held | undefined } | undefined;
  private readonly fdSlots = new ParamSlots();
  /** The next total at which fd history older than the lines kept is dropped. */
  private fdPruneAt: number;

  constructor(opts: StoreOptions) {
    this.capacity = Math.max(1, opts.capacity ?? DEFAULT_CAPACITY);
    this.cols = new Columns(this.capacity);
    this.time = opts.time;
    this.maxString = opts.maxString;
    this.mark = opts.mark;
    this.fds = opts.decodeFds ? new FdHistory() : undefined;
    this.fdPruneAt = this.capacity;
  }

  /** Whether lines name fds (strace -y). */
  get namesFds(): boolean {
    return this.fds !== undefined;
  }

  get length(): number {
    return this.cols.size;
  }

  /** The i-th oldest line kept, 0 <= i < length. */
  at(i: number): Entry {
    return this.cols.at(i);
  }

  /** What is kept now, frozen: the view of a pause (typed arrays copied, buffers shared). */
  freeze(): { length: number; at(i: number): Entry } {
    const c = new Columns(this.capacity, this.cols);
    return { length: c.size, at: (i) => c.at(i) };
  }

  /**
   * Indexes one batch of merged records (src/wire.ts layout). An empty batch
   * means the drain found nothing new: a call still pending is then shown as
   * unfinished rather than held back while its thread blocks.
   */
  ingest(buf: Buffer): void {
    const before = this.total;
    // Where PARAM records (and PADs before them) extend: the current enter, or an exit's slot.
    let extend: 'none' | 'enter' | 'exit' = 'none';
    let exitSlot = 0;
    // Lenient: at a header parseRecords would throw on, show what came before it.
    const walk = new RecordWalk(buf, false);
    while (walk.next()) {
      const { off, size, type } = walk;
      if (type === TL_REC_ENTER) {
        this.onEnter(buf, off, size);
        extend = 'enter';
      } else if (type === TL_REC_EXIT) {
        exitSlot = this.onExit(buf, off, size);
        extend = exitSlot < 0 ? 'none' : 'exit';
      } else if (type === TL_REC_LOST) {
        this.onLost(buf, off, size);
        extend = 'none';
      } else if (extend === 'enter' && this.current) {
        this.current.end = off + size;
      } else if (extend === 'exit') {
        this.cols.exitEnd[exitSlot] = off + size;
      }
    }
    this.feedFds();
    this.fillComplete();
    if (buf.length === 0) this.flushPending();
    if (this.total !== before) this.version++;
    if (this.fds && this.total >= this.fdPruneAt) {
      // History a paused view may still show is kept: a ring-full before the live ring too.
      this.fds.prune(this.cols.first - this.capacity);
      this.fdPruneAt = this.total + this.capacity;
    }
  }

  /**
   * Feeds the fd tables the call whose params are now all in (see fd-history.ts): at the next
   * record, before any new line is claimed (so its slot still holds it), or the batch's end.
   */
  private feedFds(): void {
    const fds = this.fds;
    if (!fds) return;
    const h = this.fdEnter;
    if (h) {
      this.fdEnter = undefined;
      const enter = parseRecords(h.buf.subarray(h.start, h.end))[0];
      if (enter?.kind === 'enter') fds.enter(enter);
    }
    const x = this.fdExit;
    if (!x) return;
    this.fdExit = undefined;
    const c = this.cols;
    const buf = c.exitBuf[x.slot];
    if (!buf) return;
    const h2 = x.enter;
    const exitStart = c.exitStart[x.slot]!;
    // An enter right before its exit (most calls) is parsed with it, in one walk.
    const together = h2 !== undefined && h2.buf === buf && h2.end === exitStart;
    const records = parseRecords(buf.subarray(together ? h2.start : exitStart, c.exitEnd[x.slot]));
    const exit = records[together ? 1 : 0];
    const enter = together
      ? records[0]
      : h2
        ? parseRecords(h2.buf.subarray(h2.start, h2.end))[0]
        : undefined;
    if (exit?.kind !== 'exit') return;
    const e = enter?.kind === 'enter' ? enter : undefined;
    const params = mergeParamsInto(this.fdSlots, e ? e.params : [], exit.params);
    fds.exit(2 * x.seq + 1, e, exit, params);
  }

  /**
   * A gap the recorder could not mark because this UI was cut off from it (a daemon that
   * stopped answering, or restarted): `text` is the whole line, `ts` (CLOCK_MONOTONIC ns) when
   * the gap began. A call pending at the cut is shown unfinished first: its exit is not coming.
   */
  gap(ts: bigint, text: string): void {
    this.feedFds();
    this.fillComplete();
    // What happened in the gap is not known: as after a LOST marker, the tables are forgotten.
    this.fds?.lost(2 * this.total + 1);
    this.pairing.interrupt();
    this.current = undefined;
    const k = this.line(0, 0, -1, ALL_CPUS, F_NOTE);
    this.cols.notes.set(this.total - 1, `${this.time(ts)} all CPUs ---- ${text} ----`);
    this.cols.enterBuf[k] = undefined;
    this.cols.exitBuf[k] = undefined;
    this.version++;
  }

  /** Shows a call still pending as unfinished (the stream ended or paused). */
  flushPending(): void {
    if (!this.pairing.holding) return;
    this.pairing.flush();
    this.version++;
  }

  /** The full strace-style line of an entry (decoded once, then kept). */
  textOf(e: Entry): string {
    if (e.text === undefined) e.text = this.decode(e);
    return e.text;
  }

  /** The fd names a line shows, without brackets (the filter's `fd:`); undefined: none. */
  fdNamesOf(e: Entry): readonly string[] | undefined {
    this.textOf(e);
    return e.fdNames;
  }

  /**
   * Names for a line's fds as they were at that line: `before` its call's effect (its
   * arguments), or after it (its return). Undefined when names are off.
   */
  fdNamer(e: Entry, after: boolean): FdNamer | undefined {
    return this.fds?.namer(e.pid, 2 * e.seq + (after ? 1 : 0));
  }

  /** Whether a call's fd return is named, and whether its effect comes before its arguments. */
  fdRules():
    | { returnsFd(nr: number, args?: readonly bigint[]): boolean; effectFirst(nr: number): boolean }
    | undefined {
    return this.fds?.tables;
  }

  /**
   * A formatter for one line; `time` is the store's wall clock. `seq`: the line it formats,
   * whose fds it names as they were then (when names are on).
   */
  formatter(seq?: number): LineFormatter {
    const source = seq !== undefined ? this.fds?.sourceFor(seq) : undefined;
    return createLineFormatter({
      time: this.time,
      ...(this.maxString !== undefined ? { maxString: this.maxString } : {}),
      commOf: (tid) => this.commBefore(tid),
      ...(source ? { fdSource: source, fdNamesPerLine: true } : {}),
    });
  }

  /** Lines looked back through for a thread's name: bounds a decode's cost. */
  static readonly COMM_LOOKBACK = 4096;

  /**
   * The name of thread `tid` from its newest enter still kept (a line decoded alone, such as a
   * process's `+++ exited` line, has no enter of its own). Undefined when none is kept near.
   */
  private commBefore(tid: number): string | undefined {
    const c = this.cols;
    const stop = Math.max(0, c.size - StreamStore.COMM_LOOKBACK);
    for (let i = c.size - 1; i >= stop; i--) {
      const k = (c.head + i) % c.capacity;
      if (c.tid[k] !== tid || !(c.flags[k]! & F_ENTER) || c.flags[k]! & (F_LOST | F_NOTE)) continue;
      const buf = c.enterBuf[k];
      if (!buf) continue;
      const first = parseRecords(buf.subarray(c.enterStart[k], c.enterEnd[k]))[0];
      if (first?.kind === 'enter') return first.comm;
    }
    return undefined;
  }

  get clock(): (ts: bigint) => string {
    return this.time;
  }

  private decode(e: Entry): string {
    try {
      if (e.note !== undefined) return e.note;
      if (e.lost) {
        const lost = parseSpan(e.lost)[0];
        return lost?.kind === 'lost' ? formatLost(lost, this.time) : '---- LOST ----';
      }
      const fmt = this.formatter(e.seq);
      const enter = e.enter ? parseSpan(e.enter) : [];
      const exit = e.exit ? parseSpan(e.exit) : [];
      let lines: string[];
      // The fd names of the call's own line, which comes first (a wait4 may add its child's
      // `+++ killed` line): fdNames speaks of the last push or flush.
      let names: readonly string[] | undefined;
      if (e.joined) {
        lines = fmt.push([...enter, ...exit]); // one line: `= ret`
        names = fmt.fdNames[0];
      } else if (e.enter && e.exit) {
        fmt.push(enter);
        fmt.flush(); // the `<unfinished ...>` half, shown as its own entry
        lines = fmt.push(exit);
        names = fmt.fdNames[0];
      } else {
        lines = fmt.push(enter.length ? enter : exit);
        names = fmt.fdNames[0];
        const flushed = fmt.flush();
        if (lines.length === 0) names = fmt.fdNames[0];
        lines = [...lines, ...flushed];
      }
      e.fdNames = names;
      const m = this.mark;
      const marked = m && exit.some((r) => r.kind === 'exit' && r.cpu === m.cpu && r.seq === m.seq);
      return (lines[0] ?? '?') + (marked ? TRIGGER_MARK : '');
    } catch (err) {
      return `(undecodable record: ${(err as Error).message})`;
    }
  }

  private onEnter(buf: Buffer, off: number, size: number): void {
    this.feedFds();
    this.fillComplete();
    const h: Held = {
      buf,
      start: off,
      end: off + size,
      tid: buf.readUInt32LE(off + HDR_TID),
      pid: buf.readUInt32LE(off + ENTER_PID),
      nr: callNr(buf, off),
      cpu: buf.readUInt16LE(off + EV_CPU),
    };
    this.current = h;
    if (this.fds && FdHistory.wants(h.nr)) this.fdEnter = h;
    if (this.pairing.enter(h.tid, h.nr, h) === COMPLETE) this.complete = h;
  }

  /** A call that never returns, complete at its enter: its line once its params are in. */
  private complete: Held | undefined;

  private fillComplete(): void {
    const h = this.complete;
    if (!h) return;
    this.complete = undefined;
    this.enterLine(h, F_ENTER);
  }

  /** Returns the slot the exit's line went to, or -1 for an exit shown by no line. */
  private onExit(buf: Buffer, off: number, size: number): number {
    this.feedFds();
    this.fillComplete();
    const tid = buf.readUInt32LE(off + HDR_TID);
    const nr = callNr(buf, off);
    // -4095..-1 as a 64-bit value: high word all ones, low word in range.
    const lo = buf.readInt32LE(off + EXIT_RET);
    const hi = buf.readInt32LE(off + EXIT_RET + 4);
    const failed = hi === -1 && lo < 0 && lo >= -4095;
    const kind = this.pairing.exit(tid, nr, lo === 0 && hi === 0);
    this.current = undefined;
    if (kind === DROPPED) {
      // A clone's child, first seen: its table starts from its parent's.
      const first = this.fds ? parseRecords(buf.subarray(off, off + size))[0] : undefined;
      if (first?.kind === 'exit') this.fds!.seen(first, 2 * this.total);
      return -1;
    }
    // ENDED (the process's end) is a line of its own, as a resumed exit with no enter is.
    const enter = this.pairing.matched;
    const c = this.cols;
    const pid = buf.readUInt32LE(off + EXIT_PID);
    const cpu = buf.readUInt16LE(off + EV_CPU);
    const k =
      kind === JOINED && enter
        ? this.line(enter.tid, enter.pid, enter.nr, enter.cpu, F_ENTER | F_EXIT | F_JOINED)
        : this.line(
            tid,
            pid,
            enter?.nr ?? nr,
            cpu,
            F_EXIT | (enter ? F_ENTER : 0) | (this.pairing.lossBetween ? F_LOSS_BETWEEN : 0),
          );
    if (enter) {
      c.enterBuf[k] = enter.buf;
      c.enterStart[k] = enter.start;
      c.enterEnd[k] = enter.end;
    } else {
      c.enterBuf[k] = undefined;
    }
    this.setExit(k, buf, off, size, failed);
    if (this.fds) {
      const seq = this.total - 1;
      if (kind === ENDED) {
        if (nr === TL_NR_PROC_END) this.fds.ended(pid, tid, 2 * seq + 1);
      } else if (FdHistory.wants(enter?.nr ?? nr, failed)) {
        this.fdExit = { slot: k, seq, enter };
      }
    }
    return k;
  }

  private setExit(k: number, buf: Buffer, off: number, size: number, failed: boolean): void {
    const c = this.cols;
    c.exitBuf[k] = buf;
    c.exitStart[k] = off;
    c.exitEnd[k] = off + size;
    if (failed) c.flags[k]! |= F_FAILED;
  }

  private onLost(buf: Buffer, off: number, size: number): void {
    this.feedFds();
    this.fillComplete();
    // Which processes lost what, the marker does not say: every table is forgotten after it.
    this.fds?.lost(2 * this.total + 1);
    this.pairing.interrupt();
    this.current = undefined;
    const cpu = buf.readUInt32LE(off + LOST_CPU);
    const k = this.line(0, 0, -1, cpu, F_LOST | F_ENTER);
    const c = this.cols;
    c.enterBuf[k] = buf;
    c.enterStart[k] = off;
    c.enterEnd[k] = off + size;
    c.exitBuf[k] = undefined;
  }

  /** The `<unfinished ...>` line of an enter the pairing gave up holding. */
  private unfinishedLine(h: Held): void {
    this.enterLine(h, F_ENTER);
  }

  private enterLine(h: Held, flags: number): void {
    const k = this.line(h.tid, h.pid, h.nr, h.cpu, flags);
    const c = this.cols;
    c.enterBuf[k] = h.buf;
    c.enterStart[k] = h.start;
    c.enterEnd[k] = h.end;
    c.exitBuf[k] = undefined;
  }

  /** A new line's slot, its numbers set. */
  private line(tid: number, pid: number, nr: number, cpu: number, flags: number): number {
    const c = this.cols;
    const k = c.claim();
    c.tid[k] = tid;
    c.pid[k] = pid;
    c.nr[k] = nr;
    c.cpu[k] = cpu;
    c.flags[k] = flags;
    this.total++;
    return k;
  }
}

// A TypeScript model of the BPF writer in bpf/traceloop.bpf.c, writing into a Buffer laid out
// exactly as one per-CPU ring element (bpf/traceloop.h):
//
//     [ struct tl_ring_ctrl (96 bytes) + page_start[ring_bytes / 4096], rounded to pages ]
//     [ data: ring_bytes                                                                  ]
//
// It follows the kernel code step by step: lock_ring (busy), reserve (a TL_REC_PAD to the end of
// the lap when a record of the kind's *maximum* size might not fit), the record stores (an enter
// stores all six args even when it is cut after nargs), w->head += size, publish (index_page,
// then the store of ctl->head). Each record can be stopped between its stores and its publish, so
// tests can put the ring in the states a reader meets while a writer is running. done() is the exit
// that completes its thread's enter in place (complete_call: a TL_REC_DONE right after the enter's
// group, when nothing came after it); the reader is to deliver the very tl_exit exit() would have.
// (The kernel publishes an event record with its params rather than on its own; publishing each
// record, as this model does, only shows a reader more states.) Enters are written in the ring's
// form (tl_ring_enter), their comm only where the kernel names it (comm_flags(), with the same
// per-ring cache of tl_comm_slot in the control block); setComm() renames a thread. What a group
// remembers of its enter is the tl_enter the reader is to deliver, with the thread's true comm.
//
// Field offsets are restated here from the header, not taken from src/wire.ts LAYOUT, so that a
// wrong LAYOUT entry shows up as a parse mismatch instead of agreeing with itself.
//
// The model also remembers what it wrote (every group's bytes as they were when published, every
// record start), which is what the tests compare the reader's output against.

/** sizeof(struct tl_ring_ctrl) without page_start[]. */
const CTRL_FIXED = 96 + 32 * 64;
const CTRL_HEAD = 0;
const CTRL_EMITTED = 8;
const CTRL_FAILED = 16;
const CTRL_FAULTS = 24;
const CTRL_BUSY = 32;
const CTRL_PUBLISHED = 40;
const CTRL_LAST_TS = 48;
const CTRL_PAGE_START = CTRL_FIXED;
const CTRL_COMMS = 96;
const COMM_SLOTS = 64;
const COMM_NAMED = 0x1;
const COMM_SAME = 0x2;
const COMM_RENAMED = 0x4;
const COMM_REFRESH_SHIFT = 3;

const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
const ALIGN = 8;
const MAX_ARGS = 6;
const MAX_PARAMS = 3;
const MAX_CAPTURE = 4096;
const COMM_LEN = 16;

const REC_PAD = 1;
const REC_ENTER = 2;
const REC_EXIT = 3;
const REC_PARAM = 4;
const REC_DONE = 5;
const REC_DONE_SHORT = 6;

const PARAM_OK = 0;
const PARAM_FAULT = 1;
const PARAM_TRUNCATED = 2;

/** sizeof(struct tl_enter), tl_exit, tl_param. */
export const ENTER_MAX = 96;
export const EXIT_BYTES = 40;
export const PARAM_HEAD = 16;
/** sizeof(struct tl_done). */
export const DONE_BYTES = 16;
/** sizeof(struct tl_done_short): ret and duration in 16 bits each. */
export const DONE_SHORT_BYTES = 8;

/** TL_ENTER_BYTES(nargs). */
export const enterSize = (nargs: number): number => ENTER_MAX - 8 * (MAX_ARGS - nargs);
/** sizeof(struct tl_ring_enter) and TL_RING_ENTER_MAX: six args, a comm and the one before. */
export const RING_ENTER_BASE = 80;
export const RING_ENTER_MAX = RING_ENTER_BASE + 2 * COMM_LEN;
/** TL_RING_ENTER_BYTES(nargs, flags). */
export const ringEnterSize = (nargs: number, flags: number): number =>
  RING_ENTER_BASE -
  8 * (MAX_ARGS - nargs) +
  (flags & COMM_NAMED ? COMM_LEN : 0) +
  (flags & COMM_RENAMED ? COMM_LEN : 0);
const align8 = (n: number): number => (n + ALIGN - 1) & ~(ALIGN - 1);

/** ctrl_bytes_for() in native/ring_reader.cc: control block + page index, rounded to pages. */
export function ctrlBytesFor(ringBytes: number): number {
  const need = CTRL_FIXED + 8 * (ringBytes / PAGE_SIZE);
  return Math.ceil(need / PAGE_SIZE) * PAGE_SIZE;
}

/** The capture limit native/recorder.cc gives the BPF side (rodata max_capture). */
export function effectiveCapture(ringBytes: number, requested: number): number {
  let cap = Math.min(requested, ringBytes / 8 - PARAM_HEAD, MAX_CAPTURE);
  cap &= ~(ALIGN - 1);
  return cap;
}

/** The largest record a writer stores (its room in reserve()). */
export const largestFor = (maxCapture: number): number =>
  Math.max(RING_ENTER_MAX, PARAM_HEAD + maxCapture);

/**
 * geo_.inflight_bytes in native/recorder.cc: a pad shorter than the largest record, an event
 * record published with its param, then the param.
 */
export function inflightFor(maxCapture: number): number {
  return 2 * largestFor(maxCapture) + RING_ENTER_MAX;
}

/** One captured argument. A bare Buffer is a buffer capture of its length, at arg index i. */
export interface ParamSpec {
  bytes?: Buffer;
  arg?: number;
  /** Bytes the call named; defaults to bytes.length. */
  want?: number;
  /** The user memory could not be read: TL_PARAM_FAULT, no bytes, ctl->faults++. */
  fault?: boolean;
}
export type ParamInput = Buffer | ParamSpec;

/** How much of a group to write now; the rest waits for finish(). */
export interface WriteOptions {
  /** Records of the group (the event counts as one) to publish now; default: all. */
  publish?: number;
  /** Also store the next record (and its pad) without publishing it: a writer mid-record. */
  midRecord?: boolean;
}

/** What the writer wrote for one seq: an enter or exit record and its params. */
export interface Group {
  seq: bigint;
  kind: 'enter' | 'exit';
  tid: number;
  nr: number;
  ts: bigint;
  /** Absolute position of the event record. */
  start: number;
  /** Params the event announces (tl_enter.nparams / tl_exit.nparams). */
  nparams: number;
  /** Records published so far (the event, then its params). */
  published: number;
  /** Absolute position after the last published record of the group. */
  end: number;
  /** Each published record's bytes, as they were in the ring when it was published (for a
   * TL_REC_DONE: the tl_exit the reader is to make of it). */
  records: Buffer[];
  /** An enter's: the tl_enter the reader is to deliver for it (its true comm in place). */
  delivered?: Buffer;
  /** An enter's: its thread's true comm, and the TL_COMM_* flags it was written with. */
  comm?: Buffer;
  commFlags?: number;
  /** A TL_REC_DONE's: the enter group it completes, which a reader must have read first. */
  completes?: Group;
}

/** Where a reader must start to deliver g: its event, or the enter a TL_REC_DONE completes. */
export const groupReach = (g: Group): number => g.completes?.start ?? g.start;

export const groupComplete = (g: Group): boolean => g.published === 1 + g.nparams;
/** The bytes the reader should deliver for a group: its records back to back, no pads. */
export const groupBytes = (g: Group): Buffer => Buffer.concat(g.records);

export interface RingWriterOptions {
  ringBytes: number;
  /** As asked of the recorder (maxCaptureBytes); clamped like native/recorder.cc does. */
  maxCapture?: number;
  cpu?: number;
  pid?: number;
  comm?: string;
  tsStart?: bigint;
  tsStep?: bigint;
  /** Start the ring's emitted counter here (a ring that already numbered this many). */
  emittedStart?: bigint;
}

/** One record of a group still to be written: stores it at `off`, returns its size. */
interface RecordPlan {
  (off: number): number;
  /** The size reserve() is asked for: the largest record of this kind. */
  max: number;
}

interface Pending {
  group: Group;
  plans: RecordPlan[];
  /** plans[0] is stored at `start` but not yet published. */
  stored: { start: number; size: number } | null;
}

export class RingWriter {
  readonly ringBytes: number;
  readonly ctrlBytes: number;
  readonly maxCapture: number;
  readonly inflightBytes: number;
  readonly cpu: number;
  readonly element: Buffer;
  /** Every group, by seq - emittedStart. */
  readonly groups: Group[] = [];
  /** Absolute start of every record stored (pads and params too), ascending. */
  readonly starts: number[] = [];
  /** Pads written, by absolute start. */
  readonly pads: number[] = [];
  readonly emittedStart: bigint;

  private readonly pid: number;
  private readonly comm: Buffer;
  /** Threads renamed by setComm(); the others have `comm`. */
  private readonly comms = new Map<number, Buffer>();
  private ts: bigint;
  private readonly tsStep: bigint;
  /** The writer's w->head: where the next record goes (>= the published head). */
  private local = 0;
  private pending: Pending | null = null;

  constructor(o: RingWriterOptions) {
    const { ringBytes } = o;
    if (ringBytes < PAGE_SIZE || (ringBytes & (ringBytes - 1)) !== 0) {
      throw new Error(`ring size must be a power of two of at least a page, got ${ringBytes}`);
    }
    this.ringBytes = ringBytes;
    this.ctrlBytes = ctrlBytesFor(ringBytes);
    this.maxCapture = effectiveCapture(ringBytes, o.maxCapture ?? 256);
    this.inflightBytes = inflightFor(this.maxCapture);
    this.cpu = o.cpu ?? 0;
    this.pid = o.pid ?? 4242;
    this.comm = Buffer.alloc(COMM_LEN);
    this.comm.write(o.comm ?? 'tl-model', 'latin1');
    this.ts = o.tsStart ?? 1_000_000_000n;
    this.tsStep = o.tsStep ?? 1000n;
    this.emittedStart = o.emittedStart ?? 0n;
    // A fresh BPF array element is zeroed: page_start[0] = 0 is the first record.
    this.element = Buffer.alloc(this.ctrlBytes + ringBytes);
    this.element.writeBigUInt64LE(this.emittedStart, CTRL_EMITTED);
  }

  // ---- control block -------------------------------------------------------------------------

  /** The published head (ctl->head), absolute bytes. */
  get head(): number {
    return Number(this.element.readBigUInt64LE(CTRL_HEAD));
  }
  get emitted(): bigint {
    return this.element.readBigUInt64LE(CTRL_EMITTED);
  }
  get failed(): bigint {
    return this.element.readBigUInt64LE(CTRL_FAILED);
  }
  get faults(): bigint {
    return this.element.readBigUInt64LE(CTRL_FAULTS);
  }
  get busy(): boolean {
    return this.element.readUInt32LE(CTRL_BUSY) !== 0;
  }
  /** Where the writer will put its next record (w->head). */
  get writePosition(): number {
    return this.local;
  }
  get isPending(): boolean {
    return this.pending !== null;
  }
  pageStart(page: number): number {
    const npages = this.ringBytes / PAGE_SIZE;
    return Number(this.element.readBigUInt64LE(CTRL_PAGE_START + 8 * (page & (npages - 1))));
  }

  /** The group numbered `seq`, or undefined if it predates emittedStart or was never written. */
  group(seq: bigint): Group | undefined {
    return this.groups[Number(seq - this.emittedStart)];
  }

  // ---- the writer's operations ---------------------------------------------------------------

  /** Renames thread tid (execve, prctl PR_SET_NAME): its next enter names the new comm. */
  setComm(tid: number, name: string): void {
    const b = Buffer.alloc(COMM_LEN);
    b.write(name, 'latin1');
    this.comms.set(tid, b);
  }

  /** The size the next enter of tid with nargs args would have (comm_flags() as of now). */
  nextEnterSize(tid: number, nargs: number): number {
    return ringEnterSize(nargs, this.commFlags(tid).flags);
  }

  /** comm_flags() in bpf/traceloop.bpf.c, on the model's slot cache in the control block. */
  private commFlags(tid: number): { flags: number; comm: Buffer; slot: number; prev: Buffer } {
    const comm = this.comms.get(tid) ?? this.comm;
    const slot = CTRL_COMMS + 32 * (tid % COMM_SLOTS);
    const prev = Buffer.from(this.element.subarray(slot + 16, slot + 32));
    let flags = 0;
    if (this.element.readUInt32LE(slot) !== tid) flags = COMM_NAMED;
    else if (!prev.equals(comm)) flags = COMM_NAMED | COMM_RENAMED;
    else if (
      this.local - Number(this.element.readBigUInt64LE(slot + 8)) >=
      this.ringBytes >> COMM_REFRESH_SHIFT
    )
      flags = COMM_NAMED | COMM_SAME;
    return { flags, comm, slot, prev };
  }

  /** sys_enter: an enter record with `nargs` args, then one TL_REC_PARAM per entry of params. */
  enter(
    tid: number,
    nr: number,
    nargs: number,
    params: readonly ParamInput[] = [],
    opts: WriteOptions = {},
  ): bigint {
    if (nargs < 0 || nargs > MAX_ARGS) throw new Error(`nargs ${nargs}`);
    return this.writeGroup('enter', tid, nr, params, opts, (g, off) => {
      const { flags, comm, slot, prev } = this.commFlags(tid);
      const size = ringEnterSize(nargs, flags);
      // All six args are stored; the record is cut after nargs of them and its comm(s).
      const b = this.data(off, RING_ENTER_MAX);
      this.eventHead(b, g, REC_ENTER, size);
      b.writeUInt32LE(this.pid, 24);
      b.writeUInt8(nargs, 28);
      b.writeUInt8(g.nparams, 29);
      b.writeUInt16LE(flags, 30);
      const arg = (i: number): bigint => (g.seq << 8n) | BigInt(0x10 + i);
      for (let i = 0; i < MAX_ARGS; i++) b.writeBigUInt64LE(arg(i), 32 + 8 * i);
      if (flags) {
        const tail = 32 + 8 * nargs;
        comm.copy(b, tail);
        if (flags & COMM_RENAMED) prev.copy(b, tail + COMM_LEN);
        this.element.writeUInt32LE(tid, slot);
        this.element.writeBigUInt64LE(BigInt(this.local), slot + 8);
        comm.copy(this.element, slot + 16);
      }
      // What the reader is to deliver: tl_enter, the comm in place.
      const d = Buffer.alloc(enterSize(nargs));
      this.eventHead(d, g, REC_ENTER, d.length);
      d.writeUInt32LE(this.pid, 24);
      d.writeUInt8(nargs, 28);
      d.writeUInt8(g.nparams, 29);
      comm.copy(d, 32);
      for (let i = 0; i < nargs; i++) d.writeBigUInt64LE(arg(i), 48 + 8 * i);
      g.delivered = d;
      g.comm = Buffer.from(comm);
      g.commFlags = flags;
      return size;
    });
  }

  /** sys_exit: an exit record with `ret`, then its params (buffer captures at exit). */
  exit(
    tid: number,
    nr: number,
    ret: bigint,
    params: readonly ParamInput[] = [],
    opts: WriteOptions = {},
  ): bigint {
    return this.writeGroup('exit', tid, nr, params, opts, (g, off) => {
      const b = this.data(off, EXIT_BYTES);
      this.eventHead(b, g, REC_EXIT, EXIT_BYTES);
      b.writeBigInt64LE(ret, 24);
      b.writeUInt32LE(this.pid, 32);
      b.writeUInt8(g.nparams, 36);
      b.fill(0, 37, 40);
      return EXIT_BYTES;
    });
  }

  /**
   * sys_exit of a call that captures nothing at exit, as complete_call() does it: when the last
   * group is this thread's enter of syscall nr and nothing was stored after it, a TL_REC_DONE (its
   * 32-bit duration and ret) right after it, or a TL_REC_DONE_SHORT when both fit 16 bits. Returns its seq, or null where the kernel would write
   * an exit() instead (the model has one thread per tid and no migrations).
   */
  done(tid: number, nr: number, ret: bigint): bigint | null {
    if (this.pending) throw new Error('the ring is locked by a partial write: finish() it first');
    const open = this.groups[this.groups.length - 1];
    const off = this.local % this.ringBytes;
    if (
      !open ||
      open.kind !== 'enter' ||
      open.completes ||
      !groupComplete(open) ||
      open.tid !== tid ||
      open.nr !== nr ||
      open.end !== this.local ||
      off > this.ringBytes - DONE_BYTES ||
      this.ts + this.tsStep - open.ts > 0xffffffffn
    ) {
      return null;
    }
    this.ts += this.tsStep;
    const duration = this.ts - open.ts;
    const short = duration <= 0xffffn && ret >= -32768n && ret <= 32767n;
    const g: Group = {
      seq: this.emitted,
      kind: 'exit',
      tid,
      nr,
      ts: this.ts,
      start: this.local,
      nparams: 0,
      published: 0,
      end: -1,
      records: [],
      completes: open,
    };
    this.element.writeBigUInt64LE(g.seq + 1n, CTRL_EMITTED);
    this.groups.push(g);
    const size = short ? DONE_SHORT_BYTES : DONE_BYTES;
    const b = this.data(off, size);
    b.writeUInt16LE(size, 0);
    b.writeUInt8(short ? REC_DONE_SHORT : REC_DONE, 2);
    b.writeUInt8(0, 3);
    if (short) {
      b.writeInt16LE(Number(ret), 4);
      b.writeUInt16LE(Number(duration), 6);
    } else {
      b.writeUInt32LE(Number(duration), 4);
      b.writeBigInt64LE(ret, 8);
    }
    const start = this.local;
    this.starts.push(start);
    this.local += size;
    this.indexPage(start, this.local);
    this.element.writeBigUInt64LE(this.emitted, CTRL_PUBLISHED);
    this.element.writeBigUInt64LE(g.ts, CTRL_LAST_TS);
    this.element.writeBigUInt64LE(BigInt(this.local), CTRL_HEAD);
    // What the reader makes of it: the tl_exit exit() would have written.
    const x = Buffer.alloc(EXIT_BYTES);
    this.eventHead(x, g, REC_EXIT, EXIT_BYTES);
    x.writeBigInt64LE(ret, 24);
    x.writeUInt32LE(this.pid, 32);
    g.records.push(x);
    g.published = 1;
    g.end = this.local;
    return g.seq;
  }

  /** `n` tasks found the ring busy: each counts itself in ctl->failed and writes nothing. */
  failBusy(n = 1): void {
    this.element.writeBigUInt64LE(this.failed + BigInt(n), CTRL_FAILED);
  }

  /** Completes the group a partial write left: stores and publishes the rest, unlocks. */
  finish(): void {
    const p = this.pending;
    if (!p) return;
    if (p.stored) {
      this.publishRecord(p.group, p.stored.start, p.stored.size);
      p.stored = null;
      p.plans.shift();
    }
    while (p.plans.length > 0) {
      const plan = p.plans.shift()!;
      const { start, size } = this.storeRecord(plan);
      this.publishRecord(p.group, start, size);
    }
    this.pending = null;
    this.element.writeUInt32LE(0, CTRL_BUSY);
  }

  /**
   * Garbage where a writer might be storing a record right now: `n` bytes (at most the largest
   * record) at w->head, after the pad reserve() would write if they might not fit. Nothing is
   * published; the next real record overwrites all of it.
   */
  scribble(n: number, fill = 0xcc): void {
    const largest = largestFor(this.maxCapture);
    if (n > largest) throw new Error(`scribble of ${n} > the largest record (${largest})`);
    if (this.pending?.stored) throw new Error('scribble over a stored record: finish() first');
    let off = this.local % this.ringBytes;
    if (off > this.ringBytes - n) {
      // reserve()'s pad, page index entry included; w->head itself is the writer's own.
      this.writePad(off, this.local);
      off = 0;
    }
    this.data(off, n).fill(fill);
  }

  // ---- oracles from what was written (independent of page_start[]) -----------------------------

  /** The oldest absolute position no writer can be touching, for a published head. */
  oldestSafe(head = this.head): number {
    const window = this.ringBytes > this.inflightBytes ? this.ringBytes - this.inflightBytes : 0;
    return head > window ? head - window : 0;
  }

  /**
   * The record boundary the protocol lets a reader find in [lo, head] without prior state: for
   * the first page starting at or after lo (and before head) in which some record starts, the
   * first record that starts in it; head if there is none.
   */
  indexedBoundary(lo: number, head = this.head): number {
    for (let page = Math.ceil(lo / PAGE_SIZE); page * PAGE_SIZE < head; page++) {
      const s = this.firstStartAtOrAfter(page * PAGE_SIZE);
      if (s !== undefined && s < (page + 1) * PAGE_SIZE && s <= head) return s;
    }
    return head;
  }

  // ---- internals -----------------------------------------------------------------------------

  private data(off: number, len: number): Buffer {
    if (off < 0 || off + len > this.ringBytes) {
      throw new Error(`store [${off}, ${off + len}) outside the data area`);
    }
    const at = this.ctrlBytes + off;
    return this.element.subarray(at, at + len);
  }

  private firstStartAtOrAfter(pos: number): number | undefined {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return this.starts[lo];
  }

  private eventHead(b: Buffer, g: Group, type: number, size: number): void {
    b.writeUInt16LE(size, 0);
    b.writeUInt8(type, 2);
    b.writeUInt8(0, 3);
    b.writeUInt32LE(g.tid, 4);
    b.writeUInt32LE(Number(g.seq & 0xffffffffn), 8);
    b.writeUInt16LE(this.cpu, 12);
    b.writeUInt16LE(g.nr, 14);
    b.writeBigUInt64LE(g.ts, 16);
  }

  /** index_page(): the record [start, end) crossed into a new page; the next one starts there. */
  private indexPage(start: number, end: number): void {
    if (Math.floor(end / PAGE_SIZE) === Math.floor(start / PAGE_SIZE)) return;
    const npages = this.ringBytes / PAGE_SIZE;
    const slot = Math.floor(end / PAGE_SIZE) & (npages - 1);
    this.element.writeBigUInt64LE(BigInt(end), CTRL_PAGE_START + 8 * slot);
  }

  /** reserve(): the data offset for a record of at most `max` bytes, padding out the lap. */
  private reserve(max: number): number {
    const off = this.local % this.ringBytes;
    if (off <= this.ringBytes - max) return off;
    const size = this.writePad(off, this.local);
    this.starts.push(this.local);
    this.pads.push(this.local);
    this.local += size;
    return 0;
  }

  /** A TL_REC_PAD from data offset `off` (absolute `at`) to the end of the lap; its size. */
  private writePad(off: number, at: number): number {
    const size = this.ringBytes - off;
    const pad = this.data(off, 8);
    pad.writeUInt16LE(size, 0);
    pad.writeUInt8(REC_PAD, 2);
    pad.writeUInt8(0, 3);
    pad.writeUInt32LE(0, 4);
    this.indexPage(at, at + size);
    return size;
  }

  private storeRecord(plan: RecordPlan): { start: number; size: number } {
    const off = this.reserve(plan.max);
    const start = this.local;
    const size = plan(off);
    if (size % ALIGN !== 0 || size > plan.max) throw new Error(`bad record size ${size}`);
    this.starts.push(start);
    this.local += size;
    return { start, size };
  }

  /** publish(): index_page, then the store of ctl->head. */
  private publishRecord(g: Group, start: number, size: number): void {
    this.indexPage(start, this.local);
    this.element.writeBigUInt64LE(this.emitted, CTRL_PUBLISHED);
    this.element.writeBigUInt64LE(g.ts, CTRL_LAST_TS);
    this.element.writeBigUInt64LE(BigInt(this.local), CTRL_HEAD);
    g.records.push(
      g.records.length === 0 && g.delivered
        ? g.delivered
        : Buffer.from(this.data(start % this.ringBytes, size)),
    );
    g.published++;
    g.end = this.local;
  }

  private paramPlan(g: Group, i: number, input: ParamInput): RecordPlan {
    const spec: ParamSpec = Buffer.isBuffer(input) ? { bytes: input } : input;
    const plan = ((off: number): number => {
      const bytes = spec.bytes ?? Buffer.alloc(0);
      const b = this.data(off, PARAM_HEAD);
      let status = PARAM_OK;
      let len = bytes.length;
      if (spec.fault) {
        len = 0;
        status = PARAM_FAULT;
        this.element.writeBigUInt64LE(this.faults + 1n, CTRL_FAULTS);
      } else if (len > this.maxCapture) {
        len = this.maxCapture;
        status = PARAM_TRUNCATED;
      }
      b.writeUInt8(REC_PARAM, 2);
      b.writeUInt8(0, 3);
      b.writeUInt32LE(g.tid, 4);
      b.writeUInt8(spec.arg ?? i, 8);
      b.writeUInt8(status, 9);
      b.writeUInt32LE(spec.want ?? bytes.length, 12);
      // Only `len` bytes are stored: the alignment tail keeps whatever the ring held.
      bytes.copy(this.data(off + PARAM_HEAD, len), 0, 0, len);
      b.writeUInt16LE(len, 10);
      const size = align8(PARAM_HEAD + len);
      b.writeUInt16LE(size, 0);
      return size;
    }) as RecordPlan;
    plan.max = PARAM_HEAD + this.maxCapture;
    return plan;
  }

  private writeGroup(
    kind: 'enter' | 'exit',
    tid: number,
    nr: number,
    params: readonly ParamInput[],
    opts: WriteOptions,
    event: (g: Group, off: number) => number,
  ): bigint {
    if (this.pending) throw new Error('the ring is locked by a partial write: finish() it first');
    if (params.length > MAX_PARAMS) throw new Error(`${params.length} params > ${MAX_PARAMS}`);
    this.element.writeUInt32LE(1, CTRL_BUSY); // lock_ring
    const g: Group = {
      seq: -1n,
      kind,
      tid,
      nr,
      ts: 0n,
      start: -1,
      nparams: params.length,
      published: 0,
      end: -1,
      records: [],
    };
    const eventPlan = ((off: number): number => {
      // event_head(): the seq is taken (emitted++) and the clock read under the lock.
      g.seq = this.emitted;
      this.element.writeBigUInt64LE(g.seq + 1n, CTRL_EMITTED);
      this.ts += this.tsStep;
      g.ts = this.ts;
      g.start = this.local;
      this.groups.push(g);
      return event(g, off);
    }) as RecordPlan;
    eventPlan.max = kind === 'enter' ? RING_ENTER_MAX : EXIT_BYTES;
    const plans: RecordPlan[] = [eventPlan, ...params.map((p, i) => this.paramPlan(g, i, p))];

    const publishNow = Math.min(opts.publish ?? plans.length, plans.length);
    for (let i = 0; i < publishNow; i++) {
      const { start, size } = this.storeRecord(plans.shift()!);
      this.publishRecord(g, start, size);
    }
    if (plans.length === 0) {
      this.element.writeUInt32LE(0, CTRL_BUSY); // unlock_ring
      return g.seq;
    }
    const p: Pending = { group: g, plans, stored: null };
    if (opts.midRecord) {
      p.stored = this.storeRecord(plans[0]!);
    }
    this.pending = p;
    if (g.seq < 0n) {
      // The event itself is not stored yet: its seq is taken when it is.
      return this.emitted;
    }
    return g.seq;
  }
}

// Counting what a batch of wire records stands for, per CPU, without decoding it: every
// consumer's books (what it was handed, shown, or owes as lost) are kept in events, and an
// event is either an enter/exit record or one of the events a lost marker counts. The daemon
// does this for every batch of every stream, so it walks headers and reads nothing else.
import { LAYOUT, TL_REC_ENTER, TL_REC_EXIT, TL_REC_LOST } from '../wire.js';

/** tl_lost.cpu of a marker that is about no one CPU (consumer behind in the addon, cgroup gone). */
export const ALL_CPUS = 0xffffffff;

const HDR_SIZE = LAYOUT['tl_hdr.size'];
const HDR_TYPE = LAYOUT['tl_hdr.type'];
const HDR_FLAGS = LAYOUT['tl_hdr.flags'];
const EVENT_CPU = LAYOUT['tl_event.cpu'];
const EVENT_TS = LAYOUT['tl_event.ts'];
const LOST_CPU = LAYOUT['tl_lost.cpu'];
const LOST_COUNT = LAYOUT['tl_lost.count'];
const LOST_FROM = LAYOUT['tl_lost.ts_from'];
const LOST_TO = LAYOUT['tl_lost.ts_to'];
const LOST_SIZE = LAYOUT['sizeof(struct tl_lost)'];
const EVENT_SIZE = LAYOUT['sizeof(struct tl_event)'];

export interface RecordVisitor {
  /** An enter or exit record. */
  event(cpu: number, ts: bigint): void;
  /** A TL_REC_LOST marker: `count` events of `cpu` (or ALL_CPUS) lost for `reason`. */
  lost(cpu: number, reason: number, count: number, tsFrom: bigint, tsTo: bigint): void;
}

/**
 * Calls `v` for each enter, exit and lost record of `buf` (params and pads are parts of
 * the events before them). Stops at the first header that cannot be right: the buffer comes
 * from the addon, which never makes one, and a guess past it would count garbage.
 */
export function visitRecords(buf: Buffer, v: RecordVisitor): void {
  let off = 0;
  while (buf.length - off >= 8) {
    const size = buf.readUInt16LE(off + HDR_SIZE);
    if (size === 0 || off + size > buf.length) return;
    const type = buf[off + HDR_TYPE];
    if ((type === TL_REC_ENTER || type === TL_REC_EXIT) && size >= EVENT_SIZE) {
      v.event(buf.readUInt16LE(off + EVENT_CPU), buf.readBigUInt64LE(off + EVENT_TS));
    } else if (type === TL_REC_LOST && size >= LOST_SIZE) {
      v.lost(
        buf.readUInt32LE(off + LOST_CPU),
        buf[off + HDR_FLAGS]!,
        Number(buf.readBigUInt64LE(off + LOST_COUNT)),
        buf.readBigUInt64LE(off + LOST_FROM),
        buf.readBigUInt64LE(off + LOST_TO),
      );
    }
    off += size;
  }
}

/** Events per CPU, and those of markers about all CPUs at once. */
export class PerCpu {
  readonly byCpu: number[] = [];
  all = 0;

  add(cpu: number, n: number): void {
    if (cpu === ALL_CPUS) this.all += n;
    else this.byCpu[cpu] = (this.byCpu[cpu] ?? 0) + n;
  }

  get(cpu: number): number {
    return this.byCpu[cpu] ?? 0;
  }

  total(): number {
    return this.byCpu.reduce((s, n) => s + (n ?? 0), 0) + this.all;
  }

  copy(): PerCpu {
    const c = new PerCpu();
    this.byCpu.forEach((n, cpu) => (c.byCpu[cpu] = n));
    c.all = this.all;
    return c;
  }

  /** Adds every event `buf` stands for: its records, and what its markers count. */
  addRecords(buf: Buffer): void {
    visitRecords(buf, {
      event: (cpu) => this.add(cpu, 1),
      lost: (cpu, _reason, count) => this.add(cpu, count),
    });
  }
}

/**
 * The books of a stream that ends. `final`: per CPU, the events emitted (and failed) by now;
 * `handed`: what the drain has handed out since the cgroup was first watched; `baseline`: what
 * it had handed when the stream joined. The stream's window is final less baseline; what it
 * never got is final less handed.
 *
 * Markers about all CPUs (the addon's own "consumer behind") count events of several CPUs at
 * once: by CPU they are taken from the first CPUs that have room, so totals stay exact and
 * only their split between CPUs is a guess.
 */
export function streamWindow(
  final: PerCpu,
  handed: PerCpu,
  baseline: PerCpu,
): { window: PerCpu; unseen: PerCpu } {
  const window = new PerCpu();
  const unseen = new PerCpu();
  let before = baseline.all;
  let during = handed.all - baseline.all;
  final.byCpu.forEach((n, cpu) => {
    let w = Math.max(0, n - baseline.get(cpu));
    const cutBefore = Math.min(w, before);
    w -= cutBefore;
    before -= cutBefore;
    let u = Math.max(0, n - handed.get(cpu) - cutBefore);
    const cutDuring = Math.min(u, during);
    u -= cutDuring;
    during -= cutDuring;
    window.add(cpu, w);
    unseen.add(cpu, u);
  });
  return { window, unseen };
}

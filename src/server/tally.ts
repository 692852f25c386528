// Counting what a batch of wire records stands for, per CPU, without decoding it: every
// consumer's books (what it was handed, shown, or owes as lost) are kept in events, and an
// event is either an enter/exit record or one of the events a lost marker counts. Every batch
// goes to every stream of its cgroup, so a batch is walked once (headers only) and its summary
// shared: the cost per stream is per CPU, not per record.
import {
  LAYOUT,
  RecordWalk,
  TL_LOST_GONE,
  TL_REC_ENTER,
  TL_REC_EXIT,
  TL_REC_LOST,
} from '../wire.js';

/** tl_lost.cpu of a marker that is about no one CPU (consumer behind in the addon, cgroup gone). */
export const ALL_CPUS = 0xffffffff;

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
  const walk = new RecordWalk(buf, false);
  while (walk.next()) {
    const { off, size, type } = walk;
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
  }
}

/**
 * Events per CPU, and those of markers about all CPUs at once. A map, not an array indexed by
 * CPU: a capture file is anyone's bytes, and a lost marker's 32-bit CPU of 2,516,582,402 made an
 * array that length, which every walk over it then took minutes to cross (the capture fuzz test
 * found it).
 */
export class PerCpu {
  private readonly counts = new Map<number, number>();
  all = 0;

  add(cpu: number, n: number): void {
    if (cpu === ALL_CPUS) this.all += n;
    else this.counts.set(cpu, (this.counts.get(cpu) ?? 0) + n);
  }

  get(cpu: number): number {
    return this.counts.get(cpu) ?? 0;
  }

  total(): number {
    let sum = this.all;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  /** [cpu, events] of every CPU counted, in CPU order. */
  entries(): [number, number][] {
    return [...this.counts].sort((a, b) => a[0] - b[0]);
  }

  copy(): PerCpu {
    const c = new PerCpu();
    for (const [cpu, n] of this.counts) c.counts.set(cpu, n);
    c.all = this.all;
    return c;
  }

  /** Adds every event `buf` stands for: its records, and what its markers count. */
  addRecords(buf: Buffer): void {
    for (const g of summaryOf(buf).groups) this.add(g.cpu, g.count);
  }
}

/** `reason` of a group of records (enters and exits) rather than of a loss. */
export const RECORDS = 0;

/** The events of one CPU in a batch that share a reason: records (RECORDS), or a loss. */
export interface Group {
  cpu: number;
  reason: number;
  count: number;
  /** The first and last timestamp they span (0: unknown). */
  tsFrom: bigint;
  tsTo: bigint;
}

export interface BatchSummary {
  /** Records and losses, by CPU and reason; a "cgroup gone" marker (it counts nothing) apart. */
  groups: Group[];
  gone?: { tsFrom: bigint; tsTo: bigint };
  /** The newest record's timestamp (0: none). */
  lastTs: bigint;
}

const SUMMARIES = new WeakMap<Buffer, BatchSummary>();

/** What `batch` stands for, walked once however many streams ask. */
export function summaryOf(batch: Buffer): BatchSummary {
  const known = SUMMARIES.get(batch);
  if (known) return known;
  const byKey = new Map<number, Group>();
  const summary: BatchSummary = { groups: [], lastTs: 0n };
  const add = (cpu: number, reason: number, count: number, from: bigint, to: bigint): void => {
    const key = cpu * 256 + reason;
    const g = byKey.get(key);
    if (!g) {
      const fresh = { cpu, reason, count, tsFrom: from, tsTo: to };
      byKey.set(key, fresh);
      summary.groups.push(fresh);
      return;
    }
    g.count += count;
    if (from !== 0n && (g.tsFrom === 0n || from < g.tsFrom)) g.tsFrom = from;
    if (to > g.tsTo) g.tsTo = to;
  };
  visitRecords(batch, {
    event: (cpu, ts) => {
      add(cpu, RECORDS, 1, ts, ts);
      if (ts > summary.lastTs) summary.lastTs = ts;
    },
    lost: (cpu, reason, count, tsFrom, tsTo) => {
      if (reason === TL_LOST_GONE) summary.gone = { tsFrom, tsTo };
      else if (count > 0) add(cpu, reason, count, tsFrom, tsTo);
    },
  });
  SUMMARIES.set(batch, summary);
  return summary;
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
  for (const [cpu, n] of final.entries()) {
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
  }
  return { window, unseen };
}

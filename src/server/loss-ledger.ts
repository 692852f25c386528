// What a stream owes its client: the events of batches it had to drop (the client read too
// slowly), the losses the dropped batches' own markers announced, and the events the stream
// never got because it ended first. All are said, per CPU and with their own reasons, as
// TL_REC_LOST records once the client can take them: a gap must never look like a quiet process,
// and a ring overwritten on cpu 1 is not a slow consumer on cpu 0 (issue #13).
import { TL_LOST_CONSUMER, TL_LOST_GONE } from '../wire.js';
import { lostRecord } from './encode.js';
import { RECORDS, summaryOf } from './tally.js';

interface Owed {
  cpu: number;
  reason: number;
  count: number;
  tsFrom: bigint;
  tsTo: bigint;
}

export class LossLedger {
  private readonly owed = new Map<string, Owed>();
  /** A dropped "cgroup gone" marker (it counts nothing, but ends the story): said last. */
  private gone: { tsFrom: bigint; tsTo: bigint } | undefined;

  /** True while markers are owed. */
  get pending(): boolean {
    return this.owed.size > 0 || this.gone !== undefined;
  }

  /** How many markers take() would give now. */
  get markers(): number {
    return this.owed.size + (this.gone ? 1 : 0);
  }

  /** A batch the client will never see: its records are owed as "consumer behind", its markers as themselves. */
  drop(batch: Buffer): void {
    const summary = summaryOf(batch);
    for (const g of summary.groups) {
      this.owe(
        g.cpu,
        g.reason === RECORDS ? TL_LOST_CONSUMER : g.reason,
        g.count,
        g.tsFrom,
        g.tsTo,
      );
    }
    if (summary.gone) this.gone = summary.gone;
  }

  /** `count` events of `cpu` lost for `reason`, somewhere between `tsFrom` and `tsTo` (0: unknown). */
  owe(cpu: number, reason: number, count: number, tsFrom: bigint, tsTo: bigint): void {
    if (count <= 0) return;
    const key = `${cpu}/${reason}`;
    const o = this.owed.get(key);
    if (!o) {
      this.owed.set(key, { cpu, reason, count, tsFrom, tsTo });
      return;
    }
    o.count += count;
    if (tsFrom !== 0n && (o.tsFrom === 0n || tsFrom < o.tsFrom)) o.tsFrom = tsFrom;
    if (tsTo > o.tsTo) o.tsTo = tsTo;
  }

  /** The owed markers as wire records, oldest gap first, the end of the cgroup last; then forgets them. */
  take(): Buffer {
    const markers = [...this.owed.values()].sort(
      (a, b) =>
        Number(a.tsFrom - b.tsFrom) || (a.cpu === b.cpu ? a.reason - b.reason : a.cpu - b.cpu),
    );
    const out = markers.map((o) => lostRecord(o.reason, BigInt(o.count), o.tsFrom, o.tsTo, o.cpu));
    if (this.gone) out.push(lostRecord(TL_LOST_GONE, 0n, this.gone.tsFrom, this.gone.tsTo));
    this.owed.clear();
    this.gone = undefined;
    return Buffer.concat(out);
  }
}

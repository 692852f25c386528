// One memory budget for what every /stream client has not read yet. A stream that falls
// behind loses batches (they are marked by native/loss_ledger.h, as the addon's outbox marks
// its own), never the daemon's memory: 40 clients that stop reading must not cost 40
// per-stream caps (issue #13 measured 1 GiB of RSS with 4 MiB each). Each stream gets a fair share of the budget, at most its own cap; the total
// is enforced on top, so the bound holds however the shares are used.

/** What the budget needs of a stream: the bytes it queued that its client has not read. */
export interface Backlogged {
  backlog(): number;
}

/** Bytes all streams together may have queued (64 MiB). */
export const DEFAULT_STREAMS_BUDGET = 64 << 20;
/** Bytes one stream may have queued, when few are open (4 MiB). */
export const DEFAULT_STREAM_BACKLOG = 4 << 20;

export class BacklogBudget {
  private readonly streams = new Set<Backlogged>();
  /** The sum of all backlogs, computed once per turn of the event loop (a batch goes to every stream in one turn). */
  private used: number | undefined;
  /** Batches refused so far (each dropped and marked): /stats shows it. */
  refused = 0;

  constructor(
    readonly totalBytes = DEFAULT_STREAMS_BUDGET,
    readonly perStreamBytes = DEFAULT_STREAM_BACKLOG,
  ) {}

  add(s: Backlogged): void {
    this.streams.add(s);
  }

  remove(s: Backlogged): void {
    this.streams.delete(s);
  }

  /** What one stream may hold now: its cap, or its part of the budget when many are open. */
  share(): number {
    return Math.min(
      this.perStreamBytes,
      Math.floor(this.totalBytes / Math.max(1, this.streams.size)),
    );
  }

  /** All streams' unread bytes. */
  usedBytes(): number {
    if (this.used === undefined) {
      let n = 0;
      for (const s of this.streams) n += s.backlog();
      this.used = n;
      queueMicrotask(() => (this.used = undefined));
    }
    return this.used;
  }

  /**
   * May `s` queue `bytes` more? A stream whose client has read everything may always take one
   * batch (however large: it is reading), unless the whole budget is spent; one that is behind
   * only within its share.
   */
  admits(s: Backlogged, bytes: number): boolean {
    const own = s.backlog();
    const ok =
      (own === 0 || own + bytes <= this.share()) && this.usedBytes() + bytes <= this.totalBytes;
    if (!ok) this.refused++;
    return ok;
  }

  /** `bytes` were queued on a stream: counted until the next turn recomputes the sum. */
  charge(bytes: number): void {
    if (this.used !== undefined) this.used += bytes;
  }
}

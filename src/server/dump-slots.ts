// How many dumps are formatted at once: each holds a copy of a cgroup's rings until its client
// has taken the last slice. A client that stops reading must not keep its slot (issue #13: 8
// clients that never read made every other dump answer 503 for as long as they liked). A slot
// whose client has read nothing for `idleMs` is taken back, and when all are held, one idle for
// `contendedIdleMs` gives way to the client that waits. A pager that reads slowly keeps its dump
// while nobody else needs the slot.
import type http from 'node:http';
import { HttpError } from './params.js';

export const MAX_DUMPS = 8;
/** A dump whose client reads nothing for this long is cut off. */
export const DUMP_IDLE_MS = 30_000;
/** ... and for this long, when another client wants its slot. */
export const DUMP_CONTENDED_IDLE_MS = 2_000;

export interface DumpSlot {
  /** The client took what was written: it is reading. */
  progress(): void;
  release(): void;
}

interface Holder {
  res: http.ServerResponse;
  since: number;
  /** res.writableLength when last looked at: a drop means the client read. */
  queued: number;
}

export class DumpSlots {
  private readonly holders = new Set<Holder>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly max = MAX_DUMPS,
    readonly idleMs = DUMP_IDLE_MS,
    readonly contendedIdleMs = DUMP_CONTENDED_IDLE_MS,
  ) {
    this.timer = setInterval(() => this.cutIdle(this.idleMs), Math.min(1000, idleMs / 2));
    this.timer.unref();
  }

  get held(): number {
    return this.holders.size;
  }

  /** A slot for the dump answering on `res`, or a 503 when every one is held by a reading client. */
  acquire(res: http.ServerResponse): DumpSlot {
    if (this.holders.size >= this.max) this.cutIdle(this.contendedIdleMs, 1);
    if (this.holders.size >= this.max) {
      throw new HttpError(503, `${this.max} dumps are in progress: retry in a moment`);
    }
    const h: Holder = { res, since: Date.now(), queued: res.writableLength };
    this.holders.add(h);
    return {
      progress: () => {
        h.since = Date.now();
        h.queued = res.writableLength;
      },
      release: () => void this.holders.delete(h),
    };
  }

  /** Cuts off (at most `limit`, longest idle first) the dumps whose client read nothing for `ms`. */
  private cutIdle(ms: number, limit = Infinity): void {
    const now = Date.now();
    const idle: Holder[] = [];
    for (const h of this.holders) {
      const queued = h.res.writableLength;
      if (queued < h.queued) h.since = now; // written out meanwhile: the client reads
      h.queued = queued;
      if (now - h.since >= ms) idle.push(h);
    }
    idle.sort((a, b) => a.since - b.since);
    for (const h of idle.slice(0, limit)) {
      this.holders.delete(h);
      // A cut connection, never a body that looks complete (the dump's loop sees it destroyed).
      h.res.destroy();
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}

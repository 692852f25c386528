// What the rings' trigger notes (bpf/traceloop.h enum tl_trigger) say happened since the last
// look: the counters are compared with the ones seen before, per CPU. Pure: the caller reads
// the notes (Recorder.triggers) and decides what to do.
import type { TriggerNotes } from '../native.js';
import { TL_TRIG_CRASH, TL_TRIG_ERRNO, TL_TRIG_EXIT, TL_TRIG_KINDS, TL_TRIG_OOM } from '../wire.js';
import type { TriggerKind } from './options.js';

/** Counted triggers of one kind on one CPU since the last look. */
export interface Fired {
  kind: TriggerKind;
  cpu: number;
  /** How many (a burst of failed calls between two looks is one dump). */
  count: number;
  /** The wire seq of the newest one's record, when the CPU's last trigger was of this kind. */
  seq?: number;
  /** A crash by the OOM killer's SIGKILL (said only when it was the CPU's last trigger). */
  oom: boolean;
}

const KIND_OF: Record<number, TriggerKind> = {
  [TL_TRIG_CRASH]: 'crash',
  [TL_TRIG_EXIT]: 'exit',
  [TL_TRIG_ERRNO]: 'errno',
};

/** One cgroup's counters as last seen. A fresh ring starts at zero, and so does this. */
export class NoteTracker {
  private readonly seen = new Map<number, number[]>();

  changes(notes: readonly TriggerNotes[]): Fired[] {
    const out: Fired[] = [];
    for (const n of notes) {
      const before = this.seen.get(n.cpu) ?? new Array<number>(TL_TRIG_KINDS).fill(0);
      for (let k = 0; k < TL_TRIG_KINDS; k++) {
        // 16-bit counters that wrap.
        const count = ((n.counts[k] ?? 0) - before[k]!) & 0xffff;
        if (count === 0) continue;
        const lastIsThis = (n.last & 0xff) === k;
        out.push({
          kind: KIND_OF[k]!,
          cpu: n.cpu,
          count,
          ...(lastIsThis ? { seq: n.seq } : {}),
          oom: lastIsThis && (n.last & TL_TRIG_OOM) !== 0,
        });
      }
      this.seen.set(n.cpu, [...n.counts]);
    }
    return out;
  }
}

// The line that stands where records are missing. It must be impossible to miss when reading
// a dump: a gap shown as nothing would look like a quiet process.
import {
  TL_LOST_BUSY,
  TL_LOST_CONSUMER,
  TL_LOST_GONE,
  TL_LOST_OVERWRITTEN,
  TL_LOST_TORN,
  type LostRecord,
} from '../wire.js';

/** tl_lost.cpu of markers that are about no one CPU (consumer behind, cgroup gone). */
const ALL_CPUS = 0xffffffff;

export const LOST_REASONS: Readonly<Record<number, string>> = {
  [TL_LOST_OVERWRITTEN]: 'ring overwritten',
  [TL_LOST_BUSY]: 'writer busy',
  [TL_LOST_TORN]: 'torn while reading',
  [TL_LOST_CONSUMER]: 'consumer behind',
  [TL_LOST_GONE]: 'cgroup gone',
};

/**
 * `<time> cpu#1 ---- LOST 1234 events (ring overwritten) between T1 and T2 ----`. The line's
 * own time is the start of the gap (or its end when nothing was seen before it).
 */
export function formatLost(lost: LostRecord, time: (ts: bigint) => string): string {
  const where = lost.cpu === ALL_CPUS ? 'all CPUs' : `cpu#${lost.cpu}`;
  if (lost.reason === TL_LOST_GONE) {
    // Not a loss: the end of a stream whose cgroup was removed.
    const at = lost.tsTo !== 0n ? `${time(lost.tsTo)} ` : '';
    return `${at}${where} ---- cgroup gone: its processes exited, the stream ends here ----`;
  }
  const reason = LOST_REASONS[lost.reason] ?? `reason ${lost.reason}`;
  const events = lost.count === 1n ? 'event' : 'events';
  if (lost.reason === TL_LOST_OVERWRITTEN && lost.tsFrom === 0n && lost.tsTo !== 0n) {
    // Nothing of this CPU was read before the gap: it is the history older than the ring's
    // oldest record (a snapshot, a dump at the end of a run), not a hole in what was seen.
    return (
      `${time(lost.tsTo)} ${where} ---- LOST ${lost.count} ${events} (ring overwritten): the ` +
      `history before ${time(lost.tsTo)}, older than this ring holds (--ring-pages keeps more) ----`
    );
  }
  let span = '';
  if (lost.tsFrom !== 0n && lost.tsTo !== 0n) {
    span = ` between ${time(lost.tsFrom)} and ${time(lost.tsTo)}`;
  } else if (lost.tsTo !== 0n) {
    span = ` before ${time(lost.tsTo)}`;
  } else if (lost.tsFrom !== 0n) {
    span = ` after ${time(lost.tsFrom)}`;
  }
  const at = lost.tsFrom !== 0n ? lost.tsFrom : lost.tsTo;
  const head = at !== 0n ? `${time(at)} ` : '';
  return `${head}${where} ---- LOST ${lost.count} ${events} (${reason})${span} ----`;
}

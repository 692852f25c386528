// The text of a snapshot of what the screen holds (the `v` and `m` answers to `s`), as opposed
// to the whole flight record the kernel's rings hold (src/dump.ts). The lines are the
// strace-style text of each entry, as a dump prints them; the header says which lines these
// are and what they leave out; the footer counts them per CPU, as a dump's footer does.
import { linesLine, LineTally } from '../dump.js';
import type { Entry, StreamStore } from './store.js';

export interface ViewSnapshot {
  /** Entries in order, oldest first: the whole view, or the ones the filter shows. */
  entries: readonly Entry[];
  /** Entries the view holds before filtering. */
  viewLines: number;
  /** Paused: the frozen view; else the newest lines the store kept when asked. */
  paused: boolean;
  /** The filter as the stream header words it (`filter "connect", failed calls only`), if any. */
  filter: string | undefined;
  /** Lines a view keeps at most (older ones are only in the flight record). */
  capacity: number;
}

// `05:52:44.123456 cpu#1 ...`: the time a line starts with, when it has one.
const LINE_TIME = /^(\d\d:\d\d:\d\d\.\d+) /;

/** The snapshot's text: `header`, what the lines are, the lines, then the per-CPU footer. */
export function viewSnapshotText(header: string, store: StreamStore, v: ViewSnapshot): string {
  const lines = v.entries.map((e) => store.textOf(e));
  const times = lines.map((l) => LINE_TIME.exec(l)?.[1]).filter((t) => t !== undefined);
  const span = times.length > 0 ? `, ${times[0]} to ${times.at(-1)}` : '';
  const view = v.paused ? 'the paused view' : 'the view (live, as it was when asked)';
  const which = v.filter
    ? `${lines.length} of the ${v.viewLines} lines of ${view}, those it shows with ${v.filter}`
    : `the ${v.viewLines} lines of ${view}`;
  const tally = new LineTally();
  tally.count(lines);
  return (
    [
      header,
      `# ${which}${span}`,
      `# the view keeps the newest ${v.capacity} lines; the whole flight record (s, then f) ` +
        'reaches further back',
      ...lines,
      linesLine(tally),
    ].join('\n') + '\n'
  );
}

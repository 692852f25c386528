// The `c` view: strace -c over the lines the view holds, the same table `run -c` prints
// (src/summary.ts), built from the stored lines' headers (no decoding). A row per syscall,
// sortable; Enter on one filters the stream to it.
import { CallSummary, type SummaryRow, type SummarySort } from '../summary.js';
import { ERRNOS } from '../format/xlat/errno.js';
import { parseSpan, durationOf, errnoOf } from './store.js';
import type { Source } from './view.js';
import { TL_NR_PROC_END } from '../wire.js';

/** Tab goes through these, in this order. */
export const SUMMARY_SORTS: readonly SummarySort[] = ['time', 'calls', 'errors', 'name'];

export interface ViewSummary {
  rows: SummaryRow[];
  /** Lines summarised, and the events lost among them (the counts are lower bounds). */
  lines: number;
  lost: bigint;
}

/** The rows of a summary counted elsewhere (the flight record), sorted for the view. */
export function recordSummary(summary: CallSummary, lines: number, by: SummarySort): ViewSummary {
  return { rows: summary.table(by), lines, lost: summary.lost };
}

/** Each call line with its exit counts once (as strace counts at the exit); markers add their loss. */
export function summarizeView(src: Source, by: SummarySort): ViewSummary {
  const summary = new CallSummary();
  let lost = 0n;
  for (let i = 0; i < src.length; i++) {
    const e = src.at(i);
    if (e.lost) {
      const marker = parseSpan(e.lost)[0];
      if (marker?.kind === 'lost') lost += marker.count;
      continue;
    }
    if (!e.exit || e.note !== undefined || e.nr === TL_NR_PROC_END) continue;
    summary.count(e.nr, errnoOf(e), durationOf(e));
  }
  return { rows: summary.table(by), lines: src.length, lost };
}

/** The table's lines: strace -c's columns, the slowest call, and the errnos seen. */
export function summaryLines(v: ViewSummary, cursor: number): string[] {
  const total = v.rows.reduce((n, r) => n + r.totalNs, 0);
  const head = '  % time     seconds  usecs/call     calls    errors  max usecs syscall';
  const rows = v.rows.map((r, i) => {
    const pct = total > 0 ? (100 * r.totalNs) / total : 0;
    const errnos = [...r.errnos]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([e, n]) => `${ERRNOS.get(e)?.name ?? e} ${n}`)
      .join(', ');
    return (
      `${i === cursor ? '>' : ' '} ${pct.toFixed(2).padStart(6)} ${(r.totalNs / 1e9).toFixed(6).padStart(11)} ` +
      `${String(Math.round(r.totalNs / 1e3 / Math.max(1, r.timed))).padStart(11)} ` +
      `${String(r.calls).padStart(9)} ${(r.errors > 0 ? String(r.errors) : '').padStart(9)} ` +
      `${String(Math.round(r.maxNs / 1e3)).padStart(10)} ${r.name}${errnos ? `  (${errnos})` : ''}`
    );
  });
  const lost =
    v.lost > 0n ? [`  ${v.lost} events lost among these lines: every count is a lower bound`] : [];
  return [
    head,
    ...rows,
    ...(rows.length === 0 ? ['  no call has returned in these lines yet'] : []),
    ...lost,
  ];
}

/** Which rows a page of `height` shows so that the cursor's is among them. */
export function summaryScroll(cursor: number, height: number): number {
  return Math.max(0, cursor - Math.max(1, height - 3) + 1);
}

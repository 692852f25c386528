// strace -c: per syscall, how many calls, how many failed (and with which errno), and the time
// spent in them. Calls are counted at their exit, as strace counts them: a call that never
// returns (exit_group) or whose exit is not recorded yet is not in the table; its time is the
// wall-clock time from enter to exit (strace -c -w), so a blocked read counts its wait.
import { CallPairing, DROPPED, ENDED } from './format/pairing.js';
import { ERRNOS } from './format/xlat/errno.js';
import { syscallName } from './syscalls/table.js';
import type { EnterRecord, WireRecord } from './wire.js';

export interface SummaryRow {
  nr: number;
  name: string;
  calls: number;
  errors: number;
  /** Failures by errno number. */
  errnos: Map<number, number>;
  /** Time in the calls whose enter was recorded too, ns, and how many those are. */
  totalNs: number;
  timed: number;
  maxNs: number;
}

/** strace -S: what the table is sorted by (largest first; the name A-Z). */
export type SummarySort = 'time' | 'calls' | 'errors' | 'name';

const MAX_ERRNO = 4095n;

export class CallSummary {
  private readonly rows = new Map<number, SummaryRow>();
  private readonly pairing = new CallPairing<EnterRecord>(() => {});
  /** Events the record marked lost: the counts are at least what the table says. */
  lost = 0n;

  add(records: readonly WireRecord[]): void {
    for (const r of records) {
      if (r.kind === 'lost') {
        this.pairing.interrupt();
        this.lost += r.count;
      } else if (r.kind === 'enter') {
        this.pairing.enter(r.tid, r.nr, r);
      } else {
        const kind = this.pairing.exit(r.tid, r.nr, r.ret === 0n);
        if (kind === DROPPED || kind === ENDED) continue;
        const enter = this.pairing.matched;
        const failed = r.ret < 0n && r.ret >= -MAX_ERRNO;
        this.count(
          enter?.nr ?? r.nr,
          failed ? Number(-r.ret) : undefined,
          enter && !this.pairing.lossBetween ? Number(r.ts - enter.ts) : undefined,
        );
      }
    }
  }

  /** One call that returned: its errno if it failed, its time if its enter was seen. */
  count(nr: number, errno: number | undefined, ns: number | undefined): void {
    const row = this.row(nr);
    row.calls++;
    if (errno !== undefined) {
      row.errors++;
      row.errnos.set(errno, (row.errnos.get(errno) ?? 0) + 1);
    }
    if (ns !== undefined) {
      row.timed++;
      row.totalNs += ns;
      if (ns > row.maxNs) row.maxNs = ns;
    }
  }

  /** The rows, sorted as strace sorts them: by `by`, then by syscall number. */
  table(by: SummarySort = 'time'): SummaryRow[] {
    const key: Record<SummarySort, (a: SummaryRow, b: SummaryRow) => number> = {
      time: (a, b) => b.totalNs - a.totalNs,
      calls: (a, b) => b.calls - a.calls,
      errors: (a, b) => b.errors - a.errors,
      name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    };
    return [...this.rows.values()].sort((a, b) => key[by](a, b) || a.nr - b.nr);
  }

  private row(nr: number): SummaryRow {
    let row = this.rows.get(nr);
    if (!row) {
      row = {
        nr,
        name: syscallName(nr),
        calls: 0,
        errors: 0,
        errnos: new Map(),
        totalNs: 0,
        timed: 0,
        maxNs: 0,
      };
      this.rows.set(nr, row);
    }
    return row;
  }
}

const RULE = '------ ----------- ----------- --------- --------- ----------------';

/**
 * The table as strace -c -w prints it, then what strace does not say: each syscall's errors by
 * errno, its slowest call, and the loss that makes every count a lower bound.
 */
export function summaryText(summary: CallSummary, by: SummarySort = 'time'): string {
  const rows = summary.table(by);
  const total = rows.reduce((n, r) => n + r.totalNs, 0);
  const calls = rows.reduce((n, r) => n + r.calls, 0);
  const errors = rows.reduce((n, r) => n + r.errors, 0);
  // usecs/call over the calls that were timed (a call resumed after a loss has no time).
  const line = (
    pct: number,
    ns: number,
    timed: number,
    n: number,
    errs: number,
    name: string,
  ): string =>
    `${pct.toFixed(2).padStart(6)} ${(ns / 1e9).toFixed(6).padStart(11)} ` +
    `${String(timed > 0 ? Math.round(ns / 1e3 / timed) : 0).padStart(11)} ${String(n).padStart(9)} ` +
    `${(errs > 0 ? String(errs) : '').padStart(9)} ${name}`;
  const out = ['% time     seconds  usecs/call     calls    errors syscall', RULE];
  for (const r of rows) {
    const pct = total > 0 ? (100 * r.totalNs) / total : 0;
    out.push(line(pct, r.totalNs, r.timed, r.calls, r.errors, r.name));
  }
  const timed = rows.reduce((n, r) => n + r.timed, 0);
  out.push(RULE, line(100, total, timed, calls, errors, 'total'));
  const failing = rows.filter((r) => r.errors > 0);
  if (failing.length > 0) {
    out.push('', 'errors by errno:');
    for (const r of failing) {
      const errnos = [...r.errnos]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .map(([e, n]) => `${ERRNOS.get(e)?.name ?? `errno ${e}`} ${n}`);
      out.push(`  ${r.name.padEnd(16)} ${errnos.join(', ')}`);
    }
  }
  const slow = [...rows]
    .sort((a, b) => b.maxNs - a.maxNs)
    .filter((r) => r.maxNs > 0)
    .slice(0, 5);
  if (slow.length > 0) {
    out.push('', 'slowest single calls:');
    for (const r of slow) out.push(`  ${r.name.padEnd(16)} ${(r.maxNs / 1e9).toFixed(6)} s`);
  }
  if (summary.lost > 0n) {
    out.push(
      '',
      `${summary.lost} events were lost (marked in the record): every count is a lower bound`,
    );
  }
  return out.join('\n') + '\n';
}

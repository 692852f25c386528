// A recording's text, batch by batch: what `traceloop run` prints as CMD runs and what
// `traceloop view` prints of the capture run saved. One pipeline for both, so the two texts
// are the same lines by construction: the header, each batch parsed (the launcher's calls
// before its exec left out) and formatted (or counted, for -c), the held-back lines, then the
// accounting, with the per-CPU books kept from the batches (recorded = shown + lost).
import type { CapturesLeftOut } from '../captures.js';
import { TRIGGER_MARK, type CaptureTrigger } from './format.js';
import { escapeControls } from '../format/print.js';
import type { ClockSample } from '../clock.js';
import { accountingLine, dumpFormatter, headerLines, LineTally } from '../dump.js';
import { compileLineFilter, keepLines, readsFdNames, type LineFilter } from '../filter/lines.js';
import type { CpuRingStats } from '../native.js';
import type { ProcReader } from '../format/proc-fds.js';
import { PerCpu, visitRecords } from '../server/tally.js';
import { CallSummary, summaryText } from '../summary.js';
import { syscallByName } from '../syscalls/table.js';
import { parseRecords, type WireRecord } from '../wire.js';

export interface RecordingTextOptions {
  maxString?: number;
  durations?: boolean;
  /** Only the lines this filter keeps (already checked: compileLineFilter's text). */
  filter?: string;
  /** strace -c: the table instead of the lines. */
  summary?: boolean;
  /** strace -y: fds named (format/fd-table.ts). */
  decodeFds?: boolean;
  /** With decodeFds, ask /proc too: only when the lines are formatted as the calls happen. */
  procFds?: boolean | ProcReader;
  /** strace -yy: socket addresses and device numbers (with procFds). */
  decodeSockets?: boolean;
}

/** The line under the header that says what saved the file. */
export function triggerLine(t: CaptureTrigger): string {
  return escapeControls(`# trigger: ${t.kind}: ${t.text}`);
}

export class RecordingText {
  /** Events handed over per CPU, and those marked lost. */
  readonly shown = new PerCpu();
  readonly lost = new PerCpu();
  private readonly formatter;
  private readonly filter: LineFilter | undefined;
  private readonly tally = new LineTally();
  private readonly summary: CallSummary | undefined;
  private keep: ((r: WireRecord) => boolean) | undefined;
  private trigger: CaptureTrigger | undefined;

  constructor(
    opts: RecordingTextOptions,
    /** Where the lines go, a few at a time. */
    private readonly emit: (lines: string[]) => void,
    sample?: ClockSample,
  ) {
    this.formatter = dumpFormatter(
      {
        maxString: opts.maxString,
        durations: opts.durations,
        decodeFds: opts.decodeFds ?? false,
        procFds: opts.procFds ?? false,
        decodeSockets: opts.decodeSockets ?? false,
        fdNamesPerLine: readsFdNames(opts.filter),
      },
      sample,
    );
    this.filter = opts.filter !== undefined ? compileLineFilter(opts.filter) : undefined;
    this.summary = opts.summary ? new CallSummary() : undefined;
  }

  /** From now on, leave out `pid`'s calls before its execve (run's launcher). */
  fromExecOf(pid: number): void {
    this.keep = fromExec(pid);
  }

  /** Says what saved the capture under the header, and marks its record's line. */
  markTrigger(trigger: CaptureTrigger): void {
    this.trigger = trigger;
  }

  /** The first lines (none for -c, which prints its table alone). */
  header(title: string, captures: CapturesLeftOut | undefined): void {
    if (this.summary) return;
    this.out(headerLines(title, captures));
    if (this.trigger) this.out([triggerLine(this.trigger)]);
  }

  batch(records: Buffer): void {
    // Parsed first: a batch that cannot be (a damaged capture) is not counted either.
    const parsed = parseRecords(records);
    visitRecords(records, {
      event: (cpu) => this.shown.add(cpu, 1),
      lost: (cpu, _reason, count) => this.lost.add(cpu, count),
    });
    const kept = this.keep ? parsed.filter(this.keep) : parsed;
    if (this.summary) this.summary.add(kept);
    else this.out(keepLines(this.marked(this.formatter.push(kept)), this.formatter, this.filter));
  }

  /** The held-back lines, `notes`, and the accounting of `cpus` (or the -c table). */
  finish(cpus: readonly CpuRingStats[], notes: string[] = []): void {
    if (this.summary) {
      this.out(summaryText(this.summary).trimEnd().split('\n'));
      return;
    }
    this.out(keepLines(this.marked(this.formatter.flush()), this.formatter, this.filter));
    this.out(notes);
    this.out([accountingLine(cpus, this.tally)]);
  }

  /** `stats` with what this text was handed (delivered) and marked lost, per CPU. */
  books(stats: readonly CpuRingStats[]): CpuRingStats[] {
    return stats.map((c) => ({
      ...c,
      delivered: this.shown.get(c.cpu),
      lost: this.lost.get(c.cpu),
    }));
  }

  /** Counters from the batches alone (a capture cut before its end): recorded = shown + lost. */
  booksFromBatches(): CpuRingStats[] {
    const cpus = new Set<number>();
    for (const [cpu] of [...this.shown.entries(), ...this.lost.entries()]) cpus.add(cpu);
    return [...cpus]
      .sort((a, b) => a - b)
      .map((cpu) => ({
        cpu,
        emitted: this.shown.get(cpu) + this.lost.get(cpu),
        failed: 0,
        faults: 0,
        headBytes: 0,
        delivered: this.shown.get(cpu),
        lost: this.lost.get(cpu),
      }));
  }

  /** `lines` (the formatter's last), the trigger's own marked. */
  private marked(lines: string[]): string[] {
    const at = this.trigger?.record;
    if (!at) return lines;
    const owners = this.formatter.owners;
    for (let i = 0; i < lines.length; i++) {
      const r = owners[i];
      if (r && r.kind !== 'lost' && r.cpu === at.cpu && r.seq === at.seq) {
        lines[i] += TRIGGER_MARK;
      }
    }
    return lines;
  }

  private out(lines: string[]): void {
    if (lines.length === 0) return;
    if (!this.summary) this.tally.count(lines);
    this.emit(lines);
  }
}

/** Drops the launcher's own calls before it became CMD. */
export function fromExec(pid: number): (r: WireRecord) => boolean {
  const execve = syscallByName('execve')?.nr;
  let execd = false;
  return (r) => {
    if (execd) return true;
    // Records lost before the exec was seen: the exec may be among them (a busy command
    // overwrites the ring's oldest records, the launcher's first). Show everything from here
    // rather than hide all of CMD's calls waiting for an exec that will not come.
    if (r.kind === 'lost') {
      execd = true;
      return true;
    }
    if (r.tid !== pid) return true;
    if (r.kind === 'enter' && r.nr === execve) execd = true;
    return execd;
  };
}

// From a read of the rings to text: parse the wire records, pair and
// format them, and account for what was lost, per CPU.
import { leftOutComment, type CapturesLeftOut } from './captures.js';
import { createWallClock, sampleClocks, type ClockSample } from './clock.js';
import { createLineFormatter, type LineFormatter } from './format/index.js';
import { escapeControls } from './format/print.js';
import type { CpuRingStats } from './native.js';
import type { Read } from './recorder.js';
import type { ProcReader } from './format/proc-fds.js';
import { parseRecords, type WireRecord } from './wire.js';

export interface DumpSettings {
  /** strace -s: bytes of a string shown before `...`. */
  maxString?: number;
  /** strace -T: ` <0.000075>`, the time spent in each call. */
  durations?: boolean;
  /** Keep only records for which this returns true. */
  filter?: (r: WireRecord) => boolean;
  /** Capture families this kernel refused: said under the header (nothing when none). */
  captures?: CapturesLeftOut;
  /** The records' wall clock (a capture file's own sample); read now by default. */
  clock?: ClockSample;
  /** strace -y: fds named (format/fd-table.ts); off unless asked. */
  decodeFds?: boolean;
  /** With decodeFds, ask /proc too: only for lines formatted as the calls happen. */
  procFds?: boolean | ProcReader;
  /** strace -yy (with procFds): socket addresses and device numbers. */
  decodeSockets?: boolean;
  /** Keep each line's fd names for a filter's `fd:` term (src/filter/lines.ts readsFdNames). */
  fdNamesPerLine?: boolean;
}

/**
 * A formatter for one dump or one live stream, with wall-clock times (from `sample`, read now
 * unless given: the jsonl encoder shares its sample with its records' ISO times).
 */
export function dumpFormatter(
  settings: DumpSettings = {},
  sample: ClockSample = sampleClocks(),
): LineFormatter {
  const time = createWallClock(sample);
  return createLineFormatter({
    time,
    ...(settings.maxString !== undefined ? { maxString: settings.maxString } : {}),
    durations: settings.durations ?? false,
    decodeFds: settings.decodeFds ?? false,
    procFds: settings.procFds ?? false,
    decodeSockets: settings.decodeSockets ?? false,
    fdNamesPerLine: settings.fdNamesPerLine ?? false,
  });
}

/** Lines for one read, through `formatter` (its pairing state carries over). */
export function readLines(
  read: Read,
  formatter: LineFormatter,
  filter?: (r: WireRecord) => boolean,
): string[] {
  const records = parseRecords(read.records);
  return formatter.push(filter ? records.filter(filter) : records);
}

/** A whole dump: the header, every line, the held-back ones, then the accounting. */
export function dumpText(header: string, read: Read, settings: DumpSettings = {}): string {
  const formatter = dumpFormatter(settings, settings.clock ?? sampleClocks());
  const lines = [
    ...headerLines(header, settings.captures),
    ...readLines(read, formatter, settings.filter),
    ...formatter.flush(),
  ];
  const tally = new LineTally();
  tally.count(lines);
  lines.push(accountingLine(read.cpus, tally));
  return lines.join('\n') + '\n';
}

/** The dump's header, and under it what this kernel left out, if anything. */
export function headerLines(header: string, captures: CapturesLeftOut | undefined): string[] {
  return [escapeControls(header), ...leftOutComment(captures)];
}

// `05:52:44.123456 cpu#1 ...`, `cpu#1 ---- LOST ...` (a marker without a time), `... all CPUs ----`.
const LINE_CPU = /^(?:\S+ )?cpu#(\d+) /;
const LINE_ALL_CPUS = /^(?:\S+ )?all CPUs /;

/**
 * Lines per CPU, read from the lines themselves (the `cpu#N` each one shows), so that the
 * footer's counts are what `grep -c ' cpu#1 '` finds in the file, whatever the pairing did
 * (an enter and its exit make one line).
 */
export class LineTally {
  readonly byCpu = new Map<number, number>();
  /** Lines about no one CPU (a consumer's loss, a cgroup's end). */
  allCpus = 0;

  count(lines: readonly string[]): void {
    for (const line of lines) {
      const m = LINE_CPU.exec(line);
      if (m) {
        const cpu = Number(m[1]);
        this.byCpu.set(cpu, (this.byCpu.get(cpu) ?? 0) + 1);
      } else if (LINE_ALL_CPUS.test(line)) {
        this.allCpus++;
      }
    }
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `# cpu0: 12 lines; cpu1: 3 lines`: the footer of lines that are not a read of the rings. */
export function linesLine(tally: LineTally): string {
  const parts = [...tally.byCpu]
    .sort(([a], [b]) => a - b)
    .map(([cpu, n]) => `cpu${cpu}: ${plural(n, 'line')}`);
  if (tally.allCpus > 0) parts.push(`all CPUs: ${plural(tally.allCpus, 'line')}`);
  return `# ${parts.length > 0 ? parts.join('; ') : 'no lines'}`;
}

/**
 * `# cpu0: 1200 recorded, 1000 shown, 200 lost (612 lines); ...`: the identity the user can
 * check, recorded = shown + lost, per CPU, in events (an enter and an exit are two); with a
 * tally, the lines of the file each CPU's events make.
 */
export function accountingLine(cpus: readonly CpuRingStats[], tally?: LineTally): string {
  const parts = cpus
    .filter((c) => c.emitted > 0 || (tally?.byCpu.get(c.cpu) ?? 0) > 0)
    .map(
      (c) =>
        `cpu${c.cpu}: ${c.emitted} recorded, ${c.delivered} shown, ${c.lost} lost` +
        (c.faults > 0 ? `, ${c.faults} unreadable arguments` : '') +
        (tally ? ` (${plural(tally.byCpu.get(c.cpu) ?? 0, 'line')})` : ''),
    );
  // Lines of a CPU the counters do not list (a recorder that gave none): still counted.
  for (const [cpu, n] of tally?.byCpu ?? []) {
    if (!cpus.some((c) => c.cpu === cpu)) parts.push(`cpu${cpu}: ${plural(n, 'line')}`);
  }
  if (tally && tally.allCpus > 0) parts.push(`all CPUs: ${plural(tally.allCpus, 'line')}`);
  return `# ${parts.length > 0 ? parts.join('; ') : 'nothing recorded'}`;
}

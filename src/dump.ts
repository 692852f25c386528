// From a read of the rings to text: parse the wire records, pair and
// format them, and account for what was lost, per CPU.
import { leftOutComment, type CapturesLeftOut } from './captures.js';
import { createWallClock, sampleClocks, type ClockSample } from './clock.js';
import { createLineFormatter, type LineFormatter } from './format/index.js';
import type { CpuRingStats } from './native.js';
import type { Read } from './recorder.js';
import { parseRecords, type WireRecord } from './wire.js';

export interface DumpSettings {
  /** strace -s: bytes of a string shown before `...`. */
  maxString?: number;
  /** Keep only records for which this returns true. */
  filter?: (r: WireRecord) => boolean;
  /** Capture families this kernel refused: said under the header (nothing when none). */
  captures?: CapturesLeftOut;
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
  const formatter = dumpFormatter(settings);
  const lines = [
    ...headerLines(header, settings.captures),
    ...readLines(read, formatter, settings.filter),
    ...formatter.flush(),
  ];
  lines.push(accountingLine(read.cpus));
  return lines.join('\n') + '\n';
}

/** The dump's header, and under it what this kernel left out, if anything. */
export function headerLines(header: string, captures: CapturesLeftOut | undefined): string[] {
  return [header, ...leftOutComment(captures)];
}

/**
 * `# cpu0: 1200 recorded, 1000 shown, 200 lost; ...`: the identity the user
 * can check, recorded = shown + lost, per CPU.
 */
export function accountingLine(cpus: readonly CpuRingStats[]): string {
  const parts = cpus
    .filter((c) => c.emitted > 0)
    .map(
      (c) =>
        `cpu${c.cpu}: ${c.emitted} recorded, ${c.delivered} shown, ${c.lost} lost` +
        (c.faults > 0 ? `, ${c.faults} unreadable arguments` : ''),
    );
  return `# ${parts.length > 0 ? parts.join('; ') : 'nothing recorded'}`;
}

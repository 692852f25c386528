// Which record of a flight record was the trigger, and the words for it: the `# trigger:` line
// of the dump (src/capture/recording-text.ts marks the record's own line).
import type { ClockSample } from '../clock.js';
import { createIsoClock } from '../clock.js';
import type { CaptureTrigger } from '../capture/format.js';
import { ERRNOS } from '../format/xlat/errno.js';
import { signalName } from '../format/xlat/signal.js';
import { syscallName } from '../syscalls/table.js';
import { parseRecords, TL_NR_PROC_END, type ExitRecord } from '../wire.js';
import type { Fired } from './notes.js';

/** The signals a `crash` is (bpf/traceloop.h TL_CRASH_SIGNALS). */
const CRASH_SIGNALS = new Set([4, 6, 7, 8, 9, 11, 31]);

/** Does this exit record fit the trigger kind? */
function fits(r: ExitRecord, kind: Fired['kind'], errnos: ReadonlySet<number>): boolean {
  const status = Number(r.ret) & 0xffff;
  const sig = status & 0x7f;
  if (kind === 'crash') return r.nr === TL_NR_PROC_END && CRASH_SIGNALS.has(sig);
  if (kind === 'exit') return r.nr === TL_NR_PROC_END && sig === 0 && (status & 0xff00) !== 0;
  return r.nr !== TL_NR_PROC_END && r.ret < 0n && errnos.has(Number(-r.ret));
}

/**
 * The trigger's record in `records` (merged wire records): the one the notes named (cpu, seq),
 * or else the newest that fits the kind on that CPU (a later trigger of another kind took the
 * note's seq), or on any CPU. Undefined when the ring no longer holds it.
 */
export function locateTrigger(
  records: Buffer,
  fired: Fired,
  errnos: ReadonlySet<number>,
  clock: ClockSample,
): CaptureTrigger {
  const exits = parseRecords(records).filter(
    (r): r is ExitRecord => r.kind === 'exit' && fits(r, fired.kind, errnos),
  );
  const exact = exits.find((r) => r.cpu === fired.cpu && r.seq === fired.seq);
  const found = exact ?? newest(exits, (r) => r.cpu === fired.cpu) ?? exits[exits.length - 1];
  const more = fired.count > 1 ? ` (${fired.count} of them since the last look)` : '';
  if (!found) {
    return {
      kind: fired.kind,
      text: `on cpu#${fired.cpu}; its record is no longer in the ring${more}`,
    };
  }
  const at = createIsoClock(clock)(found.ts);
  return {
    kind: fired.kind,
    text: `${describe(found, fired)} at ${at} (cpu#${found.cpu}, the line marked <<< trigger)${more}`,
    record: { cpu: found.cpu, seq: found.seq },
  };
}

function newest<T>(xs: readonly T[], ok: (x: T) => boolean): T | undefined {
  for (let i = xs.length - 1; i >= 0; i--) if (ok(xs[i]!)) return xs[i];
  return undefined;
}

function describe(r: ExitRecord, fired: Fired): string {
  const status = Number(r.ret) & 0xffff;
  if (fired.kind === 'crash') {
    // The record says so itself; the notes only while it was the CPU's newest trigger.
    const oom = fired.oom || r.oom ? ' by the OOM killer' : '';
    return `process ${r.pid} killed by ${signalName(status & 0x7f)}${oom}`;
  }
  if (fired.kind === 'exit') return `process ${r.pid} exited with ${(status >> 8) & 0xff}`;
  const e = ERRNOS.get(Number(-r.ret))?.name ?? `errno ${-r.ret}`;
  return `${syscallName(r.nr)} of thread ${r.tid} (process ${r.pid}) failed with ${e}`;
}

/** The `gone` trigger: the cgroup's directory was removed. */
export function goneTrigger(path: string): CaptureTrigger {
  return { kind: 'gone', text: `${path} was removed (its service stopped)` };
}

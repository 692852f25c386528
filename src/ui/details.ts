// The Enter view of one line: every argument in full (no `...` cut), each
// raw register value, and captured bytes as a hex dump, for when the
// one-line summary hides the part that matters.
import { describeArgs } from '../format/call.js';
import { formatLost, formatReturn } from '../format/index.js';
import { LOST_REASONS } from '../format/lost.js';
import { syscallByNr } from '../syscalls/table.js';
import {
  LAYOUT,
  TL_ARG_NEW_FDS,
  TL_PARAM_FAULT,
  TL_PARAM_TRUNCATED,
  type EnterRecord,
  type ExitRecord,
} from '../wire.js';
import { parseSpan, type Entry, type StreamStore } from './store.js';
import { printable } from './view.js';

/** Long enough for anything the kernel side captures (TL_MAX_CAPTURE). */
const FULL = 1 << 16;

/** `0000  48 65 6c 6c 6f 0a  |Hello.|`, 16 bytes a line. */
export function hexDump(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const chunk = bytes.subarray(off, off + 16);
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' ');
    const right = hex.slice(8).join(' ');
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'));
    out.push(
      `${off.toString(16).padStart(4, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii.join('')}|`,
    );
  }
  return out.length > 0 ? out : ['(no bytes)'];
}

export function detailLines(store: StreamStore, e: Entry): string[] {
  const time = store.clock;
  if (e.note !== undefined) {
    return [
      e.note,
      '',
      'what:         a gap in what reached this UI: the recorder did not answer, or restarted',
      'where:        a daemon that only stopped answering kept that time in its rings while they',
      '              held it: a snapshot of the flight record (s, then f) writes what is left',
    ];
  }
  if (e.lost) {
    const lost = parseSpan(e.lost)[0];
    if (lost?.kind !== 'lost') return ['(unreadable lost marker)'];
    return [
      formatLost(lost, time),
      '',
      `events lost:  ${lost.count}`,
      `reason:       ${LOST_REASONS[lost.reason] ?? `reason ${lost.reason}`}`,
      `cpu:          ${lost.cpu === 4294967295 ? '(all)' : lost.cpu}`,
      `after:        ${lost.tsFrom !== 0n ? time(lost.tsFrom) : '(the start of the record)'}`,
      `before:       ${lost.tsTo !== 0n ? time(lost.tsTo) : '(the end of the record)'}`,
    ];
  }
  const enter = e.enter ? (parseSpan(e.enter)[0] as EnterRecord | undefined) : undefined;
  const exit = e.exit ? (parseSpan(e.exit)[0] as ExitRecord | undefined) : undefined;
  const nr = enter?.nr ?? exit?.nr ?? e.nr;
  const def = syscallByNr(nr);
  // strace -y's names as they were at this line: arguments before the call's effect (pipe's
  // array after it, as the line shows it), the return after.
  const rules = store.fdRules();
  const argNames = store.fdNamer(e, rules?.effectFirst(nr) ?? false);
  const call = describeArgs(
    nr,
    enter?.args,
    enter?.params ?? [],
    exit?.params ?? [],
    FULL,
    exit?.ret,
    argNames,
  );
  const retName =
    exit && exit.ret >= 0n && rules?.returnsFd(nr, enter?.args)
      ? (store.fdNamer(e, true)?.fd(Number(exit.ret)) ?? '')
      : '';
  const lines: string[] = [printable(store.textOf(e)), ''];
  lines.push(`call:     ${call.name} (nr ${nr})`);
  lines.push(
    `process:  pid ${e.pid}, tid ${e.tid}` +
      (!enter
        ? ''
        : enter.commLater
          ? `, comm not in the ring any more (next named: ${printable(enter.comm) || 'none'})`
          : `, comm ${printable(enter.comm)}`),
  );
  lines.push(`cpu:      ${enter?.cpu ?? exit?.cpu ?? e.cpu}`);
  if (enter) lines.push(`entered:  ${time(enter.ts)}`);
  if (exit) {
    // To the nanosecond: the column and `dur>` round; this is the figure itself.
    const ns = enter && !e.lossBetween ? exit.ts - enter.ts : undefined;
    const took =
      ns !== undefined && ns >= 0n
        ? ` (took ${ns / 1000n}.${(ns % 1000n).toString().padStart(3, '0')} µs)`
        : e.lossBetween
          ? ' (events were lost since the enter: this may be a later call of the same kind, so no duration)'
          : '';
    lines.push(`returned: ${time(exit.ts)}${took}`);
    lines.push(
      `result:   ${formatReturn(exit.ret, call.returns, enter?.args)}${printable(retName)}${call.retDetail}`,
    );
  } else {
    lines.push('result:   (no exit record: still running, or its exit was lost)');
  }
  lines.push('', 'arguments:');
  const n = Math.max(def?.args?.length ?? 0, enter?.args.length ?? 0);
  for (let i = 0; i < n; i++) {
    const arg = def?.args?.[i];
    const raw = enter?.args[i];
    const label = arg ? `${arg.type} ${arg.name}` : `arg${i}`;
    const rawText = raw !== undefined ? ` (0x${raw.toString(16)})` : '';
    const text = call.texts[i];
    if (text === null) continue; // one strace leaves out (open's mode without O_CREAT)
    lines.push(`  ${i}  ${label} = ${printable(text ?? '?')}${rawText}`);
  }
  if (n === 0) lines.push('  (none recorded)');
  for (const [arg, p] of [...call.params.entries()].sort((a, b) => a[0] - b[0])) {
    if (arg === TL_ARG_NEW_FDS) {
      lines.push('', ...newFdsLines(p.bytes));
      continue;
    }
    const status =
      p.status === TL_PARAM_FAULT
        ? 'unreadable (fault)'
        : p.status === TL_PARAM_TRUNCATED
          ? 'cut short'
          : 'complete';
    const want = p.want > 0 ? ` of ${p.want} named` : '';
    lines.push('', `captured argument ${arg}: ${p.bytes.length} bytes${want}, ${status}`);
    lines.push(...hexDump(p.bytes));
  }
  return lines;
}

/**
 * The fds the call made, as the kernel read them from the process's fd table when it returned
 * (TL_CAP_NEW_FDS: what names pipes and sockets): one line each.
 */
function newFdsLines(bytes: Buffer): string[] {
  const size = LAYOUT['sizeof(struct tl_new_fd)'];
  const lines = ['new fds, as the kernel saw them when the call returned:'];
  for (let at = 0; at + size <= bytes.length; at += size) {
    const fd = bytes.readInt32LE(at + LAYOUT['tl_new_fd.fd']);
    const ino = bytes.readBigUInt64LE(at + LAYOUT['tl_new_fd.ino']);
    const mode = bytes.readUInt16LE(at + LAYOUT['tl_new_fd.mode']) & 0o170000;
    const kind = mode === 0o140000 ? 'socket' : mode === 0o010000 ? 'pipe' : 'other';
    lines.push(
      ino === 0n ? `  fd ${fd}: not read (closed meanwhile?)` : `  fd ${fd}: ${kind}, inode ${ino}`,
    );
  }
  return lines;
}

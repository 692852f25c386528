// ia32 calls (int 0x80, a 32-bit process): the kernel side marks their records TL_FLAG_IA32,
// and everything past the wire sees them under their own numbers (NR_IA32_BASE + the i386
// number), never as the x86_64 call of the same number. No i386 table is known here: they print
// by number with their raw arguments, `[ia32] syscall_20(0x11, 0x22, 0x33, 0, 0, 0) = 1234`.
import { describe, expect, it } from 'vitest';
import { formatRecords } from '../src/format/index.js';
import { recordJson } from '../src/server/encode.js';
import { CallSummary, summaryText } from '../src/summary.js';
import { StreamStore } from '../src/ui/store.js';
import { LAYOUT, NR_IA32_BASE, parseRecords, TL_FLAG_IA32 } from '../src/wire.js';
import { call } from './ui/fake-api.js';

const time = (ts: bigint): string => `t${ts}`;
const FLAGS = LAYOUT['tl_hdr.flags'];

/** A call as the kernel side writes an ia32 one: both records flagged. */
function ia32(spec: Parameters<typeof call>[0]): Buffer {
  const b = call(spec);
  const enterSize = b.readUInt16LE(LAYOUT['tl_hdr.size']);
  b[FLAGS] = TL_FLAG_IA32;
  b[enterSize + FLAGS] = TL_FLAG_IA32;
  return b;
}

// i386 getpid is 20, x86_64's writev; i386 exit is 1, x86_64's write; i386's 60 is umask,
// x86_64's exit (which never returns).
const getpid32 = (tid = 100): Buffer =>
  ia32({ name: 'writev', args: [0x11n, 0x22n, 0x33n, 0n, 0n, 0n], ret: 1234n, tid });

const body = (line: string | undefined): string =>
  (line ?? '').replace(/^t\d+ cpu#\d+ \d+ \[\w+\] /, '');

describe('ia32 calls', () => {
  it('are parsed under their own numbers', () => {
    const records = parseRecords(getpid32());
    expect(records.map((r) => r.kind !== 'lost' && r.nr)).toEqual([
      NR_IA32_BASE + 20,
      NR_IA32_BASE + 20,
    ]);
  });

  it('print by number with their raw arguments, not as the x86_64 call of that number', () => {
    const out = formatRecords(parseRecords(getpid32()), { time });
    expect(out.map(body)).toEqual(['[ia32] syscall_20(0x11, 0x22, 0x33, 0, 0, 0) = 1234']);
    const fails = formatRecords(
      parseRecords(ia32({ name: 'close', args: [0n, 0n, 0n, 0n, 0n, 0n], ret: -38n })),
      { time, durations: true },
    );
    expect(fails.map(body)).toEqual([
      '[ia32] syscall_3(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented) <0.000001>',
    ]);
  });

  it('pair only with their own halves, with none of the x86_64 quirks of their numbers', () => {
    // An x86_64 writev's enter is not ended by an ia32 20's exit of the same thread.
    const x86 = call({ name: 'writev', args: [1n, 0n, 0n], ret: 0n });
    const enterOnly = x86.subarray(0, x86.readUInt16LE(0));
    const exit32 = getpid32().subarray(getpid32().readUInt16LE(0));
    const mixed = formatRecords(parseRecords(Buffer.concat([enterOnly, exit32])), { time });
    expect(mixed.map(body)).toEqual([
      'writev(1, NULL, 0 <unfinished ...>',
      '<... [ia32] syscall_20 resumed>) = 1234',
    ]);
    // i386 60 (umask) returns: it is not x86_64's exit, complete at its enter.
    const umask = ia32({ name: 'exit', args: [0o22n, 0n, 0n, 0n, 0n, 0n], ret: 0o22n });
    expect(formatRecords(parseRecords(umask), { time }).map(body)).toEqual([
      '[ia32] syscall_60(0x12, 0, 0, 0, 0, 0) = 18',
    ]);
  });

  it('are lines of their own in the UI store, the summary and the JSON', () => {
    const store = new StreamStore({ time });
    store.ingest(getpid32());
    expect(body(store.textOf(store.at(0)))).toBe(
      '[ia32] syscall_20(0x11, 0x22, 0x33, 0, 0, 0) = 1234',
    );

    const summary = new CallSummary();
    summary.add(parseRecords(Buffer.concat([getpid32(), call({ name: 'writev', ret: 0n })])));
    const names = summary.table('name').map((r) => r.name);
    expect(names).toEqual(['[ia32] syscall_20', 'writev']);
    expect(summaryText(summary)).toContain('[ia32] syscall_20');

    const [enter] = parseRecords(getpid32());
    expect(recordJson(enter!)).toMatchObject({ nr: 20, syscall: '[ia32] syscall_20', ia32: true });
    const [x86] = parseRecords(call({ name: 'writev', ret: 0n }));
    expect(recordJson(x86!)).toMatchObject({ nr: 20, syscall: 'writev' });
    expect(recordJson(x86!)).not.toHaveProperty('ia32');
  });
});

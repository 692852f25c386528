// strace -c's table from records: counted at the exit, errors by errno, wall-clock time.
import { describe, expect, it } from 'vitest';
import { CallSummary, summaryText } from '../src/summary.js';
import { parseRecords } from '../src/wire.js';
import { call, lost } from './ui/fake-api.js';

const ENTER = (nargs: number): number => 48 + 8 * nargs;

describe('the summary (strace -c)', () => {
  it('counts each call once at its exit, failures by errno, and the time between', () => {
    const s = new CallSummary();
    const read = call({ name: 'read', args: [3n, 0n, 8n], ret: 8n, took: 5_000n, tid: 1 });
    s.add(
      parseRecords(
        Buffer.concat([
          call({ name: 'openat', args: [-100n, 0n, 0n], ret: -2n, took: 2_000n }),
          call({ name: 'openat', args: [-100n, 0n, 0n], ret: 3n, took: 4_000n }),
          call({ name: 'openat', args: [-100n, 0n, 0n], ret: -13n, took: 1_000n }),
          // read's enter, another thread's call, then read's exit: one call, resumed.
          read.subarray(0, ENTER(3)),
          call({ name: 'getpid', ret: 5n, tid: 2 }),
          read.subarray(ENTER(3)),
          call({ name: 'exit_group', args: [0n] }).subarray(0, ENTER(1)), // never returns: not counted
        ]),
      ),
    );
    const [open, read1, getpid] = s.table('calls');
    expect(open).toMatchObject({
      name: 'openat',
      calls: 3,
      errors: 2,
      totalNs: 7_000,
      maxNs: 4_000,
    });
    expect([...open!.errnos]).toEqual([
      [2, 1],
      [13, 1],
    ]);
    expect(read1).toMatchObject({ name: 'read', calls: 1, errors: 0 });
    expect(read1!.totalNs).toBeGreaterThanOrEqual(5_000);
    expect(getpid).toMatchObject({ name: 'getpid', calls: 1 });
    expect(s.table().map((r) => r.name)).not.toContain('exit_group');
    expect(s.table('time')[0]!.name).toBe('openat');
    expect(s.table('name').map((r) => r.name)).toEqual(['getpid', 'openat', 'read']);
  });

  it("prints strace's layout, the errnos, the slowest calls, and what was lost", () => {
    const s = new CallSummary();
    s.add(
      parseRecords(
        Buffer.concat([
          call({ name: 'connect', args: [3n, 0n, 16n], ret: -111n, took: 3_000_000n }),
          call({ name: 'close', args: [3n], ret: 0n, took: 1_000_000n }),
          lost(12n, 0),
        ]),
      ),
    );
    const lines = summaryText(s).split('\n');
    expect(lines.slice(0, 6)).toEqual([
      '% time     seconds  usecs/call     calls    errors syscall',
      '------ ----------- ----------- --------- --------- ----------------',
      ' 75.00    0.003000        3000         1         1 connect',
      ' 25.00    0.001000        1000         1           close',
      '------ ----------- ----------- --------- --------- ----------------',
      '100.00    0.004000        2000         2         1 total',
    ]);
    expect(lines).toContain('  connect          ECONNREFUSED 1');
    expect(lines).toContain('  connect          0.003000 s');
    expect(lines).toContain(
      '12 events were lost (marked in the record): every count is a lower bound',
    );
  });

  it('a call resumed after lost events counts, without a time (it may be a later call)', () => {
    const s = new CallSummary();
    const read = call({ name: 'read', args: [3n, 0n, 8n], ret: 8n, took: 9_000_000n });
    s.add(
      parseRecords(
        Buffer.concat([read.subarray(0, ENTER(3)), lost(3n, 0), read.subarray(ENTER(3))]),
      ),
    );
    expect(s.table()[0]).toMatchObject({ name: 'read', calls: 1, timed: 0, totalNs: 0, maxNs: 0 });
    // A timed call of the same kind: usecs/call is its time, not halved by the untimed one.
    s.add(parseRecords(call({ name: 'read', args: [3n, 0n, 8n], ret: 8n, took: 4_000_000n })));
    expect(s.table()[0]).toMatchObject({ calls: 2, timed: 1, totalNs: 4_000_000 });
    expect(summaryText(s)).toMatch(/^100\.00 +0\.004000 +4000 +2 +read$/m);
  });
});

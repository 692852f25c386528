// A dump's last line accounts for what the file holds: events per CPU (recorded = shown + lost)
// and the lines those events make, counted as `grep -c ' cpu#N '` would count them.
import { describe, expect, it } from 'vitest';
import { accountingLine, dumpText, LineTally } from '../src/dump.js';
import type { CpuRingStats } from '../src/native.js';
import { TL_LOST_CONSUMER } from '../src/wire.js';
import { call, lost, write } from './ui/fake-api.js';

const ALL_CPUS = 0xffffffff;

const stats = (cpu: number, emitted: number, lostN = 0): CpuRingStats => ({
  cpu,
  emitted,
  failed: 0,
  faults: 0,
  headBytes: 0,
  delivered: emitted - lostN,
  lost: lostN,
});

/** Lines of the file that show `cpu#N` where a line shows its CPU. */
function grepCpu(lines: readonly string[], cpu: number): number {
  return lines.filter((l) => new RegExp(`^(\\S+ )?cpu#${cpu} `).test(l)).length;
}

describe('the dump footer', () => {
  it('gives each CPU the number of lines its events make in the file', () => {
    const records = Buffer.concat([
      call({ name: 'getpid', ret: 7n, cpu: 0 }),
      call({ name: 'getppid', ret: 1n, cpu: 0, tid: 101 }),
      write('abc'), // cpu 0
      lost(1234n, 1),
      call({ name: 'getuid', ret: 0n, cpu: 1, tid: 102 }),
      lost(9n, ALL_CPUS, TL_LOST_CONSUMER),
    ]);
    const read = { records, cpus: [stats(0, 6), stats(1, 2 + 1234, 1234)] };
    const text = dumpText('# head', read);
    const lines = text.trimEnd().split('\n');
    const footer = lines.at(-1)!;
    const body = lines.slice(1, -1);
    expect(grepCpu(body, 0)).toBe(3);
    expect(grepCpu(body, 1)).toBe(2);
    expect(footer).toBe(
      '# cpu0: 6 recorded, 6 shown, 0 lost (3 lines); ' +
        'cpu1: 1236 recorded, 2 shown, 1234 lost (2 lines); all CPUs: 1 line',
    );
  });

  it('counts what is printed, including unfinished halves and a CPU with no line', () => {
    const tally = new LineTally();
    tally.count([
      '10:00:00.000001 cpu#3 7 [a] read(3, <unfinished ...>',
      '10:00:00.000002 cpu#2 8 [b] getpid() = 8',
      '10:00:00.000003 cpu#3 7 [a] <... read resumed>"", 1) = 0',
      'cpu#2 ---- LOST 5 events (writer busy) ----',
      '# a comment names no cpu#9 ',
    ]);
    expect(tally.byCpu).toEqual(
      new Map([
        [3, 2],
        [2, 2],
      ]),
    );
    expect(accountingLine([stats(2, 3), stats(3, 2), stats(4, 0)], tally)).toBe(
      '# cpu2: 3 recorded, 3 shown, 0 lost (2 lines); cpu3: 2 recorded, 2 shown, 0 lost (2 lines)',
    );
    // Without a tally (a stream's end, where lines went out long before), events only.
    expect(accountingLine([stats(2, 3)])).toBe('# cpu2: 3 recorded, 3 shown, 0 lost');
  });
});

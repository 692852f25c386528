// The daemon's books without a daemon: what a batch stands for per CPU, the window of a stream
// that ends, names that are never given twice and fit in 128 characters (issue #13 item 6), and
// ids with one spelling each (item 11). What a dropped batch is owed as: drop-and-mark.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freeName } from '../../src/server/names.js';
import { MAX_NAME, checkName, parseId } from '../../src/server/params.js';
import { lostRecord } from '../../src/server/encode.js';
import { PerCpu, streamWindow } from '../../src/server/tally.js';
import {
  TL_LOST_CONSUMER,
  TL_LOST_GONE,
  TL_LOST_OVERWRITTEN,
  TL_REC_ENTER,
  TL_REC_EXIT,
} from '../../src/wire.js';
import { statusOf } from '../helpers/http-errors.js';
import { event, param } from '../helpers/records.js';

const status = statusOf;

describe('what a batch stands for', () => {
  it('counts records and what markers count, per CPU, params and all-CPU markers apart', () => {
    const t = new PerCpu();
    t.addRecords(
      Buffer.concat([
        event(TL_REC_ENTER, 0, 10n),
        param(),
        event(TL_REC_EXIT, 1, 11n),
        lostRecord(TL_LOST_OVERWRITTEN, 500n, 1n, 9n, 1),
        lostRecord(TL_LOST_CONSUMER, 7n),
        lostRecord(TL_LOST_GONE, 0n),
      ]),
    );
    expect([t.get(0), t.get(1), t.all, t.total()]).toEqual([1, 501, 7, 509]);
  });
});

describe('the window of a stream that ends', () => {
  const per = (counts: number[], all = 0): PerCpu => {
    const p = new PerCpu();
    counts.forEach((n, cpu) => p.add(cpu, n));
    p.all = all;
    return p;
  };
  it('is what was emitted by the end less what was handed out before it joined; unseen is the rest', () => {
    const { window, unseen } = streamWindow(per([100, 50]), per([90, 50]), per([10, 5]));
    expect(window.entries()).toEqual([
      [0, 90],
      [1, 45],
    ]);
    expect(unseen.entries()).toEqual([
      [0, 10],
      [1, 0],
    ]);
  });
  it('keeps totals exact when the addon counted a drop for all CPUs at once', () => {
    // 30 events of both CPUs dropped by the addon during the window, 5 before it.
    const { window, unseen } = streamWindow(per([100, 50]), per([50, 25], 35), per([10, 5], 5));
    expect(window.total()).toBe(150 - 15 - 5);
    expect(unseen.total()).toBe(150 - 75 - 35);
  });
});

describe('names the daemon gives', () => {
  it('never gives a taken name, even when a directory is called like a suffixed name', () => {
    const names = new Set<string>();
    const give = (base: string, id: number): string => {
      const n = freeName(base, id, (x) => names.has(x));
      expect(names.has(n)).toBe(false);
      names.add(n);
      return n;
    };
    expect(give('x', 0)).toBe('x');
    expect(give('x-4', 1)).toBe('x-4');
    expect(give('x', 4)).toBe('x-4-2'); // was x-4 a second time
    expect(give('x', 5)).toBe('x-5');
    expect(give('123', 6)).toBe('cgroup-123');
  });

  it('fit in 128 characters and pass the check a client name passes, whatever the directory', () => {
    const long = 'd'.repeat(208);
    expect(freeName(long, 3, () => false)).toBe('d'.repeat(MAX_NAME));
    expect(freeName(long, 3, (n) => n === 'd'.repeat(MAX_NAME))).toBe('d'.repeat(126) + '-3');
    const kept = freeName(long, 3, () => false, '-gone-3');
    expect(kept).toBe('d'.repeat(121) + '-gone-3');
    fc.assert(
      fc.property(fc.string({ maxLength: 255 }), fc.nat(1_000_000_000), (base, id) => {
        const taken = new Set([freeName(base, id, () => false)]);
        const n = freeName(base, id, (x) => taken.has(x));
        expect(taken.has(n)).toBe(false);
        expect(status(() => checkName(n))).toBe('ok');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('ids', () => {
  it('have one spelling: no leading zeros', () => {
    const id = (v: string) => status(() => parseId(new Map([['id', v]])));
    expect(id('0')).toBe('ok');
    expect(id('10')).toBe('ok');
    expect(id('999999999')).toBe('ok');
    for (const v of ['000000000', '00', '01', '0010', '1000000000']) expect(id(v), v).toBe(400);
  });
});

// What the front ends say about capture families a kernel refused (src/captures.ts): the
// words, and that nothing at all is added when everything loaded (--version aside).
import { describe, expect, it } from 'vitest';
import {
  ALL_LOADED,
  capturesOf,
  leftOutComment,
  leftOutText,
  loadReportLines,
} from '../src/captures.js';
import { dumpText } from '../src/dump.js';
import type { LoadReport } from '../src/native.js';

const report = (over: Partial<LoadReport> = {}): LoadReport => ({
  programs: [
    { name: 'tl_sys_enter', insns: 49425, stack: [168, 40], verifyUs: 21944 },
    { name: 'tl_sys_exit', insns: 59281, stack: [168, 40], verifyUs: 27124 },
  ],
  loadMs: 58.6,
  attempts: 1,
  families: 63,
  leftOut: 0,
  leftOutNames: '',
  leftOutWhy: '',
  ...over,
});

const refused = report({
  loadMs: 290.2,
  attempts: 8,
  families: 51,
  leftOut: 12,
  leftOutNames: 'iovec, msghdr',
  leftOutWhy: 'tl_sys_enter: BPF program is too large',
});

const cpus = [{ cpu: 0, emitted: 0, failed: 0, faults: 0, headBytes: 0, delivered: 0, lost: 0 }];

describe('capture families left out', () => {
  it('names them with the verifier’s words, and says nothing when all loaded', () => {
    expect(capturesOf(report())).toEqual(ALL_LOADED);
    expect(leftOutText(ALL_LOADED)).toBeUndefined();
    expect(leftOutComment(ALL_LOADED)).toEqual([]);
    expect(leftOutComment(undefined)).toEqual([]);
    const c = capturesOf(refused);
    expect(c).toEqual({ leftOut: 'iovec, msghdr', why: 'tl_sys_enter: BPF program is too large' });
    expect(leftOutText(c)).toBe(
      'captures left out on this kernel: iovec, msghdr ' +
        '(verifier: tl_sys_enter: BPF program is too large); their arguments print as addresses',
    );
    expect(leftOutText({ leftOut: 'iovec', why: '' })).toBe(
      'captures left out on this kernel: iovec; their arguments print as addresses',
    );
  });

  it('a dump says it on the line under its header, only when something is left out', () => {
    const read = { records: Buffer.alloc(0), cpus };
    expect(dumpText('# head', read).split('\n')).toEqual(['# head', '# nothing recorded', '']);
    expect(dumpText('# head', read, { captures: ALL_LOADED }).split('\n')).toEqual([
      '# head',
      '# nothing recorded',
      '',
    ]);
    const lines = dumpText('# head', read, { captures: capturesOf(refused) }).split('\n');
    expect(lines[0]).toBe('# head');
    expect(lines[1]).toMatch(/^# captures left out on this kernel: iovec, msghdr \(verifier: /);
    expect(lines[2]).toBe('# nothing recorded');
  });

  it('--version: all loaded, or what was left out; load time and each program’s instructions', () => {
    expect(loadReportLines(report())).toEqual([
      'captures: all loaded',
      'BPF load: 59 ms; instructions the verifier processed: tl_sys_enter 49425, tl_sys_exit 59281 (limit 1000000 each)',
    ]);
    const lines = loadReportLines(refused);
    expect(lines[0]).toBe(leftOutText(capturesOf(refused)));
    expect(lines[1]).toMatch(/^BPF load: 290 ms in 8 attempts; /);
  });
});

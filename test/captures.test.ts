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
import { call } from './ui/fake-api.js';

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
    // The family that captures no argument says what its loss means instead.
    const newFds = "new fds' inodes (-y, -yy)";
    expect(leftOutText({ leftOut: newFds, why: '' })).toBe(
      `captures left out on this kernel: ${newFds}; ` +
        "pipes' and sockets' names come from /proc as the lines are printed",
    );
    expect(leftOutText({ leftOut: `iovec, ${newFds}, msghdr`, why: '' })).toBe(
      `captures left out on this kernel: iovec, ${newFds}, msghdr; their arguments print as ` +
        "addresses; pipes' and sockets' names come from /proc as the lines are printed",
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

describe('arguments whose capture was not taken (their family left out)', () => {
  // What the rings hold when a family is left out: the call's registers, no param record.
  const line = (name: string, args: bigint[], ret: bigint): string => {
    const read = { records: call({ name, args, ret }), cpus };
    const text = dumpText('# head', read, { captures: capturesOf(refused) }).split('\n')[2]!;
    return text.slice(text.indexOf('] ') + 2);
  };
  const P = 0x7ffc1000n;

  it.each([
    ['writev', [1n, P, 2n], 12n, 'writev(1, 0x7ffc1000, 2) = 12'],
    ['readv', [3n, P, 2n], 8n, 'readv(3, 0x7ffc1000, 2) = 8'],
    ['pwritev2', [3n, P, 2n, 0n, 0n, 0n], 6n, 'pwritev2(3, 0x7ffc1000, 2, 0, 0) = 6'],
    ['sendmsg', [5n, P, 0n], 3n, 'sendmsg(5, 0x7ffc1000, 0) = 3'],
    ['recvmsg', [6n, P, 0n], 3n, 'recvmsg(6, 0x7ffc1000, 0) = 3'],
    ['sendmmsg', [5n, P, 2n, 0n], 2n, 'sendmmsg(5, 0x7ffc1000, 2, 0) = 2'],
    ['select', [4n, P, 0n, 0n, P + 8n], 1n, 'select(4, 0x7ffc1000, NULL, NULL, 0x7ffc1008) = 1'],
    ['select', [0n, 0n, 0n, 0n, P], 0n, 'select(0, NULL, NULL, NULL, 0x7ffc1000) = 0 (Timeout)'],
    ['getdents64', [7n, P, 32768n], 96n, 'getdents64(7, 0x7ffc1000, 32768) = 96'],
    ['execve', [P, P + 8n, P + 16n], 0n, 'execve(0x7ffc1000, 0x7ffc1008, 0x7ffc1010) = 0'],
    ['ioctl', [8n, 0x5401n, P], 0n, 'ioctl(8, TCGETS, 0x7ffc1000) = 0'],
    ['ioctl', [8n, 0x5413n, P], 0n, 'ioctl(8, TIOCGWINSZ, 0x7ffc1000) = 0'],
    ['fcntl', [5n, 7n, P], 0n, 'fcntl(5, F_SETLKW, 0x7ffc1000) = 0'],
    ['prctl', [15n, P, 0n, 0n, 0n], 0n, 'prctl(PR_SET_NAME, 0x7ffc1000) = 0'],
  ] as const)(
    '%s prints the address, as strace does a structure it does not decode',
    (name, args, ret, want) => {
      expect(line(name, [...args], ret)).toBe(want);
    },
  );
});

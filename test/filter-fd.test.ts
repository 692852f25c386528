// The filter's `fd:` term (src/filter/query.ts) over formatted lines (src/filter/lines.ts): a
// line is kept when one of the fd names it shows (the formatter's fdNames, strace -y's) matches.
import { describe, expect, it } from 'vitest';
import { compileLineFilter, keepLines } from '../src/filter/lines.js';
import { parseQuery } from '../src/filter/query.js';
import { uiOnlyError } from '../src/ui/filter.js';
import { createLineFormatter } from '../src/format/records.js';
import type { ProcReader } from '../src/format/proc-fds.js';
import { syscallByName } from '../src/syscalls/table.js';
import { TL_PARAM_OK, type Param, type WireRecord } from '../src/wire.js';

const AT_FDCWD = BigInt.asUintN(64, -100n);
let ts = 1000n;

function nr(name: string): number {
  const def = syscallByName(name);
  if (!def) throw new Error(name);
  return def.nr;
}

const path = (arg: number, text: string): Param => ({
  arg,
  status: TL_PARAM_OK,
  want: 0,
  bytes: Buffer.from(text + '\0'),
});

function call(name: string, args: bigint[], ret: bigint, params: Param[] = []): WireRecord[] {
  const common = { tid: 7, pid: 7, seq: 0, cpu: 0, nr: nr(name), late: false };
  return [
    { kind: 'enter', ...common, ts: ts++, comm: 'app', args, params },
    { kind: 'exit', ...common, ts: ts++, ret, params: [] },
  ];
}

const RECORDS: WireRecord[] = [
  ...call('openat', [AT_FDCWD, 0x1000n, 0n, 0n], 3n, [path(1, '/var/log/app.log')]),
  ...call('openat', [AT_FDCWD, 0x1000n, 0n, 0n], 4n, [path(1, '/etc/hostname')]),
  ...call('write', [3n, 0x2000n, 5n], 5n),
  ...call('read', [4n, 0x2000n, 5n], 5n),
  ...call('dup2', [3n, 1n], 1n),
  ...call('write', [1n, 0x2000n, 5n], 5n),
  ...call('read', [9n, 0x2000n, 5n], 0n), // fd 9: opened before the window, no /proc: bare
  ...call('close', [3n], 0n),
];

/** A process /proc knows nothing about, and paths as given. */
const NO_PROC: ProcReader = {
  snapshot: () => undefined,
  fdLink: () => undefined,
  realpath: () => undefined,
};

/** The calls (`name(args) = ret`) of the lines `filter` keeps. */
function kept(filter: string, decodeFds = true): string[] {
  const f = createLineFormatter({
    time: () => 't',
    decodeFds,
    procFds: NO_PROC,
    fdNamesPerLine: true,
  });
  const compiled = compileLineFilter(filter);
  const out = [...keepLines(f.push(RECORDS), f, compiled), ...keepLines(f.flush(), f, compiled)];
  return out.map((l) => l.replace(/^.*?\] /, ''));
}

describe('fd: over formatted lines', () => {
  it('keeps the lines whose fd arguments or fd return a glob matches', () => {
    expect(kept('fd:/var/log/*')).toEqual([
      'openat(AT_FDCWD, "/var/log/app.log", O_RDONLY) = 3</var/log/app.log>',
      'write(3</var/log/app.log>, 0x2000, 5) = 5',
      'dup2(3</var/log/app.log>, 1) = 1</var/log/app.log>',
      'write(1</var/log/app.log>, 0x2000, 5) = 5',
      'close(3</var/log/app.log>) = 0',
    ]);
    expect(kept('fd:/etc/hostname')).toEqual([
      'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 4</etc/hostname>',
      'read(4</etc/hostname>, 0x2000, 5) = 5',
    ]);
  });

  it('combines with the other terms and is negated by -', () => {
    expect(kept('fd:/var/log/* syscall:write')).toEqual([
      'write(3</var/log/app.log>, 0x2000, 5) = 5',
      'write(1</var/log/app.log>, 0x2000, 5) = 5',
    ]);
    // A line naming no fd is not about /var/log either.
    expect(kept('-fd:/var/log/*')).toEqual([
      'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 4</etc/hostname>',
      'read(4</etc/hostname>, 0x2000, 5) = 5',
      'read(9, "", 5) = 0',
    ]);
  });

  it('matches a name, not the text of the line: a path argument is no fd name', () => {
    // The openat's path says /var/log/app.log; only its return names the fd. A bare fd
    // (unknown) matches no glob, not even *.
    expect(kept('fd:*')).not.toContain('read(9, "", 5) = 0');
    expect(kept('fd:app.log')).toEqual([]);
  });

  it('without fd names (--no-decode-fds) no line names a file, so none is kept', () => {
    expect(kept('fd:/var/log/*', false)).toEqual([]);
    expect(kept('-fd:/var/log/*', false)).toHaveLength(RECORDS.length / 2);
  });

  it('parses as a field with a value', () => {
    expect(parseQuery('fd:pipe:*')[0]?.term.kind).toBe('fd');
    expect(() => parseQuery('fd:')).toThrow(/fd: wants a value/);
  });
});

describe('fd: in the UI', () => {
  it('is refused at the prompt only when the stream names no fds (tui --no-decode-fds)', () => {
    expect(uiOnlyError('syscall:write fd:/var/log/*', false)).toMatch(/^fd: fd names are off/);
    expect(uiOnlyError('-fd:/x', false)).toMatch(/^fd: /);
    expect(uiOnlyError('syscall:write errno:*', false)).toBeUndefined();
    expect(uiOnlyError('syscall:write fd:/var/log/*', true)).toBeUndefined();
  });
});

// Exact strace-like lines for synthetic record streams, and the wall clock that labels them.
// Expected strings for flags and escaping were checked against strace 6.1 on this machine.
import { describe, expect, it } from 'vitest';
import {
  createWallClock,
  formatTimeOfDay,
  sampleClocks,
  toEpochNs,
  type ClockSample,
} from '../src/clock.js';
import { describeArgs } from '../src/format/call.js';
import { createLineFormatter, formatRecords, quote } from '../src/format/index.js';
import { syscallByName } from '../src/syscalls/table.js';
import { parseRecords } from '../src/wire.js';
import { call as recordedCall } from './ui/fake-api.js';
import {
  TL_LOST_BUSY,
  TL_LOST_CONSUMER,
  TL_LOST_GONE,
  TL_LOST_OVERWRITTEN,
  TL_LOST_TORN,
  TL_PARAM_FAULT,
  TL_PARAM_OK,
  TL_PARAM_TRUNCATED,
  type EnterRecord,
  type ExitRecord,
  type LostRecord,
  type Param,
  type WireRecord,
  TL_NR_PROC_END,
  TL_NR_SIGNAL,
  TL_SIGINFO_BYTES,
} from '../src/wire.js';

// 12:00:00.000000 UTC on 2024-01-01 is CLOCK_MONOTONIC 1000 s in these tests.
const BASE = 1_000_000_000_000n;
const SAMPLE: ClockSample = { monotonicNowNs: BASE, wallNowMs: Date.UTC(2024, 0, 1, 12) };
const time = createWallClock(SAMPLE, { utcOffsetMinutes: () => 0 });
const at = (us: number): bigint => BASE + BigInt(us) * 1000n;

function nr(name: string): number {
  const def = syscallByName(name);
  if (!def) throw new Error(`no syscall ${name}`);
  return def.nr;
}

const u64 = (n: bigint): bigint => BigInt.asUintN(64, n);
const AT_FDCWD = u64(-100n);
const O_RDONLY_CLOEXEC = 0o2000000n;

interface Call {
  name: string;
  args: bigint[];
  ret?: bigint;
  tid?: number;
  comm?: string;
  cpu?: number;
  us?: number;
  /** Exit time; default one µs after enter. */
  exitUs?: number;
  enterParams?: Param[];
  exitParams?: Param[];
}

function enterOf(c: Call): EnterRecord {
  return {
    kind: 'enter',
    tid: c.tid ?? 42,
    pid: 40,
    seq: 0,
    cpu: c.cpu ?? 0,
    nr: nr(c.name),
    ts: at(c.us ?? 1),
    comm: c.comm ?? 'cat',
    args: c.args,
    params: c.enterParams ?? [],
    late: false,
  };
}

function exitOf(c: Call): ExitRecord {
  return {
    kind: 'exit',
    tid: c.tid ?? 42,
    pid: 40,
    seq: 0,
    cpu: c.cpu ?? 0,
    nr: nr(c.name),
    ts: at(c.exitUs ?? (c.us ?? 1) + 1),
    ret: c.ret ?? 0n,
    params: c.exitParams ?? [],
    late: false,
  };
}

const call = (c: Call): WireRecord[] => [enterOf(c), exitOf(c)];

const str = (arg: number, text: string, over: Partial<Param> = {}): Param => ({
  arg,
  status: TL_PARAM_OK,
  want: 0,
  bytes: Buffer.from(text, 'latin1'),
  ...over,
});
const buf = (arg: number, text: string, want?: number): Param =>
  str(arg, text, { want: want ?? Buffer.byteLength(text, 'latin1') });

const lines = (records: WireRecord[], maxString?: number): string[] =>
  formatRecords(records, { time, maxString });
const one = (records: WireRecord[]): string => {
  const out = lines(records);
  expect(out).toHaveLength(1);
  return out[0] ?? '';
};
const body = (line: string): string => line.replace(/^\S+ cpu#\d+ \d+ \[[^\]]*\] /, '');

describe('one line per call', () => {
  const cases: Array<[string, Call, string]> = [
    [
      'openat',
      {
        name: 'openat',
        args: [AT_FDCWD, 0x7f00n, O_RDONLY_CLOEXEC, 0n],
        ret: 3n,
        enterParams: [str(1, '/etc/passwd\0')],
      },
      'openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3',
    ],
    [
      'openat creating a file shows the mode',
      {
        name: 'openat',
        args: [AT_FDCWD, 0x7f00n, 0o2001101n, 0o644n],
        ret: 3n,
        enterParams: [str(1, '/tmp/zz-created\0')],
      },
      'openat(AT_FDCWD, "/tmp/zz-created", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 3',
    ],
    [
      'openat with O_SYNC (not O_DSYNC) and O_DIRECTORY',
      {
        name: 'openat',
        args: [AT_FDCWD, 0x7f00n, 0o4214000n, 0n],
        ret: -2n,
        enterParams: [str(1, '/nonexist\0')],
      },
      'openat(AT_FDCWD, "/nonexist", O_RDONLY|O_NONBLOCK|O_SYNC|O_DIRECTORY) = ' +
        '-1 ENOENT (No such file or directory)',
    ],
    [
      'openat with O_TMPFILE takes a mode',
      {
        name: 'openat',
        args: [AT_FDCWD, 0x7f00n, 0o20200002n, 0o600n],
        ret: 3n,
        enterParams: [str(1, '/tmp\0')],
      },
      'openat(AT_FDCWD, "/tmp", O_RDWR|O_TMPFILE, 0600) = 3',
    ],
    [
      'unknown open flag bits as hex',
      {
        name: 'openat',
        args: [AT_FDCWD, 0x7f00n, 0x80000000n, 0n],
        ret: -2n,
        enterParams: [str(1, '/tmp/x\0')],
      },
      'openat(AT_FDCWD, "/tmp/x", O_RDONLY|0x80000000) = -1 ENOENT (No such file or directory)',
    ],
    [
      'open with a real dirfd-less path',
      { name: 'open', args: [0x7f00n, 0n, 0n], ret: 3n, enterParams: [str(0, 'a\0')] },
      'open("a", O_RDONLY) = 3',
    ],
    [
      'openat with a real dirfd',
      {
        name: 'openat',
        args: [5n, 0x7f00n, 0n, 0n],
        ret: 6n,
        enterParams: [str(1, 'sub\0')],
      },
      'openat(5, "sub", O_RDONLY) = 6',
    ],
    [
      'write',
      { name: 'write', args: [1n, 0x5000n, 4n], ret: 4n, enterParams: [buf(1, 'ab\n\x01')] },
      'write(1, "ab\\n\\1", 4) = 4',
    ],
    [
      'write with every kind of escape',
      {
        name: 'write',
        args: [1n, 0x5000n, 11n],
        ret: 11n,
        enterParams: [buf(1, '\x012\x1b[1m"\\\t\x7f\xff')],
      },
      'write(1, "\\0012\\33[1m\\"\\\\\\t\\177\\377", 11) = 11',
    ],
    [
      'write cut at 32 bytes',
      {
        name: 'write',
        args: [1n, 0x5000n, 100n],
        ret: 100n,
        enterParams: [buf(1, 'x'.repeat(100))],
      },
      `write(1, "${'x'.repeat(32)}"..., 100) = 100`,
    ],
    [
      'write whose buffer the kernel side captured only in part',
      {
        name: 'write',
        args: [1n, 0x5000n, 5000n],
        ret: 5000n,
        enterParams: [buf(1, 'abc', 5000)],
      },
      'write(1, "abc"..., 5000) = 5000',
    ],
    [
      'read, buffer captured at exit',
      { name: 'read', args: [3n, 0x5000n, 131072n], ret: 3n, exitParams: [buf(1, 'foo')] },
      'read(3, "foo", 131072) = 3',
    ],
    [
      'read at end of file',
      { name: 'read', args: [3n, 0x5000n, 131072n], ret: 0n, exitParams: [buf(1, '')] },
      'read(3, "", 131072) = 0',
    ],
    [
      'read without a capture shows the pointer',
      { name: 'read', args: [3n, 0x7ffd1234n, 16n], ret: -11n },
      'read(3, 0x7ffd1234, 16) = -1 EAGAIN (Resource temporarily unavailable)',
    ],
    [
      'a faulted path',
      {
        name: 'openat',
        args: [AT_FDCWD, 0x7f00n, 0n, 0n],
        ret: -14n,
        enterParams: [str(1, '', { status: TL_PARAM_FAULT })],
      },
      'openat(AT_FDCWD, <unavailable: fault>, O_RDONLY) = -1 EFAULT (Bad address)',
    ],
    [
      'a path that faulted at enter and was read again at exit',
      {
        name: 'stat',
        args: [0x7f00n, 0x7f80n],
        ret: 0n,
        enterParams: [str(0, '', { status: TL_PARAM_FAULT })],
        exitParams: [str(0, '/usr\0')],
      },
      'stat("/usr", 0x7f80) = 0',
    ],
    [
      'a path truncated by the kernel side',
      {
        name: 'chdir',
        args: [0x7f00n],
        ret: 0n,
        enterParams: [str(0, '/very/long', { status: TL_PARAM_TRUNCATED })],
      },
      'chdir("/very/long"...) = 0',
    ],
    [
      'a path longer than -s: strace shows paths whole',
      {
        name: 'unlink',
        args: [0x7f00n],
        ret: 0n,
        enterParams: [str(0, `/${'d'.repeat(40)}\0`)],
      },
      `unlink("/${'d'.repeat(40)}") = 0`,
    ],
    [
      'NULL and signed fds',
      { name: 'mmap', args: [0n, 4096n, 3n, 0x22n, u64(-1n), 0n], ret: 0x7f0a1c000000n },
      'mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0a1c000000',
    ],
    ['no arguments', { name: 'getpid', args: [], ret: 40n }, 'getpid() = 40'],
    [
      'int arguments narrowed to 32 bits',
      { name: 'close', args: [0xdeadbeef00000003n], ret: 0n },
      'close(3) = 0',
    ],
    [
      'mkdir mode in octal',
      { name: 'mkdir', args: [0x7f00n, 0o755n], ret: 0n, enterParams: [str(0, 'd\0')] },
      'mkdir("d", 0755) = 0',
    ],
    [
      'an interrupted call that restarts',
      { name: 'read', args: [0n, 0x5000n, 1024n], ret: -512n },
      'read(0, 0x5000, 1024) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)',
    ],
    [
      'ERESTART_RESTARTBLOCK',
      { name: 'nanosleep', args: [0x7f00n, 0x7f10n], ret: -516n },
      'nanosleep(0x7f00, 0x7f10) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)',
    ],
    [
      'an errno without a name',
      { name: 'close', args: [3n], ret: -600n },
      'close(3) = -1 ERRNO_600 (Unknown error 600)',
    ],
    [
      'a negative value that is not an error',
      { name: 'lseek', args: [3n, 0n, 1n], ret: -5000n },
      'lseek(3, 0, SEEK_CUR) = -5000',
    ],
  ];
  it.each(cases)('%s', (_name, c, expected) => {
    expect(body(one(call(c)))).toBe(expected);
  });

  it('starts with time, cpu, tid and comm', () => {
    const line = one(call({ name: 'getpid', args: [], tid: 1234, comm: 'nginx', cpu: 1, us: 5 }));
    expect(line).toBe('12:00:00.000005 cpu#1 1234 [nginx] getpid() = 0');
  });

  it('honours maxString', () => {
    const c = { name: 'write', args: [1n, 0x5000n, 6n], ret: 6n, enterParams: [buf(1, 'abcdef')] };
    expect(body(lines(call(c), 4)[0] ?? '')).toBe('write(1, "abcd"..., 6) = 6');
  });

  it('appends durations when asked', () => {
    const c = { name: 'getpid', args: [], us: 10, exitUs: 1_250_013 };
    const [line] = formatRecords(call(c), { time, durations: true });
    expect(body(line ?? '')).toBe('getpid() = 0 <1.250003>');
  });
});

/** The kernel's word that a process ended (an exit numbered TL_NR_PROC_END, its wait status). */
function processEnd(status: number, tid = 42, us = 5): ExitRecord {
  return {
    ...exitOf({ name: 'getpid', args: [], tid, us }),
    nr: TL_NR_PROC_END,
    ret: BigInt(status),
  };
}

describe('calls that never return', () => {
  it.each([
    ['exit_group', [7n], ['exit_group(7) = ?']],
    ['exit', [u64(-1n)], ['exit(-1) = ?']],
  ] as const)('%s is whole at enter', (name, args, expected) => {
    const out = lines([enterOf({ name, args: [...args] }), ...call({ name: 'getpid', args: [] })]);
    expect(out.map(body)).toEqual([...expected, 'getpid() = 0']);
  });

  it("a process's end is the kernel's word: exited with its code, or killed by a signal", () => {
    const out = lines([
      enterOf({ name: 'exit_group', args: [7n] }),
      processEnd(7 << 8),
      ...call({ name: 'read', args: [0n, 0n, 10n], tid: 43, comm: 'worker', us: 10 }).slice(0, 1),
      processEnd(9, 43, 20), // SIGKILL in the middle of a read: cgroup.kill, the OOM killer
    ]);
    expect(out.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'cpu#0 42 [cat] exit_group(7) = ?',
      'cpu#0 42 [cat] +++ exited with 7 +++',
      'cpu#0 43 [worker] read(0, <unfinished ...>',
      'cpu#0 43 [worker] +++ killed by SIGKILL +++',
    ]);
  });

  it('a signal delivered is a line of its own, as strace prints it', () => {
    const info = (signo: number, code: number, fill: (b: Buffer) => void = () => {}): Param => {
      const b = Buffer.alloc(TL_SIGINFO_BYTES);
      b.writeInt32LE(signo, 0);
      b.writeInt32LE(code, 8);
      fill(b);
      return { arg: 0, status: TL_PARAM_OK, want: TL_SIGINFO_BYTES, bytes: b };
    };
    const signal = (sig: number, p: Param, tid = 42, us = 5): ExitRecord => ({
      ...exitOf({ name: 'getpid', args: [], tid, us }),
      nr: TL_NR_SIGNAL,
      ret: BigInt(sig),
      params: [p],
    });
    const out = lines([
      ...call({ name: 'read', args: [0n, 0n, 10n], tid: 43, comm: 'worker', us: 1 }).slice(0, 1),
      signal(11, info(11, 1)),
      signal(
        7,
        info(7, 2, (b) => b.writeBigUInt64LE(0x7f00dead0000n, 16)),
        42,
        6,
      ),
      signal(
        6,
        info(6, -6, (b) => b.writeInt32LE(42, 16)),
        42,
        7,
      ),
      signal(
        17,
        info(17, 1, (b) => {
          b.writeInt32LE(77, 16);
          b.writeInt32LE(3, 24);
        }),
        42,
        8,
      ),
      signal(
        17,
        info(17, 2, (b) => b.writeInt32LE(9, 24)),
        42,
        9,
      ),
      { ...signal(11, info(11, 1), 42, 10), params: [] },
      processEnd(11, 42, 11),
    ]);
    expect(out.map((l) => l.replace(/^\S+ cpu#0 /, ''))).toEqual([
      '43 [worker] read(0, <unfinished ...>',
      '42 [?] --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---',
      '42 [?] --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f00dead0000} ---',
      '42 [?] --- SIGABRT {si_signo=SIGABRT, si_code=SI_TKILL, si_pid=42, si_uid=0} ---',
      '42 [?] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=77, si_uid=0, si_status=3, si_utime=0, si_stime=0} ---',
      '42 [?] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=0, si_uid=0, si_status=SIGKILL, si_utime=0, si_stime=0} ---',
      '42 [?] --- SIGSEGV {...} ---',
      '42 [?] +++ killed by SIGSEGV +++',
    ]);
  });

  it('a child the kernel saw killed gets one +++ line, not another when its parent reaps it', () => {
    const status = Buffer.alloc(4);
    status.writeInt32LE(11 | 0x80);
    const out = lines([
      ...call({ name: 'getpid', args: [], tid: 77, comm: 'child', ret: 77n }),
      { ...processEnd(11 | 0x80, 77, 3), pid: 77 },
      ...call({
        name: 'wait4',
        args: [77n, 0x10n, 0n, 0n],
        tid: 42,
        ret: 77n,
        us: 8,
        exitParams: [{ arg: 1, status: TL_PARAM_OK, want: 4, bytes: status }],
      }),
    ]);
    expect(out.filter((l) => l.includes('+++'))).toEqual([
      expect.stringMatching(/ 77 \[child\] \+\+\+ killed by SIGSEGV \(core dumped\) \+\+\+$/),
    ]);
  });

  it('a child killed by a signal gets its +++ line when its parent reaps it', () => {
    const status = Buffer.alloc(4);
    status.writeInt32LE(11 | 0x80);
    const out = lines([
      ...call({ name: 'getpid', args: [], tid: 77, comm: 'child', ret: 77n }),
      ...call({
        name: 'wait4',
        args: [77n, 0x10n, 0n, 0n],
        tid: 42,
        ret: 77n,
        exitParams: [{ arg: 1, status: TL_PARAM_OK, want: 4, bytes: status }],
      }),
    ]);
    expect(out.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'cpu#0 77 [child] getpid() = 77',
      'cpu#0 42 [cat] wait4(77, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], ' +
        '0, NULL) = 77',
      'cpu#0 77 [child] +++ killed by SIGSEGV (core dumped) +++',
    ]);
  });

  it('a new child does not show its own return from clone, as with strace -f', () => {
    const child = { name: 'clone', args: [], tid: 77, ret: 0n };
    const out = lines([
      enterOf({ name: 'clone', args: [0x1200011n, 0n, 0n, 0x7f00n, 0n], tid: 42 }),
      exitOf(child),
      exitOf({ name: 'clone', args: [], tid: 42, ret: 77n }),
    ]);
    expect(out.map(body)).toEqual([
      'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, ' +
        'child_tidptr=0x7f00) = 77',
    ]);
  });
});

describe('describeArgs (the details view)', () => {
  const nr = (name: string): number => syscallByName(name)!.nr;
  it('decodes what the call filled, with its return value, argument by argument', () => {
    // readv's iovecs are captured at exit and spread by what the call returned
    const part = Buffer.alloc(24);
    part.writeBigUInt64LE(8n, 0);
    part.writeUInt16LE(2, 8);
    part.write('hi', 16);
    const iov: Param = { arg: 1, status: TL_PARAM_OK, want: 1, bytes: part };
    const call = describeArgs(nr('readv'), [3n, 0x10n, 1n], [], [iov], 32, 2n);
    expect(call.texts).toEqual(['3', '[{iov_base="hi", iov_len=8}]', '1']);
    expect(call.params.get(1)).toBe(iov);
  });

  it('says which arguments strace leaves out, and what it appends to the return value', () => {
    const open = describeArgs(nr('openat'), [AT_FDCWD, 0x10n, 0n, 0o644n], [], [], 32, 3n);
    expect(open.texts[3]).toBeNull(); // no O_CREAT: no mode
    const poll = describeArgs(nr('poll'), [0x10n, 1n, 0n], [], [], 32, 0n);
    expect(poll.retDetail).toBe(' (Timeout)');
  });
});

describe('rt_sigreturn', () => {
  it('is paired with its exit, whatever syscall number the signal frame restored', () => {
    const e = enterOf({ name: 'rt_sigreturn', args: [] });
    const x: ExitRecord = { ...exitOf({ name: 'rt_sigreturn', args: [], ret: 0n }), nr: 0xffff };
    expect(body(one([e, x]))).toBe('rt_sigreturn() = 0');
    const other = { name: 'getpid', args: [], tid: 9, us: 2 };
    const out = lines([
      e,
      enterOf(other),
      exitOf({ ...other, ret: 9n, exitUs: 3 }),
      { ...x, nr: 0 },
    ]);
    expect(out.map(body)).toEqual([
      'rt_sigreturn(<unfinished ...>',
      'getpid() = 9',
      '<... rt_sigreturn resumed>) = 0',
    ]);
  });
});

describe('unknown syscalls', () => {
  it('are named by number with their args in hex', () => {
    const e: EnterRecord = { ...enterOf({ name: 'getpid', args: [] }), nr: 0x1c4 };
    e.args = [1n, 0x20n, 0n, 0n, 0n, 0n];
    const x: ExitRecord = { ...exitOf({ name: 'getpid', args: [] }), nr: 0x1c4, ret: -38n };
    expect(body(one([e, x]))).toBe(
      'syscall_0x1c4(0x1, 0x20, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)',
    );
  });
});

describe('unfinished and resumed', () => {
  const read = { name: 'read', args: [3n, 0x5000n, 131072n], tid: 1, us: 1 };
  const write = {
    name: 'write',
    args: [1n, 0x6000n, 3n],
    tid: 2,
    us: 2,
    enterParams: [buf(1, 'abc')],
  };

  it('splits a call when another thread runs in between', () => {
    const out = lines([
      enterOf(read),
      enterOf(write),
      exitOf({ ...write, ret: 3n, exitUs: 3 }),
      exitOf({ ...read, ret: 3n, exitUs: 4, exitParams: [buf(1, 'xyz')] }),
    ]);
    expect(out).toEqual([
      '12:00:00.000001 cpu#0 1 [cat] read(3, <unfinished ...>',
      '12:00:00.000002 cpu#0 2 [cat] write(1, "abc", 3) = 3',
      '12:00:00.000004 cpu#0 1 [cat] <... read resumed>"xyz", 131072) = 3',
    ]);
  });

  it('puts all arguments read at enter before <unfinished ...>', () => {
    const out = lines([
      enterOf(write),
      enterOf(read),
      exitOf({ ...write, ret: -32n, exitUs: 5 }),
      exitOf({ ...read, ret: 0n, exitUs: 6, exitParams: [buf(1, '')] }),
    ]);
    expect(out.map(body)).toEqual([
      'write(1, "abc", 3 <unfinished ...>',
      'read(3, <unfinished ...>',
      '<... write resumed>) = -1 EPIPE (Broken pipe)',
      '<... read resumed>"", 131072) = 0',
    ]);
  });

  it('shows a call without arguments as name(<unfinished ...>', () => {
    const g = { name: 'getpid', args: [], tid: 1 };
    const out = lines([enterOf(g), ...call({ ...read, tid: 2 }), exitOf({ ...g, exitUs: 9 })]);
    expect(out.map(body)).toEqual([
      'getpid(<unfinished ...>',
      'read(3, "", 131072) = 0',
      '<... getpid resumed>) = 0',
    ]);
  });

  it('shows what a keyed capture fills (ioctl TCGETS) after resumed, and what it reads before', () => {
    const tcgets = { name: 'ioctl', args: [1n, 0x5401n, 0x7000n], tid: 1, us: 1 };
    const setName = { name: 'prctl', args: [15n, 0x8000n, 0n, 0n, 0n], tid: 3, us: 2 };
    const termios = Buffer.alloc(36);
    const out = lines([
      enterOf(tcgets),
      enterOf({
        ...setName,
        enterParams: [{ arg: 1, status: TL_PARAM_OK, want: 0, bytes: Buffer.from('w\0') }],
      }),
      enterOf(write),
      exitOf({ ...write, ret: 3n, exitUs: 3 }),
      exitOf({ ...setName, ret: 0n, exitUs: 4 }),
      exitOf({
        ...tcgets,
        ret: 0n,
        exitUs: 5,
        exitParams: [{ arg: 2, status: TL_PARAM_OK, want: 36, bytes: termios }],
      }),
    ]);
    expect(out.map(body)).toEqual([
      'ioctl(1, TCGETS, <unfinished ...>',
      'prctl(PR_SET_NAME, "w" <unfinished ...>',
      'write(1, "abc", 3) = 3',
      '<... prctl resumed>) = 0',
      '<... ioctl resumed>{c_iflag=, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|, c_cflag=B0|CS5|, c_lflag=, ...}) = 0',
    ]);
  });

  it('ends a dump with calls still in flight unfinished', () => {
    expect(lines([enterOf(read)]).map(body)).toEqual(['read(3, <unfinished ...>']);
  });

  it('resumes an exit whose enter is gone with what it knows', () => {
    const x = exitOf({ ...read, ret: 3n, exitParams: [buf(1, 'abc')], comm: 'x' });
    expect(lines([x]).map(body)).toEqual(['<... read resumed>"abc", ?) = 3']);
    expect(lines([x])[0]).toContain(' 1 [?] ');
  });

  it('does not pair an exit with an enter of another syscall', () => {
    const out = lines([enterOf(read), exitOf({ name: 'getpid', args: [], tid: 1, ret: 7n })]);
    expect(out.map(body)).toEqual(['read(3, <unfinished ...>', '<... getpid resumed>) = 7']);
  });

  it('forgets an unfinished call when its thread starts another', () => {
    const out = lines([
      enterOf(read),
      ...call(write),
      ...call({ ...read, us: 10 }),
      exitOf({ ...read, ret: 1n }),
    ]);
    expect(out.map(body)).toEqual([
      'read(3, <unfinished ...>',
      'write(1, "abc", 3) = 0',
      'read(3, "", 131072) = 0',
      '<... read resumed>?, ?) = 1',
    ]);
  });

  it('keeps a call open across batches of a live stream', () => {
    const f = createLineFormatter({ time });
    expect(f.push([enterOf(read)])).toEqual([]);
    expect(f.push([exitOf({ ...read, ret: 0n, exitParams: [buf(1, '')] })]).map(body)).toEqual([
      'read(3, "", 131072) = 0',
    ]);
    expect(f.push([enterOf(write)])).toEqual([]);
    expect(f.flush().map(body)).toEqual(['write(1, "abc", 3 <unfinished ...>']);
  });
});

describe('lost markers', () => {
  const lost = (over: Partial<LostRecord>): LostRecord => ({
    kind: 'lost',
    cpu: 1,
    reason: TL_LOST_OVERWRITTEN,
    count: 1234n,
    tsFrom: at(1),
    tsTo: at(20_000),
    ...over,
  });
  const cases: Array<[string, Partial<LostRecord>, string]> = [
    [
      'overwritten',
      {},
      '12:00:00.000001 cpu#1 ---- LOST 1234 events (ring overwritten) between ' +
        '12:00:00.000001 and 12:00:00.020000 ----',
    ],
    [
      'overwritten before the oldest record read: history the ring no longer holds',
      { tsFrom: 0n },
      '12:00:00.020000 cpu#1 ---- LOST 1234 events (ring overwritten): the history before ' +
        '12:00:00.020000, older than this ring holds (--ring-pages keeps more) ----',
    ],
    [
      'busy, one event',
      { reason: TL_LOST_BUSY, count: 1n },
      '12:00:00.000001 cpu#1 ---- LOST 1 event (writer busy) between ' +
        '12:00:00.000001 and 12:00:00.020000 ----',
    ],
    [
      'torn, nothing seen before',
      { reason: TL_LOST_TORN, tsFrom: 0n },
      '12:00:00.020000 cpu#1 ---- LOST 1234 events (torn while reading) before ' +
        '12:00:00.020000 ----',
    ],
    [
      'consumer behind',
      { reason: TL_LOST_CONSUMER, cpu: 0 },
      '12:00:00.000001 cpu#0 ---- LOST 1234 events (consumer behind) between ' +
        '12:00:00.000001 and 12:00:00.020000 ----',
    ],
    [
      'cgroup gone, nothing after',
      { reason: TL_LOST_GONE, tsTo: 0n },
      'cpu#1 ---- cgroup gone: its processes exited, the stream ends here ----',
    ],
    [
      'an unknown reason',
      { reason: 77 },
      '12:00:00.000001 cpu#1 ---- LOST 1234 events (reason 77) between ' +
        '12:00:00.000001 and 12:00:00.020000 ----',
    ],
  ];
  it.each(cases)('%s', (_name, over, expected) => {
    expect(lines([lost(over)])).toEqual([expected]);
  });

  it('interrupts a call like any other line', () => {
    const r = { name: 'read', args: [3n, 0x5000n, 8n] };
    const out = lines([enterOf(r), lost({}), exitOf({ ...r, ret: 0n })]);
    expect(out.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'cpu#0 42 [cat] read(3, <unfinished ...>',
      'cpu#1 ---- LOST 1234 events (ring overwritten) between 12:00:00.000001 and ' +
        '12:00:00.020000 ----',
      'cpu#0 42 [cat] <... read resumed>"", 8) = 0',
    ]);
  });
});

describe('quote', () => {
  const cases: Array<[string, number[], string]> = [
    ['printable', [...Buffer.from('hi there')], '"hi there"'],
    ['named escapes', [9, 10, 11, 12, 13, 0x22, 0x5c], '"\\t\\n\\v\\f\\r\\"\\\\"'],
    ['short octal', [0, 1, 0x41], '"\\0\\1A"'],
    ['long octal before a digit', [0, 0x31, 0x1b, 0x37], '"\\0001\\0337"'],
    ['not before 8 or 9', [0, 0x38], '"\\08"'],
    ['high bytes', [0x7f, 0x80, 0xff], '"\\177\\200\\377"'],
  ];
  it.each(cases)('%s', (_name, bytes, expected) => {
    expect(quote(Uint8Array.from(bytes))).toBe(expected);
  });
});

describe('clock', () => {
  it.each([
    [0, '00:00:00.000000'],
    [1_500, '00:00:01.500000'],
    [86_399_999.999, '23:59:59.999999'],
    [86_400_000 + 3_723_004.005, '01:02:03.004005'],
  ])('formats %d ms after midnight UTC', (ms, expected) => {
    expect(formatTimeOfDay(BigInt(Math.round(ms * 1000)) * 1000n, 0)).toBe(expected);
  });

  it('applies the UTC offset and wraps around midnight', () => {
    const tenPast11pm = BigInt(Date.UTC(2024, 0, 1, 23, 10)) * 1_000_000n;
    expect(formatTimeOfDay(tenPast11pm, 120)).toBe('01:10:00.000000');
    expect(formatTimeOfDay(tenPast11pm, -330)).toBe('17:40:00.000000');
  });

  it('maps monotonic timestamps through the sample, before and after it', () => {
    expect(time(BASE)).toBe('12:00:00.000000');
    expect(time(BASE + 1_234_567n)).toBe('12:00:00.001234');
    expect(time(BASE - 1_000n)).toBe('11:59:59.999999');
    expect(time(BASE + 3_600_000_000_000n)).toBe('13:00:00.000000');
  });

  it('keeps a fraction of the sampled millisecond', () => {
    const s: ClockSample = { monotonicNowNs: 0n, wallNowMs: 1_700_000_000_000.25 };
    expect(toEpochNs(s, 1n)).toBe(1_700_000_000_000_250_001n);
  });

  it('asks for the offset at each instant (DST changes)', () => {
    const seen: number[] = [];
    const t = createWallClock(SAMPLE, {
      utcOffsetMinutes: (ms) => {
        seen.push(ms);
        return 60;
      },
    });
    expect(t(BASE)).toBe('13:00:00.000000');
    expect(seen).toEqual([Date.UTC(2024, 0, 1, 12)]);
  });

  it('gives what formatTimeOfDay gives, across jumps in either direction and huge values', () => {
    const sample: ClockSample = { monotonicNowNs: BASE, wallNowMs: 1_760_000_000_123.456 };
    for (const offset of [0, 120, -330]) {
      const fast = createWallClock(sample, { utcOffsetMinutes: () => offset });
      const steps = [1n, 999n, 1_000_000_007n, -3_000_000_000n, 86_400_000_000_123n, 2n ** 60n];
      let ts = BASE - 5_000_000_000n;
      for (let i = 0; i < 600; i++) {
        ts += steps[i % steps.length] as bigint;
        expect(fast(ts)).toBe(formatTimeOfDay(toEpochNs(sample, ts), offset));
      }
      for (const t of [0n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n]) {
        expect(fast(t)).toBe(formatTimeOfDay(toEpochNs(sample, t), offset));
      }
    }
  });

  it('samples CLOCK_MONOTONIC and the wall clock together', () => {
    const s = sampleClocks();
    expect(Math.abs(s.wallNowMs - Date.now())).toBeLessThan(1000);
    const uptimeNs = process.hrtime.bigint();
    expect(s.monotonicNowNs <= uptimeNs).toBe(true);
  });
});

describe('a thread that names itself with escapes', () => {
  it('prints control bytes of its comm as octal escapes, never raw to the terminal', () => {
    const lines = formatRecords(
      parseRecords(recordedCall({ name: 'getpid', ret: 7n, comm: '\x1b[2Jevil\x07' })),
      { time: (ts) => `t${ts}` },
    );
    expect(lines[0]).toContain('[\\33[2Jevil\\7] getpid() = 7');
    // eslint-disable-next-line no-control-regex
    expect(lines[0]).not.toMatch(/[\x00-\x1f]/);
  });
});

// strace -y's fd names (src/format/fd-table.ts) through the line formatter: what each call
// does to its process's table, and that an fd the table cannot vouch for stays bare.
import { describe, expect, it } from 'vitest';
import { createLineFormatter, type FormatOptions } from '../src/format/records.js';
import type { ProcReader } from '../src/format/proc-fds.js';
import { syscallByName } from '../src/syscalls/table.js';
import { TL_PARAM_OK, type Param, type WireRecord } from '../src/wire.js';

const O_CLOEXEC = 0o2000000n;
const CLONE_FILES = 0x400n;
const SIGCHLD = 17n;
const AT_FDCWD = BigInt.asUintN(64, -100n);

let ts = 1000n;
const nr = (name: string): number => {
  const def = syscallByName(name);
  if (!def) throw new Error(name);
  return def.nr;
};
const str = (arg: number, text: string): Param => ({
  arg,
  status: TL_PARAM_OK,
  want: 0,
  bytes: Buffer.from(text + '\0'),
});
const ints = (arg: number, ...values: number[]): Param => {
  const bytes = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => bytes.writeInt32LE(v, 4 * i));
  return { arg, status: TL_PARAM_OK, want: bytes.length, bytes };
};

/** One call of `pid` (its only thread), enter and exit. */
function call(
  pid: number,
  name: string,
  args: bigint[],
  ret: bigint,
  params: Param[] = [],
  exitParams: Param[] = [],
): WireRecord[] {
  return [
    {
      kind: 'enter',
      tid: pid,
      pid,
      seq: 0,
      cpu: 0,
      nr: nr(name),
      ts: ts++,
      comm: 'x',
      args,
      params,
      late: false,
    },
    {
      kind: 'exit',
      tid: pid,
      pid,
      seq: 0,
      cpu: 0,
      nr: nr(name),
      ts: ts++,
      ret,
      params: exitParams,
      late: false,
    },
  ];
}
const openat = (pid: number, path: string, fd: number, flags = 0n): WireRecord[] =>
  call(pid, 'openat', [AT_FDCWD, 0x1000n, flags, 0n], BigInt(fd), [str(1, path)]);
const read = (pid: number, fd: number): WireRecord[] =>
  call(pid, 'read', [BigInt(fd), 0x2000n, 10n], 0n);
const close = (pid: number, fd: number): WireRecord[] => call(pid, 'close', [BigInt(fd)], 0n);

/** The call parts of the lines (what follows `[comm] `). */
function lines(records: WireRecord[], opts: Partial<FormatOptions> = {}): string[] {
  const f = createLineFormatter({ time: () => 't', decodeFds: true, ...opts });
  return [...f.push(records), ...f.flush()].map((l) => l.replace(/^.*?\] /, ''));
}

describe('fd names (strace -y)', () => {
  it('names an opened file in its return and in the calls that use it, bare once closed', () => {
    const out = lines([
      ...openat(100, '/etc/hostname', 3),
      ...read(100, 3),
      ...close(100, 3),
      ...read(100, 3),
    ]);
    expect(out[0]).toBe('openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3</etc/hostname>');
    expect(out[1]).toMatch(/^read\(3<\/etc\/hostname>, /);
    expect(out[2]).toBe('close(3</etc/hostname>) = 0');
    expect(out[3]).toMatch(/^read\(3, /);
  });

  it('a file named with a newline and an escape sequence fakes no line and drives no terminal', () => {
    const evil = '/tmp/x\n12:00:00 cpu#0 1 [root] \x1b[2Jfake';
    const out = lines([...openat(100, evil, 3), ...read(100, 3)]);
    // (\12, the newline, then the name's own "12:00:00")
    expect(out[1]).toBe(`read(3</tmp/x\\1212:00:00 cpu#0 1 [root] \\33[2Jfake>, "", 10) = 0`);
    // eslint-disable-next-line no-control-regex
    for (const l of out) expect(l).not.toMatch(/[\x00-\x1f]/);
  });

  it('an O_TMPFILE open is not named as its directory: bare', () => {
    const out = lines([...openat(100, '/tmp', 3, 0o20200002n), ...read(100, 3)]);
    expect(out[0]).toMatch(/\) = 3$/);
    expect(out[1]).toMatch(/^read\(3, /);
  });

  it('is off unless asked: createLineFormatter prints fds bare by default', () => {
    const out = lines([...openat(100, '/etc/hostname', 3), ...read(100, 3)], {
      decodeFds: false,
    });
    expect(out[0]).toBe('openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3');
    expect(out[1]).toMatch(/^read\(3, /);
  });

  it('an fd opened before the window, with no /proc to ask, is bare', () => {
    expect(lines(read(100, 0))[0]).toMatch(/^read\(0, /);
  });

  it('dup2 copies the name onto the new fd (replacing what it was); dup and F_DUPFD too', () => {
    const out = lines([
      ...openat(100, '/etc/hostname', 3),
      ...openat(100, '/etc/passwd', 9),
      ...call(100, 'dup2', [3n, 9n], 9n),
      ...read(100, 9),
      ...call(100, 'dup', [3n], 4n),
      ...call(100, 'fcntl', [3n, 0n, 10n], 10n), // F_DUPFD
    ]);
    expect(out[2]).toBe('dup2(3</etc/hostname>, 9</etc/passwd>) = 9</etc/hostname>');
    expect(out[3]).toMatch(/^read\(9<\/etc\/hostname>, /);
    expect(out[4]).toBe('dup(3</etc/hostname>) = 4</etc/hostname>');
    expect(out[5]).toBe('fcntl(3</etc/hostname>, F_DUPFD, 10) = 10</etc/hostname>');
  });

  it('dup2 from an fd it cannot name leaves the target unknown, not its old name', () => {
    const out = lines([
      ...openat(100, '/etc/passwd', 1),
      ...call(100, 'dup2', [5n, 1n], 1n),
      ...read(100, 1),
    ]);
    expect(out[1]).toBe('dup2(5, 1</etc/passwd>) = 1');
    expect(out[2]).toMatch(/^read\(1, /);
  });

  it('a forked child starts with a copy: its close leaves the parent its fd', () => {
    const out = lines([
      ...openat(100, '/etc/hostname', 3),
      ...call(100, 'clone', [SIGCHLD, 0n, 0n, 0n, 0n], 200n),
      ...read(200, 3),
      ...close(200, 3),
      ...read(100, 3),
      ...read(200, 3),
    ]);
    expect(out[2]).toMatch(/^read\(3<\/etc\/hostname>, /);
    expect(out[4]).toMatch(/^read\(3<\/etc\/hostname>, /);
    expect(out[5]).toMatch(/^read\(3, /);
  });

  it("a child seen before its parent's clone returns starts from the clone in flight", () => {
    const flags = SIGCHLD;
    const cloneNr = nr('clone');
    const records: WireRecord[] = [
      ...openat(100, '/etc/hostname', 3),
      {
        kind: 'enter',
        tid: 100,
        pid: 100,
        seq: 0,
        cpu: 0,
        nr: cloneNr,
        ts: ts++,
        comm: 'x',
        args: [flags, 0n, 0n, 0n, 0n],
        params: [],
        late: false,
      },
      {
        kind: 'exit',
        tid: 200,
        pid: 200,
        seq: 0,
        cpu: 1,
        nr: cloneNr,
        ts: ts++,
        ret: 0n,
        params: [],
        late: false,
      },
      ...read(200, 3),
      {
        kind: 'exit',
        tid: 100,
        pid: 100,
        seq: 0,
        cpu: 0,
        nr: cloneNr,
        ts: ts++,
        ret: 200n,
        params: [],
        late: false,
      },
    ];
    expect(lines(records).find((l) => l.startsWith('read('))).toMatch(
      /^read\(3<\/etc\/hostname>, /,
    );
  });

  it("a CLONE_FILES child shares the table: its close is the parent's", () => {
    const out = lines([
      ...openat(100, '/etc/hostname', 3),
      ...call(100, 'clone', [CLONE_FILES | SIGCHLD, 0n, 0n, 0n, 0n], 200n),
      ...close(200, 3),
      ...openat(200, '/etc/passwd', 3),
      ...read(100, 3),
    ]);
    expect(out[4]).toMatch(/^read\(3<\/etc\/passwd>, /);
  });

  it('execve drops close-on-exec fds (O_CLOEXEC, F_SETFD, F_DUPFD_CLOEXEC, dup3) and keeps the rest', () => {
    const out = lines([
      ...openat(100, '/etc/hostname', 3),
      ...openat(100, '/etc/passwd', 4, O_CLOEXEC),
      ...openat(100, '/etc/group', 5),
      ...call(100, 'fcntl', [5n, 2n, 1n], 0n), // F_SETFD FD_CLOEXEC
      ...call(100, 'fcntl', [3n, 1030n, 0n], 6n), // F_DUPFD_CLOEXEC
      ...call(100, 'dup3', [3n, 7n, O_CLOEXEC], 7n),
      ...call(100, 'execve', [0x1000n, 0x2000n, 0x3000n], 0n),
      ...read(100, 3),
      ...read(100, 4),
      ...read(100, 5),
      ...read(100, 6),
      ...read(100, 7),
    ]);
    const reads = out.filter((l) => l.startsWith('read('));
    expect(reads[0]).toMatch(/^read\(3<\/etc\/hostname>, /);
    for (const [i, fd] of [
      [1, 4],
      [2, 5],
      [3, 6],
      [4, 7],
    ] as const) {
      expect(reads[i]).toMatch(new RegExp(`^read\\(${fd}, `));
    }
  });

  it('a failed execve drops nothing', () => {
    const out = lines([
      ...openat(100, '/etc/passwd', 4, O_CLOEXEC),
      ...call(100, 'execve', [0x1000n, 0x2000n, 0x3000n], -2n),
      ...read(100, 4),
    ]);
    expect(out.at(-1)).toMatch(/^read\(4<\/etc\/passwd>, /);
  });

  it('after a LOST marker every fd is bare until opened again', () => {
    const lost: WireRecord = {
      kind: 'lost',
      cpu: 1,
      reason: 0,
      count: 5n,
      tsFrom: ts,
      tsTo: ts + 1n,
    };
    ts += 2n;
    const out = lines([
      ...openat(100, '/etc/hostname', 3),
      lost,
      ...read(100, 3),
      ...openat(100, '/etc/passwd', 4),
      ...read(100, 4),
    ]);
    const reads = out.filter((l) => l.startsWith('read('));
    expect(reads[0]).toMatch(/^read\(3, /);
    expect(reads[1]).toMatch(/^read\(4<\/etc\/passwd>, /);
  });

  it('close_range closes the range it names, or marks it close-on-exec', () => {
    const out = lines([
      ...openat(100, '/a', 3),
      ...openat(100, '/b', 4),
      ...openat(100, '/c', 5),
      ...call(100, 'close_range', [4n, 4n, 0n], 0n),
      ...call(100, 'close_range', [5n, 0xffffffffn, 4n], 0n), // CLOSE_RANGE_CLOEXEC
      ...read(100, 4),
      ...read(100, 5),
      ...call(100, 'execve', [0x1000n, 0x2000n, 0x3000n], 0n),
      ...read(100, 3),
      ...read(100, 5),
    ]);
    const reads = out.filter((l) => l.startsWith('read('));
    expect(reads.map((l) => l.slice(0, l.indexOf(','))).join(' ')).toBe(
      'read(4 read(5</c> read(3</a> read(5',
    );
  });

  it('pipe2, socket, eventfd, epoll, memfd: their kinds; a relative path under a known dir', () => {
    const out = lines([
      ...call(100, 'pipe2', [0x1000n, O_CLOEXEC], 0n, [], [ints(0, 3, 4)]),
      ...call(100, 'eventfd2', [0n, 0n], 5n),
      ...call(100, 'epoll_create1', [0n], 6n),
      ...call(100, 'memfd_create', [0x1000n, 1n], 7n, [str(0, 'buf')]),
      ...call(100, 'socket', [2n, 1n, 0n], 8n),
      ...call(100, 'openat', [AT_FDCWD, 0x1000n, 0o200000n, 0n], 9n, [str(1, '/etc')]),
      ...call(100, 'openat', [9n, 0x1000n, 0n, 0n], 10n, [str(1, 'hostname')]),
    ]);
    // Without /proc the pipe's and the socket's inodes are not known: bare.
    expect(out[0]).toBe('pipe2([3, 4], O_CLOEXEC) = 0');
    expect(out[1]).toBe('eventfd2(0, 0) = 5<anon_inode:[eventfd]>');
    expect(out[2]).toBe('epoll_create1(0) = 6<anon_inode:[eventpoll]>');
    expect(out[3]).toBe('memfd_create("buf", MFD_CLOEXEC) = 7</memfd:buf>(deleted)');
    expect(out[4]).toMatch(/^socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = 8$/);
    expect(out[6]).toBe('openat(9</etc>, "hostname", O_RDONLY) = 10</etc/hostname>');
  });

  it("poll's array names its fds (its revents stay bare, as strace's)", () => {
    const pollfd = Buffer.alloc(16);
    pollfd.writeInt32LE(3, 0);
    pollfd.writeInt16LE(1, 4); // POLLIN
    pollfd.writeInt32LE(8, 8);
    pollfd.writeInt16LE(1, 12);
    const fds: Param = { arg: 0, status: TL_PARAM_OK, want: 16, bytes: pollfd };
    const out = lines([
      ...openat(100, '/etc/hostname', 3),
      ...call(100, 'poll', [0x1000n, 2n, 0n], 0n, [fds]),
    ]);
    expect(out[1]).toMatch(
      /^poll\(\[\{fd=3<\/etc\/hostname>, events=POLLIN\}, \{fd=8, events=POLLIN\}\], 2, 0\)/,
    );
  });

  describe('with /proc (live formatting)', () => {
    const stub = (links: Record<string, string>): ProcReader => ({
      snapshot: (pid) =>
        pid === 100
          ? { fds: new Map([[0, { text: '/dev/null', cloexec: false }]]), cwd: '/srv' }
          : undefined,
      fdLink: (pid, fd) => links[`${pid}/${fd}`],
      realpath: (p) => (p === '/etc/localtime' ? '/usr/share/zoneinfo/UTC' : p),
    });

    it('knows the fds and cwd a process had when first seen, and canonical paths', () => {
      const out = lines([...read(100, 0), ...openat(100, '/etc/localtime', 3), ...read(300, 0)], {
        procFds: stub({}),
      });
      expect(out[0]).toMatch(/^read\(0<\/dev\/null>, /);
      expect(out[1]).toBe(
        'openat(AT_FDCWD</srv>, "/etc/localtime", O_RDONLY) = 3</usr/share/zoneinfo/UTC>',
      );
      // Gone before its first line: nothing known.
      expect(out[2]).toMatch(/^read\(0, /);
    });

    it("a container's opens are bare: resolved here, its paths would name this machine's files", () => {
      const container: ProcReader = { ...stub({}), foreign: (pid) => pid === 100 };
      const out = lines([...openat(100, '/etc/localtime', 3), ...read(100, 3)], {
        procFds: container,
      });
      expect(out[0]).toMatch(/\) = 3$/);
      expect(out[1]).toMatch(/^read\(3, /);
    });

    it("a pipe's inode from /proc, only while that fd there is still a pipe", () => {
      const out = lines(
        [...call(100, 'pipe2', [0x1000n, 0n], 0n, [], [ints(0, 3, 4)]), ...read(100, 3)],
        { procFds: stub({ '100/3': 'pipe:[77]', '100/4': 'socket:[78]' }) },
      );
      expect(out[0]).toBe('pipe2([3<pipe:[77]>, 4], 0) = 0');
      expect(out[1]).toMatch(/^read\(3<pipe:\[77\]>, /);
    });
  });
});

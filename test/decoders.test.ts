// Decoders per argument type and per struct, table-driven: each row is one call as the kernel
// side records it and the line strace 6.1 prints for it (checked on this machine, see
// test/integration/strace-compare.test.ts for the same against live strace).
import { describe, expect, it } from 'vitest';
import { formatRecords } from '../src/format/index.js';
import {
  formatDev,
  formatMode,
  formatSigset,
  formatSockaddr,
  formatWaitStatus,
  ipv6,
} from '../src/format/structs.js';
import { signalName } from '../src/format/xlat/signal.js';
import { syscallByName } from '../src/syscalls/table.js';
import { TL_PARAM_FAULT, TL_PARAM_OK, type Param, type WireRecord } from '../src/wire.js';

const u64 = (n: bigint): bigint => BigInt.asUintN(64, n);
const AT_FDCWD = u64(-100n);

interface Row {
  name: string;
  args: bigint[];
  ret?: bigint;
  enter?: Param[];
  exit?: Param[];
}

const p = (arg: number, bytes: Buffer | string, want = 0, status = TL_PARAM_OK): Param => ({
  arg,
  status,
  want,
  bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes,
});
const s = (arg: number, text: string): Param => p(arg, `${text}\0`);
const st = (arg: number, b: Buffer): Param => p(arg, b, b.length);

function line(r: Row): string {
  const def = syscallByName(r.name);
  if (!def) throw new Error(r.name);
  const common = { tid: 5, pid: 5, seq: 0, cpu: 0, nr: def.nr, late: false };
  const records: WireRecord[] = [
    {
      ...common,
      kind: 'enter',
      ts: 1n,
      comm: 't',
      args: r.args,
      params: r.enter ?? [],
    },
    { ...common, kind: 'exit', ts: 2n, ret: r.ret ?? 0n, params: r.exit ?? [] },
  ];
  const [out] = formatRecords(records, { time: () => 'T', maxString: 32 });
  return (out ?? '').replace(/^T cpu#0 5 \[t\] /, '');
}

function le(...words: Array<[number, number | bigint]>): Buffer {
  const size = words.reduce((n, [w]) => n + w, 0);
  const b = Buffer.alloc(size);
  let o = 0;
  for (const [w, v] of words) {
    if (w === 2) b.writeUInt16LE(Number(v), o);
    else if (w === 4) b.writeUInt32LE(Number(v), o);
    else b.writeBigUInt64LE(BigInt(v), o);
    o += w;
  }
  return b;
}

function statBuf(mode: number, size: bigint, rdev = 0n): Buffer {
  const b = Buffer.alloc(56);
  b.writeUInt32LE(mode, 24);
  b.writeBigUInt64LE(rdev, 40);
  b.writeBigInt64LE(size, 48);
  return b;
}

function sockaddrIn(port: number, ip: number[]): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(2, 0);
  b.writeUInt16BE(port, 2);
  Buffer.from(ip).copy(b, 4);
  return b;
}

const rows: Array<[string, Row, string]> = [
  // files
  [
    'newfstatat with a struct stat and AT_EMPTY_PATH',
    {
      name: 'newfstatat',
      args: [3n, 0x10n, 0x20n, 0x1000n],
      enter: [s(1, '')],
      exit: [st(2, statBuf(0o100644, 37951n))],
    },
    'newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=37951, ...}, AT_EMPTY_PATH) = 0',
  ],
  [
    'stat of a character device shows st_rdev',
    {
      name: 'stat',
      args: [0x10n, 0x20n],
      enter: [s(0, '/dev/null')],
      exit: [st(1, statBuf(0o20666, 0n, 0x103n))],
    },
    'stat("/dev/null", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0',
  ],
  [
    'a failed stat shows the address of its buffer',
    { name: 'stat', args: [0x10n, 0x7ffd00n], ret: -2n, enter: [s(0, '/x')] },
    'stat("/x", 0x7ffd00) = -1 ENOENT (No such file or directory)',
  ],
  [
    'access modes',
    { name: 'access', args: [0x10n, 6n], enter: [s(0, 'f1')] },
    'access("f1", R_OK|W_OK) = 0',
  ],
  [
    'access F_OK',
    { name: 'access', args: [0x10n, 0n], ret: -2n, enter: [s(0, '/n')] },
    'access("/n", F_OK) = -1 ENOENT (No such file or directory)',
  ],
  [
    'unlinkat AT_REMOVEDIR',
    { name: 'unlinkat', args: [AT_FDCWD, 0x10n, 0x200n], enter: [s(1, 'd1')] },
    'unlinkat(AT_FDCWD, "d1", AT_REMOVEDIR) = 0',
  ],
  [
    'readlink fills its buffer',
    {
      name: 'readlink',
      args: [0x10n, 0x20n, 256n],
      ret: 2n,
      enter: [s(0, 'l1')],
      exit: [p(1, 'f1', 2)],
    },
    'readlink("l1", "f1", 256) = 2',
  ],
  [
    'getcwd returns the length with its NUL',
    { name: 'getcwd', args: [0x20n, 256n], ret: 5n, exit: [p(0, '/tmp\0', 5)] },
    'getcwd("/tmp", 256) = 5',
  ],
  ['lseek SEEK_END', { name: 'lseek', args: [3n, 0n, 2n], ret: 15n }, 'lseek(3, 0, SEEK_END) = 15'],
  ['umask', { name: 'umask', args: [0o22n], ret: 0o22n }, 'umask(022) = 022'],
  [
    'dup3 with O_CLOEXEC alone',
    { name: 'dup3', args: [3n, 21n, 0o2000000n], ret: 21n },
    'dup3(3, 21, O_CLOEXEC) = 21',
  ],
  [
    'statfs',
    {
      name: 'statfs',
      args: [0x10n, 0x20n],
      enter: [s(0, '/')],
      exit: [
        st(
          1,
          le(
            [8, 0xef53],
            [8, 4096],
            [8, 100],
            [8, 50],
            [8, 40],
            [8, 1000],
            [8, 900],
            [4, 0x81259b32],
            [4, 0xbc664d88],
            [8, 255],
            [8, 4096],
            [8, 0x1020],
          ),
        ),
      ],
    },
    'statfs("/", {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=100, f_bfree=50, ' +
      'f_bavail=40, f_files=1000, f_ffree=900, f_fsid={val=[0x81259b32, 0xbc664d88]}, ' +
      'f_namelen=255, f_frsize=4096, f_flags=ST_VALID|ST_RELATIME}) = 0',
  ],
  // fcntl
  [
    'fcntl F_GETFL',
    { name: 'fcntl', args: [3n, 3n, 0n], ret: 0x8000n },
    'fcntl(3, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)',
  ],
  [
    'fcntl F_GETFD',
    { name: 'fcntl', args: [3n, 1n, 0n], ret: 1n },
    'fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)',
  ],
  ['fcntl F_SETFD', { name: 'fcntl', args: [3n, 2n, 1n] }, 'fcntl(3, F_SETFD, FD_CLOEXEC) = 0'],
  [
    'fcntl F_SETFL',
    { name: 'fcntl', args: [3n, 4n, 0o4002n] },
    'fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0',
  ],
  ['fcntl F_DUPFD', { name: 'fcntl', args: [2n, 0n, 10n], ret: 11n }, 'fcntl(2, F_DUPFD, 10) = 11'],
  // memory
  [
    'mmap of a file: offset in hex',
    { name: 'mmap', args: [0x7f00000n, 8192n, 5n, 0x812n, 3n, 0x26000n], ret: 0x7f00000n },
    'mmap(0x7f00000, 8192, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, ' +
      '0x26000) = 0x7f00000',
  ],
  [
    'mprotect PROT_NONE',
    { name: 'mprotect', args: [0x7f00000n, 4096n, 0n] },
    'mprotect(0x7f00000, 4096, PROT_NONE) = 0',
  ],
  [
    'madvise',
    { name: 'madvise', args: [0x7f00000n, 8192n, 4n] },
    'madvise(0x7f00000, 8192, MADV_DONTNEED) = 0',
  ],
  // sockets
  [
    'socket',
    { name: 'socket', args: [2n, 0o2000001n, 6n], ret: 3n },
    'socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP) = 3',
  ],
  [
    'socket with both type flags, in strace order',
    { name: 'socket', args: [1n, 0o2004001n, 0n], ret: 3n },
    'socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3',
  ],
  [
    'connect AF_INET refused',
    {
      name: 'connect',
      args: [3n, 0x10n, 16n],
      ret: -111n,
      enter: [st(1, sockaddrIn(1, [127, 0, 0, 1]))],
    },
    'connect(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("127.0.0.1")}, 16) ' +
      '= -1 ECONNREFUSED (Connection refused)',
  ],
  [
    'getsockname: length in and out',
    {
      name: 'getsockname',
      args: [3n, 0x10n, 0x20n],
      enter: [st(2, le([4, 128]))],
      exit: [
        st(1, Buffer.concat([sockaddrIn(40000, [127, 0, 0, 1]), Buffer.alloc(112)])),
        st(2, le([4, 16])),
      ],
    },
    'getsockname(3, {sa_family=AF_INET, sin_port=htons(40000), sin_addr=inet_addr("127.0.0.1")}, ' +
      '[128 => 16]) = 0',
  ],
  [
    'sendto with MSG_DONTWAIT',
    { name: 'sendto', args: [3n, 0x10n, 3n, 0x40n, 0n, 0n], ret: 3n, enter: [p(1, 'abc', 3)] },
    'sendto(3, "abc", 3, MSG_DONTWAIT, NULL, 0) = 3',
  ],
  [
    'recvfrom fills its buffer',
    { name: 'recvfrom', args: [4n, 0x10n, 256n, 0n, 0n, 0n], ret: 3n, exit: [p(1, 'abc', 3)] },
    'recvfrom(4, "abc", 256, 0, NULL, NULL) = 3',
  ],
  [
    'socketpair',
    { name: 'socketpair', args: [1n, 1n, 0n, 0x10n], exit: [st(3, le([4, 3], [4, 4]))] },
    'socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0',
  ],
  [
    'pipe2',
    { name: 'pipe2', args: [0x10n, 0o2000000n], exit: [st(0, le([4, 3], [4, 5]))] },
    'pipe2([3, 5], O_CLOEXEC) = 0',
  ],
  ['shutdown', { name: 'shutdown', args: [3n, 1n] }, 'shutdown(3, SHUT_WR) = 0'],
  // signals and processes
  [
    'rt_sigaction with a handler',
    {
      name: 'rt_sigaction',
      args: [10n, 0x10n, 0n, 8n],
      enter: [st(1, le([8, 0x5555n], [8, 0x14000000n], [8, 0x7f00n], [8, 1n << 14n]))],
    },
    'rt_sigaction(SIGUSR1, {sa_handler=0x5555, sa_mask=[TERM], ' +
      'sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f00}, NULL, 8) = 0',
  ],
  [
    'rt_sigprocmask with the old set at exit',
    {
      name: 'rt_sigprocmask',
      args: [0n, 0x10n, 0x20n, 8n],
      enter: [st(1, le([8, 1n << 16n]))],
      exit: [st(2, le([8, 0n]))],
    },
    'rt_sigprocmask(SIG_BLOCK, [CHLD], [], 8) = 0',
  ],
  [
    'kill',
    { name: 'kill', args: [999999n, 15n], ret: -3n },
    'kill(999999, SIGTERM) = -1 ESRCH (No such process)',
  ],
  ['tgkill', { name: 'tgkill', args: [7n, 7n, 9n] }, 'tgkill(7, 7, SIGKILL) = 0'],
  [
    'wait4 with an exit status',
    { name: 'wait4', args: [77n, 0x10n, 0n, 0n], ret: 77n, exit: [st(1, le([4, 3 << 8]))] },
    'wait4(77, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 77',
  ],
  [
    'clone as strace orders it',
    { name: 'clone', args: [0x1200011n, 0n, 0n, 0x7f10n, 0n], ret: 77n },
    'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, ' +
      'child_tidptr=0x7f10) = 77',
  ],
  [
    'clone3 with the tid the kernel set',
    {
      name: 'clone3',
      args: [0x10n, 88n],
      ret: 78n,
      enter: [
        st(
          0,
          le(
            [8, 0x3d0f00n],
            [8, 0],
            [8, 0x7f10],
            [8, 0x7f10],
            [8, 0],
            [8, 0x7e00],
            [8, 0x1000],
            [8, 0x7f20],
          ),
        ),
      ],
    },
    'clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|' +
      'CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f10, ' +
      'parent_tid=0x7f10, exit_signal=0, stack=0x7e00, stack_size=0x1000, tls=0x7f20} ' +
      '=> {parent_tid=[78]}, 88) = 78',
  ],
  [
    'futex wake: three arguments',
    { name: 'futex', args: [0x7f00n, 129n, 2147483647n, 0n, 3n, 0n] },
    'futex(0x7f00, FUTEX_WAKE_PRIVATE, 2147483647) = 0',
  ],
  [
    'futex wait bitset',
    { name: 'futex', args: [0x7f00n, 393n, 0n, 0n, 0n, 0xffffffffn], ret: -11n },
    'futex(0x7f00, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, NULL, ' +
      'FUTEX_BITSET_MATCH_ANY) = -1 EAGAIN (Resource temporarily unavailable)',
  ],
  [
    'prctl option',
    { name: 'prctl', args: [38n, 1n, 0n, 0n, 0n] },
    'prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0',
  ],
  [
    'prctl: a string at enter, keyed by the option',
    { name: 'prctl', args: [15n, 0x10n, 0n, 0n, 0n], enter: [s(1, 'worker')] },
    'prctl(PR_SET_NAME, "worker") = 0',
  ],
  [
    'prctl: the name the call filled, at exit',
    {
      name: 'prctl',
      args: [16n, 0x10n, 0n, 0n, 0n],
      exit: [st(1, Buffer.from('worker\0\0\0\0\0\0\0\0\0\0'))],
    },
    'prctl(PR_GET_NAME, "worker") = 0',
  ],
  [
    'prctl: a return value strace names',
    { name: 'prctl', args: [3n, 0n, 0n, 0n, 0n], ret: 1n },
    'prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)',
  ],
  [
    'ioctl: TIOCGWINSZ filled at exit',
    {
      name: 'ioctl',
      args: [1n, 0x5413n, 0x10n],
      exit: [st(2, le([2, 24], [2, 80], [2, 0], [2, 0]))],
    },
    'ioctl(1, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0',
  ],
  [
    'ioctl: a request without an argument',
    { name: 'ioctl', args: [3n, 0x5451n, 0n] },
    'ioctl(3, FIOCLEX) = 0',
  ],
  [
    'fcntl: struct flock at enter',
    {
      name: 'fcntl',
      args: [3n, 6n, 0x10n],
      enter: [st(2, le([2, 1], [2, 0], [4, 0], [8, 0], [8, 0], [4, 0], [4, 0]))],
    },
    'fcntl(3, F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0}) = 0',
  ],
  [
    'arch_prctl',
    { name: 'arch_prctl', args: [0x1002n, 0x7f00n] },
    'arch_prctl(ARCH_SET_FS, 0x7f00) = 0',
  ],
  [
    'prlimit64 old limits',
    {
      name: 'prlimit64',
      args: [0n, 3n, 0n, 0x10n],
      exit: [st(3, le([8, 8192n * 1024n], [8, 0xffffffffffffffffn]))],
    },
    'prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0',
  ],
  [
    'uname',
    {
      name: 'uname',
      args: [0x10n],
      exit: [
        st(
          0,
          Buffer.concat([
            Buffer.from('Linux'.padEnd(65, '\0')),
            Buffer.from('box'.padEnd(65, '\0')),
          ]),
        ),
      ],
    },
    'uname({sysname="Linux", nodename="box", ...}) = 0',
  ],
  // time and polling
  [
    'nanosleep',
    { name: 'nanosleep', args: [0x10n, 0n], enter: [st(0, le([8, 0], [8, 1000000]))] },
    'nanosleep({tv_sec=0, tv_nsec=1000000}, NULL) = 0',
  ],
  [
    'clock_nanosleep',
    { name: 'clock_nanosleep', args: [1n, 0n, 0x10n, 0n], enter: [st(2, le([8, 1], [8, 0]))] },
    'clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=1, tv_nsec=0}, NULL) = 0',
  ],
  [
    'poll: events at enter, revents after the return value',
    {
      name: 'poll',
      args: [0x10n, 2n, 100n],
      ret: 1n,
      enter: [st(0, le([4, 3], [2, 1], [2, 0], [4, 5], [2, 4], [2, 0]))],
      exit: [st(0, le([4, 3], [2, 1], [2, 1], [4, 5], [2, 4], [2, 0]))],
    },
    'poll([{fd=3, events=POLLIN}, {fd=5, events=POLLOUT}], 2, 100) = 1 ([{fd=3, revents=POLLIN}])',
  ],
  [
    'poll that timed out',
    {
      name: 'poll',
      args: [0x10n, 1n, 0n],
      ret: 0n,
      enter: [st(0, le([4, 3], [2, 1], [2, 0]))],
      exit: [st(0, le([4, 3], [2, 1], [2, 0]))],
    },
    'poll([{fd=3, events=POLLIN}], 1, 0) = 0 (Timeout)',
  ],
  [
    'setsockopt: a netlink option',
    { name: 'setsockopt', args: [3n, 270n, 11n, 0x10n, 4n], enter: [st(3, le([4, 1]))] },
    'setsockopt(3, SOL_NETLINK, NETLINK_EXT_ACK, [1], 4) = 0',
  ],
  [
    'rt_sigtimedwait: the set, the siginfo of the signal taken, and its name after the return',
    {
      name: 'rt_sigtimedwait',
      args: [0x10n, 0x20n, 0x30n, 8n],
      ret: 10n,
      enter: [st(0, le([8, 1n << 9n])), st(2, le([8, 1], [8, 0]))],
      exit: [st(1, le([4, 10], [4, 0], [4, 0], [4, 0], [4, 4242], [4, 0], [8, 0]))],
    },
    'rt_sigtimedwait([USR1], {si_signo=SIGUSR1, si_code=SI_USER, si_pid=4242, si_uid=0}, ' +
      '{tv_sec=1, tv_nsec=0}, 8) = 10 (SIGUSR1)',
  ],
  [
    'getsockopt SO_ERROR: an errno, named',
    {
      name: 'getsockopt',
      args: [5n, 1n, 4n, 0x10n, 0x20n],
      exit: [st(3, le([4, 111])), st(4, le([4, 4]))],
      enter: [st(4, le([4, 4]))],
    },
    'getsockopt(5, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0',
  ],
  [
    'epoll_ctl',
    { name: 'epoll_ctl', args: [6n, 1n, 3n, 0x10n], enter: [st(3, le([4, 1], [8, 7]))] },
    'epoll_ctl(6, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=7, u64=7}}) = 0',
  ],
  [
    'epoll_wait: as many events as returned',
    { name: 'epoll_wait', args: [6n, 0x10n, 4n, 100n], ret: 1n, exit: [st(1, le([4, 1], [8, 7]))] },
    'epoll_wait(6, [{events=EPOLLIN, data={u32=7, u64=7}}], 4, 100) = 1',
  ],
  [
    'epoll_create1',
    { name: 'epoll_create1', args: [0o2000000n], ret: 6n },
    'epoll_create1(EPOLL_CLOEXEC) = 6',
  ],
  [
    'getrandom in hex',
    { name: 'getrandom', args: [0x10n, 2n, 1n], ret: 2n, exit: [p(0, '\x88\x17', 2)] },
    'getrandom("\\x88\\x17", 2, GRND_NONBLOCK) = 2',
  ],
  [
    'sched_getaffinity',
    {
      name: 'sched_getaffinity',
      args: [0n, 128n, 0x10n],
      ret: 8n,
      exit: [p(2, Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), 8)],
    },
    'sched_getaffinity(0, 128, [0 1]) = 8',
  ],
  [
    'ioctl on a non-tty',
    { name: 'ioctl', args: [1n, 0x5401n, 0x7ffc10n], ret: -25n },
    'ioctl(1, TCGETS, 0x7ffc10) = -1 ENOTTY (Inappropriate ioctl for device)',
  ],
  [
    'getdents64: the entries counted by the kernel side',
    {
      name: 'getdents64',
      args: [3n, 0x10n, 32768n],
      ret: 600n,
      exit: [p(1, le([4, 25], [4, 0]), 600)],
    },
    'getdents64(3, 0x10 /* 25 entries */, 32768) = 600',
  ],
  [
    'writev: each buffer of the iovec array',
    {
      name: 'writev',
      args: [1n, 0x10n, 2n],
      ret: 9n,
      enter: [
        p(
          1,
          Buffer.concat([
            le([8, 3], [2, 3], [2, 0], [4, 0]),
            Buffer.from('ab\n\0\0\0\0\0'),
            le([8, 6], [2, 6], [2, 0], [4, 0]),
            Buffer.from('cdefgh\0\0'),
          ]),
          2,
        ),
      ],
    },
    'writev(1, [{iov_base="ab\\n", iov_len=3}, {iov_base="cdefgh", iov_len=6}], 2) = 9',
  ],
  [
    'readv: filled buffers, shown when the call returned',
    {
      name: 'readv',
      args: [3n, 0x10n, 1n],
      ret: 2n,
      exit: [
        p(1, Buffer.concat([le([8, 8], [2, 2], [2, 0], [4, 0]), Buffer.from('hi\0\0\0\0\0\0')]), 1),
      ],
    },
    'readv(3, [{iov_base="hi", iov_len=8}], 1) = 2',
  ],
  [
    'select: the sets and timeout at enter, the ready sets and time left at exit',
    {
      name: 'select',
      args: [5n, 0x10n, 0n, 0n, 0x20n],
      ret: 1n,
      enter: [p(1, le([2, 5], [2, 0x0300], [2, 0x0003], [2, 0], [8, 1], [8, 0], [8, 0b11000]))],
      exit: [p(1, le([2, 5], [2, 0x0300], [2, 0x0003], [2, 0], [8, 0], [8, 500], [8, 0b10000]))],
    },
    'select(5, [3 4], NULL, NULL, {tv_sec=1, tv_usec=0}) = 1 (in [4], left {tv_sec=0, tv_usec=500})',
  ],
  [
    'select that timed out',
    {
      name: 'select',
      args: [0n, 0n, 0n, 0n, 0x20n],
      ret: 0n,
      enter: [p(1, le([2, 0], [2, 0x0303], [2, 0x0003], [2, 0], [8, 0], [8, 1000]))],
    },
    'select(0, NULL, NULL, NULL, {tv_sec=0, tv_usec=1000}) = 0 (Timeout)',
  ],
  [
    'sendmsg: name, iovecs and control data',
    {
      name: 'sendmsg',
      args: [3n, 0x10n, 0n],
      ret: 2n,
      enter: [
        p(
          1,
          Buffer.concat([
            // name 0, namelen 0, flags 0, iov, iovlen 1, control 0, controllen 0, lens, statuses
            le(
              [8, 0],
              [4, 0],
              [4, 0],
              [8, 0x40],
              [8, 1],
              [8, 0],
              [8, 0],
              [2, 0],
              [2, 0],
              [2, 0x0303],
              [2, 0],
            ),
            le([8, 2], [2, 2], [2, 0], [4, 0]),
            Buffer.from('hi\0\0\0\0\0\0'),
          ]),
        ),
      ],
    },
    'sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="hi", iov_len=2}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 2',
  ],
  [
    'recvmmsg: the messages returned, a name not followed shown as its address, the rest cut',
    {
      name: 'recvmmsg',
      args: [3n, 0x10n, 4n, 0n, 0n],
      ret: 2n,
      exit: [
        p(
          1,
          Buffer.concat([
            // msg_len 2, bytes 88; msghdr: name 0x70 (namelen 16, not read), iov, iovlen 1
            le([4, 2], [4, 88]),
            le(
              [8, 0x70],
              [4, 16],
              [4, 0],
              [8, 0x40],
              [8, 1],
              [8, 0],
              [8, 0],
              [2, 0],
              [2, 0],
              [2, 0x0304],
              [2, 0],
            ),
            le([8, 8], [2, 2], [2, 0], [4, 0]),
            Buffer.from('ok\0\0\0\0\0\0'),
          ]),
          2,
          2, // TL_PARAM_TRUNCATED: the second message did not fit
        ),
      ],
    },
    'recvmmsg(3, [{msg_hdr={msg_name=0x70, msg_namelen=16, msg_iov=[{iov_base="ok", iov_len=8}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, msg_len=2}, ...], 4, 0, NULL) = 2',
  ],
  [
    'getgroups: the ids returned',
    { name: 'getgroups', args: [8n, 0x10n], ret: 2n, exit: [p(1, le([4, 0], [4, 24]), 8)] },
    'getgroups(8, [0, 24]) = 2',
  ],
  [
    'setgroups: none',
    { name: 'setgroups', args: [0n, 0x10n], enter: [p(1, '', 0)] },
    'setgroups(0, []) = 0',
  ],
  [
    'getdents64 at the end of a directory',
    { name: 'getdents64', args: [3n, 0x10n, 32768n], ret: 0n },
    'getdents64(3, 0x10 /* 0 entries */, 32768) = 0',
  ],
  [
    'execve: argv strings, envp counted',
    {
      name: 'execve',
      args: [0x10n, 0x20n, 0x30n],
      enter: [s(0, '/usr/bin/ls'), p(1, 'ls\0-la\0', 2), p(2, '', 39)],
    },
    'execve("/usr/bin/ls", ["ls", "-la"], 0x30 /* 39 vars */) = 0',
  ],
  [
    'execve: argv longer than -s entries ends with ...',
    {
      name: 'execve',
      args: [0x10n, 0x20n, 0x30n],
      enter: [s(0, '/bin/x'), p(1, `${'a\0'.repeat(40)}`, 40)],
    },
    `execve("/bin/x", [${Array(32).fill('"a"').join(', ')}, ...], 0x30) = 0`,
  ],
  [
    'a struct that faulted says so',
    {
      name: 'nanosleep',
      args: [0x10n, 0n],
      enter: [p(0, '', 16, TL_PARAM_FAULT)],
    },
    'nanosleep(<unavailable: fault>, NULL) = 0',
  ],
];

describe('decoders, line by line as strace prints them', () => {
  it.each(rows)('%s', (_label, row, expected) => {
    expect(line(row)).toBe(expected);
  });
});

describe('struct and value helpers', () => {
  it.each([
    [0o100644, 'S_IFREG|0644'],
    [0o41777, 'S_IFDIR|S_ISVTX|0777'],
    [0o104755, 'S_IFREG|S_ISUID|0755'],
    [0o100000, 'S_IFREG|000'],
  ])('mode %o', (mode, text) => expect(formatMode(BigInt(mode))).toBe(text));

  it('makedev splits the kernel encoding', () => {
    expect(formatDev(0x8802n)).toBe('makedev(0x88, 0x2)');
  });

  it.each([
    [[0], '[]'],
    [[1 << 1, 0, 0, 0], '[INT]'],
    [[0xff, 0xff, 0xff, 0x7f, 0xfe, 0xff, 0xff, 0xff], '~[RTMIN RT_1]'],
    [[0, 0, 0, 0x80, 1, 0, 0, 0], '[RTMIN RT_1]'],
  ])('sigset %j', (bytes, text) => expect(formatSigset(Buffer.from(bytes))).toBe(text));

  it.each([
    [0, 'SIGRTMIN'],
    [1, 'SIGRT_1'],
    [32, 'SIGRT_32'],
  ])('real-time signal SIGRTMIN+%d', (n, name) => expect(signalName(32 + n)).toBe(name));

  it.each([
    [3 << 8, '[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]'],
    [9, '[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]'],
    [11 | 0x80, '[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]'],
    [(19 << 8) | 0x7f, '[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]'],
  ])('wait status %i', (status, text) => expect(formatWaitStatus(status)).toBe(text));

  it('sockaddr AF_UNIX: path, abstract, unnamed', () => {
    const un = (path: string): Buffer => Buffer.concat([le([2, 1]), Buffer.from(path, 'latin1')]);
    expect(formatSockaddr(un('/run/x.sock\0'), 110)).toBe(
      '{sa_family=AF_UNIX, sun_path="/run/x.sock"}',
    );
    expect(formatSockaddr(un('\0abstract'), 11)).toBe('{sa_family=AF_UNIX, sun_path=@"abstract"}');
    expect(formatSockaddr(un(''), 2)).toBe('{sa_family=AF_UNIX}');
  });

  it('sockaddr AF_INET6', () => {
    const b = Buffer.alloc(28);
    b.writeUInt16LE(10, 0);
    b.writeUInt16BE(9, 2);
    b[23] = 1;
    expect(formatSockaddr(b, 28)).toBe(
      '{sa_family=AF_INET6, sin6_port=htons(9), sin6_flowinfo=htonl(0), ' +
        'inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}',
    );
  });

  it.each([
    ['2001:db8::1', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]],
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['fe80::1:0:0:2', [0xfe80, 0, 0, 0, 1, 0, 0, 2]],
    ['1:0:2:3:4:5:6:7', [1, 0, 2, 3, 4, 5, 6, 7]],
  ])('ipv6 %s', (text, words) => {
    const b = Buffer.alloc(16);
    words.forEach((w, i) => b.writeUInt16BE(w, 2 * i));
    expect(ipv6(b, 0)).toBe(text);
  });
});

// What the kernel side records for each syscall: how many raw arguments go into the enter
// record and which arguments' memory is captured. Data, not code: the BPF `rules` map is
// filled from buildRules(), and the formatter asks capturesFor() which arguments arrive at exit.
//
// Captures name arguments by their kernel names (from the generated table), so a rule cannot
// silently point at the wrong position; resolving a name that does not exist throws.
import {
  TL_CAP_BUF_ARGLEN,
  TL_CAP_BUF_ARGLEN_EXIT,
  TL_CAP_BUF_RETLEN,
  TL_CAP_DIRENTS,
  TL_CAP_FDSETS,
  TL_CAP_FDSETS_EXIT,
  TL_CAP_IOV,
  TL_CAP_IOV_EXIT,
  TL_CAP_KEYED,
  TL_CAP_MSG,
  TL_CAP_MMSG_EXIT,
  TL_CAP_MSG_EXIT,
  TL_CAP_STR,
  TL_CAP_STRV,
  TL_CAP_STRUCT_ENTER,
  TL_CAP_STRUCT_EXIT,
  TL_CAP_STRUCT_INOUT,
  TL_MAX_ARGS,
  TL_MAX_SYSCALLS,
  encodeKeyedRules,
  encodeRules,
  type Capture,
  type KeyedRule,
  type CaptureKind,
  type Rule,
} from '../wire.js';
import { SYSCALLS, syscallByName, syscallByNr } from './table.js';
import type { KeyedCapture, KeyedKind } from './keyed/capture.js';
import { FCNTL_CAPTURES } from './keyed/fcntl.js';
import { IOCTL_CAPTURES } from './keyed/ioctl.js';
import { PRCTL_CAPTURES } from './keyed/prctl.js';
import type { SyscallDef } from './types.js';

/** One capture, with arguments named as in the syscall table. */
export interface CaptureSpec {
  kind: CaptureKind;
  arg: string;
  /** TL_CAP_BUF_ARGLEN: the argument holding the length. */
  lenArg?: string;
  /** TL_CAP_STRUCT_*: bytes to copy. */
  size?: number;
}

const str = (arg: string): CaptureSpec => ({ kind: TL_CAP_STR, arg });
/** A NULL-ended string array: its first `n` strings and how many entries it has. */
const strv = (arg: string, n: number): CaptureSpec => ({ kind: TL_CAP_STRV, arg, size: n });
/** A buffer read at enter, `lenArg` bytes (or elements of `size` bytes). */
const bufArgLen = (arg: string, lenArg: string, size?: number): CaptureSpec => ({
  kind: TL_CAP_BUF_ARGLEN,
  arg,
  lenArg,
  ...(size !== undefined ? { size } : {}),
});
/** A buffer the call filled, read at exit: as many bytes (or elements) as it returned. */
const bufRetLen = (arg: string, size?: number): CaptureSpec => ({
  kind: TL_CAP_BUF_RETLEN,
  arg,
  ...(size !== undefined ? { size } : {}),
});
/** A buffer read at exit, `lenArg` elements of `size` bytes, if the call succeeded. */
const bufArgLenExit = (arg: string, lenArg: string, size: number): CaptureSpec => ({
  kind: TL_CAP_BUF_ARGLEN_EXIT,
  arg,
  lenArg,
  size,
});
/** An iovec array of `lenArg` entries: the buffers' bytes at enter (writev) or at exit (readv). */
const iov = (arg: string, lenArg: string): CaptureSpec => ({ kind: TL_CAP_IOV, arg, lenArg });
const iovOut = (arg: string, lenArg: string): CaptureSpec => ({
  kind: TL_CAP_IOV_EXIT,
  arg,
  lenArg,
});
/** A struct user_msghdr with its name, control data and iovecs: sendmsg's, or recvmsg's. */
const msg = (arg: string): CaptureSpec => ({ kind: TL_CAP_MSG, arg });
const msgOut = (arg: string): CaptureSpec => ({ kind: TL_CAP_MSG_EXIT, arg });
/** sendmmsg/recvmmsg's messages, at exit: msg_len is known then, for sending too. */
const mmsgOut = (arg: string): CaptureSpec => ({ kind: TL_CAP_MMSG_EXIT, arg });
/** select's three fd sets (from `first` on, `bits` wide) and timeout, before and after. */
const fdSets = (first: string, bits: string): CaptureSpec[] => [
  { kind: TL_CAP_FDSETS, arg: first, lenArg: bits },
  { kind: TL_CAP_FDSETS_EXIT, arg: first, lenArg: bits },
];
/** getdents: how many records the call returned (strace's `/* 5 entries *\/`). */
const direntCount = (arg: string): CaptureSpec => ({ kind: TL_CAP_DIRENTS, arg });
/** Whatever keyed_rules says for the value of `selector` (ioctl's request, prctl's option). */
const keyed = (selector: string): CaptureSpec => ({
  kind: TL_CAP_KEYED,
  arg: selector,
  lenArg: selector,
});
const inStruct = (arg: string, size: number): CaptureSpec => ({
  kind: TL_CAP_STRUCT_ENTER,
  arg,
  size,
});
const outStruct = (arg: string, size: number): CaptureSpec => ({
  kind: TL_CAP_STRUCT_EXIT,
  arg,
  size,
});

// Sizes of what strace shows of each struct (x86_64): a prefix is enough where strace
// abbreviates (stat shows st_mode and st_size, 56 bytes in).
const STAT = 56;
const STATX = 0x90;
const STATFS = 88;
const TIMESPEC = 16;
const ITIMERSPEC = 32;
const SIGSET = 8;
const SIGACTION = 32;
const SOCKADDR = 128;
const SOCKLEN = 4;
const RLIMIT = 16;
const UTSNAME = 130;
const SYSINFO = 112;
const POLLFD = 8;
const EPOLL_EVENT = 12;
const GID = 4;
/** siginfo_t up to the fields strace shows for a signal sent by a process (pid, uid, value). */
const SIGINFO_HEAD = 32;
/** struct user_msghdr up to and with msg_namelen (and its padding). */
const MSGHDR_HEAD = 16;
/** pselect6's sixth argument: { const sigset_t *ss; size_t ss_len }. */
const PSELECT_SIG = 16;

const path1 = (arg: string): CaptureSpec[] => [str(arg)];
const twoPaths = (a: string, b: string): CaptureSpec[] => [str(a), str(b)];
const sockOut: CaptureSpec[] = [
  outStruct('upeer_sockaddr', SOCKADDR),
  inStruct('upeer_addrlen', SOCKLEN),
  outStruct('upeer_addrlen', SOCKLEN),
];
const nameOut: CaptureSpec[] = [
  outStruct('usockaddr', SOCKADDR),
  inStruct('usockaddr_len', SOCKLEN),
  outStruct('usockaddr_len', SOCKLEN),
];

/**
 * Captured arguments per syscall name: paths and inputs at enter, what the call fills at
 * exit. At most TL_MAX_PARAMS per call.
 */
export const CAPTURE_SPECS: Readonly<Record<string, readonly CaptureSpec[]>> = {
  // files: paths
  open: path1('filename'),
  openat: path1('filename'),
  creat: path1('pathname'),
  // argv: the strings (strace shows as many as -s); envp: only how many.
  execve: [str('filename'), strv('argv', 32), strv('envp', 0)],
  execveat: [str('filename'), strv('argv', 32), strv('envp', 0)],
  stat: [str('filename'), outStruct('statbuf', STAT)],
  lstat: [str('filename'), outStruct('statbuf', STAT)],
  fstat: [outStruct('statbuf', STAT)],
  newfstatat: [str('filename'), outStruct('statbuf', STAT)],
  statx: [str('filename'), outStruct('buffer', STATX)],
  statfs: [str('pathname'), outStruct('buf', STATFS)],
  fstatfs: [outStruct('buf', STATFS)],
  access: path1('filename'),
  faccessat: path1('filename'),
  faccessat2: path1('filename'),
  mkdir: path1('pathname'),
  mkdirat: path1('pathname'),
  rmdir: path1('pathname'),
  unlink: path1('pathname'),
  unlinkat: path1('pathname'),
  rename: twoPaths('oldname', 'newname'),
  renameat: twoPaths('oldname', 'newname'),
  renameat2: twoPaths('oldname', 'newname'),
  link: twoPaths('oldname', 'newname'),
  linkat: twoPaths('oldname', 'newname'),
  symlink: twoPaths('oldname', 'newname'),
  symlinkat: twoPaths('oldname', 'newname'),
  chdir: path1('filename'),
  chroot: path1('filename'),
  readlink: [str('path'), bufRetLen('buf')],
  readlinkat: [str('pathname'), bufRetLen('buf')],
  getcwd: [bufRetLen('buf')],
  chmod: path1('filename'),
  fchmodat: path1('filename'),
  chown: path1('filename'),
  lchown: path1('filename'),
  fchownat: path1('filename'),
  truncate: path1('path'),
  utimensat: [str('filename'), inStruct('utimes', 2 * TIMESPEC)],
  mknod: path1('filename'),
  mknodat: path1('filename'),
  mount: [str('dev_name'), str('dir_name'), str('type')],
  umount2: path1('name'),
  pivot_root: twoPaths('new_root', 'put_old'),
  swapon: path1('specialfile'),
  swapoff: path1('specialfile'),
  acct: path1('name'),
  sethostname: [bufArgLen('name', 'len')],
  getgroups: [bufRetLen('grouplist', GID)],
  setgroups: [bufArgLen('grouplist', 'gidsetsize', GID)],
  setdomainname: [bufArgLen('name', 'len')],
  inotify_add_watch: path1('pathname'),
  memfd_create: path1('uname'),
  // xattrs
  setxattr: [str('pathname'), str('name'), bufArgLen('value', 'size')],
  lsetxattr: [str('pathname'), str('name'), bufArgLen('value', 'size')],
  fsetxattr: [str('name'), bufArgLen('value', 'size')],
  getxattr: [str('pathname'), str('name'), bufRetLen('value')],
  lgetxattr: [str('pathname'), str('name'), bufRetLen('value')],
  fgetxattr: [str('name'), bufRetLen('value')],
  listxattr: [str('pathname'), bufRetLen('list')],
  llistxattr: [str('pathname'), bufRetLen('list')],
  flistxattr: [bufRetLen('list')],
  removexattr: twoPaths('pathname', 'name'),
  lremovexattr: twoPaths('pathname', 'name'),
  fremovexattr: path1('name'),
  // I/O
  write: [bufArgLen('buf', 'count')],
  pwrite64: [bufArgLen('buf', 'count')],
  read: [bufRetLen('buf')],
  pread64: [bufRetLen('buf')],
  writev: [iov('vec', 'vlen')],
  pwritev: [iov('vec', 'vlen')],
  pwritev2: [iov('vec', 'vlen')],
  readv: [iovOut('vec', 'vlen')],
  preadv: [iovOut('vec', 'vlen')],
  preadv2: [iovOut('vec', 'vlen')],
  getdents64: [direntCount('dirent')],
  getdents: [direntCount('dirent')],
  getrandom: [bufRetLen('ubuf')],
  // sockets
  connect: [bufArgLen('uservaddr', 'addrlen')],
  bind: [bufArgLen('umyaddr', 'addrlen')],
  accept: sockOut,
  accept4: sockOut,
  getsockname: nameOut,
  getpeername: nameOut,
  sendto: [bufArgLen('buff', 'len'), bufArgLen('addr', 'addr_len')],
  recvfrom: [bufRetLen('ubuf'), outStruct('addr', SOCKADDR), outStruct('addr_len', SOCKLEN)],
  setsockopt: [bufArgLen('optval', 'optlen')],
  // Most options are ints; a larger value shows its first four bytes' worth (the length says).
  getsockopt: [outStruct('optval', 4), inStruct('optlen', SOCKLEN), outStruct('optlen', SOCKLEN)],
  sendmsg: [msg('msg')],
  sendmmsg: [mmsgOut('mmsg')],
  recvmmsg: [mmsgOut('mmsg'), inStruct('timeout', TIMESPEC)],
  // At enter too, the head alone: msg_namelen before the call (strace's `128 => 16`).
  recvmsg: [msgOut('msg'), inStruct('msg', MSGHDR_HEAD)],
  socketpair: [outStruct('usockvec', 8)],
  pipe: [outStruct('fildes', 8)],
  pipe2: [outStruct('fildes', 8)],
  // processes and signals
  wait4: [outStruct('stat_addr', 4)],
  clone3: [inStruct('uargs', 64)],
  rt_sigaction: [inStruct('act', SIGACTION), outStruct('oact', SIGACTION)],
  rt_sigprocmask: [inStruct('nset', SIGSET), outStruct('oset', SIGSET)],
  rt_sigpending: [outStruct('uset', SIGSET)],
  rt_sigsuspend: [inStruct('unewset', SIGSET)],
  uname: [outStruct('name', UTSNAME)],
  sysinfo: [outStruct('info', SYSINFO)],
  getrlimit: [outStruct('rlim', RLIMIT)],
  setrlimit: [inStruct('rlim', RLIMIT)],
  prlimit64: [inStruct('new_rlim', RLIMIT), outStruct('old_rlim', RLIMIT)],
  sched_getaffinity: [bufRetLen('user_mask_ptr')],
  prctl: [keyed('option')],
  ioctl: [keyed('cmd')],
  fcntl: [keyed('cmd')],
  // time
  nanosleep: [inStruct('rqtp', TIMESPEC)],
  clock_nanosleep: [inStruct('rqtp', TIMESPEC)],
  clock_gettime: [outStruct('tp', TIMESPEC)],
  clock_getres: [outStruct('tp', TIMESPEC)],
  clock_settime: [inStruct('tp', TIMESPEC)],
  timerfd_settime: [inStruct('utmr', ITIMERSPEC), outStruct('otmr', ITIMERSPEC)],
  timerfd_gettime: [outStruct('otmr', ITIMERSPEC)],
  futex: [inStruct('utime', TIMESPEC)],
  // polling
  poll: [bufArgLen('ufds', 'nfds', POLLFD), bufArgLenExit('ufds', 'nfds', POLLFD)],
  ppoll: [
    bufArgLen('ufds', 'nfds', POLLFD),
    bufArgLenExit('ufds', 'nfds', POLLFD),
    inStruct('tsp', TIMESPEC),
  ],
  select: fdSets('inp', 'n'),
  pselect6: [...fdSets('inp', 'n'), inStruct('sig', PSELECT_SIG)],
  epoll_ctl: [inStruct('event', EPOLL_EVENT)],
  epoll_wait: [bufRetLen('events', EPOLL_EVENT)],
  epoll_pwait: [bufRetLen('events', EPOLL_EVENT), inStruct('sigmask', SIGSET)],
  rt_sigtimedwait: [
    inStruct('uthese', SIGSET),
    outStruct('uinfo', SIGINFO_HEAD),
    inStruct('uts', TIMESPEC),
  ],
};

function argIndex(def: SyscallDef, name: string): number {
  const i = def.args?.findIndex((a) => a.name === name) ?? -1;
  if (i < 0) throw new Error(`capture rule for ${def.name}: it has no argument '${name}'`);
  return i;
}

/** Resolves a syscall's capture specs to argument indices. */
export function resolveCaptures(def: SyscallDef): Capture[] {
  return (CAPTURE_SPECS[def.name] ?? []).map((spec) => {
    const capture: Capture = { kind: spec.kind, arg: argIndex(def, spec.arg) };
    if (spec.lenArg !== undefined) capture.lenArg = argIndex(def, spec.lenArg);
    if (spec.size !== undefined) capture.size = spec.size;
    return capture;
  });
}

/** The rule for one syscall: all its arguments (6 when its signature is unknown). */
export function ruleFor(def: SyscallDef | undefined): Rule {
  if (!def) return { nargs: TL_MAX_ARGS, captures: [] };
  return { nargs: def.args?.length ?? TL_MAX_ARGS, captures: resolveCaptures(def) };
}

/** A rule for every number the BPF map holds, known syscall or not. */
export function buildRuleMap(): Map<number, Rule> {
  const rules = new Map<number, Rule>();
  for (let nr = 0; nr < TL_MAX_SYSCALLS; nr++) rules.set(nr, ruleFor(syscallByNr(nr)));
  return rules;
}

/** The packed struct tl_rule array for RecorderOptions.rules. */
export function buildRules(): Buffer {
  return encodeRules(buildRuleMap());
}

const capturesByNr = new Map<number, readonly Capture[]>(
  SYSCALLS.map((def) => [def.nr, resolveCaptures(def)]),
);

/** The resolved captures of a syscall number (none for unknown numbers). */
export function capturesFor(nr: number): readonly Capture[] {
  return capturesByNr.get(nr) ?? [];
}

/** Captures whose bytes arrive with the exit record: the call fills that memory. */
export function isExitCapture(kind: CaptureKind): boolean {
  return (
    kind === TL_CAP_BUF_RETLEN ||
    kind === TL_CAP_STRUCT_EXIT ||
    kind === TL_CAP_BUF_ARGLEN_EXIT ||
    kind === TL_CAP_IOV_EXIT ||
    kind === TL_CAP_MSG_EXIT ||
    kind === TL_CAP_FDSETS_EXIT ||
    kind === TL_CAP_DIRENTS ||
    kind === TL_CAP_MMSG_EXIT
  );
}

/** A keyed capture with its argument resolved to a position (0-based). */
export interface ResolvedKeyedCapture {
  readonly selector: number;
  readonly arg: number;
  readonly kind: KeyedKind;
  readonly size: number;
}

/** Keyed captures by syscall name. */
export const KEYED_CAPTURES: Readonly<Record<string, readonly KeyedCapture[]>> = {
  ioctl: IOCTL_CAPTURES,
  prctl: PRCTL_CAPTURES,
  fcntl: FCNTL_CAPTURES,
};

const KEYED_KIND = {
  str: TL_CAP_STR,
  in: TL_CAP_STRUCT_ENTER,
  out: TL_CAP_STRUCT_EXIT,
  inout: TL_CAP_STRUCT_INOUT,
} as const;

/** A syscall's keyed captures with their arguments resolved against its signature. */
export function resolvedKeyedCaptures(name: string): readonly ResolvedKeyedCapture[] {
  const def = syscallByName(name);
  if (!def) throw new Error(`keyed captures for ${name}: no such syscall`);
  return (KEYED_CAPTURES[name] ?? []).map((k) => ({ ...k, arg: argIndex(def, k.arg) }));
}

/** Every keyed capture as a keyed_rules entry. */
export function keyedRules(): KeyedRule[] {
  const out: KeyedRule[] = [];
  for (const name of Object.keys(KEYED_CAPTURES)) {
    const nr = syscallByName(name)?.nr as number;
    for (const k of resolvedKeyedCaptures(name)) {
      const capture: Capture = { kind: KEYED_KIND[k.kind], arg: k.arg };
      if (k.kind !== 'str') capture.size = k.size;
      out.push({ nr, selector: k.selector, capture });
    }
  }
  return out;
}

/** The packed keyed_rules entries for RecorderOptions.keyedRules. */
export function buildKeyedRules(): Buffer {
  return encodeKeyedRules(keyedRules());
}

const keyedBySelector = new Map(
  Object.keys(KEYED_CAPTURES).map((name) => [
    name,
    new Map(resolvedKeyedCaptures(name).map((k) => [k.selector >>> 0, k])),
  ]),
);

/** The keyed capture of a call, given its selector's value, if any. */
export function keyedCaptureFor(name: string, selector: bigint): ResolvedKeyedCapture | undefined {
  return keyedBySelector.get(name)?.get(Number(BigInt.asUintN(32, selector)));
}

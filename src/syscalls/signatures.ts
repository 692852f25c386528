// How each argument and return value should be read, beyond what its C type says. The
// generated table gives C types ('int', 'const char *'); a decoder keyed by type name turns a
// raw value into text (src/format/args.ts). Where the C type is not enough — an int that is a
// flag set, an fd that may be AT_FDCWD — this file names a semantic type instead. Adding a
// syscall's decoding is adding rows here (and, for a new type, one decoder).
import type { SyscallDef } from './types.js';

/** Semantic types by argument name, for every syscall: the kernel names these consistently. */
export const ARG_TYPE_BY_NAME: Readonly<Record<string, string>> = {
  fd: 'fd',
  oldfd: 'fd',
  newfd: 'fd',
  epfd: 'fd',
  ufd: 'fd',
  pidfd: 'fd',
  fd_in: 'fd',
  fd_out: 'fd',
  in_fd: 'fd',
  out_fd: 'fd',
  fildes: 'fd',
  dfd: 'dirfd',
  olddfd: 'dirfd',
  newdfd: 'dirfd',
  from_dfd: 'dirfd',
  to_dfd: 'dirfd',
  sig: 'signal',
  filename: 'path',
  pathname: 'path',
  path: 'path',
  oldname: 'path',
  newname: 'path',
  new_root: 'path',
  put_old: 'path',
  specialfile: 'path',
  dir_name: 'path',
  dev_name: 'path',
  which_clock: 'clockid',
  clockid: 'clockid',
};

const PATH_STAT = { statbuf: 'stat' };
const ACCEPT_OUT = { upeer_sockaddr: 'sockaddr_out', upeer_addrlen: 'socklen_ptr' };
const NAME_OUT = { usockaddr: 'sockaddr_out', usockaddr_len: 'socklen_ptr' };
const XATTR_SET = { value: 'pointer', flags: 'xattr_flags' };

/** Semantic types of particular syscalls' arguments, by syscall name, then argument name. */
export const ARG_TYPE_OVERRIDES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  read: { buf: 'buf_out' },
  pread64: { buf: 'buf_out' },
  readlink: { buf: 'buf_out' },
  readlinkat: { buf: 'buf_out' },
  getcwd: { buf: 'cstring_out' },
  open: { flags: 'open_flags', mode: 'open_mode' },
  openat: { flags: 'open_flags', mode: 'open_mode' },
  creat: { mode: 'umode_t' },
  execve: { argv: 'argv', envp: 'envp' },
  execveat: { fd: 'dirfd', flags: 'at_flags', argv: 'argv', envp: 'envp' },
  stat: PATH_STAT,
  lstat: PATH_STAT,
  fstat: PATH_STAT,
  newfstatat: { ...PATH_STAT, flag: 'at_flags' },
  statx: { flags: 'statx_flags', mask: 'statx_mask', buffer: 'statx' },
  statfs: { buf: 'statfs' },
  fstatfs: { buf: 'statfs' },
  access: { mode: 'access_mode' },
  faccessat: { mode: 'access_mode' },
  faccessat2: { mode: 'access_mode', flags: 'faccessat_flags' },
  unlinkat: { flag: 'at_flags' },
  linkat: { flags: 'at_flags' },
  fchownat: { flag: 'at_flags' },
  utimensat: { flags: 'at_flags' },
  renameat2: { flags: 'rename_flags' },
  lseek: { whence: 'seek_whence' },
  // Addresses the kernel declares as unsigned long.
  mmap: { addr: 'address', prot: 'mmap_prot', flags: 'mmap_flags', fd: 'fd', off: 'hex' },
  munmap: { addr: 'address' },
  mprotect: { start: 'address', prot: 'mmap_prot' },
  pkey_mprotect: { start: 'address', prot: 'mmap_prot' },
  mremap: { addr: 'address', new_addr: 'address', flags: 'mremap_flags' },
  msync: { start: 'address', flags: 'msync_flags' },
  madvise: { start: 'address', behavior: 'madvise_advice' },
  mlock: { start: 'address' },
  munlock: { start: 'address' },
  mlockall: { flags: 'mlockall_flags' },
  mincore: { start: 'address' },
  brk: { brk: 'address' },
  fadvise64: { advice: 'fadvise_advice' },
  fallocate: { mode: 'falloc_flags' },
  fcntl: { cmd: 'fcntl_cmd', arg: 'fcntl_arg' },
  flock: { cmd: 'flock_op' },
  ioctl: { cmd: 'ioctl_request', arg: 'ioctl_arg' },
  dup3: { flags: 'fd_flags' },
  pipe: { fildes: 'pipe_fds' },
  pipe2: { fildes: 'pipe_fds', flags: 'fd_flags' },
  socket: { family: 'socket_family', type: 'socket_type', protocol: 'socket_protocol' },
  socketpair: {
    family: 'socket_family',
    type: 'socket_type',
    protocol: 'socket_protocol',
    usockvec: 'pipe_fds',
  },
  connect: { uservaddr: 'sockaddr_in' },
  bind: { umyaddr: 'sockaddr_in' },
  accept: ACCEPT_OUT,
  accept4: { ...ACCEPT_OUT, flags: 'sock_flags' },
  getsockname: NAME_OUT,
  getpeername: NAME_OUT,
  sendto: { buff: 'pointer', flags: 'msg_flags', addr: 'sockaddr_in' },
  recvfrom: {
    ubuf: 'buf_out',
    flags: 'msg_flags',
    addr: 'sockaddr_out',
    addr_len: 'socklen_ptr',
  },
  sendmsg: { msg: 'msghdr_in', flags: 'msg_flags' },
  recvmsg: { msg: 'msghdr_out', flags: 'msg_flags' },
  readv: { vec: 'iovec_out' },
  preadv: { vec: 'iovec_out', pos_l: 'loff_t', pos_h: 'omitted' },
  preadv2: { vec: 'iovec_out', pos_l: 'loff_t', pos_h: 'omitted', flags: 'rwf_flags' },
  writev: { vec: 'iovec_in' },
  pwritev: { vec: 'iovec_in', pos_l: 'loff_t', pos_h: 'omitted' },
  pwritev2: { vec: 'iovec_in', pos_l: 'loff_t', pos_h: 'omitted', flags: 'rwf_flags' },
  select: { inp: 'fd_set', outp: 'fd_set', exp: 'fd_set', tvp: 'select_timeval' },
  pselect6: {
    inp: 'fd_set',
    outp: 'fd_set',
    exp: 'fd_set',
    tsp: 'select_timespec',
    sig: 'pselect_sig',
  },
  sendmmsg: { mmsg: 'mmsg_vec', flags: 'msg_flags' },
  recvmmsg: { mmsg: 'mmsg_vec', flags: 'msg_flags' },
  shutdown: { how: 'shutdown_how' },
  setsockopt: { level: 'sockopt_level', optname: 'sockopt_name', optval: 'sockopt_in' },
  getsockopt: {
    level: 'sockopt_level',
    optname: 'sockopt_name',
    optval: 'sockopt_out',
    optlen: 'socklen_ptr',
  },
  rt_sigprocmask: { how: 'sigprocmask_how' },
  clone: {
    clone_flags: 'clone_flags',
    newsp: 'clone_stack',
    parent_tidptr: 'clone_parent_tid',
    child_tidptr: 'clone_child_tid',
    tls: 'clone_tls',
  },
  clone3: { uargs: 'clone_args' },
  unshare: { unshare_flags: 'unshare_flags' },
  wait4: { stat_addr: 'wait_status', options: 'wait_options' },
  waitid: { options: 'wait_options' },
  futex: {
    uaddr: 'address',
    op: 'futex_op',
    utime: 'futex_timeout',
    uaddr2: 'futex_uaddr2',
    val3: 'futex_val3',
  },
  prctl: {
    option: 'prctl_arg',
    arg2: 'prctl_arg',
    arg3: 'prctl_arg',
    arg4: 'prctl_arg',
    arg5: 'prctl_arg',
  },
  arch_prctl: { option: 'arch_prctl_code', arg2: 'address' },
  clock_nanosleep: { flags: 'timer_flags' },
  timerfd_create: { flags: 'timerfd_flags' },
  timerfd_settime: { flags: 'timerfd_flags' },
  poll: { ufds: 'poll_fds' },
  ppoll: { ufds: 'poll_fds' },
  epoll_create1: { flags: 'epoll_create_flags' },
  epoll_ctl: { op: 'epoll_op', event: 'epoll_event' },
  epoll_wait: { events: 'epoll_events' },
  epoll_pwait: { events: 'epoll_events' },
  eventfd2: { flags: 'eventfd_flags' },
  signalfd4: { flags: 'signalfd_flags' },
  inotify_init1: { flags: 'inotify_flags' },
  memfd_create: { flags: 'memfd_flags' },
  getrandom: { ubuf: 'random_bytes', flags: 'grnd_flags' },
  umount2: { flags: 'umount_flags' },
  mount: { flags: 'mount_flags', data: 'pointer' },
  setxattr: XATTR_SET,
  lsetxattr: XATTR_SET,
  fsetxattr: XATTR_SET,
  getxattr: { value: 'buf_out' },
  lgetxattr: { value: 'buf_out' },
  fgetxattr: { value: 'buf_out' },
  getgroups: { grouplist: 'gid_list' },
  setgroups: { grouplist: 'gid_list' },
  getrlimit: { resource: 'rlimit_resource', rlim: 'rlimit' },
  setrlimit: { resource: 'rlimit_resource', rlim: 'rlimit' },
  prlimit64: { resource: 'rlimit_resource' },
  getrusage: { who: 'rusage_who' },
  getpriority: { which: 'prio_which' },
  setpriority: { which: 'prio_which' },
  getitimer: { which: 'itimer_which' },
  setitimer: { which: 'itimer_which' },
  sched_setscheduler: { policy: 'sched_policy' },
  sched_get_priority_max: { policy: 'sched_policy' },
  sched_get_priority_min: { policy: 'sched_policy' },
  sched_getaffinity: { user_mask_ptr: 'cpu_mask' },
  sched_setaffinity: { user_mask_ptr: 'cpu_mask' },
  membarrier: { cmd: 'membarrier_cmd' },
  getdents64: { dirent: 'dirents' },
  getdents: { dirent: 'dirents' },
  umask: { mask: 'umask_mode' },
  set_tid_address: { tidptr: 'address' },
  set_robust_list: { head: 'address' },
  rseq: { rseq: 'address', rseq_len: 'hex32', sig: 'hex32' },
  shmat: { shmaddr: 'address' },
  shmdt: { shmaddr: 'address' },
  sysinfo: { info: 'sysinfo' },
};

/**
 * Argument order where strace prints them in another order than the kernel declares them:
 * x86_64's clone takes (flags, stack, ptid, ctid, tls), strace shows stack, flags, ptid, tls,
 * ctid.
 */
export const ARG_ORDER: Readonly<Record<string, readonly number[]>> = {
  clone: [1, 0, 2, 4, 3],
};

/**
 * dec: signed decimal; hex: an address; octal: a mode (umask); none: the call never returns
 * (`= ?`); fcntl: the flags F_GETFD/F_GETFL return, `0x8002 (flags O_RDWR|O_LARGEFILE)`;
 * prctl: what some options return, named (`= 1 (SUID_DUMP_USER)`).
 */
export type ReturnKind = 'dec' | 'hex' | 'none' | 'octal' | 'fcntl' | 'prctl';

export const RETURN_KINDS: Readonly<Record<string, ReturnKind>> = {
  exit: 'none',
  exit_group: 'none',
  mmap: 'hex',
  mremap: 'hex',
  brk: 'hex',
  shmat: 'hex',
  umask: 'octal',
  fcntl: 'fcntl',
  prctl: 'prctl',
};

/** 'const int' → 'int': a const scalar decodes as the scalar. Pointers keep their const. */
export function normalizeCType(type: string): string {
  return type.includes('*') ? type : type.replace(/^const\s+/, '');
}

/** The decoder type name of each argument of a syscall with a known signature. */
export function argTypes(def: SyscallDef): string[] {
  const overrides = ARG_TYPE_OVERRIDES[def.name];
  return (def.args ?? []).map(
    (a) => overrides?.[a.name] ?? ARG_TYPE_BY_NAME[a.name] ?? normalizeCType(a.type),
  );
}

export function returnKind(name: string): ReturnKind {
  return RETURN_KINDS[name] ?? 'dec';
}

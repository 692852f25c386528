// How a descriptor (src/syscalls/descriptors/) says what the kernel side copies of a call's
// memory: one constructor per kind of capture, arguments named as in the generated syscall
// table, and the sizes of the structs strace shows. Data for the BPF `rules` map, resolved to
// argument positions by rules.ts.
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
  TL_CAP_MMSG_EXIT,
  TL_CAP_MSG,
  TL_CAP_MSG_EXIT,
  TL_CAP_NEW_FDS,
  TL_CAP_STR,
  TL_CAP_STRUCT_ENTER,
  TL_CAP_STRUCT_EXIT,
  TL_CAP_STRV,
  TL_CAP_STRUCT_INOUT,
  TL_NEW_FDS_MAX,
  type CaptureKind,
} from '../wire.js';

/** One capture, with arguments named as in the syscall table. */
export interface CaptureSpec {
  kind: CaptureKind;
  arg: string;
  /** TL_CAP_BUF_ARGLEN: the argument holding the length. */
  lenArg?: string;
  /** TL_CAP_STRUCT_*: bytes to copy. */
  size?: number;
}

/** A capture of `arg` with the length in `lenArg`. */
const withLength =
  (kind: CaptureKind) =>
  (arg: string, lenArg: string): CaptureSpec => ({ kind, arg, lenArg });
/** A capture of `size` bytes at `arg`. */
const sized =
  (kind: CaptureKind) =>
  (arg: string, size: number): CaptureSpec => ({ kind, arg, size });

export const str = (arg: string): CaptureSpec => ({ kind: TL_CAP_STR, arg });
/** A NULL-ended string array: its first `n` strings and how many entries it has. */
export const strv = (arg: string, n: number): CaptureSpec => ({ kind: TL_CAP_STRV, arg, size: n });
/** A buffer read at enter, `lenArg` bytes (or elements of `size` bytes). */
export const bufArgLen = (arg: string, lenArg: string, size?: number): CaptureSpec => ({
  kind: TL_CAP_BUF_ARGLEN,
  arg,
  lenArg,
  ...(size !== undefined ? { size } : {}),
});
/** A buffer the call filled, read at exit: as many bytes (or elements) as it returned. */
export const bufRetLen = (arg: string, size?: number): CaptureSpec => ({
  kind: TL_CAP_BUF_RETLEN,
  arg,
  ...(size !== undefined ? { size } : {}),
});
/** A buffer read at exit, `lenArg` elements of `size` bytes, if the call succeeded. */
export const bufArgLenExit = (arg: string, lenArg: string, size: number): CaptureSpec => ({
  kind: TL_CAP_BUF_ARGLEN_EXIT,
  arg,
  lenArg,
  size,
});
/** An iovec array of `lenArg` entries: the buffers' bytes at enter (writev) or at exit (readv). */
export const iov = withLength(TL_CAP_IOV);
export const iovOut = withLength(TL_CAP_IOV_EXIT);
/** A struct user_msghdr with its name, control data and iovecs: sendmsg's, or recvmsg's. */
export const msg = (arg: string): CaptureSpec => ({ kind: TL_CAP_MSG, arg });
export const msgOut = (arg: string): CaptureSpec => ({ kind: TL_CAP_MSG_EXIT, arg });
/** sendmmsg/recvmmsg's messages, at exit: msg_len is known then, for sending too. */
export const mmsgOut = (arg: string): CaptureSpec => ({ kind: TL_CAP_MMSG_EXIT, arg });
/** select's three fd sets (from `first` on, `bits` wide) and timeout, before and after. */
export const fdSets = (first: string, bits: string): CaptureSpec[] => [
  { kind: TL_CAP_FDSETS, arg: first, lenArg: bits },
  { kind: TL_CAP_FDSETS_EXIT, arg: first, lenArg: bits },
];
/** getdents: how many records the call returned (strace's `/* 5 entries *\/`). */
export const direntCount = (arg: string): CaptureSpec => ({ kind: TL_CAP_DIRENTS, arg });
/** Whatever keyed_rules says for the value of `selector` (ioctl's request, prctl's option). */
export const keyed = (selector: string): CaptureSpec => ({
  kind: TL_CAP_KEYED,
  arg: selector,
  lenArg: selector,
});
/** `size` bytes of a struct: read at enter (what the call is given), or at exit (what it fills). */
export const inStruct = sized(TL_CAP_STRUCT_ENTER);
export const outStruct = sized(TL_CAP_STRUCT_EXIT);
/** Both: read at enter, and again at exit if the call succeeded (accept's addrlen). */
export const inOutStruct = sized(TL_CAP_STRUCT_INOUT);

/** A capture's `arg` that is no argument: the fds the call made (TL_ARG_NEW_FDS). */
export const NEW_FDS = '<new fds>';
/**
 * What the fd the call returned is, read from the process's fd table at exit (its inode): the
 * fd table names it from this (`socket:[INODE]`), not from /proc read later, when the number
 * may be another socket's (fd-table.ts).
 */
export const newFd = (): CaptureSpec => ({ kind: TL_CAP_NEW_FDS, arg: NEW_FDS });
/** The same for the fds a call wrote into the int array `arg` (pipe's, socketpair's). */
export const newFdPair = (arg: string): CaptureSpec => ({
  kind: TL_CAP_NEW_FDS,
  arg: NEW_FDS,
  lenArg: arg,
  size: TL_NEW_FDS_MAX,
});

// Sizes of what strace shows of each struct (x86_64): a prefix is enough where strace
// abbreviates (stat shows st_mode and st_size, 56 bytes in).
export const STAT = 56;
export const STATX = 0x90;
export const STATFS = 88;
export const TIMESPEC = 16;
export const ITIMERSPEC = 32;
export const SIGSET = 8;
export const SIGACTION = 32;
export const SOCKADDR = 128;
export const SOCKLEN = 4;
export const RLIMIT = 16;
export const UTSNAME = 130;
export const SYSINFO = 112;
export const POLLFD = 8;
export const EPOLL_EVENT = 12;
export const GID = 4;
/** siginfo_t up to the fields strace shows for a signal sent by a process (pid, uid, value). */
export const SIGINFO_HEAD = 32;
/** struct user_msghdr up to and with msg_namelen (and its padding). */
export const MSGHDR_HEAD = 16;
/** pselect6's sixth argument: { const sigset_t *ss; size_t ss_len }. */
export const PSELECT_SIG = 16;

export const path1 = (arg: string): CaptureSpec[] => [str(arg)];
export const twoPaths = (a: string, b: string): CaptureSpec[] => [str(a), str(b)];

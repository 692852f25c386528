// The smaller tables: *at flags, access modes, fcntl, futex, prctl, clocks, poll and epoll,
// ioctl requests, wait, clone, resources, file types. Values are x86_64's; names and order are
// strace's, so a flag set prints as strace prints it.
import { FCNTL_CMD } from '../../syscalls/uapi/fcntl.js';
import { IOCTL_REQUEST } from '../../syscalls/uapi/ioctl.js';
import { xlat, xlatOf, xlatPick } from '../flags.js';

/** The *at calls' flags by name; AT_EACCESS shares AT_REMOVEDIR's bit (faccessat2's meaning). */
export const AT = {
  AT_SYMLINK_NOFOLLOW: 0x100,
  AT_REMOVEDIR: 0x200,
  AT_EACCESS: 0x200,
  AT_SYMLINK_FOLLOW: 0x400,
  AT_NO_AUTOMOUNT: 0x800,
  AT_EMPTY_PATH: 0x1000,
  AT_RECURSIVE: 0x8000,
} as const;

export const AT_FLAGS = xlatPick(AT, [
  'AT_SYMLINK_NOFOLLOW',
  'AT_REMOVEDIR',
  'AT_SYMLINK_FOLLOW',
  'AT_NO_AUTOMOUNT',
  'AT_EMPTY_PATH',
  'AT_RECURSIVE',
]);

/** faccessat2 names 0x200 AT_EACCESS (AT_REMOVEDIR elsewhere). */
export const FACCESSAT_FLAGS = xlatPick(AT, ['AT_SYMLINK_NOFOLLOW', 'AT_EACCESS', 'AT_EMPTY_PATH']);

export const STATX_SYNC_TYPES = xlat([
  ['AT_STATX_SYNC_AS_STAT', 0x0000],
  ['AT_STATX_FORCE_SYNC', 0x2000],
  ['AT_STATX_DONT_SYNC', 0x4000],
]);
export const AT_STATX_SYNC_TYPE = 0x6000n;

export const STATX_MASK = xlat([
  ['STATX_ALL', 0xfff],
  ['STATX_BASIC_STATS', 0x7ff],
  ['STATX_TYPE', 0x1],
  ['STATX_MODE', 0x2],
  ['STATX_NLINK', 0x4],
  ['STATX_UID', 0x8],
  ['STATX_GID', 0x10],
  ['STATX_ATIME', 0x20],
  ['STATX_MTIME', 0x40],
  ['STATX_CTIME', 0x80],
  ['STATX_INO', 0x100],
  ['STATX_SIZE', 0x200],
  ['STATX_BLOCKS', 0x400],
  ['STATX_BTIME', 0x800],
  ['STATX_MNT_ID', 0x1000],
  ['STATX_DIOALIGN', 0x2000],
  ['STATX_MNT_ID_UNIQUE', 0x4000],
  ['STATX_SUBVOL', 0x8000],
  ['STATX_WRITE_ATOMIC', 0x10000],
  ['STATX_DIO_READ_ALIGN', 0x20000],
]);

export const STATX_ATTRIBUTES = xlat([
  ['STATX_ATTR_COMPRESSED', 0x4],
  ['STATX_ATTR_IMMUTABLE', 0x10],
  ['STATX_ATTR_APPEND', 0x20],
  ['STATX_ATTR_NODUMP', 0x40],
  ['STATX_ATTR_ENCRYPTED', 0x800],
  ['STATX_ATTR_AUTOMOUNT', 0x1000],
  ['STATX_ATTR_MOUNT_ROOT', 0x2000],
  ['STATX_ATTR_VERITY', 0x100000],
  ['STATX_ATTR_DAX', 0x200000],
]);

export const ACCESS_MODES = xlat([
  ['R_OK', 4],
  ['W_OK', 2],
  ['X_OK', 1],
]);

export const SEEK_WHENCE = xlat([
  ['SEEK_SET', 0],
  ['SEEK_CUR', 1],
  ['SEEK_END', 2],
  ['SEEK_DATA', 3],
  ['SEEK_HOLE', 4],
]);

export const FCNTL_CMDS = xlatOf(FCNTL_CMD);

export const FD_FLAGS = xlat([['FD_CLOEXEC', 1]]);

export const SEAL_FLAGS = xlat([
  ['F_SEAL_SEAL', 1],
  ['F_SEAL_SHRINK', 2],
  ['F_SEAL_GROW', 4],
  ['F_SEAL_WRITE', 8],
  ['F_SEAL_FUTURE_WRITE', 16],
  ['F_SEAL_EXEC', 32],
]);

export const FLOCK_OPS = xlat([
  ['LOCK_SH', 1],
  ['LOCK_EX', 2],
  ['LOCK_NB', 4],
  ['LOCK_UN', 8],
]);

/** futex's commands, by name: the decoders of its arguments test some of them. */
export const FUTEX_OP = {
  FUTEX_WAIT: 0,
  FUTEX_WAKE: 1,
  FUTEX_FD: 2,
  FUTEX_REQUEUE: 3,
  FUTEX_CMP_REQUEUE: 4,
  FUTEX_WAKE_OP: 5,
  FUTEX_LOCK_PI: 6,
  FUTEX_UNLOCK_PI: 7,
  FUTEX_TRYLOCK_PI: 8,
  FUTEX_WAIT_BITSET: 9,
  FUTEX_WAKE_BITSET: 10,
  FUTEX_WAIT_REQUEUE_PI: 11,
  FUTEX_CMP_REQUEUE_PI: 12,
  FUTEX_LOCK_PI2: 13,
} as const;
export const FUTEX_OPS = xlatOf(FUTEX_OP);
export const FUTEX_PRIVATE_FLAG = 128n;
export const FUTEX_CLOCK_REALTIME = 256n;

export const ARCH_PRCTL_CODES = xlat([
  ['ARCH_SET_GS', 0x1001],
  ['ARCH_SET_FS', 0x1002],
  ['ARCH_GET_FS', 0x1003],
  ['ARCH_GET_GS', 0x1004],
  ['ARCH_GET_CPUID', 0x1011],
  ['ARCH_SET_CPUID', 0x1012],
  ['ARCH_GET_XCOMP_SUPP', 0x1021],
  ['ARCH_GET_XCOMP_PERM', 0x1022],
  ['ARCH_REQ_XCOMP_PERM', 0x1023],
  ['ARCH_GET_XCOMP_GUEST_PERM', 0x1024],
  ['ARCH_REQ_XCOMP_GUEST_PERM', 0x1025],
  ['ARCH_MAP_VDSO_X32', 0x2001],
  ['ARCH_MAP_VDSO_32', 0x2002],
  ['ARCH_MAP_VDSO_64', 0x2003],
  ['ARCH_SHSTK_ENABLE', 0x5001],
  ['ARCH_SHSTK_DISABLE', 0x5002],
  ['ARCH_SHSTK_LOCK', 0x5003],
  ['ARCH_SHSTK_UNLOCK', 0x5004],
  ['ARCH_SHSTK_STATUS', 0x5005],
]);

export const CLOCK_IDS = xlat([
  ['CLOCK_REALTIME', 0],
  ['CLOCK_MONOTONIC', 1],
  ['CLOCK_PROCESS_CPUTIME_ID', 2],
  ['CLOCK_THREAD_CPUTIME_ID', 3],
  ['CLOCK_MONOTONIC_RAW', 4],
  ['CLOCK_REALTIME_COARSE', 5],
  ['CLOCK_MONOTONIC_COARSE', 6],
  ['CLOCK_BOOTTIME', 7],
  ['CLOCK_REALTIME_ALARM', 8],
  ['CLOCK_BOOTTIME_ALARM', 9],
  ['CLOCK_SGI_CYCLE', 10],
  ['CLOCK_TAI', 11],
]);

export const TIMER_FLAGS = xlat([['TIMER_ABSTIME', 1]]);

export const TIMERFD_FLAGS = xlat([
  ['TFD_TIMER_ABSTIME', 1],
  ['TFD_TIMER_CANCEL_ON_SET', 2],
  ['TFD_NONBLOCK', 0o4000],
  ['TFD_CLOEXEC', 0o2000000],
]);

export const POLL_EVENTS = xlat([
  ['POLLIN', 0x1],
  ['POLLPRI', 0x2],
  ['POLLOUT', 0x4],
  ['POLLERR', 0x8],
  ['POLLHUP', 0x10],
  ['POLLNVAL', 0x20],
  ['POLLRDNORM', 0x40],
  ['POLLRDBAND', 0x80],
  ['POLLWRNORM', 0x100],
  ['POLLWRBAND', 0x200],
  ['POLLMSG', 0x400],
  ['POLLREMOVE', 0x1000],
  ['POLLRDHUP', 0x2000],
]);

export const EPOLL_CTL_OPS = xlat([
  ['EPOLL_CTL_ADD', 1],
  ['EPOLL_CTL_DEL', 2],
  ['EPOLL_CTL_MOD', 3],
]);

export const EPOLL_EVENTS = xlat([
  ['EPOLLIN', 0x1],
  ['EPOLLPRI', 0x2],
  ['EPOLLOUT', 0x4],
  ['EPOLLERR', 0x8],
  ['EPOLLHUP', 0x10],
  ['EPOLLNVAL', 0x20],
  ['EPOLLRDNORM', 0x40],
  ['EPOLLRDBAND', 0x80],
  ['EPOLLWRNORM', 0x100],
  ['EPOLLWRBAND', 0x200],
  ['EPOLLMSG', 0x400],
  ['EPOLLRDHUP', 0x2000],
  ['EPOLLEXCLUSIVE', 0x10000000],
  ['EPOLLWAKEUP', 0x20000000],
  ['EPOLLONESHOT', 0x40000000],
  ['EPOLLET', 0x80000000],
]);

/** O_CLOEXEC / O_NONBLOCK as the fd-making calls name them. */
export const EPOLL_CREATE_FLAGS = xlat([['EPOLL_CLOEXEC', 0o2000000]]);
export const EFD_FLAGS = xlat([
  ['EFD_SEMAPHORE', 1],
  ['EFD_NONBLOCK', 0o4000],
  ['EFD_CLOEXEC', 0o2000000],
]);
export const SFD_FLAGS = xlat([
  ['SFD_NONBLOCK', 0o4000],
  ['SFD_CLOEXEC', 0o2000000],
]);
export const IN_INIT_FLAGS = xlat([
  ['IN_NONBLOCK', 0o4000],
  ['IN_CLOEXEC', 0o2000000],
]);
export const MFD_FLAGS = xlat([
  ['MFD_CLOEXEC', 1],
  ['MFD_ALLOW_SEALING', 2],
  ['MFD_HUGETLB', 4],
  ['MFD_NOEXEC_SEAL', 8],
  ['MFD_EXEC', 0x10],
]);
export const GRND_FLAGS = xlat([
  ['GRND_NONBLOCK', 1],
  ['GRND_RANDOM', 2],
  ['GRND_INSECURE', 4],
]);
/** preadv2/pwritev2 flags (linux/fs.h). */
export const RWF_FLAGS = xlat([
  ['RWF_HIPRI', 1],
  ['RWF_DSYNC', 2],
  ['RWF_SYNC', 4],
  ['RWF_NOWAIT', 8],
  ['RWF_APPEND', 0x10],
  ['RWF_NOAPPEND', 0x20],
]);
export const RENAME_FLAGS = xlat([
  ['RENAME_NOREPLACE', 1],
  ['RENAME_EXCHANGE', 2],
  ['RENAME_WHITEOUT', 4],
]);
export const UMOUNT_FLAGS = xlat([
  ['MNT_FORCE', 1],
  ['MNT_DETACH', 2],
  ['MNT_EXPIRE', 4],
  ['UMOUNT_NOFOLLOW', 8],
]);
export const MOUNT_FLAGS = xlat([
  ['MS_RDONLY', 1],
  ['MS_NOSUID', 2],
  ['MS_NODEV', 4],
  ['MS_NOEXEC', 8],
  ['MS_SYNCHRONOUS', 16],
  ['MS_REMOUNT', 32],
  ['MS_MANDLOCK', 64],
  ['MS_DIRSYNC', 128],
  ['MS_NOSYMFOLLOW', 256],
  ['MS_NOATIME', 1024],
  ['MS_NODIRATIME', 2048],
  ['MS_BIND', 4096],
  ['MS_MOVE', 8192],
  ['MS_REC', 16384],
  ['MS_SILENT', 32768],
  ['MS_POSIXACL', 1 << 16],
  ['MS_UNBINDABLE', 1 << 17],
  ['MS_PRIVATE', 1 << 18],
  ['MS_SLAVE', 1 << 19],
  ['MS_SHARED', 1 << 20],
  ['MS_RELATIME', 1 << 21],
  ['MS_KERNMOUNT', 1 << 22],
  ['MS_I_VERSION', 1 << 23],
  ['MS_STRICTATIME', 1 << 24],
  ['MS_LAZYTIME', 1 << 25],
]);

export const WAIT_OPTIONS = xlat([
  ['WNOHANG', 1],
  ['WUNTRACED', 2],
  ['WEXITED', 4],
  ['WCONTINUED', 8],
  ['WNOWAIT', 0x01000000],
  ['__WNOTHREAD', 0x20000000],
  ['__WALL', 0x40000000],
  ['__WCLONE', 0x80000000],
]);

export const CLONE_FLAGS = xlat([
  ['CLONE_VM', 0x00000100],
  ['CLONE_FS', 0x00000200],
  ['CLONE_FILES', 0x00000400],
  ['CLONE_SIGHAND', 0x00000800],
  ['CLONE_PIDFD', 0x00001000],
  ['CLONE_PTRACE', 0x00002000],
  ['CLONE_VFORK', 0x00004000],
  ['CLONE_PARENT', 0x00008000],
  ['CLONE_THREAD', 0x00010000],
  ['CLONE_NEWNS', 0x00020000],
  ['CLONE_SYSVSEM', 0x00040000],
  ['CLONE_SETTLS', 0x00080000],
  ['CLONE_PARENT_SETTID', 0x00100000],
  ['CLONE_CHILD_CLEARTID', 0x00200000],
  ['CLONE_DETACHED', 0x00400000],
  ['CLONE_UNTRACED', 0x00800000],
  ['CLONE_CHILD_SETTID', 0x01000000],
  ['CLONE_NEWCGROUP', 0x02000000],
  ['CLONE_NEWUTS', 0x04000000],
  ['CLONE_NEWIPC', 0x08000000],
  ['CLONE_NEWUSER', 0x10000000],
  ['CLONE_NEWPID', 0x20000000],
  ['CLONE_NEWNET', 0x40000000],
  ['CLONE_IO', 0x80000000],
  ['CLONE_CLEAR_SIGHAND', 0x100000000],
  ['CLONE_INTO_CGROUP', 0x200000000],
]);
export const CLONE_SETTLS = 0x00080000n;
export const CLONE_PARENT_SETTID = 0x00100000n;
export const CLONE_CHILD_SETTID = 0x01000000n;
export const CLONE_CHILD_CLEARTID = 0x00200000n;

export const RLIMIT_RESOURCES = xlat([
  ['RLIMIT_CPU', 0],
  ['RLIMIT_FSIZE', 1],
  ['RLIMIT_DATA', 2],
  ['RLIMIT_STACK', 3],
  ['RLIMIT_CORE', 4],
  ['RLIMIT_RSS', 5],
  ['RLIMIT_NPROC', 6],
  ['RLIMIT_NOFILE', 7],
  ['RLIMIT_MEMLOCK', 8],
  ['RLIMIT_AS', 9],
  ['RLIMIT_LOCKS', 10],
  ['RLIMIT_SIGPENDING', 11],
  ['RLIMIT_MSGQUEUE', 12],
  ['RLIMIT_NICE', 13],
  ['RLIMIT_RTPRIO', 14],
  ['RLIMIT_RTTIME', 15],
]);

export const RUSAGE_WHO = xlat([
  ['RUSAGE_SELF', 0],
  ['RUSAGE_CHILDREN', -1],
  ['RUSAGE_THREAD', 1],
]);

export const PRIO_WHICH = xlat([
  ['PRIO_PROCESS', 0],
  ['PRIO_PGRP', 1],
  ['PRIO_USER', 2],
]);

export const ITIMER_WHICH = xlat([
  ['ITIMER_REAL', 0],
  ['ITIMER_VIRTUAL', 1],
  ['ITIMER_PROF', 2],
]);

export const SCHED_POLICIES = xlat([
  ['SCHED_OTHER', 0],
  ['SCHED_FIFO', 1],
  ['SCHED_RR', 2],
  ['SCHED_BATCH', 3],
  ['SCHED_ISO', 4],
  ['SCHED_IDLE', 5],
  ['SCHED_DEADLINE', 6],
]);

export const MEMBARRIER_CMDS = xlat([
  ['MEMBARRIER_CMD_QUERY', 0],
  ['MEMBARRIER_CMD_GLOBAL', 1],
  ['MEMBARRIER_CMD_GLOBAL_EXPEDITED', 2],
  ['MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED', 4],
  ['MEMBARRIER_CMD_PRIVATE_EXPEDITED', 8],
  ['MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED', 16],
  ['MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE', 32],
  ['MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE', 64],
  ['MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ', 128],
  ['MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ', 256],
]);

export const FADVISE_ADVICE = xlat([
  ['POSIX_FADV_NORMAL', 0],
  ['POSIX_FADV_RANDOM', 1],
  ['POSIX_FADV_SEQUENTIAL', 2],
  ['POSIX_FADV_WILLNEED', 3],
  ['POSIX_FADV_DONTNEED', 4],
  ['POSIX_FADV_NOREUSE', 5],
]);

export const FALLOC_FLAGS = xlat([
  ['FALLOC_FL_KEEP_SIZE', 1],
  ['FALLOC_FL_PUNCH_HOLE', 2],
  ['FALLOC_FL_NO_HIDE_STALE', 4],
  ['FALLOC_FL_COLLAPSE_RANGE', 8],
  ['FALLOC_FL_ZERO_RANGE', 0x10],
  ['FALLOC_FL_INSERT_RANGE', 0x20],
  ['FALLOC_FL_UNSHARE_RANGE', 0x40],
]);

export const XATTR_FLAGS = xlat([
  ['XATTR_CREATE', 1],
  ['XATTR_REPLACE', 2],
]);

/** ioctl requests strace names for ttys, sockets and files (FICLONE's `A or B` is ioctl.ts's). */
export const IOCTL_REQUESTS = xlatOf(IOCTL_REQUEST);

/** st_mode's file type bits. */
export const S_IFMT = 0o170000n;
export const FILE_TYPES = xlat([
  ['S_IFSOCK', 0o140000],
  ['S_IFLNK', 0o120000],
  ['S_IFREG', 0o100000],
  ['S_IFBLK', 0o60000],
  ['S_IFDIR', 0o40000],
  ['S_IFCHR', 0o20000],
  ['S_IFIFO', 0o10000],
]);
export const MODE_SPECIAL_BITS = xlat([
  ['S_ISUID', 0o4000],
  ['S_ISGID', 0o2000],
  ['S_ISVTX', 0o1000],
]);

export const FS_MAGICS = xlat([
  ['ADFS_SUPER_MAGIC', 0xadf5],
  ['AFS_SUPER_MAGIC', 0x5346414f],
  ['AUTOFS_SUPER_MAGIC', 0x0187],
  ['BPF_FS_MAGIC', 0xcafe4a11],
  ['BTRFS_SUPER_MAGIC', 0x9123683e],
  ['CGROUP_SUPER_MAGIC', 0x27e0eb],
  ['CGROUP2_SUPER_MAGIC', 0x63677270],
  ['DEBUGFS_MAGIC', 0x64626720],
  ['DEVPTS_SUPER_MAGIC', 0x1cd1],
  ['EXT2_SUPER_MAGIC', 0xef53],
  ['FUSE_SUPER_MAGIC', 0x65735546],
  ['HUGETLBFS_MAGIC', 0x958458f6],
  ['MQUEUE_MAGIC', 0x19800202],
  ['NFS_SUPER_MAGIC', 0x6969],
  ['NSFS_MAGIC', 0x6e736673],
  ['OVERLAYFS_SUPER_MAGIC', 0x794c7630],
  ['PIPEFS_MAGIC', 0x50495045],
  ['PROC_SUPER_MAGIC', 0x9fa0],
  ['RAMFS_MAGIC', 0x858458f6],
  ['SECURITYFS_MAGIC', 0x73636673],
  ['SOCKFS_MAGIC', 0x534f434b],
  ['SQUASHFS_MAGIC', 0x73717368],
  ['SYSFS_MAGIC', 0x62656572],
  ['TMPFS_MAGIC', 0x01021994],
  ['TRACEFS_MAGIC', 0x74726163],
  ['V9FS_MAGIC', 0x01021997],
  ['XFS_SUPER_MAGIC', 0x58465342],
  ['ZFS_SUPER_MAGIC', 0x2fc12fc1],
]);

export const STATFS_FLAGS = xlat([
  ['ST_RDONLY', 1],
  ['ST_NOSUID', 2],
  ['ST_NODEV', 4],
  ['ST_NOEXEC', 8],
  ['ST_SYNCHRONOUS', 16],
  ['ST_VALID', 32],
  ['ST_MANDLOCK', 64],
  ['ST_NOATIME', 1024],
  ['ST_NODIRATIME', 2048],
  ['ST_RELATIME', 4096],
  ['ST_NOSYMFOLLOW', 8192],
]);

export const PERSONALITY = xlat([['PER_LINUX', 0]]);

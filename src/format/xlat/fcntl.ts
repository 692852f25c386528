// From include/uapi/asm-generic/fcntl.h (x86_64 values) and strace's xlat/open_*.in, whose
// order this keeps: a flag made of several bits comes before its parts.
import { xlat } from '../flags.js';

export const AT_FDCWD = -100n;

/** O_ACCMODE part of open flags, indexed by value. */
export const OPEN_ACCESS_MODES = xlat([
  ['O_RDONLY', 0],
  ['O_WRONLY', 1],
  ['O_RDWR', 2],
  ['O_ACCMODE', 3],
]);

export const O_ACCMODE = 3n;
export const O_CREAT = 0o100n;
/** The bit O_TMPFILE adds to O_DIRECTORY; with it, open takes a mode as with O_CREAT. */
export const __O_TMPFILE = 0o20000000n;

export const OPEN_MODE_FLAGS = xlat([
  ['O_CREAT', O_CREAT],
  ['O_EXCL', 0o200],
  ['O_NOCTTY', 0o400],
  ['O_TRUNC', 0o1000],
  ['O_APPEND', 0o2000],
  ['O_NONBLOCK', 0o4000],
  ['O_SYNC', 0o4010000],
  ['__O_SYNC', 0o4000000],
  ['O_DSYNC', 0o10000],
  ['O_DIRECT', 0o40000],
  ['O_LARGEFILE', 0o100000],
  ['O_NOFOLLOW', 0o400000],
  ['O_NOATIME', 0o1000000],
  ['O_CLOEXEC', 0o2000000],
  ['O_PATH', 0o10000000],
  ['O_TMPFILE', 0o20200000],
  ['__O_TMPFILE', __O_TMPFILE],
  ['O_DIRECTORY', 0o200000],
  ['FASYNC', 0o20000],
]);

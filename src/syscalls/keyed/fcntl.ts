// What to capture per fcntl command (strace's fcntl.c decodes these): struct flock for the
// record locks, struct f_owner_ex for F_{GET,SET}OWN_EX, in the third argument.
import { FCNTL_CMD as F } from '../uapi/fcntl.js';
import type { KeyedCapture } from './capture.js';

/** struct flock on x86_64 (the same as struct flock64): type, whence, start, len, pid. */
export const FLOCK_BYTES = 32;
export const F_OWNER_EX_BYTES = 8;

export const FCNTL_CAPTURES: readonly KeyedCapture[] = [
  { selector: F.F_GETLK, arg: 'arg', kind: 'out', size: FLOCK_BYTES },
  { selector: F.F_SETLK, arg: 'arg', kind: 'in', size: FLOCK_BYTES },
  { selector: F.F_SETLKW, arg: 'arg', kind: 'in', size: FLOCK_BYTES },
  { selector: F.F_OFD_GETLK, arg: 'arg', kind: 'out', size: FLOCK_BYTES },
  { selector: F.F_OFD_SETLK, arg: 'arg', kind: 'in', size: FLOCK_BYTES },
  { selector: F.F_OFD_SETLKW, arg: 'arg', kind: 'in', size: FLOCK_BYTES },
  { selector: F.F_GETOWN_EX, arg: 'arg', kind: 'out', size: F_OWNER_EX_BYTES },
  { selector: F.F_SETOWN_EX, arg: 'arg', kind: 'in', size: F_OWNER_EX_BYTES },
];

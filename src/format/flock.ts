// fcntl's struct arguments as strace 6.1 prints them (src/fcntl.c): struct flock for the
// record locks, struct f_owner_ex for F_{GET,SET}OWN_EX; and what to capture per command.
import type { Param } from '../wire.js';
import { xlat } from './flags.js';
import { pointedText, xvalText, type KeyedCapture } from './ioctl.js';
import { SEEK_WHENCE } from './xlat/misc.js';

const F_GETLK = 5;
const F_SETLK = 6;
const F_SETLKW = 7;
const F_SETOWN_EX = 15;
const F_GETOWN_EX = 16;
const F_OFD_GETLK = 36;
const F_OFD_SETLK = 37;
const F_OFD_SETLKW = 38;

/** struct flock on x86_64 (the same as struct flock64): type, whence, start, len, pid. */
export const FLOCK_BYTES = 32;
const F_OWNER_EX_BYTES = 8;

/** l_type (strace's xlat/lockfcmds.in). */
export const LOCK_TYPES = xlat([
  ['F_RDLCK', 0],
  ['F_WRLCK', 1],
  ['F_UNLCK', 2],
  ['F_EXLCK', 4],
  ['F_SHLCK', 8],
]);

export const F_OWNER_TYPES = xlat([
  ['F_OWNER_TID', 0],
  ['F_OWNER_PID', 1],
  ['F_OWNER_PGRP', 2],
]);

/** What to capture, per fcntl command: the third argument (index 2). */
export const FCNTL_CAPTURES: readonly KeyedCapture[] = [
  { selector: F_GETLK, arg: 2, kind: 'out', size: FLOCK_BYTES },
  { selector: F_SETLK, arg: 2, kind: 'in', size: FLOCK_BYTES },
  { selector: F_SETLKW, arg: 2, kind: 'in', size: FLOCK_BYTES },
  { selector: F_OFD_GETLK, arg: 2, kind: 'out', size: FLOCK_BYTES },
  { selector: F_OFD_SETLK, arg: 2, kind: 'in', size: FLOCK_BYTES },
  { selector: F_OFD_SETLKW, arg: 2, kind: 'in', size: FLOCK_BYTES },
  { selector: F_GETOWN_EX, arg: 2, kind: 'out', size: F_OWNER_EX_BYTES },
  { selector: F_SETOWN_EX, arg: 2, kind: 'in', size: F_OWNER_EX_BYTES },
];

/**
 * struct flock: {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0}; `withPid` adds
 * l_pid, which strace shows for the F_GETLK results.
 */
export function formatFlock(b: Buffer, withPid = false): string | undefined {
  if (b.length < (withPid ? 28 : 24)) return undefined;
  const type = xvalText(BigInt(b.readUInt16LE(0)), LOCK_TYPES, 'F_???');
  const whence = xvalText(BigInt(b.readUInt16LE(2)), SEEK_WHENCE, 'SEEK_???');
  const pid = withPid ? `, l_pid=${b.readInt32LE(24)}` : '';
  return (
    `{l_type=${type}, l_whence=${whence}, l_start=${b.readBigInt64LE(8)}, ` +
    `l_len=${b.readBigInt64LE(16)}${pid}}`
  );
}

/** struct f_owner_ex: {type=F_OWNER_PID, pid=1234}. */
export function formatFOwnerEx(b: Buffer): string | undefined {
  if (b.length < F_OWNER_EX_BYTES) return undefined;
  const type = xvalText(BigInt(b.readUInt32LE(0)), F_OWNER_TYPES, 'F_OWNER_???');
  return `{type=${type}, pid=${b.readInt32LE(4)}}`;
}

/**
 * fcntl's third argument for the commands in FCNTL_CAPTURES, or undefined for any other
 * command (decoded elsewhere). `param` is its capture; for the F_GET* ones it is taken at
 * exit and absent when the call failed, which prints the address, as strace does.
 */
export function formatFcntlStructArg(
  cmd: number,
  value: bigint,
  param: Param | undefined,
): string | undefined {
  switch (cmd) {
    case F_GETLK:
    case F_OFD_GETLK:
      return pointedText(value, param, (b) => formatFlock(b, true));
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
      return pointedText(value, param, (b) => formatFlock(b));
    case F_GETOWN_EX:
    case F_SETOWN_EX:
      return pointedText(value, param, formatFOwnerEx);
    default:
      return undefined;
  }
}

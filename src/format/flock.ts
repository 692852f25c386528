// fcntl's struct arguments as strace 6.1 prints them (src/fcntl.c): struct flock for the
// record locks, struct f_owner_ex for F_{GET,SET}OWN_EX. What each command captures is
// src/syscalls/keyed/fcntl.ts.
import type { Param } from '../wire.js';
import { F_OWNER_EX_BYTES } from '../syscalls/keyed/fcntl.js';
import { FCNTL_CMD as F } from '../syscalls/uapi/fcntl.js';
import { xlat } from './flags.js';
import { pointedText, xvalText } from './print.js';
import { SEEK_WHENCE } from './xlat/misc.js';

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
 * fcntl's third argument for the commands that capture it, or undefined for any other
 * command (decoded elsewhere). `param` is its capture; for the F_GET* ones it is taken at
 * exit and absent when the call failed, which prints the address, as strace does.
 */
export function formatFcntlStructArg(
  cmd: number,
  value: bigint,
  param: Param | undefined,
): string | undefined {
  switch (cmd) {
    case F.F_GETLK:
    case F.F_OFD_GETLK:
      return pointedText(value, param, (b) => formatFlock(b, true));
    case F.F_SETLK:
    case F.F_SETLKW:
    case F.F_OFD_SETLK:
    case F.F_OFD_SETLKW:
      return pointedText(value, param, (b) => formatFlock(b));
    case F.F_GETOWN_EX:
    case F.F_SETOWN_EX:
      return pointedText(value, param, formatFOwnerEx);
    default:
      return undefined;
  }
}

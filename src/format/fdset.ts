// select and pselect6 as strace 6.1 prints them: the fd sets at entry (`[3 4]`), the
// timeout, and the return detail ` (in [3], out [4], left {tv_sec=0, tv_usec=999996})`.
// Also getdents64's entry count, another capture that counts rather than copies.
//
// The capture (struct tl_fdsets_part, 24 bytes: u16 nbits; u8 status[3]; u8 timeout_status;
// u16 reserved; u64 timeout[2]) is followed by the three sets, ceil(nbits/64)*8 bytes each.
// It is taken at entry and again at exit when the call returned > 0.
import { LAYOUT, TL_PARAM_FAULT, TL_PARAM_TRUNCATED, TL_PART_NULL, type Param } from '../wire.js';
import { FAULT, address } from './print.js';

export const FDSETS_PART_BYTES = LAYOUT['sizeof(struct tl_fdsets_part)'];

/** Bytes of each captured set. */
const setBytes = (nbits: number): number => Math.ceil(nbits / 64) * 8;

/** The fds set in set `which` below nbits, or undefined when the capture lacks the set. */
function setBits(p: Param, which: 0 | 1 | 2): number[] | undefined {
  const b = p.bytes;
  if (b.length < FDSETS_PART_BYTES) return undefined;
  const nbits = b.readUInt16LE(0);
  const size = setBytes(nbits);
  const start = FDSETS_PART_BYTES + which * size;
  if (start + size > b.length) return undefined;
  const fds: number[] = [];
  for (let fd = 0; fd < nbits; fd++) {
    if (((b[start + (fd >> 3)] as number) >> (fd & 7)) & 1) fds.push(fd);
  }
  return fds;
}

/**
 * readfds (0), writefds (1) or exceptfds (2) at entry: `[3 4]`, `NULL`, or the fault.
 * strace reads no set when nfds is 0 and prints the pointer: pass `addr` to match; without
 * it an empty set prints `[]`. A set cut at 1024 fds ends with ` ...` (strace would list
 * the fds above).
 */
export function formatFdSet(p: Param, which: 0 | 1 | 2, addr?: bigint): string {
  const b = p.bytes;
  if (b.length < FDSETS_PART_BYTES) return FAULT;
  const status = b.readUInt8(2 + which);
  if (status === TL_PART_NULL) return 'NULL';
  if (status === TL_PARAM_FAULT) return FAULT;
  if (b.readUInt16LE(0) === 0 && addr !== undefined) return address(addr);
  const fds = setBits(p, which);
  if (fds === undefined) return FAULT;
  const more = p.status === TL_PARAM_TRUNCATED ? (fds.length > 0 ? ' ...' : '...') : '';
  return `[${fds.join(' ')}${more}]`;
}

/**
 * The timeout: struct timeval (select) or timespec (pselect6). strace prints the fraction
 * unsigned: tv_usec=-1 reads 18446744073709551615.
 */
export function formatSelectTimeout(p: Param, kind: 'timeval' | 'timespec'): string {
  const b = p.bytes;
  if (b.length < FDSETS_PART_BYTES) return FAULT;
  const status = b.readUInt8(5);
  if (status === TL_PART_NULL) return 'NULL';
  if (status === TL_PARAM_FAULT) return FAULT;
  const frac = kind === 'timeval' ? 'tv_usec' : 'tv_nsec';
  return `{tv_sec=${b.readBigInt64LE(8)}, ${frac}=${b.readBigUInt64LE(16)}}`;
}

/** Past this length strace's 1024-byte buffer takes no more fds (desc.c). */
const OUTSTR_ROOM = 1024 - (11 + 12 + 2);

/**
 * What strace appends to select's return value: ` (Timeout)` for 0; for ret > 0 the ready
 * fds from the exit capture, counted down from ret across in, out and except as strace
 * does, then `left` and the timeout the kernel left when there was one. Nothing for an
 * error, or when there is no exit capture.
 */
export function selectReturnDetail(
  ret: bigint,
  exitP: Param | undefined,
  kind: 'timeval' | 'timespec',
): string {
  if (ret === 0n) return ' (Timeout)';
  if (ret < 0n || !exitP || exitP.bytes.length < FDSETS_PART_BYTES) return '';
  let ready = ret;
  let out = '';
  let sep = '';
  const names = ['in', 'out', 'except'] as const;
  for (const which of [0, 1, 2] as const) {
    if (ready <= 0n) break;
    const status = exitP.bytes.readUInt8(2 + which);
    if (status !== 0) continue;
    const fds = setBits(exitP, which);
    if (!fds) continue;
    let first = true;
    for (const fd of fds) {
      if (out.length < OUTSTR_ROOM) {
        out += first ? `${sep}${names[which]} [${fd}` : ` ${fd}`;
        first = false;
        sep = ', ';
      }
      if (--ready === 0n) break;
    }
    // strace closes the bracket whenever anything was written so far, even for a set that
    // added nothing (which consistent kernel data never has); we close only our own.
    if (!first) out += ']';
  }
  // Ready fds above the 1024 we captured: strace would list them.
  if (ready > 0n && exitP.status === TL_PARAM_TRUNCATED) {
    out += `${sep}...`;
    sep = ', ';
  }
  const timeoutStatus = exitP.bytes.readUInt8(5);
  if (timeoutStatus !== TL_PART_NULL) {
    const left = formatSelectTimeout(exitP, kind);
    // strace drops it when it would overflow the same buffer (sizeof "left " counts a NUL).
    if (out.length + 6 + sep.length + left.length < 1024) out += `${sep}left ${left}`;
  }
  return ` (${out})`;
}

/**
 * getdents64's buffer in strace's abbreviated form: `0x55d0c2a0 /* 5 entries *\/`. `p` is
 * the count capture (u32 count; u32 reserved); TL_PARAM_TRUNCATED means counting stopped
 * early, which strace too marks with `+` (`/* 4096+ entries *\/`). A call that failed, or
 * one without a capture, shows the address alone, as strace does for errors.
 */
export function formatDirentCount(
  addr: bigint,
  p: Param | undefined,
  ret: bigint | undefined,
): string {
  const at = address(addr);
  if (ret === undefined || ret < 0n) return at;
  if (ret === 0n) return `${at} /* 0 entries */`;
  if (!p) return at;
  const count = p.bytes.length >= 4 ? p.bytes.readUInt32LE(0) : 0;
  // A buffer that could not be read: strace counts the entries it read (none) and adds `+`.
  const more = p.status === TL_PARAM_TRUNCATED || p.status === TL_PARAM_FAULT ? '+' : '';
  return `${at} /* ${count}${more} entries */`;
}

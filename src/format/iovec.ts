// struct iovec arrays (readv, writev, preadv*, pwritev*, and msg_iov inside a msghdr) as
// strace 6.1 prints them: `[{iov_base="hello", iov_len=5}, {iov_base="", iov_len=4}]`.
//
// The capture is a run of parts, one per array entry from the first, each a 16-byte header
// (struct tl_iov_part: u64 iov_len; u16 len; u8 status; u8 reserved[5]) followed by `len`
// bytes of that entry's buffer, padded to 8. There are at most 16 parts, and fewer when the
// capture room ran out; the Param's `want` is the entry count the call named.
import { LAYOUT, TL_IOV_MAX, TL_PARAM_FAULT, TL_PART_NULL, type Param } from '../wire.js';
import { quote } from './strings.js';
import { FAULT } from './print.js';

export const IOV_PART_HEADER_BYTES = LAYOUT['sizeof(struct tl_iov_part)'];

export const pad8 = (n: number): number => (n + 7) & ~7;

/** One captured array entry. */
export interface IovPart {
  /** iov_len as the call gave it. */
  iovLen: bigint;
  /** 0 ok, TL_PARAM_FAULT, TL_PARAM_TRUNCATED (more bytes than captured), TL_PART_NULL. */
  status: number;
  /** The captured start of the entry's buffer. */
  bytes: Buffer;
}

/**
 * Up to `count` parts from `b` at `offset`. Stops at the first part whose header or bytes
 * run past the end (the capture stopped there): `end` is where the parts read so far end.
 */
export function parseIovParts(
  b: Buffer,
  offset: number,
  count: number,
): { parts: IovPart[]; end: number } {
  const parts: IovPart[] = [];
  let at = offset;
  while (parts.length < count && at + IOV_PART_HEADER_BYTES <= b.length) {
    const len = b.readUInt16LE(at + 8);
    const start = at + IOV_PART_HEADER_BYTES;
    if (start + len > b.length) break;
    parts.push({
      iovLen: b.readBigUInt64LE(at),
      status: b.readUInt8(at + 10),
      bytes: b.subarray(start, start + len),
    });
    at = start + pad8(len);
  }
  return { parts, end: Math.min(at, b.length) };
}

/**
 * One entry's iov_base: its bytes cut at `maxString` with `...` when more existed, whether
 * cut here or by the capture. `avail` is what strace would print of it: iov_len, or what
 * the call filled of it.
 */
function iovBase(part: IovPart, avail: bigint, maxString: number): string {
  if (part.status === TL_PART_NULL) return 'NULL';
  if (part.status === TL_PARAM_FAULT) return FAULT;
  const limit = BigInt(maxString) < avail ? maxString : Number(avail);
  const shown = part.bytes.subarray(0, limit);
  return quote(shown) + (BigInt(shown.length) < avail ? '...' : '');
}

/**
 * An iovec array of `count` entries from its captured parts. strace shows at most
 * `maxString` entries and then `...`; we also end with `...` when fewer parts were captured
 * than strace would show. `filled` (bytes the call returned; readv, recvmsg) limits the
 * bytes shown, in order, as strace does: entries past it show "". `fault`: the array
 * itself could not be read past the parts given.
 */
export function formatIovParts(
  parts: readonly IovPart[],
  count: bigint,
  maxString: number,
  filled?: bigint,
  fault = false,
): string {
  if (count === 0n) return '[]';
  const limit = count > BigInt(maxString) ? maxString : Number(count);
  let left = filled === undefined ? undefined : filled < 0n ? 0n : filled;
  let out = '[';
  const n = Math.min(parts.length, limit);
  for (let i = 0; i < n; i++) {
    const part = parts[i] as IovPart;
    let avail = part.iovLen;
    if (left !== undefined) {
      if (avail > left) avail = left;
      left -= avail;
    }
    if (i > 0) out += ', ';
    out += `{iov_base=${iovBase(part, avail, maxString)}, iov_len=${part.iovLen}}`;
  }
  if (n < limit && fault) {
    // strace: `... /* 0x<address of the entry it could not read> */`; we have no address.
    out += `${n > 0 ? ', ' : ''}... /* ${FAULT} */`;
  } else if (BigInt(n) < count) {
    out += n > 0 ? ', ...' : '...';
  }
  return out + ']';
}

/**
 * A captured iovec array argument (p.want = the iovec count the call named). `filled`: for
 * calls that fill the buffers (readv, preadv, preadv2), the bytes returned; leave it out
 * for the writing calls. Call it only for a call that succeeded: strace shows a failed
 * readv's iov_base as addresses, which the capture does not hold.
 */
export function formatIovec(p: Param, maxString: number, filled?: bigint): string {
  if (p.status === TL_PARAM_FAULT && p.bytes.length < IOV_PART_HEADER_BYTES) return FAULT;
  const count = BigInt(p.want);
  const { parts } = parseIovParts(p.bytes, 0, Math.min(p.want, TL_IOV_MAX));
  return formatIovParts(parts, count, maxString, filled, p.status === TL_PARAM_FAULT);
}

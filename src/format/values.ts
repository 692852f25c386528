// The two ways strace prints a raw number where it knows nothing better, shared by every
// decoder so that they print alike.

/** An address: NULL for 0, else hex (strace's printaddr). */
export const address = (v: bigint): string =>
  v === 0n ? 'NULL' : `0x${BigInt.asUintN(64, v).toString(16)}`;

/** A value in hex, 0 staying 0 (strace's PRINT_VAL_X). */
export const hexValue = (v: bigint | number): string =>
  v === 0n || v === 0
    ? '0'
    : `0x${(typeof v === 'bigint' ? BigInt.asUintN(64, v) : v).toString(16)}`;

/** The text of a capture that could not be read. */
export const FAULT = '<unavailable: fault>';

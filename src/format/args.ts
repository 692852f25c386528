// Argument decoders, one per type name. A type name is either a C type from the generated
// syscall table ('int', 'size_t', 'const char *') or a semantic type chosen in
// src/syscalls/signatures.ts ('fd', 'dirfd', 'open_flags'). Decoding more syscalls means
// naming their argument types there and, for a new kind of value, adding a decoder here.
import type { Param } from '../wire.js';
import { formatFlagSet, lookupXlat } from './flags.js';
import { formatParam } from './strings.js';
import {
  AT_FDCWD,
  O_ACCMODE,
  O_CREAT,
  OPEN_ACCESS_MODES,
  OPEN_MODE_FLAGS,
  __O_TMPFILE,
} from './xlat/fcntl.js';

export interface ArgContext {
  /** The raw values of all arguments of the call; undefined where the record lacks them. */
  readonly args: readonly (bigint | undefined)[];
  /** Which of them is being decoded. */
  readonly index: number;
  /** The captured memory of this argument, if any. */
  readonly param: Param | undefined;
  readonly maxString: number;
}

/** Text for one argument, or null to leave it out (strace omits open's mode without O_CREAT). */
export type ArgDecoder = (value: bigint, ctx: ArgContext) => string | null;

// Registers hold 64 bits; an argument declared narrower uses only the low ones, and the rest
// may be garbage, so narrow before printing.
const int32: ArgDecoder = (v) => BigInt.asIntN(32, v).toString();
const uint32: ArgDecoder = (v) => BigInt.asUintN(32, v).toString();
const int64: ArgDecoder = (v) => BigInt.asIntN(64, v).toString();
const uint64: ArgDecoder = (v) => BigInt.asUintN(64, v).toString();
const hex: ArgDecoder = (v) => (v === 0n ? '0' : `0x${BigInt.asUintN(64, v).toString(16)}`);
/** uid_t and friends: unsigned, but (uid_t)-1 means "unchanged" and strace prints -1. */
const id32: ArgDecoder = (v) => {
  const id = BigInt.asUintN(32, v);
  return id === 0xffffffffn ? '-1' : id.toString();
};

/** A mode as strace prints it: 0644, 000. */
export function octalMode(v: bigint): string {
  const mode = BigInt.asUintN(32, v);
  return mode === 0n ? '000' : `0${mode.toString(8)}`.padStart(3, '0');
}

/** A pointer: what it points to when captured, else its address. */
const pointer: ArgDecoder = (v, ctx) => {
  if (ctx.param) return formatParam(ctx.param, ctx.maxString);
  return v === 0n ? 'NULL' : hex(v, ctx);
};

const dirfd: ArgDecoder = (v, ctx) =>
  BigInt.asIntN(32, v) === AT_FDCWD ? 'AT_FDCWD' : int32(v, ctx);

export function formatOpenFlags(v: bigint): string {
  const flags = BigInt.asUintN(32, v);
  const access = lookupXlat(flags & O_ACCMODE, OPEN_ACCESS_MODES) ?? '';
  const rest = formatFlagSet(flags & ~O_ACCMODE, OPEN_MODE_FLAGS);
  return rest === undefined ? access : `${access}|${rest}`;
}

/** open's mode exists only when the flags (the argument before it) create a file. */
const openMode: ArgDecoder = (v, ctx) => {
  const flags = ctx.args[ctx.index - 1];
  if (flags === undefined || (flags & (O_CREAT | __O_TMPFILE)) === 0n) return null;
  return octalMode(v);
};

export const ARG_DECODERS: Readonly<Record<string, ArgDecoder>> = {
  // semantic types
  fd: int32,
  dirfd,
  open_flags: (v) => formatOpenFlags(v),
  open_mode: openMode,
  hex,
  pointer,
  // C scalar types
  int: int32,
  long: int64,
  'unsigned int': uint32,
  unsigned: uint32,
  'unsigned long': uint64,
  u32: uint32,
  __u32: uint32,
  u64: uint64,
  __u64: uint64,
  size_t: uint64,
  loff_t: int64,
  off_t: int64,
  pid_t: int32,
  uid_t: id32,
  gid_t: id32,
  qid_t: id32,
  umode_t: (v) => octalMode(v),
  clockid_t: int32,
  timer_t: int32,
  key_t: int32,
  key_serial_t: int32,
  mqd_t: int32,
  rwf_t: hex,
  aio_context_t: hex,
  __s32: int32,
  'enum landlock_rule_type': int32,
  // typedefs of pointers
  cap_user_header_t: pointer,
  cap_user_data_t: pointer,
};

/** The decoder of a type; types without one fall back on their shape. */
export function decoderFor(type: string): ArgDecoder {
  const known = ARG_DECODERS[type];
  if (known) return known;
  if (type.includes('*')) return pointer;
  return type.startsWith('unsigned') ? uint64 : int64;
}

/** Arguments of a call whose signature is unknown: strace prints them all in hex. */
export const genericArg: ArgDecoder = hex;

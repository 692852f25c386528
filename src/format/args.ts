// Argument decoders, one per type name. A type name is either a C type from the generated
// syscall table ('int', 'size_t', 'struct stat *') or a semantic type (src/syscalls/
// arg-types.ts: 'fd', 'dirfd', 'open_flags') that a syscall's descriptor
// (src/syscalls/descriptors/) or signatures.ts's by-name table chooses. Decoding more
// syscalls means naming their argument types in their descriptors and, for a new kind of
// value, adding its name to arg-types.ts and its decoder here. Struct layouts are in structs.ts, flag tables in xlat/.
import { TL_PARAM_FAULT, TL_PARAM_TRUNCATED, type Param } from '../wire.js';
import { formatFlagSet, lookupXlat, type Xlat } from './flags.js';
import { int32Text, int64Text, uint32Text, uint64Text } from './ints.js';
import { formatParam, quote } from './strings.js';
import * as S from './structs.js';
import { formatDirentCount, formatFdSet, formatSelectTimeout } from './fdset.js';
import { formatIovec } from './iovec.js';
import { formatMmsgVec, formatMsghdr } from './msghdr.js';
import { formatFcntlStructArg } from './flock.js';
import { formatIoctlArg, formatIoctlRequest } from './ioctl.js';
import { prctlArgTexts } from './prctl.js';
import {
  AT_FDCWD,
  O_ACCMODE,
  O_CREAT,
  OPEN_ACCESS_MODES,
  OPEN_MODE_FLAGS,
  __O_TMPFILE,
} from './xlat/fcntl.js';
import * as M from './xlat/misc.js';
import { MADV_ADVICE, MAP_FLAGS, MAP_TYPES, MAP_TYPE_MASK, PROT_FLAGS } from './xlat/mman.js';
import { MLOCKALL_FLAGS, MREMAP_FLAGS, MSYNC_FLAGS } from './xlat/mman.js';
import { SIGPROCMASK_HOW, signalName } from './xlat/signal.js';
import * as K from './xlat/socket.js';
import { ERRNOS } from './xlat/errno.js';
import { FAULT, address, hexValue } from './print.js';
import { FCNTL_CMD as F } from '../syscalls/uapi/fcntl.js';
import type { ArgType } from '../syscalls/arg-types.js';

export interface ArgContext {
  /** The raw values of all arguments of the call; undefined where the record lacks them. */
  readonly args: readonly (bigint | undefined)[];
  /** Which of them is being decoded. */
  readonly index: number;
  /** The captured memory of this argument, if any (the enter's, else the exit's). */
  readonly param: Param | undefined;
  /** The capture taken at exit, when the argument has one at enter as well (poll). */
  readonly exitParam?: Param | undefined;
  /** What the call returned, once it has. */
  readonly ret?: bigint | undefined;
  /** Captures of the other arguments: at enter (or exit), and those taken at exit. */
  readonly params?: ReadonlyMap<number, Param>;
  readonly exitParams?: ReadonlyMap<number, Param>;
  readonly maxString: number;
}

/** Text for one argument, or null to leave it out (strace omits open's mode without O_CREAT). */
export type ArgDecoder = (value: bigint, ctx: ArgContext) => string | null;

/** The position of one of the call's arguments, by its name in the syscall table. */
export type ArgPosition = (name: string) => number;

/**
 * A decoder that reads another argument of the call (fcntl's arg reads cmd): made once per
 * syscall, the other argument's position resolved by its name then, not written as a number.
 */
export interface BoundDecoder {
  readonly bind: (at: ArgPosition) => ArgDecoder;
}
const bound = (bind: (at: ArgPosition) => ArgDecoder): BoundDecoder => ({ bind });

// Registers hold 64 bits; an argument declared narrower uses only the low ones, and the rest
// may be garbage, so narrow before printing.
const int32: ArgDecoder = (v) => int32Text(v);
const uint32: ArgDecoder = (v) => uint32Text(v);
const int64: ArgDecoder = (v) => int64Text(v);
const uint64: ArgDecoder = (v) => uint64Text(v);
const hex: ArgDecoder = (v) => hexValue(v);
const hex32: ArgDecoder = (v) => {
  const n = BigInt.asUintN(32, v);
  return n === 0n ? '0' : `0x${n.toString(16)}`;
};
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

/** poll's revents, which strace appends to the return value: `2 ([{fd=3, revents=POLLIN}])`. */
export function pollReturnDetail(ret: bigint, ufds: Param | undefined, nfds: bigint): string {
  if (ret === 0n) return ' (Timeout)';
  if (ret < 0n || !ufds || ufds.status === TL_PARAM_FAULT) return '';
  return ` (${S.formatPollfds(ufds.bytes, Number(BigInt.asUintN(32, nfds)), 'revents')})`;
}

/** A pointer: what it points to when captured, else its address (NULL for 0). */
const pointer: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  if (ctx.param) return formatParam(ctx.param, ctx.maxString);
  return address(v);
};

/**
 * A pointer to a struct, decoded by `show` from its captured bytes. No capture (an exit
 * capture of a call that failed, or none asked): the address, as strace prints it.
 */
function struct(show: (b: Buffer, ctx: ArgContext) => string | undefined): ArgDecoder {
  return (v, ctx) => {
    if (v === 0n) return 'NULL';
    const p = ctx.param;
    if (!p) return address(v);
    if (p.status === TL_PARAM_FAULT) return FAULT;
    return show(p.bytes, ctx) ?? address(v);
  };
}

/** A flag set: NAME|NAME|0x.., `zero` for 0. */
function flags(table: readonly Xlat[], zero = '0', bits = 32): ArgDecoder {
  return (v) => formatFlagSet(BigInt.asUintN(bits, v), table) ?? zero;
}

/** An enumeration: its name, or the number with strace's `/* X_??? *\/` note. */
function enumOf(table: readonly Xlat[], unknown: string, signed = true): ArgDecoder {
  return (v) => {
    const n = signed ? BigInt.asIntN(32, v) : BigInt.asUintN(32, v);
    const name = lookupXlat(n, table);
    if (name) return name;
    return `${n < 0n || n < 10n ? n.toString() : `0x${n.toString(16)}`} /* ${unknown} */`;
  };
}

/** A path: strace shows it whole whatever -s says (the kernel side still bounds it). */
const pathArg: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  if (ctx.param) return formatParam(ctx.param, Math.max(ctx.maxString, PATH_MAX));
  return address(v);
};
const PATH_MAX = 4096;

const dirfd: ArgDecoder = (v, ctx) =>
  BigInt.asIntN(32, v) === AT_FDCWD ? 'AT_FDCWD' : int32(v, ctx);

export function formatOpenFlags(v: bigint): string {
  const flags = BigInt.asUintN(32, v);
  const access = lookupXlat(flags & O_ACCMODE, OPEN_ACCESS_MODES) ?? '';
  const rest = formatFlagSet(flags & ~O_ACCMODE, OPEN_MODE_FLAGS);
  return rest === undefined ? access : `${access}|${rest}`;
}

/** open's mode exists only when its flags create a file. */
const openMode = bound((at) => {
  const flagsAt = at('flags');
  return (v, ctx) => {
    const flags = ctx.args[flagsAt];
    if (flags === undefined || (flags & (O_CREAT | __O_TMPFILE)) === 0n) return null;
    return octalMode(v);
  };
});

const signal: ArgDecoder = (v) => signalName(Number(BigInt.asIntN(32, v)));

/** An access() mode: F_OK or R_OK|W_OK|X_OK. */
const accessMode: ArgDecoder = (v) =>
  formatFlagSet(BigInt.asUintN(32, v), M.ACCESS_MODES) ?? 'F_OK';

const mmapFlags: ArgDecoder = (v) => {
  const f = BigInt.asUintN(32, v);
  const type = lookupXlat(f & MAP_TYPE_MASK, MAP_TYPES) ?? `0x${(f & MAP_TYPE_MASK).toString(16)}`;
  const rest = formatFlagSet(f & ~MAP_TYPE_MASK, MAP_FLAGS);
  return rest ? `${type}|${rest}` : type;
};

const sockType: ArgDecoder = (v) => {
  const t = BigInt.asUintN(32, v);
  const base = lookupXlat(t & K.SOCK_TYPE_MASK, K.SOCK_TYPES) ?? `${t & K.SOCK_TYPE_MASK}`;
  const rest = formatFlagSet(t & ~K.SOCK_TYPE_MASK, K.SOCK_FLAGS);
  return rest ? `${base}|${rest}` : base;
};

/** socket()'s protocol, named by the family. */
const sockProtocol = bound((at) => {
  const familyAt = at('family');
  return (v, ctx) => sockProtocolText(v, Number(ctx.args[familyAt] ?? -1n));
});
function sockProtocolText(v: bigint, family: number): string {
  const n = BigInt.asIntN(32, v);
  if (family === K.AF_INET || family === K.AF_INET6) {
    return lookupXlat(n, K.INET_PROTOCOLS) ?? n.toString();
  }
  if (family === K.AF_NETLINK) return lookupXlat(n, K.NETLINK_PROTOCOLS) ?? n.toString();
  return n.toString();
}

/** futex's op: FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME. */
export function formatFutexOp(v: bigint): string {
  const op = BigInt.asUintN(32, v);
  const cmd = op & ~(M.FUTEX_PRIVATE_FLAG | M.FUTEX_CLOCK_REALTIME);
  let name = lookupXlat(cmd, M.FUTEX_OPS) ?? `0x${cmd.toString(16)}`;
  if (op & M.FUTEX_PRIVATE_FLAG) name += '_PRIVATE';
  if (op & M.FUTEX_CLOCK_REALTIME) name += '|FUTEX_CLOCK_REALTIME';
  return name;
}

/** The futex command of this call (its op argument at `opAt`), for the arguments that depend on it. */
const futexCmd = (ctx: ArgContext, opAt: number): bigint =>
  BigInt.asUintN(32, ctx.args[opAt] ?? 0n) & ~(M.FUTEX_PRIVATE_FLAG | M.FUTEX_CLOCK_REALTIME);
const FUTEX_WAIT = BigInt(M.FUTEX_OP.FUTEX_WAIT);
const FUTEX_WAKE = BigInt(M.FUTEX_OP.FUTEX_WAKE);
const FUTEX_WAIT_BITSET = BigInt(M.FUTEX_OP.FUTEX_WAIT_BITSET);
const FUTEX_WAKE_BITSET = BigInt(M.FUTEX_OP.FUTEX_WAKE_BITSET);
/** futex's timeout: shown for the waits only. */
// Each reads the command itself: futex is a hot call, and a shared wrapper would add a call
// per argument.
const futexTimeout = bound((at) => {
  const opAt = at('op');
  return (v, ctx) => {
    const cmd = futexCmd(ctx, opAt);
    if (cmd === FUTEX_WAKE || cmd === FUTEX_WAKE_BITSET) return null;
    if (cmd === FUTEX_WAIT || cmd === FUTEX_WAIT_BITSET) return timespec(v, ctx);
    return hex(v, ctx);
  };
});
const futexUaddr2 = bound((at) => {
  const opAt = at('op');
  return (v, ctx) => {
    const cmd = futexCmd(ctx, opAt);
    if (cmd === FUTEX_WAKE || cmd === FUTEX_WAIT || cmd >= FUTEX_WAIT_BITSET) return null;
    return address(v);
  };
});
const futexVal3 = bound((at) => {
  const opAt = at('op');
  return (v, ctx) => {
    const cmd = futexCmd(ctx, opAt);
    if (cmd === FUTEX_WAKE || cmd === FUTEX_WAIT) return null;
    if (cmd === FUTEX_WAIT_BITSET || cmd === FUTEX_WAKE_BITSET) {
      return BigInt.asUintN(32, v) === 0xffffffffn ? 'FUTEX_BITSET_MATCH_ANY' : hex32(v, ctx);
    }
    return BigInt.asUintN(32, v).toString();
  };
});

const timespec = struct((b) => S.formatTimespec(b));

/** fcntl's third argument, by command; absent for the F_GET* that take none. */
const fcntlArg = bound((at) => {
  const cmdAt = at('cmd');
  return (v, ctx) => fcntlArgText(Number(BigInt.asUintN(32, ctx.args[cmdAt] ?? 0n)), v, ctx);
});
function fcntlArgText(cmd: number, v: bigint, ctx: ArgContext): string | null {
  // struct flock and f_owner_ex, captured by the keyed rules (src/syscalls/keyed/fcntl.ts)
  const struct = formatFcntlStructArg(cmd, v, ctx.param);
  if (struct !== undefined) return struct;
  switch (cmd) {
    case F.F_GETFD:
    case F.F_GETFL:
    case F.F_GETOWN:
    case F.F_GETSIG:
    case F.F_GETLEASE:
    case F.F_GETPIPE_SZ:
    case F.F_GET_SEALS:
      return null;
    case F.F_SETFD:
      return formatFlagSet(BigInt.asUintN(32, v), M.FD_FLAGS) ?? '0';
    case F.F_SETFL:
      return formatOpenFlags(v);
    case F.F_ADD_SEALS:
      return formatFlagSet(BigInt.asUintN(32, v), M.SEAL_FLAGS) ?? '0';
    case F.F_DUPFD:
    case F.F_DUPFD_CLOEXEC:
    case F.F_SETOWN:
    case F.F_SETSIG:
    case F.F_SETPIPE_SZ:
      return int32(v, ctx);
    default:
      return address(v);
  }
}

/** ioctl's third argument, by request (ioctl.ts): a struct, an int, a value or nothing. */
const ioctlArg = bound((at) => {
  const cmdAt = at('cmd');
  return (v, ctx) =>
    formatIoctlArg(
      Number(BigInt.asUintN(32, ctx.args[cmdAt] ?? 0n)),
      v,
      ctx.param,
      ctx.exitParam,
      ctx.maxString,
    );
});

/**
 * One of prctl's arguments. Which ones strace shows, and how, depends on the option; they are
 * always a prefix of the five, so argument i is the i-th text or nothing.
 */
const prctlArg: ArgDecoder = (_v, ctx) =>
  prctlArgTexts(ctx.args as readonly bigint[], (i) => ctx.params?.get(i), ctx.ret, ctx.maxString)[
    ctx.index
  ] ?? null;

/** The option names of a socket option level, by level. */
const SOCKOPT_NAMES: ReadonlyMap<number, readonly Xlat[]> = new Map([
  [K.SOL_IP, K.IP_OPTIONS],
  [K.SOL_SOCKET, K.SOL_SOCKET_OPTIONS],
  [K.SOL_TCP, K.TCP_OPTIONS],
  [K.SOL_IPV6, K.IPV6_OPTIONS],
  [K.SOL_NETLINK, K.NETLINK_OPTIONS],
]);

/** setsockopt/getsockopt's level and optname, where the call has them. */
interface SockoptAt {
  level: number;
  name: number;
}
const sockoptAt = (at: ArgPosition): SockoptAt => ({ level: at('level'), name: at('optname') });
const int32At = (ctx: ArgContext, i: number): number =>
  Number(BigInt.asIntN(32, ctx.args[i] ?? -1n));

/** setsockopt/getsockopt's optname, named by the level. */
const sockoptName = bound((at) => {
  const levelAt = at('level');
  return (v, ctx) => {
    const n = BigInt.asIntN(32, v);
    const table = SOCKOPT_NAMES.get(int32At(ctx, levelAt));
    return (table && lookupXlat(n, table)) ?? n.toString();
  };
});

/**
 * A socket option's value, `len` bytes of it captured in `b`: `[1]` for an int, struct linger,
 * the device or congestion algorithm's name; anything else as a string of bytes.
 */
function sockoptValue(ctx: ArgContext, opt: SockoptAt, b: Buffer, len: number, p: Param): string {
  const level = int32At(ctx, opt.level);
  const name = int32At(ctx, opt.name);
  if (level === K.SOL_SOCKET && name === K.SO_LINGER && len === 8 && b.length >= 8) {
    return `{l_onoff=${b.readInt32LE(0)}, l_linger=${b.readInt32LE(4)}}`;
  }
  const named =
    (level === K.SOL_SOCKET && name === K.SO_BINDTODEVICE) ||
    (level === K.SOL_TCP && name === K.TCP_CONGESTION);
  if (level === K.SOL_SOCKET && name === K.SO_ERROR && len === 4 && b.length >= 4) {
    const errno = b.readInt32LE(0);
    return `[${(errno > 0 && ERRNOS.get(errno)?.name) || errno}]`;
  }
  if (!named && len === 4 && b.length >= 4) return `[${b.readInt32LE(0)}]`;
  return formatParam(named ? { ...p, want: 0 } : p, ctx.maxString);
}

/**
 * A socket option's value: setsockopt's, read at enter, `optlen` bytes; getsockopt's, read at
 * exit, as long as *optlen says after the call. `lengthOf` gives the length, or undefined when
 * it is not known (the address is shown then).
 */
const sockoptVal = (
  lengthOf: (ctx: ArgContext, lenAt: number) => number | undefined,
): BoundDecoder =>
  bound((at) => {
    const opt = sockoptAt(at);
    const lenAt = at('optlen');
    return (v, ctx) => {
      if (v === 0n) return 'NULL';
      const p = ctx.param;
      const len = lengthOf(ctx, lenAt);
      if (!p || len === undefined) return address(v);
      if (p.status === TL_PARAM_FAULT) return FAULT;
      return sockoptValue(ctx, opt, p.bytes, len, p);
    };
  });
const sockoptIn = sockoptVal((ctx, lenAt) => Number(BigInt.asIntN(32, ctx.args[lenAt] ?? 0n)));
const sockoptOut = sockoptVal((ctx, lenAt) => {
  const lenParam = ctx.exitParams?.get(lenAt);
  return lenParam && lenParam.bytes.length >= 4 ? lenParam.bytes.readInt32LE(0) : undefined;
});

/** wait4's status: captured at exit. */
const waitStatus = struct((b) =>
  b.length >= 4 ? S.formatWaitStatus(b.readInt32LE(0)) : undefined,
);

/** A socket address whose length is the argument after it (connect, bind, sendto). */
const sockaddrIn = struct((b, ctx) =>
  S.formatSockaddr(b, Number(BigInt.asUintN(32, ctx.args[ctx.index + 1] ?? 0n))),
);

/** A socket address the kernel fills; its length comes back through the pointer after it. */
const sockaddrOut = struct((b, ctx) => {
  const len = ctx.exitParams?.get(ctx.index + 1);
  const n =
    len && len.status !== TL_PARAM_FAULT && len.bytes.length >= 4
      ? len.bytes.readInt32LE(0)
      : b.length;
  return S.formatSockaddr(b, n);
});

/** `[16]` or `[128 => 16]`: a length passed by reference, read at enter and at exit. */
const socklenPtr: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  const at = (p: Param | undefined): string | undefined =>
    p && p.status !== TL_PARAM_FAULT && p.bytes.length >= 4
      ? p.bytes.readInt32LE(0).toString()
      : undefined;
  const before = at(ctx.param);
  const after = at(ctx.exitParam);
  if (before === undefined && after === undefined) {
    return ctx.param?.status === TL_PARAM_FAULT ? FAULT : address(v);
  }
  if (after === undefined || before === after) return `[${before ?? after}]`;
  if (before === undefined) return `[${after}]`;
  return `[${before} => ${after}]`;
};

/** poll's array: events at enter, and revents (strace appends them to the return value). */
const pollfds = bound((at) => {
  const nfdsAt = at('nfds');
  return (v, ctx) => {
    if (v === 0n) return 'NULL';
    const p = ctx.param;
    if (!p) return address(v);
    if (p.status === TL_PARAM_FAULT) return FAULT;
    return S.formatPollfds(p.bytes, Number(BigInt.asUintN(32, ctx.args[nfdsAt] ?? 0n)), 'events');
  };
});

const epollEvents: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  const p = ctx.param;
  if (!p) return address(v);
  if (p.status === TL_PARAM_FAULT) return FAULT;
  const n = ctx.ret !== undefined && ctx.ret > 0n ? Number(ctx.ret) : 0;
  const items: string[] = [];
  for (let i = 0; i < n && 12 * (i + 1) <= p.bytes.length; i++) {
    items.push(S.formatEpollEvent(p.bytes, 12 * i) ?? '');
  }
  return `[${items.join(', ')}${items.length < n ? ', ...' : ''}]`;
};

/** A buffer filled at exit that holds a C string, with the length returned (getcwd). */
const cstringOut: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  const p = ctx.param;
  if (!p) return address(v);
  return formatParam({ ...p, want: 0 }, ctx.maxString);
};

/** A buffer filled at exit with `ret` bytes; a call that returned 0 filled nothing: "". */
const bufOut: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  if (ctx.param) return formatParam(ctx.param, ctx.maxString);
  if (ctx.ret === 0n) return '""';
  return address(v);
};

/** getrandom's bytes, which strace shows all in \x escapes. */
const randomBytes: ArgDecoder = (v, ctx) => {
  const p = ctx.param;
  if (!p || p.status === TL_PARAM_FAULT) return bufOut(v, ctx);
  const shown = p.bytes.subarray(0, ctx.maxString);
  let s = '"';
  for (const c of shown) s += `\\x${c.toString(16).padStart(2, '0')}`;
  const more = shown.length < p.want || p.bytes.length > shown.length;
  return `${s}"${more ? '...' : ''}`;
};

/** getdents64's buffer as strace shows it: `0x55d0c2a0 /* 5 entries *\/`, counted in BPF. */
const dirents: ArgDecoder = (v, ctx) =>
  v === 0n ? 'NULL' : formatDirentCount(v, ctx.param, ctx.ret);

/** writev's iovecs, captured at enter. */
const iovecIn: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  return ctx.param ? formatIovec(ctx.param, ctx.maxString) : address(v);
};

/** readv's iovecs, captured at exit with the bytes the call returned spread over them. */
const iovecOut: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  const p = ctx.param;
  if (!p || ctx.ret === undefined || ctx.ret < 0n) return address(v);
  return formatIovec(p, ctx.maxString, ctx.ret);
};

/** sendmsg's msghdr, captured at enter. */
const msghdrIn: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  return ctx.param ? formatMsghdr(ctx.param, ctx.maxString) : address(v);
};

const MSG_NAMELEN_AT = 8; // struct user_msghdr: void *msg_name, then int msg_namelen

/**
 * recvmsg's msghdr: its head at enter (for msg_namelen before the call, which strace shows
 * as `128 => 16`), the whole at exit.
 */
const msghdrOut: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  const enter = ctx.param && ctx.param !== ctx.exitParam ? ctx.param : undefined;
  const before =
    enter && enter.status !== TL_PARAM_FAULT && enter.bytes.length >= MSG_NAMELEN_AT + 4
      ? enter.bytes.readInt32LE(MSG_NAMELEN_AT)
      : undefined;
  const exit = ctx.exitParam;
  if (ctx.ret !== undefined && ctx.ret < 0n) {
    return before === undefined ? address(v) : `{msg_namelen=${before}}`;
  }
  if (!exit || ctx.ret === undefined) return address(v);
  return formatMsghdr(
    exit,
    ctx.maxString,
    ctx.ret,
    before === undefined ? {} : { namelenAtEnter: before },
  );
};

/**
 * getgroups/setgroups' list: `[0, 4, 24]`, as many as the call returned (getgroups) or was
 * given (setgroups); `[]` for none.
 */
const gidList: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  const p = ctx.param;
  // Nothing captured of a call that succeeded: it returned no entries.
  if (!p) return ctx.ret !== undefined && ctx.ret >= 0n ? '[]' : address(v);
  if (p.status === TL_PARAM_FAULT) return FAULT;
  const ids: string[] = [];
  for (let at = 0; at + 4 <= p.bytes.length; at += 4)
    ids.push(id32(BigInt(p.bytes.readUInt32LE(at)), ctx) ?? '');
  const more = p.bytes.length < p.want || p.status === TL_PARAM_TRUNCATED;
  return `[${ids.join(', ')}${more ? ', ...' : ''}]`;
};

/** sendmmsg/recvmmsg's messages, captured at exit: the address when the call failed. */
const mmsgVec: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  const p = ctx.param;
  return p && ctx.ret !== undefined && ctx.ret > 0n ? formatMmsgVec(p, ctx.maxString) : address(v);
};

/**
 * select and pselect6's fd sets (inp, outp, exp) and timeout: all in the capture of the first
 * set, inp (src/syscalls/capture-specs.ts' fdSets).
 */
const fdSet = bound((at) => {
  const setsAt = at('inp');
  return (v, ctx) => {
    const p = ctx.params?.get(setsAt);
    if (!p) return address(v);
    return formatFdSet(p, (ctx.index - setsAt) as 0 | 1 | 2, v);
  };
});
const selectTimeout = (kind: 'timeval' | 'timespec'): BoundDecoder =>
  bound((at) => {
    const setsAt = at('inp');
    return (v, ctx) => {
      const p = ctx.params?.get(setsAt);
      return p ? formatSelectTimeout(p, kind) : address(v);
    };
  });

/** pselect6's sixth argument, { const sigset_t *ss; size_t ss_len } (the set itself is not read). */
const pselectSig = struct((b) =>
  b.length >= 16
    ? `{sigmask=${address(b.readBigUInt64LE(0))}, sigsetsize=${b.readBigUInt64LE(8)}}`
    : undefined,
);

/** The high half of a split 64-bit offset (preadv's pos_h): strace shows the offset once. */
const omitted: ArgDecoder = () => null;

/** execve's argv: ["ls", "-la"], cut after as many entries as -s, as strace does. */
const argvArray: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  const p = ctx.param;
  if (!p) return address(v);
  if (p.status === TL_PARAM_FAULT) return FAULT;
  const items: string[] = [];
  let at = 0;
  while (at < p.bytes.length && items.length < p.want) {
    let end = p.bytes.indexOf(0, at);
    const cut = end < 0;
    if (cut) end = p.bytes.length;
    items.push(
      quote(p.bytes.subarray(at, Math.min(end, at + ctx.maxString))) +
        (cut || end - at > ctx.maxString ? '...' : ''),
    );
    at = end + 1;
  }
  const shown = Math.min(items.length, ctx.maxString);
  const more = p.want > shown || p.status === TL_PARAM_TRUNCATED;
  return `[${items.slice(0, shown).join(', ')}${more ? ', ...' : ''}]`;
};

/** execve's envp: strace's `0x7ffd... /* 39 vars *\/`. */
const envpCount: ArgDecoder = (v, ctx) => {
  if (v === 0n) return 'NULL';
  const p = ctx.param;
  if (!p || p.status === TL_PARAM_FAULT) return address(v);
  const more = p.status === TL_PARAM_TRUNCATED ? '+' : '';
  return `${address(v)} /* ${p.want}${more} vars */`;
};

/** clone's arguments carry their names, as strace prints them. */
const named =
  (name: string, inner: ArgDecoder): ArgDecoder =>
  (v, ctx) => {
    const t = inner(v, ctx);
    return t === null ? null : `${name}=${t}`;
  };
const cloneFlags = (v: bigint): bigint => BigInt.asUintN(64, v);
export function formatCloneFlags(v: bigint): string {
  const f = cloneFlags(v);
  const sig = f & 0xffn;
  const rest = formatFlagSet(f & ~0xffn, M.CLONE_FLAGS);
  const parts = [rest, sig !== 0n ? signalName(Number(sig)) : undefined].filter(
    (x): x is string => x !== undefined,
  );
  return parts.length ? parts.join('|') : '0';
}
/** A clone pointer shown, as `name=0x...`, only when one of `bits` is in clone's flags. */
const cloneIf = (bits: bigint, name: string): BoundDecoder =>
  bound((at) => {
    const flagsAt = at('clone_flags');
    return (v, ctx) =>
      (cloneFlags(ctx.args[flagsAt] ?? 0n) & bits) !== 0n ? `${name}=${address(v)}` : null;
  });

/** sched_getaffinity's mask, `ret` bytes of it. */
const cpuMask = struct((b) => S.formatCpuMask(b));

const pipeFds = struct((b) => S.formatIntArray(b, 2));

/** The new/old sigsets of rt_sigprocmask and friends. */
const sigset = struct((b) => S.formatSigset(b));

/** sigaction() flags and handlers. */
const sigaction = struct((b) => S.formatSigaction(b));

const umaskMode: ArgDecoder = (v) => octalMode(BigInt.asUintN(32, v) & 0o777n);

/** O_CLOEXEC and friends where no access mode goes with them (dup3, pipe2). */
const fdFlags: ArgDecoder = (v) => formatFlagSet(BigInt.asUintN(32, v), OPEN_MODE_FLAGS) ?? '0';

const statxFlags: ArgDecoder = (v) => {
  const f = BigInt.asUintN(32, v);
  const sync = lookupXlat(f & M.AT_STATX_SYNC_TYPE, M.STATX_SYNC_TYPES) ?? '';
  const rest = formatFlagSet(f & ~M.AT_STATX_SYNC_TYPE, M.AT_FLAGS);
  return rest ? `${sync}|${rest}` : sync;
};

const utsname = struct((b) => S.formatUtsname(b));

/**
 * The decoder of each argument type a descriptor can name (src/syscalls/arg-types.ts): a
 * Record over the union, so the compiler checks that every name has a decoder.
 */
export const ARG_DECODERS: Readonly<Record<ArgType, ArgDecoder | BoundDecoder>> = {
  fd: int32,
  dirfd,
  open_flags: (v) => formatOpenFlags(v),
  open_mode: openMode,
  fd_flags: fdFlags,
  hex,
  hex32,
  pointer,
  path: pathArg,
  argv: argvArray,
  envp: envpCount,
  address: (v) => address(v),
  at_flags: flags(M.AT_FLAGS),
  faccessat_flags: flags(M.FACCESSAT_FLAGS),
  statx_flags: statxFlags,
  statx_mask: flags(M.STATX_MASK),
  access_mode: accessMode,
  mmap_prot: flags(PROT_FLAGS, 'PROT_NONE'),
  mmap_flags: mmapFlags,
  mremap_flags: flags(MREMAP_FLAGS),
  msync_flags: flags(MSYNC_FLAGS),
  mlockall_flags: flags(MLOCKALL_FLAGS),
  madvise_advice: enumOf(MADV_ADVICE, 'MADV_???'),
  fadvise_advice: enumOf(M.FADVISE_ADVICE, 'POSIX_FADV_???'),
  falloc_flags: flags(M.FALLOC_FLAGS),
  seek_whence: enumOf(M.SEEK_WHENCE, 'SEEK_???', false),
  fcntl_cmd: enumOf(M.FCNTL_CMDS, 'F_???', false),
  fcntl_arg: fcntlArg,
  flock_op: flags(M.FLOCK_OPS),
  ioctl_request: (v) => {
    const n = BigInt.asUintN(32, v);
    return formatIoctlRequest(Number(n), lookupXlat(n, M.IOCTL_REQUESTS));
  },
  ioctl_arg: ioctlArg,
  socket_family: enumOf(K.ADDRESS_FAMILIES, 'AF_???'),
  socket_type: sockType,
  socket_protocol: sockProtocol,
  sock_flags: flags(K.SOCK_FLAGS),
  msg_flags: flags(K.MSG_FLAGS),
  shutdown_how: enumOf(K.SHUTDOWN_HOW, 'SHUT_???'),
  sockopt_level: enumOf(K.SOCKOPT_LEVELS, 'SOL_???'),
  sockopt_name: sockoptName,
  sockopt_in: sockoptIn,
  sockopt_out: sockoptOut,
  sockaddr_in: sockaddrIn,
  sockaddr_out: sockaddrOut,
  socklen_ptr: socklenPtr,
  signal,
  sigprocmask_how: enumOf(SIGPROCMASK_HOW, 'SIG_???'),
  sigset,
  sigaction,
  clone_flags: named('flags', (v) => formatCloneFlags(v)),
  clone_stack: named('child_stack', (v) => address(v)),
  clone_parent_tid: cloneIf(M.CLONE_PARENT_SETTID, 'parent_tid'),
  clone_child_tid: cloneIf(M.CLONE_CHILD_SETTID | M.CLONE_CHILD_CLEARTID, 'child_tidptr'),
  clone_tls: cloneIf(M.CLONE_SETTLS, 'tls'),
  clone_args: struct((b, ctx) => S.formatCloneArgs(b, ctx.ret, formatCloneFlags)),
  unshare_flags: (v) => formatFlagSet(BigInt.asUintN(64, v), M.CLONE_FLAGS) ?? '0',
  wait_options: flags(M.WAIT_OPTIONS),
  wait_status: waitStatus,
  futex_op: (v) => formatFutexOp(v),
  futex_timeout: futexTimeout,
  futex_uaddr2: futexUaddr2,
  futex_val3: futexVal3,
  prctl_arg: prctlArg,
  arch_prctl_code: enumOf(M.ARCH_PRCTL_CODES, 'ARCH_???'),
  clockid: enumOf(M.CLOCK_IDS, 'CLOCK_???'),
  timer_flags: flags(M.TIMER_FLAGS),
  timerfd_flags: flags(M.TIMERFD_FLAGS),
  poll_fds: pollfds,
  epoll_op: enumOf(M.EPOLL_CTL_OPS, 'EPOLL_CTL_???'),
  epoll_event: struct((b) => S.formatEpollEvent(b)),
  epoll_events: epollEvents,
  epoll_create_flags: flags(M.EPOLL_CREATE_FLAGS),
  eventfd_flags: flags(M.EFD_FLAGS),
  signalfd_flags: flags(M.SFD_FLAGS),
  inotify_flags: flags(M.IN_INIT_FLAGS),
  memfd_flags: flags(M.MFD_FLAGS),
  grnd_flags: flags(M.GRND_FLAGS),
  rwf_flags: flags(M.RWF_FLAGS),
  random_bytes: randomBytes,
  rename_flags: flags(M.RENAME_FLAGS),
  umount_flags: flags(M.UMOUNT_FLAGS),
  mount_flags: flags(M.MOUNT_FLAGS, '0', 64),
  xattr_flags: flags(M.XATTR_FLAGS),
  rlimit_resource: enumOf(M.RLIMIT_RESOURCES, 'RLIMIT_???', false),
  rlimit: struct((b) => S.formatRlimit(b)),
  rusage_who: enumOf(M.RUSAGE_WHO, 'RUSAGE_???'),
  prio_which: enumOf(M.PRIO_WHICH, 'PRIO_???'),
  itimer_which: enumOf(M.ITIMER_WHICH, 'ITIMER_???'),
  sched_policy: enumOf(M.SCHED_POLICIES, 'SCHED_???'),
  membarrier_cmd: enumOf(M.MEMBARRIER_CMDS, 'MEMBARRIER_CMD_???'),
  pipe_fds: pipeFds,
  cpu_mask: cpuMask,
  buf_out: bufOut,
  cstring_out: cstringOut,
  dirents,
  iovec_in: iovecIn,
  iovec_out: iovecOut,
  msghdr_in: msghdrIn,
  msghdr_out: msghdrOut,
  mmsg_vec: mmsgVec,
  gid_list: gidList,
  fd_set: fdSet,
  select_timeval: selectTimeout('timeval'),
  select_timespec: selectTimeout('timespec'),
  pselect_sig: pselectSig,
  omitted,
  umask_mode: umaskMode,
  timespec,
  timeval: struct((b) => S.formatTimeval(b)),
  itimerspec: struct((b) => S.formatItimerspec(b)),
  stat: struct((b) => S.formatStat(b)),
  statx: struct((b) => S.formatStatx(b)),
  statfs: struct((b) => S.formatStatfs(b)),
  utsname,
  sysinfo: struct((b) => S.formatSysinfo(b)),
  loff_t: int64,
  umode_t: (v) => octalMode(v),
};

/** Decoders of the C types the generated table declares, where the shape is not enough. */
const C_TYPE_DECODERS: Readonly<Record<string, ArgDecoder>> = {
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
  off_t: int64,
  pid_t: int32,
  uid_t: id32,
  gid_t: id32,
  qid_t: id32,
  clockid_t: int32,
  timer_t: int32,
  key_t: int32,
  key_serial_t: int32,
  mqd_t: int32,
  rwf_t: hex,
  aio_context_t: hex,
  __s32: int32,
  'enum landlock_rule_type': int32,
  // C struct pointer types, whatever the call
  'struct stat *': struct((b) => S.formatStat(b)),
  'struct statx *': struct((b) => S.formatStatx(b)),
  'struct statfs *': struct((b) => S.formatStatfs(b)),
  'struct new_utsname *': utsname,
  'struct __kernel_timespec *': timespec,
  'const struct __kernel_timespec *': timespec,
  'struct __kernel_old_timeval *': struct((b) => S.formatTimeval(b)),
  'const struct __kernel_itimerspec *': struct((b) => S.formatItimerspec(b)),
  'struct __kernel_itimerspec *': struct((b) => S.formatItimerspec(b)),
  'struct rlimit *': struct((b) => S.formatRlimit(b)),
  'const struct rlimit64 *': struct((b) => S.formatRlimit(b)),
  'struct rlimit64 *': struct((b) => S.formatRlimit(b)),
  'struct sysinfo *': struct((b) => S.formatSysinfo(b)),
  'struct epoll_event *': struct((b) => S.formatEpollEvent(b)),
  'sigset_t *': sigset,
  'const sigset_t *': sigset,
  'struct sigaction *': sigaction,
  'siginfo_t *': struct((b) => S.formatSiginfo(b)),
  'const struct sigaction *': sigaction,
  // typedefs of pointers
  cap_user_header_t: pointer,
  cap_user_data_t: pointer,
};

/** The decoder named by a semantic type or a C type, if there is one. */
export function knownDecoder(type: string): ArgDecoder | BoundDecoder | undefined {
  return Object.hasOwn(ARG_DECODERS, type) ? ARG_DECODERS[type as ArgType] : C_TYPE_DECODERS[type];
}

/**
 * The decoder of a type for one syscall (`at` finds its arguments by name); types without one
 * fall back on their shape.
 */
export function decoderFor(type: string, at: ArgPosition): ArgDecoder {
  const known = knownDecoder(type);
  if (known) return typeof known === 'function' ? known : known.bind(at);
  if (type.includes('*')) return pointer;
  return type.startsWith('unsigned') ? uint64 : int64;
}

/** Arguments of a call whose signature is unknown: strace prints them all in hex. */
export const genericArg: ArgDecoder = hex;

export { quote };

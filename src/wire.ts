// The TypeScript mirror of bpf/traceloop.h, the wire contract between the BPF programs, the
// native reader and this side. Every constant and offset here has a twin in that header;
// test/wire-layout.test.ts compares LAYOUT with the offsets the addon computes from the header itself,
// so a layout change that reaches only one side fails a test instead of garbling a dump.
//
// Everything is little-endian (x86_64; the BPF side writes native order).

export const TL_MAX_CGROUPS = 1024;
/** Rules cover syscall numbers 0 .. TL_MAX_SYSCALLS-1 (x86_64 numbers are < 512). */
export const TL_MAX_SYSCALLS = 512;
export const TL_MAX_ARGS = 6;
/** Captured arguments per syscall. */
export const TL_MAX_PARAMS = 3;
export const TL_COMM_LEN = 16;
export const TL_PAGE_SHIFT = 12;
export const TL_PAGE_SIZE = 1 << TL_PAGE_SHIFT;
/** Bytes of one captured argument, at most. */
export const TL_MAX_CAPTURE = 4096;
export const TL_MIN_RING_BYTES = 4096;
export const TL_MAX_RING_BYTES = 1 << 24;
/** Every record's size is a multiple of this. */
export const TL_ALIGN = 8;
/** sizeof(struct tl_ring_ctrl) without its page_start[] index. */
export const TL_CTRL_FIXED_BYTES = 96 + 32 * 64;

// enum tl_trigger: what the writer counts in each ring's control block (src/triggers/).
export const TL_TRIG_CRASH = 0;
export const TL_TRIG_EXIT = 1;
export const TL_TRIG_ERRNO = 2;
export const TL_TRIG_KINDS = 3;
/** In trig_last: the crash was the OOM killer's SIGKILL. */
export const TL_TRIG_OOM = 0x100;
/** Errnos 1 .. TL_TRIG_ERRNO_BITS - 1 can be armed. */
export const TL_TRIG_ERRNO_BITS = 256;

// enum tl_rec_type. Kernel records first; userspace-only records from 0x80.
export const TL_REC_PAD = 1;
export const TL_REC_ENTER = 2;
export const TL_REC_EXIT = 3;
export const TL_REC_PARAM = 4;
/**
 * In the ring only: the exit of the call whose enter group ends right before it (struct tl_done).
 * The native reader delivers it as the TL_REC_EXIT the two-record form would have had, so no
 * record that reaches this side has this type.
 */
export const TL_REC_DONE = 5;
/** In the ring only: the same in 8 bytes (struct tl_done_short), when ret and duration fit 16 bits. */
export const TL_REC_DONE_SHORT = 6;
export const TL_REC_LOST = 0x80;

/** tl_hdr.flags of enter and exit records: set by the live merger. */
export const TL_FLAG_LATE = 0x01;
/**
 * tl_hdr.flags of an enter: the ring no longer held its thread's comm (a read that began after
 * the record naming it); its comm is the one the thread's next named enter gave, or empty.
 */
export const TL_FLAG_COMM_LATER = 0x02;
/**
 * tl_hdr.flags of an enter or exit, set by the kernel side: an ia32 call (int 0x80, or any call
 * of a 32-bit process), numbered in the i386 table, its args the i386 ABI's registers, nothing
 * captured. Parsed records give it the number NR_IA32_BASE + its own (see callNr).
 */
export const TL_FLAG_IA32 = 0x04;
/**
 * tl_hdr.flags of a process's end (TL_NR_PROC_END), set by the kernel side: the OOM killer chose
 * it. Parsed exit records say `oom: true`.
 */
export const TL_FLAG_OOM = 0x08;

// enum tl_bench_skip: parts of the recording path a benchmark leaves out (bench/cost-parts.mjs).
export const TL_SKIP = { clock: 1 << 0, lock: 1 << 1, copy: 1 << 2 } as const;
/**
 * Where parsed records (EnterRecord.nr, ExitRecord.nr, the UI store's lines) number ia32 calls:
 * NR_IA32_BASE + the i386 number, above every number the wire's 16 bits can hold. So nothing that
 * knows x86_64 numbers (names, decoders, pairing quirks, fd tables, filters, summaries) takes an
 * ia32 call for the x86_64 call of the same number (ia32's getpid, 20, is x86_64's writev).
 */
export const NR_IA32_BASE = 0x10000;
/** Every number a parsed record can carry is below this. */
export const NR_SPACE = 2 * NR_IA32_BASE;

// Comm carried forward in the ring (bpf/traceloop.h): the native reader delivers every enter with
// its comm in place; these describe only the ring's own form.
export const TL_COMM_NAMED = 0x1;
export const TL_COMM_SAME = 0x2;
export const TL_COMM_RENAMED = 0x4;
export const TL_COMM_SLOTS = 64;
export const TL_COMM_REFRESH_SHIFT = 3;
/** The largest enter record in a ring: six args, the comm and the comm before it. */
export const TL_RING_ENTER_MAX = 112;

// enum tl_param_status
export const TL_PARAM_OK = 0;
/** The user memory could not be read. */
export const TL_PARAM_FAULT = 1;
/** Fewer bytes were captured than the call passed: more existed. */
export const TL_PARAM_TRUNCATED = 2;

// enum tl_lost_reason, carried in tl_lost.h.flags
export const TL_LOST_OVERWRITTEN = 1;
export const TL_LOST_BUSY = 2;
export const TL_LOST_TORN = 3;
export const TL_LOST_CONSUMER = 4;
export const TL_LOST_GONE = 5;

// enum tl_capture_kind
export const TL_CAP_NONE = 0;
/** NUL-ended string, at enter. */
export const TL_CAP_STR = 1;
/** Buffer whose length is in argument len_arg, at enter. */
export const TL_CAP_BUF_ARGLEN = 2;
/** Buffer whose length is the return value, at exit. */
export const TL_CAP_BUF_RETLEN = 3;
/** `size` bytes, at enter. */
export const TL_CAP_STRUCT_ENTER = 4;
/** `size` bytes, at exit, if the call succeeded. */
export const TL_CAP_STRUCT_EXIT = 5;
/** Buffer whose length is in argument len_arg, at exit, if the call succeeded (poll's revents). */
export const TL_CAP_BUF_ARGLEN_EXIT = 6;
/**
 * NULL-ended array of strings (execve's argv), at enter: the first `size` strings, each with
 * its NUL; the param's `want` is the number of entries (up to TL_STRV_MAX_COUNT, then status
 * TL_PARAM_TRUNCATED).
 */
export const TL_CAP_STRV = 7;
/** Entries of a string array counted, at most. */
export const TL_STRV_MAX_COUNT = 256;
/** iovec array, count in argument lenArg, at enter: TL_IOV_PART parts (readv's writev). */
export const TL_CAP_IOV = 8;
/** The same at exit, if the call succeeded: the bytes returned, spread over the buffers in order. */
export const TL_CAP_IOV_EXIT = 9;
/** struct user_msghdr, at enter: a tl_msg_part, msg_name, msg_control, iovec parts. */
export const TL_CAP_MSG = 10;
/** The same at exit, if the call succeeded (recvmsg). */
export const TL_CAP_MSG_EXIT = 11;
/** select: the fd_sets in args arg..arg+2 (lenArg bits) and the timeout in arg+3, at enter. */
export const TL_CAP_FDSETS = 12;
/** The same at exit, if the call returned > 0. */
export const TL_CAP_FDSETS_EXIT = 13;
/** linux_dirent64 records counted at exit: the param holds a tl_dirents_part. */
export const TL_CAP_DIRENTS = 14;
/** What keyed_rules says for (syscall, value of arg lenArg): ioctl's request, prctl's option. */
export const TL_CAP_KEYED = 15;
/** `size` bytes at enter, and again at exit if the call succeeded (ioctl's struct ifreq). */
export const TL_CAP_STRUCT_INOUT = 16;
/** sendmmsg/recvmmsg's struct mmsghdr array at exit, as many as returned: tl_mmsg_part each. */
export const TL_CAP_MMSG_EXIT = 17;
/**
 * At exit, if the call succeeded: the inode of each fd it made (tl_new_fd each), read from the
 * task's fd table: the fd returned (size 0) or the `size` ints of the array in argument lenArg
 * (pipe's). The param's arg is TL_ARG_NEW_FDS, no argument's.
 */
export const TL_CAP_NEW_FDS = 18;
/** The arg of a TL_CAP_NEW_FDS capture and its param: none of the six arguments. */
export const TL_ARG_NEW_FDS = 7;
/** fds one TL_CAP_NEW_FDS param describes, at most (pipe's two). */
export const TL_NEW_FDS_MAX = 2;

// Compound captures (struct tl_iov_part and friends in bpf/traceloop.h).
/** A piece's status: its pointer was NULL, nothing was read. */
export const TL_PART_NULL = 3;
/** A piece's status: a pointer not followed (an mmsghdr's msg_name and msg_control). */
export const TL_PART_UNREAD = 4;
export const TL_MMSG_MAX = 8;
export const TL_IOV_MAX = 16;
export const TL_MSG_PART_MAX = 128;
export const TL_FDSET_MAX_BITS = 1024;
export const TL_DIRENTS_MAX_STEPS = 8192;
export const TL_MAX_KEYED = 512;

/**
 * An exit record with this syscall number is no syscall's: the process ended (its last
 * thread went through do_exit), and `ret` is its wait status (traceloop.h).
 */
export const TL_NR_PROC_END = 0xfffe;
/**
 * ... and with this one, a signal delivered to the thread: `ret` is the signal, its one param
 * the first TL_SIGINFO_BYTES of its siginfo (traceloop.h): strace's `--- SIGSEGV {...} ---`.
 */
export const TL_NR_SIGNAL = 0xfffd;
export const TL_SIGINFO_BYTES = 48;

/** Capture families (enum tl_family): what a kernel may refuse, and the loader leave out. */
export const TL_FAM_KEYED = 1 << 0;
export const TL_FAM_STRV = 1 << 1;
export const TL_FAM_IOV = 1 << 2;
export const TL_FAM_MSG = 1 << 3;
export const TL_FAM_FDSETS = 1 << 4;
export const TL_FAM_DIRENTS = 1 << 5;
export const TL_FAM_NEW_FDS = 1 << 6;
export const TL_FAM_ALL = (1 << 7) - 1;

export type CaptureKind =
  | typeof TL_CAP_NONE
  | typeof TL_CAP_STR
  | typeof TL_CAP_BUF_ARGLEN
  | typeof TL_CAP_BUF_RETLEN
  | typeof TL_CAP_STRUCT_ENTER
  | typeof TL_CAP_STRUCT_EXIT
  | typeof TL_CAP_BUF_ARGLEN_EXIT
  | typeof TL_CAP_STRV
  | typeof TL_CAP_IOV
  | typeof TL_CAP_IOV_EXIT
  | typeof TL_CAP_MSG
  | typeof TL_CAP_MSG_EXIT
  | typeof TL_CAP_FDSETS
  | typeof TL_CAP_FDSETS_EXIT
  | typeof TL_CAP_DIRENTS
  | typeof TL_CAP_KEYED
  | typeof TL_CAP_STRUCT_INOUT
  | typeof TL_CAP_MMSG_EXIT
  | typeof TL_CAP_NEW_FDS;

/**
 * Byte offsets and sizes, field by field, keyed as the addon reports them: 'sizeof(struct X)'
 * and 'X.field' (offsetof). Nested structs appear as one field (tl_enter.ev); their members are
 * found through the nested struct's own keys.
 */
export const LAYOUT = {
  'sizeof(struct tl_hdr)': 8,
  'tl_hdr.size': 0,
  'tl_hdr.type': 2,
  'tl_hdr.flags': 3,
  'tl_hdr.tid': 4,

  'sizeof(struct tl_event)': 24,
  'tl_event.h': 0,
  'tl_event.seq': 8,
  'tl_event.cpu': 12,
  'tl_event.nr': 14,
  'tl_event.ts': 16,

  'sizeof(struct tl_enter)': 96,
  'tl_enter.ev': 0,
  'tl_enter.pid': 24,
  'tl_enter.nargs': 28,
  'tl_enter.nparams': 29,
  'tl_enter.reserved': 30,
  'tl_enter.comm': 32,
  'tl_enter.args': 48,

  'sizeof(struct tl_ring_enter)': 80,
  'tl_ring_enter.ev': 0,
  'tl_ring_enter.pid': 24,
  'tl_ring_enter.nargs': 28,
  'tl_ring_enter.nparams': 29,
  'tl_ring_enter.comm_flags': 30,
  'tl_ring_enter.args': 32,

  'sizeof(struct tl_comm_slot)': 32,
  'tl_comm_slot.tid': 0,
  'tl_comm_slot.reserved': 4,
  'tl_comm_slot.pos': 8,
  'tl_comm_slot.comm': 16,

  'sizeof(struct tl_exit)': 40,
  'tl_exit.ev': 0,
  'tl_exit.ret': 24,
  'tl_exit.pid': 32,
  'tl_exit.nparams': 36,
  'tl_exit.reserved': 37,

  'sizeof(struct tl_param)': 16,
  'tl_param.h': 0,
  'tl_param.arg': 8,
  'tl_param.status': 9,
  'tl_param.len': 10,
  'tl_param.want': 12,

  'sizeof(struct tl_done)': 16,
  'tl_done.size': 0,
  'tl_done.type': 2,
  'tl_done.flags': 3,
  'tl_done.duration': 4,
  'tl_done.ret': 8,

  'sizeof(struct tl_done_short)': 8,
  'tl_done_short.size': 0,
  'tl_done_short.type': 2,
  'tl_done_short.flags': 3,
  'tl_done_short.ret': 4,
  'tl_done_short.duration': 6,

  'sizeof(struct tl_open_call)': 32,
  'tl_open_call.end': 0,
  'tl_open_call.ts': 8,
  'tl_open_call.tid': 16,
  'tl_open_call.nr': 20,
  'tl_open_call.moves': 24,
  'tl_open_call.cgroup_moves': 28,

  'sizeof(struct tl_lost)': 40,
  'tl_lost.h': 0,
  'tl_lost.cpu': 8,
  'tl_lost.reserved': 12,
  'tl_lost.count': 16,
  'tl_lost.ts_from': 24,
  'tl_lost.ts_to': 32,

  'sizeof(struct tl_ring_ctrl)': 2144,
  'tl_ring_ctrl.head': 0,
  'tl_ring_ctrl.emitted': 8,
  'tl_ring_ctrl.failed': 16,
  'tl_ring_ctrl.faults': 24,
  'tl_ring_ctrl.busy': 32,
  'tl_ring_ctrl.trig_seq': 36,
  'tl_ring_ctrl.published': 40,
  'tl_ring_ctrl.last_ts': 48,
  'tl_ring_ctrl.trig_count': 56,
  'tl_ring_ctrl.trig_last': 62,
  'tl_ring_ctrl.open': 64,
  'tl_ring_ctrl.comms': 96,
  'tl_ring_ctrl.page_start': 2144,

  'sizeof(struct tl_capture)': 8,
  'tl_capture.kind': 0,
  'tl_capture.arg': 1,
  'tl_capture.len_arg': 2,
  'tl_capture.reserved': 3,
  'tl_capture.size': 4,

  'sizeof(struct tl_rule)': 32,
  'tl_rule.nargs': 0,
  'tl_rule.one_buffer': 1,
  'tl_rule.one_result': 2,
  'tl_rule.reserved': 3,
  'tl_rule.reserved2': 4,
  'tl_rule.cap': 8,

  'sizeof(struct tl_iov_part)': 16,
  'tl_iov_part.iov_len': 0,
  'tl_iov_part.len': 8,
  'tl_iov_part.status': 10,
  'tl_iov_part.reserved': 11,

  'sizeof(struct tl_msg_part)': 56,
  'tl_msg_part.name': 0,
  'tl_msg_part.namelen': 8,
  'tl_msg_part.flags': 12,
  'tl_msg_part.iov': 16,
  'tl_msg_part.iovlen': 24,
  'tl_msg_part.control': 32,
  'tl_msg_part.controllen': 40,
  'tl_msg_part.name_len': 48,
  'tl_msg_part.control_len': 50,
  'tl_msg_part.name_status': 52,
  'tl_msg_part.control_status': 53,
  'tl_msg_part.reserved': 54,

  'sizeof(struct tl_fdsets_part)': 24,
  'tl_fdsets_part.nbits': 0,
  'tl_fdsets_part.status': 2,
  'tl_fdsets_part.timeout_status': 5,
  'tl_fdsets_part.reserved': 6,
  'tl_fdsets_part.timeout': 8,

  'sizeof(struct tl_mmsg_part)': 64,
  'tl_mmsg_part.msg_len': 0,
  'tl_mmsg_part.bytes': 4,
  'tl_mmsg_part.msg': 8,

  'sizeof(struct tl_new_fd)': 16,
  'tl_new_fd.ino': 0,
  'tl_new_fd.fd': 8,
  'tl_new_fd.mode': 12,
  'tl_new_fd.reserved': 14,

  'sizeof(struct tl_dirents_part)': 8,
  'tl_dirents_part.count': 0,
  'tl_dirents_part.reserved': 4,

  'sizeof(struct tl_keyed_key)': 8,
  'tl_keyed_key.nr': 0,
  'tl_keyed_key.selector': 4,
} as const satisfies Readonly<Record<string, number>>;

/** TL_ENTER_BYTES(nargs): an enter record is cut after its last copied argument. */
export function enterBytes(nargs: number): number {
  return LAYOUT['sizeof(struct tl_enter)'] - 8 * (TL_MAX_ARGS - nargs);
}

// Absolute offsets inside enter and exit records, through their nested tl_event.
const EV = {
  seq: LAYOUT['tl_event.seq'],
  cpu: LAYOUT['tl_event.cpu'],
  nr: LAYOUT['tl_event.nr'],
  ts: LAYOUT['tl_event.ts'],
} as const;
const ENTER_EV = LAYOUT['tl_enter.ev'];
const EXIT_EV = LAYOUT['tl_exit.ev'];

/** Captured bytes of one argument. */
export interface Param {
  /** Argument index, 0-based. */
  arg: number;
  /** TL_PARAM_OK, TL_PARAM_FAULT or TL_PARAM_TRUNCATED. */
  status: number;
  /** Bytes the call named (buffers); 0 for strings. */
  want: number;
  /** A view into the parsed buffer: copy it to keep it past that buffer's life. */
  bytes: Buffer;
}

export interface EnterRecord {
  kind: 'enter';
  tid: number;
  pid: number;
  seq: number;
  cpu: number;
  nr: number;
  /** CLOCK_MONOTONIC ns (bpf_ktime_get_ns). */
  ts: bigint;
  comm: string;
  /** Raw register values; as many as the rule for `nr` asked the kernel to copy. */
  args: bigint[];
  params: Param[];
  /** Shown after newer records: published later than the live stream's slack allows. */
  late: boolean;
  /**
   * Present (true) when the ring no longer held this thread's comm as the record was read
   * (TL_FLAG_COMM_LATER): `comm` is the name the thread had at its next named record, or '' if
   * none was read. Absent otherwise, so a record reads as it did before the ring carried comms.
   */
  commLater?: true;
}

export interface ExitRecord {
  kind: 'exit';
  tid: number;
  pid: number;
  seq: number;
  cpu: number;
  nr: number;
  ts: bigint;
  /** Signed: -4095..-1 are errors. */
  ret: bigint;
  params: Param[];
  /** Shown after newer records (see EnterRecord.late). */
  late: boolean;
  /** A process's end whose process the OOM killer chose (TL_FLAG_OOM); absent otherwise. */
  oom?: true;
}

export interface LostRecord {
  kind: 'lost';
  cpu: number;
  /** TL_LOST_*. */
  reason: number;
  count: bigint;
  /** Newest record seen before the gap, 0n if none. */
  tsFrom: bigint;
  /** Oldest record seen after the gap. */
  tsTo: bigint;
}

export type WireRecord = EnterRecord | ExitRecord | LostRecord;

function malformed(offset: number, what: string): Error {
  return new Error(`malformed record at offset ${offset}: ${what}`);
}

// Plain little-endian loads. Buffer's readUInt*LE check their offset on every call; here
// parseRecords has already checked that the whole record lies inside the buffer.
const u8 = (buf: Buffer, off: number): number => buf[off] as number;
const u16 = (buf: Buffer, off: number): number =>
  (buf[off] as number) | ((buf[off + 1] as number) << 8);
const u32 = (buf: Buffer, off: number): number =>
  ((buf[off] as number) | ((buf[off + 1] as number) << 8) | ((buf[off + 2] as number) << 16)) +
  (buf[off + 3] as number) * 0x1000000;

/**
 * The call number of the enter or exit record at `off`, as parsed records carry it: its nr, or
 * NR_IA32_BASE + its nr for an ia32 call (TL_FLAG_IA32).
 */
export function callNr(buf: Buffer, off: number): number {
  const nr = u16(buf, off + LAYOUT['tl_event.nr']);
  return (u8(buf, off + LAYOUT['tl_hdr.flags']) & TL_FLAG_IA32) !== 0 ? NR_IA32_BASE + nr : nr;
}

/**
 * The last comm decoded and its bytes. A stream is mostly a few threads, each with the same
 * comm on every enter, so comparing 16 bytes usually saves a UTF-8 decode and a new string.
 */
const lastCommBytes = new Uint8Array(TL_COMM_LEN);
let lastCommLen = -1;
let lastComm = '';

/** The comm at buf[start, start + TL_COMM_LEN): its bytes up to the first NUL, as text. */
function commString(buf: Buffer, start: number): string {
  let len = 0;
  while (len < TL_COMM_LEN && buf[start + len] !== 0) len++;
  if (len === lastCommLen) {
    let same = true;
    for (let i = 0; i < len; i++) {
      if (buf[start + i] !== lastCommBytes[i]) {
        same = false;
        break;
      }
    }
    if (same) return lastComm;
  }
  for (let i = 0; i < len; i++) lastCommBytes[i] = buf[start + i] as number;
  lastCommLen = len;
  lastComm = buf.toString('utf8', start, start + len);
  return lastComm;
}

/**
 * Typed views of the buffer when its records are 8-byte aligned in memory (always, for what
 * the addon hands over; every record's size is a multiple of 8, so every record and field then
 * sits at an offset its width divides): a field is one load instead of a byte at a time, u64
 * fields need no readBigUInt64LE arithmetic and ret no BigInt.asIntN. Undefined otherwise.
 */
interface Views {
  u16: Uint16Array;
  u32: Uint32Array;
  u64: BigUint64Array;
  s64: BigInt64Array;
}

function alignedViews(buf: Buffer): Views | undefined {
  if (buf.byteOffset % 8 !== 0) return undefined;
  const { buffer, byteOffset, length } = buf;
  return {
    u16: new Uint16Array(buffer, byteOffset, length >>> 1),
    u32: new Uint32Array(buffer, byteOffset, length >>> 2),
    u64: new BigUint64Array(buffer, byteOffset, length >>> 3),
    s64: new BigInt64Array(buffer, byteOffset, length >>> 3),
  };
}

// Field loads through the views when there are some; `off` is then aligned (see above).
const rd16 = (buf: Buffer, view: Views | undefined, off: number): number =>
  view ? (view.u16[off >>> 1] as number) : u16(buf, off);
const rd32 = (buf: Buffer, view: Views | undefined, off: number): number =>
  view ? (view.u32[off >>> 2] as number) : u32(buf, off);

/** 0n..4095n, made once: argument registers mostly hold small numbers (fds, sizes, flags). */
const SMALL: readonly bigint[] = Array.from({ length: 4096 }, (_, i) => BigInt(i));

function readU64(buf: Buffer, view: Views | undefined, off: number): bigint {
  if (!view) return buf.readBigUInt64LE(off);
  const lo = view.u32[off >>> 2] as number;
  // A BigInt read from the 64-bit view is a new object; a small one is taken from SMALL.
  if (lo < 4096 && view.u32[(off >>> 2) + 1] === 0) return SMALL[lo] as bigint;
  return view.u64[off >>> 3] as bigint;
}

function readS64(buf: Buffer, view: Views | undefined, off: number): bigint {
  return view ? (view.s64[off >>> 3] as bigint) : buf.readBigInt64LE(off);
}

/** The last comm's 16 bytes as four words, for the aligned path: four compares per enter. */
const lastCommWords = new Uint32Array(TL_COMM_LEN / 4);
let lastCommWordsText: string | undefined;

function commOf(buf: Buffer, view: Views | undefined, start: number): string {
  if (!view) return commString(buf, start);
  const w = view.u32;
  const i = start >>> 2;
  if (
    lastCommWordsText !== undefined &&
    w[i] === lastCommWords[0] &&
    w[i + 1] === lastCommWords[1] &&
    w[i + 2] === lastCommWords[2] &&
    w[i + 3] === lastCommWords[3]
  ) {
    return lastCommWordsText;
  }
  const text = commString(buf, start);
  for (let k = 0; k < 4; k++) lastCommWords[k] = w[i + k] as number;
  lastCommWordsText = text;
  return text;
}

function parseEnter(buf: Buffer, off: number, size: number, view?: Views): EnterRecord {
  if (size < enterBytes(0)) throw malformed(off, `enter of only ${size} bytes`);
  const nargs = u8(buf, off + LAYOUT['tl_enter.nargs']);
  if (nargs > TL_MAX_ARGS) throw malformed(off, `enter with nargs ${nargs} > ${TL_MAX_ARGS}`);
  if (size < enterBytes(nargs)) {
    throw malformed(off, `enter of ${size} bytes is shorter than its ${nargs} args need`);
  }
  // Sized up front: push() would give the first argument room for 17.
  const args: bigint[] = new Array<bigint>(nargs);
  const at = off + LAYOUT['tl_enter.args'];
  for (let i = 0; i < nargs; i++) args[i] = readU64(buf, view, at + 8 * i);
  const comm = LAYOUT['tl_enter.comm'];
  return {
    kind: 'enter',
    tid: rd32(buf, view, off + LAYOUT['tl_hdr.tid']),
    pid: rd32(buf, view, off + LAYOUT['tl_enter.pid']),
    seq: rd32(buf, view, off + ENTER_EV + EV.seq),
    cpu: rd16(buf, view, off + ENTER_EV + EV.cpu),
    nr: callNr(buf, off + ENTER_EV),
    ts: readU64(buf, view, off + ENTER_EV + EV.ts),
    comm: commOf(buf, view, off + comm),
    args,
    params: [],
    late: isLate(buf, off),
    ...((u8(buf, off + LAYOUT['tl_hdr.flags']) & TL_FLAG_COMM_LATER) !== 0 && {
      commLater: true as const,
    }),
  };
}

function isLate(buf: Buffer, off: number): boolean {
  return (u8(buf, off + LAYOUT['tl_hdr.flags']) & TL_FLAG_LATE) !== 0;
}

function parseExit(buf: Buffer, off: number, size: number, view?: Views): ExitRecord {
  if (size < LAYOUT['sizeof(struct tl_exit)']) throw malformed(off, `exit of only ${size} bytes`);
  return {
    kind: 'exit',
    tid: rd32(buf, view, off + LAYOUT['tl_hdr.tid']),
    pid: rd32(buf, view, off + LAYOUT['tl_exit.pid']),
    seq: rd32(buf, view, off + EXIT_EV + EV.seq),
    cpu: rd16(buf, view, off + EXIT_EV + EV.cpu),
    nr: callNr(buf, off + EXIT_EV),
    ts: readU64(buf, view, off + EXIT_EV + EV.ts),
    ret: readS64(buf, view, off + LAYOUT['tl_exit.ret']),
    params: [],
    late: isLate(buf, off),
    ...((u8(buf, off + LAYOUT['tl_hdr.flags']) & TL_FLAG_OOM) !== 0 && { oom: true as const }),
  };
}

function parseParam(buf: Buffer, off: number, size: number): Param {
  const head = LAYOUT['sizeof(struct tl_param)'];
  if (size < head) throw malformed(off, `param of only ${size} bytes`);
  const len = u16(buf, off + LAYOUT['tl_param.len']);
  if (size < head + len) throw malformed(off, `param of ${size} bytes cannot hold ${len} bytes`);
  return {
    arg: u8(buf, off + LAYOUT['tl_param.arg']),
    status: u8(buf, off + LAYOUT['tl_param.status']),
    want: u32(buf, off + LAYOUT['tl_param.want']),
    bytes: buf.subarray(off + head, off + head + len),
  };
}

function parseLost(buf: Buffer, off: number, size: number): LostRecord {
  if (size < LAYOUT['sizeof(struct tl_lost)']) throw malformed(off, `lost of only ${size} bytes`);
  return {
    kind: 'lost',
    cpu: u32(buf, off + LAYOUT['tl_lost.cpu']),
    reason: u8(buf, off + LAYOUT['tl_hdr.flags']),
    count: buf.readBigUInt64LE(off + LAYOUT['tl_lost.count']),
    tsFrom: buf.readBigUInt64LE(off + LAYOUT['tl_lost.ts_from']),
    tsTo: buf.readBigUInt64LE(off + LAYOUT['tl_lost.ts_to']),
  };
}

// The one walk over a batch of merged records, header by header: parseRecords (every record
// decoded), the UI's store (records indexed, decoded later) and the server's tallies (events
// counted per CPU) all step through a batch with it. A cursor, not a callback: the 2M lines/s
// decode loop stays one loop, with no call per record to a closure. Strict walks
// (parseRecords) throw at a header that cannot be right, naming the offset: past a bad size
// every later boundary would be a guess. Lenient walks (the store, the tallies) stop there and
// keep what came before: the addon never makes such a header, and a screen or a count must
// not die of one.
const WALK_HDR_BYTES = LAYOUT['sizeof(struct tl_hdr)'];
const WALK_HDR_SIZE = LAYOUT['tl_hdr.size'];
const WALK_HDR_TYPE = LAYOUT['tl_hdr.type'];
const WALK_HDR_TID = LAYOUT['tl_hdr.tid'];

export class RecordWalk {
  /** Where the current record starts, and its size and type (after next() returned true). */
  off = 0;
  size = 0;
  type = 0;
  private at = 0;

  constructor(
    readonly buf: Buffer,
    /** Throw at a header that cannot be right (else stop there). */
    private readonly strict: boolean,
  ) {}

  /** Steps to the next record: false at the end of the batch (or, lenient, at a bad header). */
  next(): boolean {
    const buf = this.buf;
    const off = this.at;
    if (off >= buf.length) return false;
    if (buf.length - off < WALK_HDR_BYTES) {
      return this.bad(off, `${buf.length - off} trailing bytes, less than a header`);
    }
    const size =
      (buf[off + WALK_HDR_SIZE] as number) | ((buf[off + WALK_HDR_SIZE + 1] as number) << 8);
    if (size === 0) return this.bad(off, 'size 0');
    if (size % TL_ALIGN !== 0) {
      return this.bad(off, `size ${size} is not a multiple of ${TL_ALIGN}`);
    }
    if (off + size > buf.length) {
      return this.bad(off, `size ${size} runs past the end (${buf.length} bytes)`);
    }
    this.off = off;
    this.size = size;
    this.type = buf[off + WALK_HDR_TYPE] as number;
    this.at = off + size;
    return true;
  }

  /** The current record's thread (every record has one in its header). */
  get tid(): number {
    return this.buf.readUInt32LE(this.off + WALK_HDR_TID);
  }

  private bad(off: number, what: string): false {
    if (this.strict) throw malformed(off, what);
    this.at = this.buf.length;
    return false;
  }
}

/**
 * Decodes a stream of records as the addon hands it over (merged, oldest first).
 *
 * PARAM records belong to the ENTER or EXIT right before them (PAD records in between are
 * allowed: a writer may close a lap between a record and its params) and are attached to its
 * `params`; a PARAM with no such owner of the same tid is dropped, since its owner was already
 * accounted for as lost. Any size that cannot be right throws, naming the offset: past a bad
 * size, every later boundary would be a guess.
 */
export function parseRecords(buf: Buffer): WireRecord[] {
  const out: WireRecord[] = [];
  let owner: EnterRecord | ExitRecord | undefined;
  const view = alignedViews(buf);
  const walk = new RecordWalk(buf, true);
  while (walk.next()) {
    const off = walk.off;
    const size = walk.size;
    switch (walk.type) {
      case TL_REC_PAD:
        break;
      case TL_REC_ENTER:
        owner = parseEnter(buf, off, size, view);
        out.push(owner);
        break;
      case TL_REC_EXIT:
        owner = parseExit(buf, off, size, view);
        out.push(owner);
        break;
      case TL_REC_PARAM: {
        const param = parseParam(buf, off, size);
        if (owner && owner.tid === rd32(buf, view, off + LAYOUT['tl_hdr.tid'])) {
          // The owner's empty array is ours still: a literal holds one param in the room of
          // one, where push() would make room for 17.
          if (owner.params.length === 0) owner.params = [param];
          else owner.params.push(param);
        }
        break;
      }
      case TL_REC_LOST:
        owner = undefined;
        out.push(parseLost(buf, off, size));
        break;
      default:
        throw malformed(off, `unknown record type ${walk.type}`);
    }
  }
  return out;
}

/** What to capture of one argument: one struct tl_capture. */
export interface Capture {
  kind: CaptureKind;
  /** Argument index, 0-based. */
  arg: number;
  /** TL_CAP_BUF_ARGLEN: the argument holding the length. */
  lenArg?: number;
  /**
   * TL_CAP_STRUCT_*: bytes to copy. Buffers (TL_CAP_BUF_*): bytes per element, the length
   * being a count (poll's nfds, epoll_wait's return); 0 or absent for 1.
   */
  size?: number;
}

/** One struct tl_rule: what the kernel records for one syscall number. */
export interface Rule {
  /** Arguments copied into the enter record, 0..TL_MAX_ARGS. */
  nargs: number;
  captures: readonly Capture[];
}

function checkCapture(nr: number, c: Capture): void {
  const where = `rule for syscall ${nr}`;
  if (c.kind === TL_CAP_NEW_FDS) {
    if (c.arg !== TL_ARG_NEW_FDS) throw new Error(`${where}: new fds are arg ${TL_ARG_NEW_FDS}`);
    const array = c.size !== undefined && c.size !== 0;
    if (array && (c.size! > TL_NEW_FDS_MAX || c.lenArg === undefined || c.lenArg >= TL_MAX_ARGS)) {
      throw new Error(`${where}: new fds in an array need its argument and 1..${TL_NEW_FDS_MAX}`);
    }
    return;
  }
  if (c.arg < 0 || c.arg >= TL_MAX_ARGS) throw new Error(`${where}: capture of arg ${c.arg}`);
  if (
    c.kind === TL_CAP_BUF_ARGLEN ||
    c.kind === TL_CAP_BUF_ARGLEN_EXIT ||
    c.kind === TL_CAP_IOV ||
    c.kind === TL_CAP_IOV_EXIT ||
    c.kind === TL_CAP_FDSETS ||
    c.kind === TL_CAP_FDSETS_EXIT
  ) {
    const len = c.lenArg;
    if (len === undefined || len < 0 || len >= TL_MAX_ARGS || len === c.arg) {
      throw new Error(`${where}: a buffer of arg ${c.arg} needs another arg as length`);
    }
  }
  if ((c.kind === TL_CAP_FDSETS || c.kind === TL_CAP_FDSETS_EXIT) && c.arg + 3 >= TL_MAX_ARGS) {
    throw new Error(`${where}: fd sets from arg ${c.arg} need three sets and a timeout after it`);
  }
  if (c.kind === TL_CAP_KEYED && (c.lenArg === undefined || c.lenArg >= TL_MAX_ARGS)) {
    throw new Error(`${where}: a keyed capture needs a selector argument`);
  }
  if (
    c.kind === TL_CAP_STRUCT_ENTER ||
    c.kind === TL_CAP_STRUCT_EXIT ||
    c.kind === TL_CAP_STRUCT_INOUT
  ) {
    if (!c.size || c.size > TL_MAX_CAPTURE) {
      throw new Error(`${where}: struct capture of arg ${c.arg} needs 1..${TL_MAX_CAPTURE} bytes`);
    }
  }
  if (c.size !== undefined && (c.size < 0 || c.size > TL_MAX_CAPTURE)) {
    throw new Error(`${where}: element size ${c.size} of arg ${c.arg}`);
  }
}

/**
 * Packs rules into the TL_MAX_SYSCALLS struct tl_rule array the BPF `rules` map is filled
 * from. Numbers without a rule get an all-zero one: no args, no captures.
 */
export function encodeRules(rules: ReadonlyMap<number, Rule>): Buffer {
  const ruleBytes = LAYOUT['sizeof(struct tl_rule)'];
  const capBytes = LAYOUT['sizeof(struct tl_capture)'];
  const out = Buffer.alloc(TL_MAX_SYSCALLS * ruleBytes);
  for (const [nr, rule] of rules) {
    if (!Number.isInteger(nr) || nr < 0 || nr >= TL_MAX_SYSCALLS) {
      throw new Error(`rule for syscall ${nr}: outside 0..${TL_MAX_SYSCALLS - 1}`);
    }
    if (rule.nargs < 0 || rule.nargs > TL_MAX_ARGS) {
      throw new Error(`rule for syscall ${nr}: nargs ${rule.nargs}`);
    }
    if (rule.captures.length > TL_MAX_PARAMS) {
      throw new Error(`rule for syscall ${nr}: more than ${TL_MAX_PARAMS} captures`);
    }
    const base = nr * ruleBytes;
    out.writeUInt8(rule.nargs, base + LAYOUT['tl_rule.nargs']);
    rule.captures.forEach((c, i) => {
      checkCapture(nr, c);
      const at = base + LAYOUT['tl_rule.cap'] + i * capBytes;
      out.writeUInt8(c.kind, at + LAYOUT['tl_capture.kind']);
      out.writeUInt8(c.arg, at + LAYOUT['tl_capture.arg']);
      out.writeUInt8(c.lenArg ?? 0, at + LAYOUT['tl_capture.len_arg']);
      out.writeUInt32LE(c.size ?? 0, at + LAYOUT['tl_capture.size']);
    });
  }
  return out;
}

/** One keyed_rules entry: for syscall `nr`, when its selector argument's low 32 bits equal
 * `selector`, capture `capture` (a string, or a struct at enter or at exit). */
export interface KeyedRule {
  nr: number;
  selector: number;
  capture: Capture;
}

const KEYED_KINDS: readonly number[] = [
  TL_CAP_STR,
  TL_CAP_STRUCT_ENTER,
  TL_CAP_STRUCT_EXIT,
  TL_CAP_STRUCT_INOUT,
];

/** Packs keyed rules as the (struct tl_keyed_key, struct tl_capture) pairs the addon loads. */
export function encodeKeyedRules(rules: readonly KeyedRule[]): Buffer {
  const keyBytes = LAYOUT['sizeof(struct tl_keyed_key)'];
  const pair = keyBytes + LAYOUT['sizeof(struct tl_capture)'];
  if (rules.length > TL_MAX_KEYED) {
    throw new Error(`${rules.length} keyed capture rules, more than ${TL_MAX_KEYED}`);
  }
  const out = Buffer.alloc(rules.length * pair);
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    const key = `${r.nr}:${r.selector >>> 0}`;
    if (seen.has(key)) throw new Error(`keyed rule for syscall ${r.nr}, ${r.selector}: twice`);
    seen.add(key);
    if (!KEYED_KINDS.includes(r.capture.kind)) {
      throw new Error(`keyed rule for syscall ${r.nr}: kind ${r.capture.kind} cannot be keyed`);
    }
    checkCapture(r.nr, r.capture);
    const at = i * pair;
    out.writeUInt32LE(r.nr, at + LAYOUT['tl_keyed_key.nr']);
    out.writeUInt32LE(r.selector >>> 0, at + LAYOUT['tl_keyed_key.selector']);
    const c = at + keyBytes;
    out.writeUInt8(r.capture.kind, c + LAYOUT['tl_capture.kind']);
    out.writeUInt8(r.capture.arg, c + LAYOUT['tl_capture.arg']);
    out.writeUInt8(r.capture.lenArg ?? 0, c + LAYOUT['tl_capture.len_arg']);
    out.writeUInt32LE(r.capture.size ?? 0, c + LAYOUT['tl_capture.size']);
  });
  return out;
}

// Keyed captures, and ioctl's third argument as strace 6.1 prints it.
//
// For ioctl, prctl and fcntl, what the pointer argument points to depends on a selector
// argument (ioctl's request, prctl's option, fcntl's cmd). The tables here say, per selector
// value, which argument to capture, when, and how many bytes; userspace loads them into the
// BPF side. The formatters print the captured bytes the way strace's term.c and sock.c do.
import { TL_PARAM_FAULT, TL_PARAM_TRUNCATED, type Param } from '../wire.js';
import { lookupXlat, type Xlat } from './flags.js';
import { DEFAULT_MAX_STRING, quote } from './strings.js';
import { formatSockaddr } from './structs.js';
import * as T from './xlat/termios.js';

import type { KeyedCapture } from '../syscalls/rules.js';
import { FAULT, address, hexValue } from './values.js';
export type { KeyedCapture };

/** strace's printxval: the name, or the number in hex with `/* X_??? *\/`. */
export function xvalText(v: bigint, table: readonly Xlat[], unknown: string): string {
  return lookupXlat(v, table) ?? `${hexValue(v)} /* ${unknown} */`;
}

/**
 * strace's printflags: names in table order, then the unnamed rest in hex. Zero prints `0`
 * when there is a default (`unknown`), else nothing at all (strace's printflags with a NULL
 * default, as in `c_iflag=`); unnamed bits alone print as `0x10 /* X_??? *\/`.
 */
export function flagsText(v: bigint, table: readonly Xlat[], unknown?: string): string {
  let rest = v;
  const names: string[] = [];
  for (const { value, name } of table) {
    if (rest === 0n) break;
    if (value !== 0n && (rest & value) === value) {
      names.push(name);
      rest &= ~value;
    }
  }
  if (names.length > 0)
    return rest === 0n ? names.join('|') : `${names.join('|')}|${hexValue(rest)}`;
  if (rest !== 0n) return unknown ? `${hexValue(rest)} /* ${unknown} */` : hexValue(rest);
  return unknown ? '0' : '';
}

/**
 * A pointed-to value: NULL for 0, the address when nothing was captured (an exit capture of a
 * call that failed), `<unavailable: fault>` when the memory could not be read, else `show`
 * of the bytes (the address again if they are too few).
 */
export function pointedText(
  value: bigint,
  param: Param | undefined,
  show: (b: Buffer) => string | undefined,
): string {
  if (value === 0n) return 'NULL';
  if (!param) return address(value);
  if (param.status === TL_PARAM_FAULT) return FAULT;
  return show(param.bytes) ?? address(value);
}

/**
 * strace's printstr_ex for a string of at most `len` bytes (Infinity: no bound but -s):
 * up to min(len, maxString) bytes, then `...` unless a NUL ended the string there. strace
 * reads one byte past -s when it can, so a string exactly -s long shows no `...`.
 */
export function boundedString(param: Param, len: number, maxString: number): string {
  if (param.status === TL_PARAM_FAULT) return FAULT;
  const bytes = param.bytes;
  const limit = Math.min(len, maxString);
  let end = bytes.indexOf(0);
  if (end < 0) end = param.status === TL_PARAM_TRUNCATED ? Infinity : bytes.length;
  if (end < limit || (end === limit && maxString < len)) return quote(bytes.subarray(0, end));
  return quote(bytes.subarray(0, Math.min(limit, bytes.length))) + '...';
}

/** A fixed char array (ifr_name): up to its NUL, else all but the last byte and `...`. */
function cstringField(b: Buffer, offset: number, size: number): string {
  const f = b.subarray(offset, offset + size);
  const nul = f.indexOf(0);
  if (nul >= 0) return quote(f.subarray(0, nul));
  return quote(f.subarray(0, size - 1)) + '...';
}

const intIn = (b: Buffer): string | undefined =>
  b.length >= 4 ? `[${b.readInt32LE(0)}]` : undefined;

// ---- struct termios, termios2, termio, winsize ----------------------------------------

function oflagText(v: bigint): string {
  let out = '';
  let rest = v;
  for (const { mask, table, unknown } of T.TERM_OFLAG_FIELDS) {
    out += `${xvalText(rest & mask, table, unknown)}|`;
    rest &= ~mask;
  }
  return out + flagsText(rest, T.TERM_OFLAGS);
}

function cflagText(v: bigint): string {
  let out = `${xvalText(v & T.CBAUD, T.BAUD_RATES, 'B???')}|`;
  if (v & T.CIBAUD) {
    out += `${xvalText((v & T.CIBAUD) >> T.IBSHIFT, T.BAUD_RATES, 'B???')}<<IBSHIFT|`;
  }
  out += `${xvalText(v & T.CSIZE, T.TERM_CSIZES, 'CS?')}|`;
  return out + flagsText(v & ~(T.CBAUD | T.CIBAUD | T.CSIZE), T.TERM_CFLAGS);
}

function termFlags(i: number, o: number, c: number, l: number): string {
  return (
    `{c_iflag=${flagsText(BigInt(i), T.TERM_IFLAGS)}, c_oflag=${oflagText(BigInt(o))}, ` +
    `c_cflag=${cflagText(BigInt(c))}, c_lflag=${flagsText(BigInt(l), T.TERM_LFLAGS)}, ...}`
  );
}

/**
 * struct termios (36 bytes) or termios2 (44), strace's abbreviated form: the four flag words,
 * then `...` for c_line, c_cc and the speeds.
 */
export function formatTermios(b: Buffer): string | undefined {
  if (b.length < 16) return undefined;
  return termFlags(b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8), b.readUInt32LE(12));
}
export const TERMIOS_BYTES = 36;
export const TERMIOS2_BYTES = 44;

/** struct termio (TCGETA): 16-bit flag words. */
export function formatTermio(b: Buffer): string | undefined {
  if (b.length < 8) return undefined;
  return termFlags(b.readUInt16LE(0), b.readUInt16LE(2), b.readUInt16LE(4), b.readUInt16LE(6));
}
export const TERMIO_BYTES = 18;

/** struct winsize: {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}. */
export function formatWinsize(b: Buffer): string | undefined {
  if (b.length < 8) return undefined;
  return (
    `{ws_row=${b.readUInt16LE(0)}, ws_col=${b.readUInt16LE(2)}, ` +
    `ws_xpixel=${b.readUInt16LE(4)}, ws_ypixel=${b.readUInt16LE(6)}}`
  );
}

// ---- struct ifreq ---------------------------------------------------------------------

export const IFREQ_BYTES = 40;
const IFNAMSIZ = 16;

function hwaddrText(b: Buffer): string {
  const family = b.readUInt16LE(16);
  const size = Math.min(14, T.HWADDR_SIZES.get(family) ?? 255);
  const mac = [...b.subarray(18, 18 + size)].map((x) => x.toString(16).padStart(2, '0'));
  return `{sa_family=${xvalText(BigInt(family), T.ARPHRD_TYPES, 'ARPHRD_???')}, sa_data=${mac.join(':')}}`;
}

function ifmapText(b: Buffer): string {
  const x = (n: number | bigint): string => hexValue(BigInt(n));
  return (
    `{mem_start=${x(b.readBigUInt64LE(16))}, mem_end=${x(b.readBigUInt64LE(24))}, ` +
    `base_addr=${x(b.readUInt16LE(32))}, irq=${x(b[34] as number)}, dma=${x(b[35] as number)}, ` +
    `port=${x(b[36] as number)}}`
  );
}

/** The union member of struct ifreq that `request` reads or writes (strace's print_ifreq). */
function ifreqField(request: number, b: Buffer): string {
  const sockaddr = (name: string): string =>
    `${name}=${formatSockaddr(b.subarray(16, 32), 16) ?? '{}'}`;
  switch (request) {
    case 0x8915: // SIOCGIFADDR
    case 0x8916: // SIOCSIFADDR
      return sockaddr('ifr_addr');
    case 0x8917: // SIOCGIFDSTADDR
    case 0x8918: // SIOCSIFDSTADDR
      return sockaddr('ifr_dstaddr');
    case 0x8919: // SIOCGIFBRDADDR
    case 0x891a: // SIOCSIFBRDADDR
      return sockaddr('ifr_broadaddr');
    case 0x891b: // SIOCGIFNETMASK
    case 0x891c: // SIOCSIFNETMASK
      return sockaddr('ifr_netmask');
    case 0x8927: // SIOCGIFHWADDR
    case 0x8924: // SIOCSIFHWADDR
    case 0x8931: // SIOCADDMULTI
    case 0x8932: // SIOCDELMULTI
    case 0x8937: // SIOCSIFHWBROADCAST
      return `ifr_hwaddr=${hwaddrText(b)}`;
    case 0x8913: // SIOCGIFFLAGS
    case 0x8914: // SIOCSIFFLAGS
      return `ifr_flags=${flagsText(BigInt(b.readUInt16LE(16)), T.IFF_FLAGS, 'IFF_???')}`;
    case 0x8933: // SIOCGIFINDEX
      return `ifr_ifindex=${b.readInt32LE(16)}`;
    case 0x891d: // SIOCGIFMETRIC
    case 0x891e: // SIOCSIFMETRIC
      return `ifr_metric=${b.readInt32LE(16)}`;
    case 0x8921: // SIOCGIFMTU
    case 0x8922: // SIOCSIFMTU
      return `ifr_mtu=${b.readInt32LE(16)}`;
    case 0x8929: // SIOCGIFSLAVE
    case 0x8930: // SIOCSIFSLAVE
      return `ifr_slave=${cstringField(b, 16, IFNAMSIZ)}`;
    case 0x8923: // SIOCSIFNAME
      return `ifr_newname=${cstringField(b, 16, IFNAMSIZ)}`;
    case 0x8910: // SIOCGIFNAME
      return `ifr_name=${cstringField(b, 0, IFNAMSIZ)}`;
    case 0x8942: // SIOCGIFTXQLEN
    case 0x8943: // SIOCSIFTXQLEN
      return `ifr_qlen=${b.readInt32LE(16)}`;
    case 0x8970: // SIOCGIFMAP
    case 0x8971: // SIOCSIFMAP
      return `ifr_map=${ifmapText(b)}`;
    default:
      return '';
  }
}

/** SIOCS*: the name and the member, both given at enter. */
function ifreqIn(request: number, b: Buffer): string | undefined {
  if (b.length < IFREQ_BYTES) return undefined;
  return `{ifr_name=${cstringField(b, 0, IFNAMSIZ)}, ${ifreqField(request, b)}}`;
}

/**
 * SIOCG*: at enter the name (the index for SIOCGIFNAME), and if the call succeeded, the
 * member the kernel filled in: {ifr_name="lo", ifr_ifindex=1}; {ifr_name="nosuch0"}.
 */
function ifreqInOut(request: number, enter: Buffer, exit: Buffer | undefined): string | undefined {
  if (enter.length < IFREQ_BYTES) return undefined;
  let out =
    request === 0x8910
      ? `{ifr_ifindex=${enter.readInt32LE(16)}`
      : `{ifr_name=${cstringField(enter, 0, IFNAMSIZ)}`;
  if (exit && exit.length >= IFREQ_BYTES) out += `, ${ifreqField(request, exit)}`;
  return out + '}';
}

// ---- the request table ----------------------------------------------------------------

type Show = (b: Buffer) => string | undefined;

/** One decoded request: what to capture and how to show it. */
interface IoctlDecoder {
  readonly request: number;
  readonly kind: 'str' | 'in' | 'out' | 'inout';
  readonly size: number;
  readonly show?: Show;
}

const termios = (request: number, kind: 'in' | 'out'): IoctlDecoder => ({
  request,
  kind,
  size: TERMIOS_BYTES,
  show: formatTermios,
});
const termios2 = (request: number, kind: 'in' | 'out'): IoctlDecoder => ({
  request,
  kind,
  size: TERMIOS2_BYTES,
  show: formatTermios,
});
const termio = (request: number, kind: 'in' | 'out'): IoctlDecoder => ({
  request,
  kind,
  size: TERMIO_BYTES,
  show: formatTermio,
});
const int = (request: number, kind: 'in' | 'out'): IoctlDecoder => ({
  request,
  kind,
  size: 4,
  show: intIn,
});
const modem = (request: number, kind: 'in' | 'out'): IoctlDecoder => ({
  request,
  kind,
  size: 4,
  show: (b) =>
    b.length >= 4
      ? `[${flagsText(BigInt(b.readUInt32LE(0)), T.MODEM_FLAGS, 'TIOCM_???')}]`
      : undefined,
});
const ifreq = (request: number, kind: 'in' | 'inout'): IoctlDecoder => ({
  request,
  kind,
  size: IFREQ_BYTES,
});

const DECODERS: readonly IoctlDecoder[] = [
  // struct termios (term.c): the get at exit, the sets at enter
  termios(0x5401, 'out'), // TCGETS
  termios(0x5402, 'in'), // TCSETS
  termios(0x5403, 'in'), // TCSETSW
  termios(0x5404, 'in'), // TCSETSF
  termios(0x5456, 'out'), // TIOCGLCKTRMIOS
  termios(0x5457, 'in'), // TIOCSLCKTRMIOS
  termios2(0x802c542a, 'out'), // TCGETS2
  termios2(0x402c542b, 'in'), // TCSETS2
  termios2(0x402c542c, 'in'), // TCSETSW2
  termios2(0x402c542d, 'in'), // TCSETSF2
  termio(0x5405, 'out'), // TCGETA
  termio(0x5406, 'in'), // TCSETA
  termio(0x5407, 'in'), // TCSETAW
  termio(0x5408, 'in'), // TCSETAF
  { request: 0x5413, kind: 'out', size: 8, show: formatWinsize }, // TIOCGWINSZ
  { request: 0x5414, kind: 'in', size: 8, show: formatWinsize }, // TIOCSWINSZ
  modem(0x5415, 'out'), // TIOCMGET
  modem(0x5416, 'in'), // TIOCMBIS
  modem(0x5417, 'in'), // TIOCMBIC
  modem(0x5418, 'in'), // TIOCMSET
  // an int, [%d]
  int(0x540f, 'out'), // TIOCGPGRP
  int(0x5429, 'out'), // TIOCGSID
  int(0x5424, 'out'), // TIOCGETD
  int(0x5419, 'out'), // TIOCGSOFTCAR
  int(0x80045430, 'out'), // TIOCGPTN
  int(0x541b, 'out'), // FIONREAD
  int(0x5411, 'out'), // TIOCOUTQ (SIOCOUTQ)
  int(0x80045440, 'out'), // TIOCGEXCL
  int(0x80045432, 'out'), // TIOCGDEV
  int(0x5410, 'in'), // TIOCSPGRP
  int(0x5423, 'in'), // TIOCSETD
  int(0x5421, 'in'), // FIONBIO
  int(0x5452, 'in'), // FIOASYNC
  int(0x5420, 'in'), // TIOCPKT
  int(0x541a, 'in'), // TIOCSSOFTCAR
  int(0x40045431, 'in'), // TIOCSPTLCK
  // one char
  { request: 0x5412, kind: 'in', size: 1, show: (b) => quote(b.subarray(0, 1)) }, // TIOCSTI
  // sockets (sock.c): an int
  int(0x8903, 'out'), // FIOGETOWN
  int(0x8905, 'out'), // SIOCATMARK
  int(0x8904, 'out'), // SIOCGPGRP
  int(0x894b, 'out'), // SIOCOUTQNSD
  int(0x8901, 'in'), // FIOSETOWN
  int(0x8902, 'in'), // SIOCSPGRP
  // struct ifreq
  ifreq(0x8915, 'inout'), // SIOCGIFADDR
  ifreq(0x8919, 'inout'), // SIOCGIFBRDADDR
  ifreq(0x8917, 'inout'), // SIOCGIFDSTADDR
  ifreq(0x8913, 'inout'), // SIOCGIFFLAGS
  ifreq(0x8927, 'inout'), // SIOCGIFHWADDR
  ifreq(0x8933, 'inout'), // SIOCGIFINDEX
  ifreq(0x8970, 'inout'), // SIOCGIFMAP
  ifreq(0x891d, 'inout'), // SIOCGIFMETRIC
  ifreq(0x8921, 'inout'), // SIOCGIFMTU
  ifreq(0x8910, 'inout'), // SIOCGIFNAME
  ifreq(0x891b, 'inout'), // SIOCGIFNETMASK
  ifreq(0x8929, 'inout'), // SIOCGIFSLAVE
  ifreq(0x8942, 'inout'), // SIOCGIFTXQLEN
  ifreq(0x8931, 'in'), // SIOCADDMULTI
  ifreq(0x8932, 'in'), // SIOCDELMULTI
  ifreq(0x8916, 'in'), // SIOCSIFADDR
  ifreq(0x891a, 'in'), // SIOCSIFBRDADDR
  ifreq(0x8918, 'in'), // SIOCSIFDSTADDR
  ifreq(0x8914, 'in'), // SIOCSIFFLAGS
  ifreq(0x8924, 'in'), // SIOCSIFHWADDR
  ifreq(0x8937, 'in'), // SIOCSIFHWBROADCAST
  ifreq(0x8971, 'in'), // SIOCSIFMAP
  ifreq(0x891e, 'in'), // SIOCSIFMETRIC
  ifreq(0x8922, 'in'), // SIOCSIFMTU
  ifreq(0x8923, 'in'), // SIOCSIFNAME
  ifreq(0x891c, 'in'), // SIOCSIFNETMASK
  ifreq(0x8930, 'in'), // SIOCSIFSLAVE
  ifreq(0x8943, 'in'), // SIOCSIFTXQLEN
  // a bridge name, at most IFNAMSIZ bytes
  { request: 0x89a0, kind: 'str', size: 0 }, // SIOCBRADDBR
  { request: 0x89a1, kind: 'str', size: 0 }, // SIOCBRDELBR
];

const BY_REQUEST = new Map(DECODERS.map((d) => [d.request, d]));

/** What to capture, per ioctl request: the third argument (index 2). */
export const IOCTL_CAPTURES: readonly KeyedCapture[] = DECODERS.map((d) => ({
  selector: d.request,
  arg: 2,
  kind: d.kind,
  size: d.size,
}));

/** Requests whose argument is a plain value: int (%d), or named by a table. */
const INT_VALUE = new Set([0x5409, 0x5425, 0x540e]); // TCSBRK, TCSBRKP, TIOCSCTTY
/** Requests strace prints without a third argument. */
const NO_ARG = new Set([
  0x5427, // TIOCSBRK
  0x5428, // TIOCCBRK
  0x541d, // TIOCCONS
  0x5422, // TIOCNOTTY
  0x540c, // TIOCEXCL
  0x540d, // TIOCNXCL
  0x5451, // FIOCLEX
  0x5450, // FIONCLEX
  0x5437, // TIOCVHANGUP
  0x541f, // TIOCSSERIAL
]);
/** Socket requests strace shows as an address (printaddr: NULL for 0), not as a number. */
const ADDRESS_ONLY = new Set([
  0x8980, 0x890b, 0x8995, 0x8990, 0x8994, 0x8991, 0x8992, 0x8993, 0x8953, 0x8981, 0x890c, 0x8936,
  0x8960, 0x8946, 0x8954, 0x89b1, 0x8940, 0x8938, 0x891f, 0x8935, 0x8982, 0x8947, 0x8948, 0x8961,
  0x894c, 0x8906, 0x80108906, 0x8907, 0x80108907, 0x890d, 0x8955, 0x89b0, 0x8941, 0x8911, 0x8920,
  0x8934, 0x8983, 0x8949, 0x8962, 0x894a,
]);
const FICLONE = 0x40049409;
const TCXONC = 0x540a;
const TCFLSH = 0x540b;
const SIOCGIFCONF = 0x8912;

/**
 * ioctl's third argument as strace prints it, or null where strace prints none (FIOCLEX).
 * `param` is its capture (for 'out' requests the one taken at exit, absent when the call
 * failed; for 'inout' the one taken at enter), `exitParam` the exit capture of 'inout'
 * requests; `maxString` is -s. Unknown requests print the value in hex (0 as `0`), as strace
 * does.
 */
export function formatIoctlArg(
  request: number,
  value: bigint,
  param: Param | undefined,
  exitParam?: Param,
  maxString = DEFAULT_MAX_STRING,
): string | null {
  const code = request >>> 0;
  const d = BY_REQUEST.get(code);
  if (d) {
    if (d.kind === 'str') {
      if (value === 0n) return 'NULL';
      return param ? boundedString(param, IFNAMSIZ, maxString) : address(value);
    }
    if (d.kind === 'inout') {
      const enter = param ?? exitParam;
      const exit = exitParam && exitParam.status !== TL_PARAM_FAULT ? exitParam : undefined;
      return pointedText(value, enter, (b) => ifreqInOut(code, b, exit?.bytes));
    }
    if (!d.show) return pointedText(value, param, (b) => ifreqIn(code, b));
    return pointedText(value, param, d.show);
  }
  if (NO_ARG.has(code)) return null;
  if (INT_VALUE.has(code)) return BigInt.asIntN(32, value).toString();
  if (code === TCXONC) return xvalText(BigInt.asUintN(64, value), T.TCXONC_OPTIONS, 'TC???');
  if (code === TCFLSH) return xvalText(BigInt.asUintN(64, value), T.TCFLSH_OPTIONS, 'TC???');
  if (code === FICLONE) return BigInt.asIntN(32, value).toString();
  if (ADDRESS_ONLY.has(code) || code === SIOCGIFCONF) return address(value);
  return hexValue(value);
}

/** Requests that strace names by more than one constant of the same value, on x86_64. */
const IOCTL_ALIASES: ReadonlyMap<number, string> = new Map([
  [0x5402, 'SNDCTL_TMR_START or TCSETS'],
  [0x5403, 'SNDCTL_TMR_STOP or TCSETSW'],
  [0x5404, 'SNDCTL_TMR_CONTINUE or TCSETSF'],
  [0x4020940d, 'BTRFS_IOC_CLONE_RANGE or FICLONERANGE'],
  [0xc0189436, 'BTRFS_IOC_FILE_EXTENT_SAME or FIDEDUPERANGE'],
]);

const IOC_DIRS = ['_IOC_NONE', '_IOC_WRITE', '_IOC_READ', '_IOC_READ|_IOC_WRITE'];

/**
 * ioctl's request as strace 6.1 prints it, given the name a table knows (xlat/misc.ts's
 * IOCTL_REQUESTS): that name, strace's `A or B` where two constants share the value, or for
 * an unknown request its fields, `_IOC(_IOC_NONE, 0x56, 0x78, 0x1234)`.
 */
export function formatIoctlRequest(request: number, known: string | undefined): string {
  const code = request >>> 0;
  const alias = IOCTL_ALIASES.get(code);
  if (alias) return alias;
  if (known) return known;
  const x = (n: number): string => (n === 0 ? '0' : `0x${n.toString(16)}`);
  const dir = IOC_DIRS[code >>> 30] as string;
  return `_IOC(${dir}, ${x((code >>> 8) & 0xff)}, ${x(code & 0xff)}, ${x((code >>> 16) & 0x3fff)})`;
}

// ioctl's request and third argument as strace 6.1 prints them. What each request captures,
// and in which layout, is src/syscalls/keyed/ioctl.ts; here the captured bytes are printed the
// way strace's term.c and sock.c do.
import { TL_PARAM_FAULT, type Param } from '../wire.js';
import {
  IOCTL_CAPTURES,
  IOCTL_LAYOUT_BYTES,
  type IoctlCapture,
  type IoctlLayout,
} from '../syscalls/keyed/ioctl.js';
import { IOCTL_REQUEST as R } from '../syscalls/uapi/ioctl.js';
import { DEFAULT_MAX_STRING, boundedString, quote } from './strings.js';
import { formatSockaddr } from './structs.js';
import * as T from './xlat/termios.js';
import { address, flagsText, hexValue, pointedText, xvalText } from './print.js';

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

/** struct termio (TCGETA): 16-bit flag words. */
export function formatTermio(b: Buffer): string | undefined {
  if (b.length < 8) return undefined;
  return termFlags(b.readUInt16LE(0), b.readUInt16LE(2), b.readUInt16LE(4), b.readUInt16LE(6));
}

/** struct winsize: {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}. */
export function formatWinsize(b: Buffer): string | undefined {
  if (b.length < 8) return undefined;
  return (
    `{ws_row=${b.readUInt16LE(0)}, ws_col=${b.readUInt16LE(2)}, ` +
    `ws_xpixel=${b.readUInt16LE(4)}, ws_ypixel=${b.readUInt16LE(6)}}`
  );
}

// ---- struct ifreq ---------------------------------------------------------------------

const IFREQ_BYTES = IOCTL_LAYOUT_BYTES.ifreq;
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
    case R.SIOCGIFADDR:
    case R.SIOCSIFADDR:
      return sockaddr('ifr_addr');
    case R.SIOCGIFDSTADDR:
    case R.SIOCSIFDSTADDR:
      return sockaddr('ifr_dstaddr');
    case R.SIOCGIFBRDADDR:
    case R.SIOCSIFBRDADDR:
      return sockaddr('ifr_broadaddr');
    case R.SIOCGIFNETMASK:
    case R.SIOCSIFNETMASK:
      return sockaddr('ifr_netmask');
    case R.SIOCGIFHWADDR:
    case R.SIOCSIFHWADDR:
    case R.SIOCADDMULTI:
    case R.SIOCDELMULTI:
    case R.SIOCSIFHWBROADCAST:
      return `ifr_hwaddr=${hwaddrText(b)}`;
    case R.SIOCGIFFLAGS:
    case R.SIOCSIFFLAGS:
      return `ifr_flags=${flagsText(BigInt(b.readUInt16LE(16)), T.IFF_FLAGS, 'IFF_???')}`;
    case R.SIOCGIFINDEX:
      return `ifr_ifindex=${b.readInt32LE(16)}`;
    case R.SIOCGIFMETRIC:
    case R.SIOCSIFMETRIC:
      return `ifr_metric=${b.readInt32LE(16)}`;
    case R.SIOCGIFMTU:
    case R.SIOCSIFMTU:
      return `ifr_mtu=${b.readInt32LE(16)}`;
    case R.SIOCGIFSLAVE:
    case R.SIOCSIFSLAVE:
      return `ifr_slave=${cstringField(b, 16, IFNAMSIZ)}`;
    case R.SIOCSIFNAME:
      return `ifr_newname=${cstringField(b, 16, IFNAMSIZ)}`;
    case R.SIOCGIFNAME:
      return `ifr_name=${cstringField(b, 0, IFNAMSIZ)}`;
    case R.SIOCGIFTXQLEN:
    case R.SIOCSIFTXQLEN:
      return `ifr_qlen=${b.readInt32LE(16)}`;
    case R.SIOCGIFMAP:
    case R.SIOCSIFMAP:
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
    request === R.SIOCGIFNAME
      ? `{ifr_ifindex=${enter.readInt32LE(16)}`
      : `{ifr_name=${cstringField(enter, 0, IFNAMSIZ)}`;
  if (exit && exit.length >= IFREQ_BYTES) out += `, ${ifreqField(request, exit)}`;
  return out + '}';
}

// ---- the request table ----------------------------------------------------------------

/** The printer of each layout a request captures in; struct ifreq's depend on the request. */
const SHOW: Readonly<Record<Exclude<IoctlLayout, 'ifreq' | 'ifname'>, Show>> = {
  termios: formatTermios,
  termios2: formatTermios,
  termio: formatTermio,
  winsize: formatWinsize,
  modem: (b) =>
    b.length >= 4
      ? `[${flagsText(BigInt(b.readUInt32LE(0)), T.MODEM_FLAGS, 'TIOCM_???')}]`
      : undefined,
  int: intIn,
  char: (b) => quote(b.subarray(0, 1)),
};
type Show = (b: Buffer) => string | undefined;

const BY_REQUEST = new Map<number, IoctlCapture>(IOCTL_CAPTURES.map((c) => [c.selector, c]));

/** Requests whose argument is a plain int (%d). */
const INT_VALUE = new Set<number>([R.TCSBRK, R.TCSBRKP, R.TIOCSCTTY, R.FICLONE]);
/** Requests strace prints without a third argument. */
const NO_ARG = new Set<number>([
  R.TIOCSBRK,
  R.TIOCCBRK,
  R.TIOCCONS,
  R.TIOCNOTTY,
  R.TIOCEXCL,
  R.TIOCNXCL,
  R.FIOCLEX,
  R.FIONCLEX,
  R.TIOCVHANGUP,
  R.TIOCSSERIAL,
]);
/** Socket requests strace shows as an address (printaddr: NULL for 0), not as a number. */
const ADDRESS_ONLY = new Set<number>([
  R.SIOCADDDLCI,
  R.SIOCADDRT,
  R.SIOCBONDCHANGEACTIVE,
  R.SIOCBONDENSLAVE,
  R.SIOCBONDINFOQUERY,
  R.SIOCBONDRELEASE,
  R.SIOCBONDSETHWADDR,
  R.SIOCBONDSLAVEINFOQUERY,
  R.SIOCDARP,
  R.SIOCDELDLCI,
  R.SIOCDELRT,
  R.SIOCDIFADDR,
  R.SIOCDRARP,
  R.SIOCETHTOOL,
  R.SIOCGARP,
  R.SIOCGHWTSTAMP,
  R.SIOCGIFBR,
  R.SIOCGIFCOUNT,
  R.SIOCGIFMEM,
  R.SIOCGIFPFLAGS,
  R.SIOCGIFVLAN,
  R.SIOCGMIIPHY,
  R.SIOCGMIIREG,
  R.SIOCGRARP,
  R.SIOCGSKNS,
  R.SIOCGSTAMP_OLD,
  R.SIOCGSTAMP_NEW,
  R.SIOCGSTAMPNS_OLD,
  R.SIOCGSTAMPNS_NEW,
  R.SIOCRTMSG,
  R.SIOCSARP,
  R.SIOCSHWTSTAMP,
  R.SIOCSIFBR,
  R.SIOCSIFLINK,
  R.SIOCSIFMEM,
  R.SIOCSIFPFLAGS,
  R.SIOCSIFVLAN,
  R.SIOCSMIIREG,
  R.SIOCSRARP,
  R.SIOCWANDEV,
  R.SIOCGIFCONF,
]);

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
    const layout = d.layout;
    if (layout === 'ifreq' || layout === 'ifname') {
      return pointedText(value, param, (b) => ifreqIn(code, b));
    }
    return pointedText(value, param, SHOW[layout]);
  }
  if (NO_ARG.has(code)) return null;
  if (INT_VALUE.has(code)) return BigInt.asIntN(32, value).toString();
  if (code === R.TCXONC) return xvalText(BigInt.asUintN(64, value), T.TCXONC_OPTIONS, 'TC???');
  if (code === R.TCFLSH) return xvalText(BigInt.asUintN(64, value), T.TCFLSH_OPTIONS, 'TC???');
  if (ADDRESS_ONLY.has(code)) return address(value);
  return hexValue(value);
}

/** Requests that strace names by more than one constant of the same value, on x86_64. */
const IOCTL_ALIASES: ReadonlyMap<number, string> = new Map([
  [R.TCSETS, 'SNDCTL_TMR_START or TCSETS'],
  [R.TCSETSW, 'SNDCTL_TMR_STOP or TCSETSW'],
  [R.TCSETSF, 'SNDCTL_TMR_CONTINUE or TCSETSF'],
  [R.FICLONE, 'BTRFS_IOC_CLONE or FICLONE'],
  [R.FICLONERANGE, 'BTRFS_IOC_CLONE_RANGE or FICLONERANGE'],
  [R.FIDEDUPERANGE, 'BTRFS_IOC_FILE_EXTENT_SAME or FIDEDUPERANGE'],
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

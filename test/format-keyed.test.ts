// Keyed captures (ioctl requests, prctl options, fcntl commands) and their formatters.
// Every expected string is a line of strace 6.1 output on this machine, from programs run as
//   strace -f -qq -s 64 -e trace=ioctl|prctl|fcntl <program>
// (a C program on a pty from posix_openpt, python3 fcntl/termios on a pty from pty.openpty,
// `script -qc` for a controlling tty, a UDP socket for SIOCGIF*, python3 ctypes for prctl);
// each row notes the call it came from. The inputs are the bytes those calls passed or got.
import { describe, expect, it } from 'vitest';
import { formatFcntlStructArg, formatFlock } from '../src/format/flock.js';
import { formatIoctlArg, formatIoctlRequest } from '../src/format/ioctl.js';
import { formatPrctlReturn, prctlArgTexts } from '../src/format/prctl.js';
import { decoderFor } from '../src/format/args.js';
import { argIndex } from '../src/syscalls/signatures.js';
import { syscallByName } from '../src/syscalls/table.js';
import { resolvedKeyedCaptures, type ResolvedKeyedCapture } from '../src/syscalls/rules.js';
import { TL_PARAM_FAULT, TL_PARAM_OK, TL_PARAM_TRUNCATED, type Param } from '../src/wire.js';

const param = (bytes: Buffer, status = TL_PARAM_OK, want = bytes.length, arg = 2): Param => ({
  arg,
  status,
  want,
  bytes,
});
const str = (s: string | Buffer, status = TL_PARAM_OK): Param =>
  param(Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'), status, 0);
const FAULTED = param(Buffer.alloc(0), TL_PARAM_FAULT);

function u32s(...words: number[]): Buffer {
  const b = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => b.writeUInt32LE(w >>> 0, i * 4));
  return b;
}
/** struct termios (36 bytes) or termios2 (44) with these flag words. */
function termios(iflag: number, oflag: number, cflag: number, lflag: number, size = 36): Buffer {
  const b = Buffer.alloc(size);
  u32s(iflag, oflag, cflag, lflag).copy(b);
  return b;
}
/** struct termio (18 bytes): 16-bit flag words. */
function termio(iflag: number, oflag: number, cflag: number, lflag: number): Buffer {
  const b = Buffer.alloc(18);
  [iflag, oflag, cflag, lflag].forEach((v, i) => b.writeUInt16LE(v, i * 2));
  return b;
}
const winsize = (row: number, col: number, x = 0, y = 0): Buffer => {
  const b = Buffer.alloc(8);
  [row, col, x, y].forEach((v, i) => b.writeUInt16LE(v, i * 2));
  return b;
};
const int = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
/** struct ifreq: a name and the union's first bytes. */
function ifreq(name: string | Buffer, union: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(40);
  (Buffer.isBuffer(name) ? name : Buffer.from(name)).copy(b, 0, 0, 16);
  union.copy(b, 16);
  return b;
}
const hwaddr = (family: number, mac: number[]): Buffer => {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(family);
  Buffer.from(mac).copy(b, 2);
  return b;
};
const sockaddrIn = (ip: number[]): Buffer => {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(2);
  Buffer.from(ip).copy(b, 4);
  return b;
};
const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

// The termios of a fresh pty: c_iflag=ICRNL|IXON ... (TCGETS on /dev/pts/N).
const PTY_DEFAULT = termios(0x500, 0x5, 0xbf, 0x8a3b);
const PTY_DEFAULT_TEXT =
  '{c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, ' +
  'c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}';

const ADDR = 0x7ffc9559b840n;

interface IoctlRow {
  what: string;
  request: number;
  value?: bigint;
  param?: Param;
  exitParam?: Param;
  maxString?: number;
  expected: string | null;
}

const IOCTL_ROWS: IoctlRow[] = [
  // ioctl(4, TCGETS, {c_iflag=ICRNL|IXON, ...}) = 0
  {
    what: 'TCGETS of a pty',
    request: 0x5401,
    param: param(PTY_DEFAULT),
    expected: PTY_DEFAULT_TEXT,
  },
  {
    // ioctl(4, SNDCTL_TMR_START or TCSETS, {c_iflag=, c_oflag=...|ONLCR, ...}) = 0 (cfmakeraw-like)
    what: 'TCSETS raw mode: an empty flag word prints as nothing',
    request: 0x5402,
    param: param(termios(0, 0x4, 0xbf, 0xa30)),
    expected:
      '{c_iflag=, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|ONLCR, c_cflag=B38400|CS8|CREAD, ' +
      'c_lflag=ECHOE|ECHOK|ECHOCTL|ECHOKE, ...}',
  },
  {
    // ioctl(4, SNDCTL_TMR_STOP or TCSETSW, {every flag set}) = 0
    what: 'TCSETSW with every flag',
    request: 0x5403,
    param: param(termios(0x7fff, 0xffff, 0x80001ff2, 0x1dfff)),
    expected:
      '{c_iflag=IGNBRK|BRKINT|IGNPAR|PARMRK|INPCK|ISTRIP|INLCR|IGNCR|ICRNL|IUCLC|IXON|IXANY|' +
      'IXOFF|IMAXBEL|IUTF8, c_oflag=NL1|CR3|XTABS|BS1|VT1|FF1|OPOST|OLCUC|ONLCR|OCRNL|ONOCR|' +
      'ONLRET|OFILL|OFDEL, c_cflag=B115200|CS8|CSTOPB|CREAD|PARENB|PARODD|HUPCL|CLOCAL|CRTSCTS, ' +
      'c_lflag=ISIG|ICANON|XCASE|ECHO|ECHOE|ECHOK|ECHONL|NOFLSH|IEXTEN|ECHOCTL|ECHOPRT|ECHOKE|' +
      'FLUSHO|PENDIN|TOSTOP|EXTPROC, ...}',
  },
  {
    // ioctl(4, SNDCTL_TMR_CONTINUE or TCSETSF, {c_iflag=, c_oflag=NL0|...|FF0|, c_cflag=B0|CS5|, ...})
    what: 'TCSETSF all zero: the trailing | of the oflag and cflag fields',
    request: 0x5404,
    param: param(termios(0, 0, 0, 0)),
    expected: '{c_iflag=, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|, c_cflag=B0|CS5|, c_lflag=, ...}',
  },
  {
    // c_cflag = 0x12345678, the other words 0x80000000
    what: 'TCSETSF: unnamed bits, an input speed',
    request: 0x5404,
    param: param(termios(0x80000000, 0x80000000, 0x12345678, 0x80000000)),
    expected:
      '{c_iflag=0x80000000, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|0x80000000, ' +
      'c_cflag=B1000000|B460800<<IBSHIFT|CS8|CSTOPB|PARODD|HUPCL|0x2304000, ' +
      'c_lflag=0x80000000, ...}',
  },
  {
    what: 'TCSETSF: B4000000|CS5|CMSPAR',
    request: 0x5404,
    param: param(termios(0x80000000, 0x80000000, 0x4000100f, 0x80000000)),
    expected:
      '{c_iflag=0x80000000, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|0x80000000, ' +
      'c_cflag=B4000000|CS5|CMSPAR, c_lflag=0x80000000, ...}',
  },
  // ioctl(4, TCGETS2, {...}) = 0 and TCSETS2 with BOTHER
  {
    what: 'TCGETS2',
    request: 0x802c542a,
    param: param(termios(0x500, 0x5, 0xbf, 0x8a3b, 44)),
    expected: PTY_DEFAULT_TEXT,
  },
  {
    what: 'TCSETS2 with BOTHER',
    request: 0x402c542b,
    param: param(termios(0x500, 0x5, 0x10b0, 0x8a3b, 44)),
    expected: PTY_DEFAULT_TEXT.replace('B38400', 'BOTHER'),
  },
  // ioctl(5, TCGETS, 0x7ffebb7893f0) = -1 ENOTTY: no exit capture
  {
    what: 'TCGETS that failed',
    request: 0x5401,
    value: 0x7ffebb7893f0n,
    expected: '0x7ffebb7893f0',
  },
  // ioctl(4, TCGETS, NULL) = -1 EFAULT
  { what: 'TCGETS NULL', request: 0x5401, value: 0n, expected: 'NULL' },
  // strace: ioctl(4, SNDCTL_TMR_START or TCSETS, 0x1) = -1 EFAULT. traceloop says why instead.
  {
    what: 'TCSETS of unreadable memory',
    request: 0x5402,
    value: 1n,
    param: FAULTED,
    expected: '<unavailable: fault>',
  },
  {
    what: 'TCGETS of too few bytes',
    request: 0x5401,
    value: 1n,
    param: param(Buffer.alloc(8)),
    expected: '0x1',
  },
  // ioctl(4, TIOCGWINSZ, {ws_row=0, ws_col=0, ws_xpixel=0, ws_ypixel=0}) = 0
  {
    what: 'TIOCGWINSZ',
    request: 0x5413,
    param: param(winsize(0, 0)),
    expected: '{ws_row=0, ws_col=0, ws_xpixel=0, ws_ypixel=0}',
  },
  // ioctl(4, TIOCSWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0
  {
    what: 'TIOCSWINSZ',
    request: 0x5414,
    param: param(winsize(24, 80)),
    expected: '{ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}',
  },
  // ioctl(5, TIOCGWINSZ, 0x7ffebb789030) = -1 ENOTTY
  {
    what: 'TIOCGWINSZ on a pipe',
    request: 0x5413,
    value: 0x7ffebb789030n,
    expected: '0x7ffebb789030',
  },
  // ioctl(3, FIONREAD, [0]) = 0 / ioctl(3, FIONREAD, [5]) = 0
  { what: 'FIONREAD 0', request: 0x541b, param: param(int(0)), expected: '[0]' },
  { what: 'FIONREAD 5', request: 0x541b, param: param(int(5)), expected: '[5]' },
  // ioctl(3, FIONREAD, 0x1) = -1 EFAULT
  { what: 'FIONREAD that failed', request: 0x541b, value: 1n, expected: '0x1' },
  // ioctl(3, TIOCGPTN, [0]) = 0; ioctl(3, TIOCGPTN, NULL) = -1 EFAULT
  { what: 'TIOCGPTN', request: 0x80045430, param: param(int(0)), expected: '[0]' },
  { what: 'TIOCGPTN NULL', request: 0x80045430, value: 0n, expected: 'NULL' },
  // ioctl(3, TIOCSPTLCK, [0]) = 0 / [1]
  { what: 'TIOCSPTLCK 0', request: 0x40045431, param: param(int(0)), expected: '[0]' },
  { what: 'TIOCSPTLCK 1', request: 0x40045431, param: param(int(1)), expected: '[1]' },
  // ioctl(3, FIONBIO, [1]) = 0
  { what: 'FIONBIO', request: 0x5421, param: param(int(1)), expected: '[1]' },
  // ioctl(3, FIOCLEX) = 0; ioctl(3, FIONCLEX) = 0; ioctl(5, TIOCNOTTY) = -1 ENOTTY
  { what: 'FIOCLEX has no argument', request: 0x5451, expected: null },
  { what: 'FIONCLEX has no argument', request: 0x5450, expected: null },
  { what: 'TIOCNOTTY has no argument', request: 0x5422, expected: null },
  { what: 'TIOCEXCL has no argument', request: 0x540c, expected: null },
  // ioctl(4, TIOCSCTTY, 0) = -1 EPERM / ioctl(4, TIOCSCTTY, 1)
  { what: 'TIOCSCTTY 0', request: 0x540e, value: 0n, expected: '0' },
  { what: 'TIOCSCTTY 1', request: 0x540e, value: 1n, expected: '1' },
  // ioctl(4, TIOCSPGRP, [6371]) = -1 ENOTTY: decoded at enter, so shown though it failed
  { what: 'TIOCSPGRP', request: 0x5410, param: param(int(6371)), expected: '[6371]' },
  // ioctl(0, TIOCGPGRP, [20468]) = 0 (script -qc); ioctl(4, TIOCGPGRP, 0x7ffc9559b840) = -1 ENOTTY
  { what: 'TIOCGPGRP', request: 0x540f, param: param(int(20468)), expected: '[20468]' },
  { what: 'TIOCGPGRP that failed', request: 0x540f, value: ADDR, expected: '0x7ffc9559b840' },
  // ioctl(0, TIOCGSID, [20468]) = 0
  { what: 'TIOCGSID', request: 0x5429, param: param(int(20468)), expected: '[20468]' },
  // ioctl(3, TCFLSH, TCIOFLUSH) = 0; ioctl(3, TCXONC, TCOON) = 0; ioctl(3, TCSBRK, 1) = 0
  { what: 'TCFLSH', request: 0x540b, value: 2n, expected: 'TCIOFLUSH' },
  { what: 'TCXONC', request: 0x540a, value: 1n, expected: 'TCOON' },
  { what: 'TCXONC unknown', request: 0x540a, value: 9n, expected: '0x9 /* TC??? */' },
  { what: 'TCSBRK', request: 0x5409, value: 1n, expected: '1' },
  // ioctl(3, TIOCSTI, "a") = 0
  { what: 'TIOCSTI', request: 0x5412, param: param(Buffer.from('a')), expected: '"a"' },
  // ioctl(3, TIOCOUTQ, [0]), TIOCPKT, TIOCGETD, TIOCGEXCL, FIOASYNC: [0]
  { what: 'TIOCOUTQ', request: 0x5411, param: param(int(0)), expected: '[0]' },
  { what: 'TIOCPKT', request: 0x5420, param: param(int(0)), expected: '[0]' },
  { what: 'TIOCGETD', request: 0x5424, param: param(int(0)), expected: '[0]' },
  { what: 'TIOCGEXCL', request: 0x80045440, param: param(int(0)), expected: '[0]' },
  { what: 'FIOASYNC', request: 0x5452, param: param(int(0)), expected: '[0]' },
  // ioctl(3, TIOCGPTLCK, 0x7ffe24b4c5fc) = 0: strace does not decode it
  {
    what: 'TIOCGPTLCK (not decoded)',
    request: 0x80045439,
    value: 0x7ffe24b4c5fcn,
    expected: '0x7ffe24b4c5fc',
  },
  // ioctl(3, TIOCGPTPEER, 0x102) = 5; ioctl(3, TIOCSIG, 0x2) = 0
  { what: 'TIOCGPTPEER', request: 0x5441, value: 0x102n, expected: '0x102' },
  { what: 'TIOCSIG', request: 0x40045436, value: 2n, expected: '0x2' },
  // ioctl(3, _IOC(_IOC_NONE, 0x56, 0x78, 0x1234), 0x1234) / ..., 0)
  { what: 'unknown request', request: 0x12345678, value: 0x1234n, expected: '0x1234' },
  { what: 'unknown request, 0', request: 0x12345678, value: 0n, expected: '0' },
  // ioctl(3, SIOCGIFINDEX, {ifr_name="lo", ifr_ifindex=1}) = 0
  {
    what: 'SIOCGIFINDEX',
    request: 0x8933,
    param: param(ifreq('lo')),
    exitParam: param(ifreq('lo', int(1))),
    expected: '{ifr_name="lo", ifr_ifindex=1}',
  },
  // ioctl(3, SIOCGIFINDEX, {ifr_name="nosuch0"}) = -1 ENODEV
  {
    what: 'SIOCGIFINDEX that failed',
    request: 0x8933,
    param: param(ifreq('nosuch0')),
    expected: '{ifr_name="nosuch0"}',
  },
  // ioctl(3, SIOCGIFNAME, {ifr_ifindex=1, ifr_name="lo"}) = 0
  {
    what: 'SIOCGIFNAME',
    request: 0x8910,
    param: param(ifreq('', int(1))),
    exitParam: param(ifreq('lo', int(1))),
    expected: '{ifr_ifindex=1, ifr_name="lo"}',
  },
  // ioctl(3, SIOCGIFNAME, {ifr_ifindex=999}) = -1 ENODEV
  {
    what: 'SIOCGIFNAME that failed',
    request: 0x8910,
    param: param(ifreq('', int(999))),
    expected: '{ifr_ifindex=999}',
  },
  // ioctl(3, SIOCGIFFLAGS, {ifr_name="lo", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING}) = 0
  {
    what: 'SIOCGIFFLAGS lo',
    request: 0x8913,
    param: param(ifreq('lo')),
    exitParam: param(ifreq('lo', u16(0x49))),
    expected: '{ifr_name="lo", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING}',
  },
  // ioctl(3, SIOCGIFFLAGS, {ifr_name="eth0", ifr_flags=IFF_UP|IFF_BROADCAST|IFF_RUNNING|IFF_MULTICAST}) = 0
  {
    what: 'SIOCGIFFLAGS eth0',
    request: 0x8913,
    param: param(ifreq('eth0')),
    exitParam: param(ifreq('eth0', u16(0x1043))),
    expected: '{ifr_name="eth0", ifr_flags=IFF_UP|IFF_BROADCAST|IFF_RUNNING|IFF_MULTICAST}',
  },
  // ioctl(3, SIOCGIFMTU, {ifr_name="lo", ifr_mtu=65536}) = 0
  {
    what: 'SIOCGIFMTU',
    request: 0x8921,
    param: param(ifreq('lo')),
    exitParam: param(ifreq('lo', int(65536))),
    expected: '{ifr_name="lo", ifr_mtu=65536}',
  },
  {
    what: 'SIOCGIFMTU with only the exit capture',
    request: 0x8921,
    exitParam: param(ifreq('lo', int(65536))),
    expected: '{ifr_name="lo", ifr_mtu=65536}',
  },
  // ioctl(3, SIOCGIFHWADDR, {ifr_name="lo", ifr_hwaddr={sa_family=ARPHRD_LOOPBACK, sa_data=00:00:00:00:00:00}}) = 0
  {
    what: 'SIOCGIFHWADDR lo',
    request: 0x8927,
    param: param(ifreq('lo')),
    exitParam: param(ifreq('lo', hwaddr(772, [0, 0, 0, 0, 0, 0]))),
    expected: '{ifr_name="lo", ifr_hwaddr={sa_family=ARPHRD_LOOPBACK, sa_data=00:00:00:00:00:00}}',
  },
  // ioctl(3, SIOCGIFHWADDR, {ifr_name="eth0", ifr_hwaddr={sa_family=ARPHRD_ETHER, sa_data=02:fc:00:00:00:01}}) = 0
  {
    what: 'SIOCGIFHWADDR eth0',
    request: 0x8927,
    param: param(ifreq('eth0')),
    exitParam: param(ifreq('eth0', hwaddr(1, [2, 0xfc, 0, 0, 0, 1]))),
    expected: '{ifr_name="eth0", ifr_hwaddr={sa_family=ARPHRD_ETHER, sa_data=02:fc:00:00:00:01}}',
  },
  // ioctl(3, SIOCGIFADDR, {ifr_name="lo", ifr_addr={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}}) = 0
  {
    what: 'SIOCGIFADDR',
    request: 0x8915,
    param: param(ifreq('lo')),
    exitParam: param(ifreq('lo', sockaddrIn([127, 0, 0, 1]))),
    expected:
      '{ifr_name="lo", ifr_addr={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}}',
  },
  // ioctl(3, SIOCGIFNETMASK, {ifr_name="lo", ifr_netmask={... inet_addr("255.0.0.0")}}) = 0
  {
    what: 'SIOCGIFNETMASK',
    request: 0x891b,
    param: param(ifreq('lo')),
    exitParam: param(ifreq('lo', sockaddrIn([255, 0, 0, 0]))),
    expected:
      '{ifr_name="lo", ifr_netmask={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("255.0.0.0")}}',
  },
  // ioctl(3, SIOCGIFTXQLEN, {ifr_name="lo", ifr_qlen=1000}) = 0
  {
    what: 'SIOCGIFTXQLEN',
    request: 0x8942,
    param: param(ifreq('lo')),
    exitParam: param(ifreq('lo', int(1000))),
    expected: '{ifr_name="lo", ifr_qlen=1000}',
  },
  // ioctl(3, SIOCSIFMTU, {ifr_name="lo", ifr_mtu=1500}) = 0
  {
    what: 'SIOCSIFMTU',
    request: 0x8922,
    param: param(ifreq('lo', int(1500))),
    expected: '{ifr_name="lo", ifr_mtu=1500}',
  },
  // ioctl(3, SIOCSIFFLAGS, {ifr_name="lo", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING}) = 0
  {
    what: 'SIOCSIFFLAGS',
    request: 0x8914,
    param: param(ifreq('lo', u16(0x49))),
    expected: '{ifr_name="lo", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING}',
  },
  // ioctl(3, SIOCGIFINDEX, {ifr_name="abcdefghijklmno"...}) = -1 ENODEV: 16 bytes, no NUL
  {
    what: 'SIOCGIFINDEX with a name that fills ifr_name',
    request: 0x8933,
    param: param(ifreq('abcdefghijklmnop')),
    expected: '{ifr_name="abcdefghijklmno"...}',
  },
  // ioctl(3, SIOCGIFINDEX, 0x1) = -1 EFAULT; ioctl(3, SIOCGIFINDEX, NULL) = -1 EFAULT
  { what: 'SIOCGIFINDEX of no memory', request: 0x8933, value: 1n, expected: '0x1' },
  { what: 'SIOCGIFINDEX NULL', request: 0x8933, value: 0n, expected: 'NULL' },
  // ioctl(3, TCGETA, {c_iflag=ICRNL|IXON, ...}) = 0: struct termio, 16-bit flag words
  {
    what: 'TCGETA',
    request: 0x5405,
    param: param(termio(0x500, 0x5, 0xbf, 0x8a3b)),
    expected: PTY_DEFAULT_TEXT,
  },
  // ioctl(4, SIOCBRADDBR, "br-test-name-lon"...) = 0; with -s 4: "br-t"...
  {
    what: 'SIOCBRADDBR',
    request: 0x89a0,
    param: str('br-test-name-longer'),
    maxString: 64,
    expected: '"br-test-name-lon"...',
  },
  {
    what: 'SIOCBRADDBR -s 4',
    request: 0x89a0,
    param: str('br-test-name-longer'),
    maxString: 4,
    expected: '"br-t"...',
  },
  // ioctl(4, SIOCBRDELBR, "br0") = -1 ENXIO
  { what: 'SIOCBRDELBR', request: 0x89a1, param: str('br0'), expected: '"br0"' },
  // ioctl(4, SIOCADDRT, NULL) = -1 EFAULT: an address, NULL for 0
  { what: 'SIOCADDRT', request: 0x890b, value: 0n, expected: 'NULL' },
  // ioctl(3, FIOGETOWN, [0]), FIOSETOWN, SIOCGPGRP; ioctl(3, SIOCATMARK, 0x7ffe1be2a57c) = -1 ENOTTY
  { what: 'FIOGETOWN', request: 0x8903, param: param(int(0)), expected: '[0]' },
  { what: 'FIOSETOWN', request: 0x8901, param: param(int(0)), expected: '[0]' },
  { what: 'SIOCGPGRP', request: 0x8904, param: param(int(0)), expected: '[0]' },
  {
    what: 'SIOCATMARK that failed',
    request: 0x8905,
    value: 0x7ffe1be2a57cn,
    expected: '0x7ffe1be2a57c',
  },
];

describe('formatIoctlArg', () => {
  it.each(IOCTL_ROWS)('$what', (row) => {
    const value = row.value ?? ADDR;
    expect(formatIoctlArg(row.request, value, row.param, row.exitParam, row.maxString)).toBe(
      row.expected,
    );
  });
});

describe('formatIoctlRequest', () => {
  it.each([
    // ioctl(4, SNDCTL_TMR_START or TCSETS, ...), SNDCTL_TMR_STOP or TCSETSW, SNDCTL_TMR_CONTINUE or TCSETSF
    [0x5402, 'TCSETS', 'SNDCTL_TMR_START or TCSETS'],
    [0x5403, 'TCSETSW', 'SNDCTL_TMR_STOP or TCSETSW'],
    [0x5404, 'TCSETSF', 'SNDCTL_TMR_CONTINUE or TCSETSF'],
    [0x5401, 'TCGETS', 'TCGETS'],
    // ioctl(3, _IOC(_IOC_NONE, 0x56, 0x78, 0x1234), 0x1234) = -1 ENOTTY
    [0x12345678, undefined, '_IOC(_IOC_NONE, 0x56, 0x78, 0x1234)'],
    [0xc0105678, undefined, '_IOC(_IOC_READ|_IOC_WRITE, 0x56, 0x78, 0x10)'],
  ])('%s', (request, known, expected) => {
    expect(formatIoctlRequest(request, known)).toBe(expected);
  });

  const ioctl = syscallByName('ioctl');
  if (!ioctl) throw new Error('no ioctl');
  const ioctlRequest = decoderFor('ioctl_request', (a) => argIndex(ioctl, a));
  /** The request as the ioctl_request decoder prints it, its name looked up in the table. */
  const requestText = (request: number): string | null =>
    ioctlRequest(BigInt(request), { args: [], index: 1, param: undefined, maxString: 32 });

  it('names every request it captures for (SIOCGIFMAP, not _IOC(_IOC_NONE, 0x89, 0x70, 0))', () => {
    const unnamed = resolvedKeyedCaptures('ioctl')
      .map((c) => requestText(c.selector) ?? '')
      .filter((t) => t.startsWith('_IOC('));
    expect(unnamed).toEqual([]);
  });

  it.each([
    // linux/sockios.h's socket requests strace names (its ioctlent), shown as an address
    [0x8980, 'SIOCADDDLCI'],
    [0x8990, 'SIOCBONDENSLAVE'],
    [0x8935, 'SIOCGIFPFLAGS'],
    [0x89b1, 'SIOCGHWTSTAMP'],
    [0x80108906, 'SIOCGSTAMP_NEW'],
    [0x40049409, 'BTRFS_IOC_CLONE or FICLONE'],
  ])('%s', (request, expected) => {
    expect(requestText(request)).toBe(expected);
  });
});

interface PrctlRow {
  /** The strace line the row reproduces. */
  line: string;
  args: bigint[];
  params?: Record<number, Param>;
  ret?: bigint;
  maxString?: number;
  expected: string[];
  returns?: string;
}

const S = (text: string, status = TL_PARAM_OK): Param => ({ ...str(text, status), arg: 1 });
const NAME = 0x7f0000001000n;
const PTR = 0x7ffe00000000n;

const PRCTL_ROWS: PrctlRow[] = [
  {
    line: 'prctl(PR_SET_NAME, "worker") = 0',
    args: [15n, NAME, 0n, 0n, 0n],
    params: { 1: S('worker') },
    expected: ['PR_SET_NAME', '"worker"'],
  },
  {
    line: 'prctl(PR_SET_NAME, "a-very-long-thr"...) = 0',
    args: [15n, NAME, 0n, 0n, 0n],
    params: { 1: S('a-very-long-thread-name-here') },
    expected: ['PR_SET_NAME', '"a-very-long-thr"...'],
  },
  {
    line: 'prctl(PR_SET_NAME, "abcdefghijklmno"...) = 0 (exactly 15 bytes: strace still adds ...)',
    args: [15n, NAME, 0n, 0n, 0n],
    params: { 1: S('abcdefghijklmno\0') },
    expected: ['PR_SET_NAME', '"abcdefghijklmno"...'],
  },
  {
    line: 'prctl(PR_SET_NAME, "abcdefghijklmn") = 0',
    args: [15n, NAME, 0n, 0n, 0n],
    params: { 1: S('abcdefghijklmn') },
    expected: ['PR_SET_NAME', '"abcdefghijklmn"'],
  },
  {
    line: 'strace -s 4: prctl(PR_SET_NAME, "abcd"...) = 0',
    args: [15n, NAME, 0n, 0n, 0n],
    params: { 1: S('abcdefghijklmn') },
    maxString: 4,
    expected: ['PR_SET_NAME', '"abcd"...'],
  },
  {
    line: 'strace -s 4: prctl(PR_SET_NAME, "\\377\\1x1") = 0 (exactly -s long: no ...)',
    args: [15n, NAME, 0n, 0n, 0n],
    params: { 1: S('\xff\x01x1') },
    maxString: 4,
    expected: ['PR_SET_NAME', '"\\377\\1x1"'],
  },
  {
    line: 'prctl(PR_SET_NAME, "tab\\there\\"q") = 0',
    args: [15n, NAME, 0n, 0n, 0n],
    params: { 1: S('tab\there"q') },
    expected: ['PR_SET_NAME', '"tab\\there\\"q"'],
  },
  {
    line: 'prctl(PR_SET_NAME, NULL) = -1 EFAULT',
    args: [15n, 0n, 0n, 0n, 0n],
    ret: -14n,
    expected: ['PR_SET_NAME', 'NULL'],
  },
  {
    line: 'prctl(PR_SET_NAME, 0x1) = -1 EFAULT',
    args: [15n, 1n, 0n, 0n, 0n],
    ret: -14n,
    expected: ['PR_SET_NAME', '0x1'],
  },
  {
    line: 'prctl(PR_GET_NAME, "tab\\there\\"q") = 0',
    args: [16n, NAME, 0n, 0n, 0n],
    params: { 1: param(Buffer.from('tab\there"q\0\0\0\0\0\0', 'latin1'), TL_PARAM_OK, 16, 1) },
    ret: 0n,
    expected: ['PR_GET_NAME', '"tab\\there\\"q"'],
  },
  {
    line: 'prctl(PR_GET_NAME, 0x1) = -1 EFAULT',
    args: [16n, 1n, 0n, 0n, 0n],
    ret: -14n,
    expected: ['PR_GET_NAME', '0x1'],
  },
  {
    line: 'prctl(PR_SET_PDEATHSIG, SIGKILL) = 0',
    args: [1n, 9n, 0n, 0n, 0n],
    expected: ['PR_SET_PDEATHSIG', 'SIGKILL'],
  },
  {
    line: 'prctl(PR_SET_PDEATHSIG, 0) = 0',
    args: [1n, 0n, 0n, 0n, 0n],
    expected: ['PR_SET_PDEATHSIG', '0'],
  },
  {
    line: 'prctl(PR_SET_PDEATHSIG, 200) = -1 EINVAL',
    args: [1n, 200n, 0n, 0n, 0n],
    expected: ['PR_SET_PDEATHSIG', '200'],
  },
  {
    line: 'prctl(PR_SET_PDEATHSIG, SIGRT_2) = 0',
    args: [1n, 34n, 0n, 0n, 0n],
    expected: ['PR_SET_PDEATHSIG', 'SIGRT_2'],
  },
  {
    line: 'prctl(PR_SET_PDEATHSIG, 9223372036854775817) = -1 EINVAL',
    args: [1n, 0x8000000000000009n, 0n, 0n, 0n],
    expected: ['PR_SET_PDEATHSIG', '9223372036854775817'],
  },
  {
    line: 'prctl(PR_GET_PDEATHSIG, [SIGRT_2]) = 0',
    args: [2n, PTR, 0n, 0n, 0n],
    params: { 1: param(int(34), TL_PARAM_OK, 4, 1) },
    ret: 0n,
    expected: ['PR_GET_PDEATHSIG', '[SIGRT_2]'],
  },
  {
    line: 'prctl(PR_GET_PDEATHSIG, [0]) = 0',
    args: [2n, PTR, 0n, 0n, 0n],
    params: { 1: param(int(0), TL_PARAM_OK, 4, 1) },
    ret: 0n,
    expected: ['PR_GET_PDEATHSIG', '[0]'],
  },
  {
    line: 'prctl(PR_GET_PDEATHSIG, 0x1) = -1 EFAULT',
    args: [2n, 1n, 0n, 0n, 0n],
    ret: -14n,
    expected: ['PR_GET_PDEATHSIG', '0x1'],
  },
  {
    line: 'prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)',
    args: [3n, 0n, 0n, 0n, 0n],
    ret: 1n,
    expected: ['PR_GET_DUMPABLE'],
    returns: '1 (SUID_DUMP_USER)',
  },
  {
    line: 'prctl(PR_GET_DUMPABLE) = 0 (SUID_DUMP_DISABLE)',
    args: [3n, 0n, 0n, 0n, 0n],
    ret: 0n,
    expected: ['PR_GET_DUMPABLE'],
    returns: '0 (SUID_DUMP_DISABLE)',
  },
  {
    line: 'prctl(PR_SET_DUMPABLE, SUID_DUMP_USER) = 0',
    args: [4n, 1n, 0n, 0n, 0n],
    expected: ['PR_SET_DUMPABLE', 'SUID_DUMP_USER'],
  },
  {
    line: 'prctl(PR_SET_DUMPABLE, 0x7 /* SUID_DUMP_??? */) = -1 EINVAL',
    args: [4n, 7n, 0n, 0n, 0n],
    expected: ['PR_SET_DUMPABLE', '0x7 /* SUID_DUMP_??? */'],
  },
  {
    line: 'prctl(PR_SET_DUMPABLE, 0x100000001 /* SUID_DUMP_??? */) = -1 EINVAL',
    args: [4n, 0x100000001n, 0n, 0n, 0n],
    expected: ['PR_SET_DUMPABLE', '0x100000001 /* SUID_DUMP_??? */'],
  },
  {
    line: 'prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0',
    args: [38n, 1n, 0n, 0n, 0n],
    expected: ['PR_SET_NO_NEW_PRIVS', '1', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_SET_NO_NEW_PRIVS, 4294967297, 0, 0, 0) = -1 EINVAL',
    args: [38n, 0x100000001n, 0n, 0n, 0n],
    expected: ['PR_SET_NO_NEW_PRIVS', '4294967297', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) = 1',
    args: [39n, 0n, 0n, 0n, 0n],
    ret: 1n,
    expected: ['PR_GET_NO_NEW_PRIVS', '0', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_SET_KEEPCAPS, 1) = 0',
    args: [8n, 1n, 0n, 0n, 0n],
    expected: ['PR_SET_KEEPCAPS', '1'],
  },
  {
    line: 'prctl(PR_GET_KEEPCAPS) = 1',
    args: [7n, 0n, 0n, 0n, 0n],
    ret: 1n,
    expected: ['PR_GET_KEEPCAPS'],
  },
  {
    line: 'prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) = 1',
    args: [23n, 21n, 0n, 0n, 0n],
    ret: 1n,
    expected: ['PR_CAPBSET_READ', 'CAP_SYS_ADMIN'],
  },
  {
    line: 'prctl(PR_CAPBSET_READ, 0x63 /* CAP_??? */) = -1 EINVAL',
    args: [23n, 99n, 0n, 0n, 0n],
    expected: ['PR_CAPBSET_READ', '0x63 /* CAP_??? */'],
  },
  {
    line: 'prctl(PR_CAPBSET_DROP, CAP_CHECKPOINT_RESTORE) = 0',
    args: [24n, 40n, 0n, 0n, 0n],
    expected: ['PR_CAPBSET_DROP', 'CAP_CHECKPOINT_RESTORE'],
  },
  {
    line: 'prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_SYS_ADMIN, 0, 0) = 0',
    args: [47n, 1n, 21n, 0n, 0n],
    expected: ['PR_CAP_AMBIENT', 'PR_CAP_AMBIENT_IS_SET', 'CAP_SYS_ADMIN', '0', '0'],
  },
  {
    line: 'prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0) = -1 EPERM',
    args: [47n, 2n, 21n, 0n, 0n],
    expected: ['PR_CAP_AMBIENT', 'PR_CAP_AMBIENT_RAISE', 'CAP_SYS_ADMIN', '0', '0'],
  },
  {
    line: 'prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) = 0',
    args: [47n, 4n, 0n, 0n, 0n],
    expected: ['PR_CAP_AMBIENT', 'PR_CAP_AMBIENT_CLEAR_ALL', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_CAP_AMBIENT, 0x9 /* PR_CAP_AMBIENT_??? */, 0, 0, 0) = -1 EINVAL',
    args: [47n, 9n, 0n, 0n, 0n],
    expected: ['PR_CAP_AMBIENT', '0x9 /* PR_CAP_AMBIENT_??? */', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_GET_SECCOMP) = 0',
    args: [21n, 0n, 0n, 0n, 0n],
    ret: 0n,
    expected: ['PR_GET_SECCOMP'],
  },
  {
    line: 'prctl(PR_SET_SECCOMP, 0x5 /* SECCOMP_MODE_??? */, 0, 0, 0) = -1 EINVAL',
    args: [22n, 5n, 0n, 0n, 0n],
    expected: ['PR_SET_SECCOMP', '0x5 /* SECCOMP_MODE_??? */', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=1, filter=0x7efef74119f0}) = 0',
    args: [22n, 2n, PTR, 0n, 0n],
    params: {
      2: param(Buffer.concat([u16(1), Buffer.alloc(6), Buffer.from('f01941f7fe7e0000', 'hex')])),
    },
    expected: ['PR_SET_SECCOMP', 'SECCOMP_MODE_FILTER', '{len=1, filter=0x7efef74119f0}'],
  },
  {
    line: 'prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL) = -1 EFAULT',
    args: [22n, 2n, 0n, 0n, 0n],
    expected: ['PR_SET_SECCOMP', 'SECCOMP_MODE_FILTER', 'NULL'],
  },
  {
    line: 'prctl(PR_SET_CHILD_SUBREAPER, 1) = 0',
    args: [36n, 1n, 0n, 0n, 0n],
    expected: ['PR_SET_CHILD_SUBREAPER', '1'],
  },
  {
    line: 'prctl(PR_SET_CHILD_SUBREAPER, 4294967297) = 0',
    args: [36n, 0x100000001n, 0n, 0n, 0n],
    expected: ['PR_SET_CHILD_SUBREAPER', '4294967297'],
  },
  {
    line: 'prctl(PR_GET_CHILD_SUBREAPER, [1]) = 0',
    args: [37n, PTR, 0n, 0n, 0n],
    params: { 1: param(int(1), TL_PARAM_OK, 4, 1) },
    ret: 0n,
    expected: ['PR_GET_CHILD_SUBREAPER', '[1]'],
  },
  {
    line: 'prctl(PR_SET_TIMERSLACK, 50000) = 0',
    args: [29n, 50000n, 0n, 0n, 0n],
    expected: ['PR_SET_TIMERSLACK', '50000'],
  },
  {
    line: 'prctl(PR_SET_TIMERSLACK, -1) = 0',
    args: [29n, 0xffffffffffffffffn, 0n, 0n, 0n],
    expected: ['PR_SET_TIMERSLACK', '-1'],
  },
  {
    line: 'prctl(PR_GET_TIMERSLACK) = 50000',
    args: [30n, 0n, 0n, 0n, 0n],
    ret: 50000n,
    expected: ['PR_GET_TIMERSLACK'],
  },
  {
    line: 'prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) = 0',
    args: [41n, 1n, 0n, 0n, 0n],
    expected: ['PR_SET_THP_DISABLE', '1', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) = 1',
    args: [42n, 0n, 0n, 0n, 0n],
    ret: 1n,
    expected: ['PR_GET_THP_DISABLE', '0', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7f0000000000, 4096, "myanon") = -1 EINVAL',
    args: [0x53564d41n, 0n, 0x7f0000000000n, 4096n, NAME],
    params: { 4: str('myanon') },
    expected: ['PR_SET_VMA', 'PR_SET_VMA_ANON_NAME', '0x7f0000000000', '4096', '"myanon"'],
  },
  {
    line: 'prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, NULL, 0, NULL) = -1 EINVAL',
    args: [0x53564d41n, 0n, 0n, 0n, 0n],
    expected: ['PR_SET_VMA', 'PR_SET_VMA_ANON_NAME', 'NULL', '0', 'NULL'],
  },
  {
    line: 'prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, NULL, 0, "xxxx...x"...) = -1 EINVAL (100 x, -s 64)',
    args: [0x53564d41n, 0n, 0n, 0n, NAME],
    params: { 4: str('x'.repeat(100)) },
    maxString: 64,
    expected: ['PR_SET_VMA', 'PR_SET_VMA_ANON_NAME', 'NULL', '0', `"${'x'.repeat(64)}"...`],
  },
  {
    line: 'prctl(PR_SET_VMA, 0x5 /* PR_SET_VMA_??? */, 0x1, 0x2, 0x3) = -1 EINVAL',
    args: [0x53564d41n, 5n, 1n, 2n, 3n],
    expected: ['PR_SET_VMA', '0x5 /* PR_SET_VMA_??? */', '0x1', '0x2', '0x3'],
  },
  {
    line: 'prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0x1234, 0, 0) = -1 EPERM',
    args: [35n, 1n, 0x1234n, 0n, 0n],
    expected: ['PR_SET_MM', 'PR_SET_MM_START_CODE', '0x1234', '0', '0'],
  },
  {
    line: 'prctl(PR_SET_MM, 0x63 /* PR_SET_MM_??? */, 0x1234, 0, 0) = -1 EPERM',
    args: [35n, 99n, 0x1234n, 0n, 0n],
    expected: ['PR_SET_MM', '0x63 /* PR_SET_MM_??? */', '0x1234', '0', '0'],
  },
  {
    line: 'prctl(PR_GET_TID_ADDRESS, [0x7f9970487e50]) = 0',
    args: [40n, PTR, 0n, 0n, 0n],
    params: { 1: param(Buffer.from('507e4870997f0000', 'hex'), TL_PARAM_OK, 8, 1) },
    ret: 0n,
    expected: ['PR_GET_TID_ADDRESS', '[0x7f9970487e50]'],
  },
  {
    line: 'prctl(PR_GET_TID_ADDRESS, [NULL]) = 0 (after set_tid_address(NULL))',
    args: [40n, PTR, 0n, 0n, 0n],
    params: { 1: param(Buffer.alloc(8), TL_PARAM_OK, 8, 1) },
    ret: 0n,
    expected: ['PR_GET_TID_ADDRESS', '[NULL]'],
  },
  {
    line: 'prctl(0x12345 /* PR_??? */, 0x1, 0x2, 0x3, 0x4) = -1 EINVAL',
    args: [0x12345n, 1n, 2n, 3n, 4n],
    expected: ['0x12345 /* PR_??? */', '0x1', '0x2', '0x3', '0x4'],
  },
  {
    line: 'prctl(0x3e7 /* PR_??? */, 0, 0, 0, 0) = -1 EINVAL',
    args: [999n, 0n, 0n, 0n, 0n],
    expected: ['0x3e7 /* PR_??? */', '0', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_GET_SECUREBITS) = 0x10 (SECBIT_KEEP_CAPS)',
    args: [27n, 0n, 0n, 0n, 0n],
    ret: 0x10n,
    expected: ['PR_GET_SECUREBITS'],
    returns: '0x10 (SECBIT_KEEP_CAPS)',
  },
  {
    line: 'prctl(PR_SET_SECUREBITS, 0) = 0',
    args: [28n, 0n, 0n, 0n, 0n],
    expected: ['PR_SET_SECUREBITS', '0'],
  },
  {
    line: 'prctl(PR_SET_SECUREBITS, SECBIT_NOROOT|SECBIT_NO_SETUID_FIXUP|SECBIT_KEEP_CAPS) = 0',
    args: [28n, 0x15n, 0n, 0n, 0n],
    expected: ['PR_SET_SECUREBITS', 'SECBIT_NOROOT|SECBIT_NO_SETUID_FIXUP|SECBIT_KEEP_CAPS'],
  },
  {
    line: 'prctl(PR_TASK_PERF_EVENTS_DISABLE) = 0',
    args: [31n, 0n, 0n, 0n, 0n],
    ret: 0n,
    expected: ['PR_TASK_PERF_EVENTS_DISABLE'],
  },
  {
    line: 'prctl(PR_MCE_KILL_GET, 0, 0, 0, 0) = 2 (PR_MCE_KILL_DEFAULT)',
    args: [34n, 0n, 0n, 0n, 0n],
    ret: 2n,
    expected: ['PR_MCE_KILL_GET', '0', '0', '0', '0'],
    returns: '2 (PR_MCE_KILL_DEFAULT)',
  },
  {
    line: 'prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0) = 0',
    args: [33n, 1n, 1n, 0n, 0n],
    expected: ['PR_MCE_KILL', 'PR_MCE_KILL_SET', 'PR_MCE_KILL_EARLY', '0', '0'],
  },
  {
    line: 'prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0) = -1 EPERM',
    args: [58n, 0n, 0n, 0n, 0n],
    expected: ['PR_GET_IO_FLUSHER', '0', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_SET_IO_FLUSHER, 0, 0, 0, 0) = -1 EPERM',
    args: [57n, 0n, 0n, 0n, 0n],
    expected: ['PR_SET_IO_FLUSHER', '0', '0', '0', '0'],
  },
  {
    line: 'prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY) = -1 EINVAL',
    args: [0x59616d61n, 0xffffffffffffffffn, 0n, 0n, 0n],
    expected: ['PR_SET_PTRACER', 'PR_SET_PTRACER_ANY'],
  },
  {
    line: 'prctl(PR_SET_PTRACER, 1) = -1 EINVAL',
    args: [0x59616d61n, 1n, 0n, 0n, 0n],
    expected: ['PR_SET_PTRACER', '1'],
  },
  {
    line: 'prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS) = 0x2 (PR_SPEC_ENABLE)',
    args: [52n, 0n, 0n, 0n, 0n],
    ret: 2n,
    expected: ['PR_GET_SPECULATION_CTRL', 'PR_SPEC_STORE_BYPASS'],
    returns: '0x2 (PR_SPEC_ENABLE)',
  },
  {
    line: 'prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_L1D_FLUSH) = 0x8 (PR_SPEC_FORCE_DISABLE)',
    args: [52n, 2n, 0n, 0n, 0n],
    ret: 8n,
    expected: ['PR_GET_SPECULATION_CTRL', 'PR_SPEC_L1D_FLUSH'],
    returns: '0x8 (PR_SPEC_FORCE_DISABLE)',
  },
  {
    line: 'prctl(PR_GET_SPECULATION_CTRL, 0x3 /* PR_SPEC_??? */) = -1 ENODEV',
    args: [52n, 3n, 0n, 0n, 0n],
    ret: -19n,
    expected: ['PR_GET_SPECULATION_CTRL', '0x3 /* PR_SPEC_??? */'],
  },
  {
    line: 'prctl(PR_SET_SPECULATION_CTRL, PR_SPEC_INDIRECT_BRANCH, PR_SPEC_FORCE_DISABLE) = -1 EPERM',
    args: [53n, 1n, 8n, 0n, 0n],
    expected: ['PR_SET_SPECULATION_CTRL', 'PR_SPEC_INDIRECT_BRANCH', 'PR_SPEC_FORCE_DISABLE'],
  },
  {
    line: 'prctl(PR_SET_SPECULATION_CTRL, 0x7 /* PR_SPEC_??? */, 0x8) = -1 ENODEV',
    args: [53n, 7n, 8n, 0n, 0n],
    expected: ['PR_SET_SPECULATION_CTRL', '0x7 /* PR_SPEC_??? */', '0x8'],
  },
  {
    line: 'prctl(PR_SET_TSC, PR_TSC_ENABLE) = 0',
    args: [26n, 1n, 0n, 0n, 0n],
    expected: ['PR_SET_TSC', 'PR_TSC_ENABLE'],
  },
  {
    line: 'prctl(PR_GET_TSC, [PR_TSC_ENABLE]) = 0',
    args: [25n, PTR, 0n, 0n, 0n],
    params: { 1: param(int(1), TL_PARAM_OK, 4, 1) },
    ret: 0n,
    expected: ['PR_GET_TSC', '[PR_TSC_ENABLE]'],
  },
  {
    line: 'prctl(PR_GET_ENDIAN, 0x7f996fa11960) = -1 EINVAL',
    args: [19n, 0x7f996fa11960n, 0n, 0n, 0n],
    ret: -22n,
    expected: ['PR_GET_ENDIAN', '0x7f996fa11960'],
  },
  {
    line: 'prctl(PR_GET_UNALIGN, 0x7f996fa11960) = -1 EINVAL',
    args: [5n, 0x7f996fa11960n, 0n, 0n, 0n],
    ret: -22n,
    expected: ['PR_GET_UNALIGN', '0x7f996fa11960'],
  },
  {
    line: 'prctl(PR_SET_UNALIGN, PR_UNALIGN_NOPRINT|PR_UNALIGN_SIGBUS) = -1 EINVAL',
    args: [6n, 3n, 0n, 0n, 0n],
    expected: ['PR_SET_UNALIGN', 'PR_UNALIGN_NOPRINT|PR_UNALIGN_SIGBUS'],
  },
  {
    line: 'prctl(PR_SET_FP_MODE, PR_FP_MODE_FR|PR_FP_MODE_FRE) = -1 EINVAL',
    args: [45n, 3n, 0n, 0n, 0n],
    expected: ['PR_SET_FP_MODE', 'PR_FP_MODE_FR|PR_FP_MODE_FRE'],
  },
  {
    line: 'prctl(PR_GET_FP_MODE) = -1 EINVAL',
    args: [46n, 0n, 0n, 0n, 0n],
    ret: -22n,
    expected: ['PR_GET_FP_MODE'],
  },
  {
    line: 'prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 0x10, 0x20, NULL) = 0',
    args: [59n, 1n, 0x10n, 0x20n, 0n],
    expected: ['PR_SET_SYSCALL_USER_DISPATCH', 'PR_SYS_DISPATCH_ON', '0x10', '0x20', 'NULL'],
  },
  {
    line: 'prctl(PR_SCHED_CORE, PR_SCHED_CORE_GET, 0, 0 /* PIDTYPE_PID */, NULL) = -1 EINVAL',
    args: [62n, 0n, 0n, 0n, 0n],
    ret: -22n,
    expected: ['PR_SCHED_CORE', 'PR_SCHED_CORE_GET', '0', '0 /* PIDTYPE_PID */', 'NULL'],
  },
  {
    line: 'prctl(PR_GET_TIMING) = 0',
    args: [13n, 0n, 0n, 0n, 0n],
    ret: 0n,
    expected: ['PR_GET_TIMING'],
  },
];

describe('prctlArgTexts', () => {
  it.each(PRCTL_ROWS)('$line', (row) => {
    const texts = prctlArgTexts(row.args, (i) => row.params?.[i], row.ret, row.maxString ?? 64);
    expect(texts).toEqual(row.expected);
    if (row.ret !== undefined) {
      expect(formatPrctlReturn(row.args, row.ret)).toBe(row.returns);
    }
  });

  it('a string capture the kernel side cut short ends in ...', () => {
    const texts = prctlArgTexts(
      [0x53564d41n, 0n, 0n, 0n, NAME],
      () => str('abc', TL_PARAM_TRUNCATED),
      undefined,
      64,
    );
    expect(texts.at(-1)).toBe('"abc"...');
  });

  it('unreadable memory says so', () => {
    expect(prctlArgTexts([15n, NAME], () => FAULTED, 0n, 64)).toEqual([
      'PR_SET_NAME',
      '<unavailable: fault>',
    ]);
  });
});

describe('fcntl struct arguments', () => {
  const flock = (type: number, whence: number, start: bigint, len: bigint, pid = 0): Buffer => {
    const b = Buffer.alloc(32);
    b.writeUInt16LE(type, 0);
    b.writeUInt16LE(whence, 2);
    b.writeBigInt64LE(start, 8);
    b.writeBigInt64LE(len, 16);
    b.writeInt32LE(pid, 24);
    return b;
  };
  const owner = (type: number, pid: number): Buffer => u32s(type, pid);

  it.each([
    // fcntl(3, F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0}) = 0
    [6, param(flock(1, 0, 0n, 0n)), '{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0}'],
    // fcntl(3, F_SETLKW, {l_type=F_RDLCK, l_whence=SEEK_CUR, l_start=10, l_len=-5}) = 0
    [7, param(flock(0, 1, 10n, -5n)), '{l_type=F_RDLCK, l_whence=SEEK_CUR, l_start=10, l_len=-5}'],
    // fcntl(3, F_SETLK, {l_type=F_UNLCK, l_whence=SEEK_END, l_start=-100, l_len=100}) = -1 EINVAL
    [
      6,
      param(flock(2, 2, -100n, 100n)),
      '{l_type=F_UNLCK, l_whence=SEEK_END, l_start=-100, l_len=100}',
    ],
    // fcntl(3, F_SETLK, {l_type=0x7 /* F_??? */, l_whence=0x9 /* SEEK_??? */, l_start=-100, l_len=100}) = -1 EINVAL
    [
      6,
      param(flock(7, 9, -100n, 100n)),
      '{l_type=0x7 /* F_??? */, l_whence=0x9 /* SEEK_??? */, l_start=-100, l_len=100}',
    ],
    // fcntl(3, F_GETLK, {l_type=F_UNLCK, l_whence=SEEK_SET, l_start=0, l_len=0, l_pid=0}) = 0
    [
      5,
      param(flock(2, 0, 0n, 0n)),
      '{l_type=F_UNLCK, l_whence=SEEK_SET, l_start=0, l_len=0, l_pid=0}',
    ],
    // [pid 10568] fcntl(3, F_GETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0, l_pid=10567}) = 0
    [
      5,
      param(flock(1, 0, 0n, 0n, 10567)),
      '{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0, l_pid=10567}',
    ],
    // [pid 10568] fcntl(3, F_OFD_GETLK, {..., l_pid=10567}) = 0
    [
      36,
      param(flock(1, 0, 0n, 0n, 10567)),
      '{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=0, l_pid=10567}',
    ],
    // [pid 10568] fcntl(4, F_OFD_SETLK, {l_type=F_RDLCK, l_whence=SEEK_SET, l_start=0, l_len=0}) = -1 EAGAIN
    [37, param(flock(0, 0, 0n, 0n)), '{l_type=F_RDLCK, l_whence=SEEK_SET, l_start=0, l_len=0}'],
    [38, param(flock(2, 0, 0n, 0n)), '{l_type=F_UNLCK, l_whence=SEEK_SET, l_start=0, l_len=0}'],
    // fcntl(3, F_GETLK, 0x7ffce19c6e00) = -1 EINVAL (no exit capture)
    [5, undefined, '0x7ffce19c6e00'],
    // fcntl(3, F_SETOWN_EX, {type=F_OWNER_PID, pid=20332}) = 0; F_GETOWN_EX the same
    [15, param(owner(1, 20332)), '{type=F_OWNER_PID, pid=20332}'],
    [16, param(owner(0, 20332)), '{type=F_OWNER_TID, pid=20332}'],
    [15, param(owner(2, 20327)), '{type=F_OWNER_PGRP, pid=20327}'],
    // fcntl(3, F_SETOWN_EX, {type=0x7 /* F_OWNER_??? */, pid=0}) = -1 EINVAL
    [15, param(owner(7, 0)), '{type=0x7 /* F_OWNER_??? */, pid=0}'],
    // fcntl(3, F_GETOWN_EX, 0x1) = -1 EFAULT
    [16, undefined, '0x7ffce19c6e00'],
  ] as const)('cmd %i → %s', (cmd, p, expected) => {
    expect(formatFcntlStructArg(cmd, 0x7ffce19c6e00n, p)).toBe(expected);
  });

  it('NULL, faults, and commands that are not these', () => {
    // fcntl(3, F_SETLK, NULL) = -1 EFAULT
    expect(formatFcntlStructArg(6, 0n, undefined)).toBe('NULL');
    expect(formatFcntlStructArg(6, 1n, FAULTED)).toBe('<unavailable: fault>');
    expect(formatFcntlStructArg(4, 1n, undefined)).toBeUndefined();
    expect(formatFlock(Buffer.alloc(8))).toBeUndefined();
  });
});

describe('capture tables', () => {
  const IOCTL_CAPTURES = resolvedKeyedCaptures('ioctl');
  const PRCTL_CAPTURES = resolvedKeyedCaptures('prctl');
  const FCNTL_CAPTURES = resolvedKeyedCaptures('fcntl');
  const tables: [string, readonly ResolvedKeyedCapture[]][] = [
    ['ioctl', IOCTL_CAPTURES],
    ['prctl', PRCTL_CAPTURES],
    ['fcntl', FCNTL_CAPTURES],
  ];

  it.each(tables)('%s: one entry per selector, sizes that fit the kind', (_name, table) => {
    const selectors = table.map((c) => c.selector);
    expect(new Set(selectors).size).toBe(selectors.length);
    for (const c of table) {
      expect(c.arg).toBeGreaterThanOrEqual(1);
      expect(c.arg).toBeLessThan(6);
      expect(Number.isInteger(c.selector) && c.selector >= 0 && c.selector <= 0xffffffff).toBe(
        true,
      );
      if (c.kind === 'str') expect(c.size).toBe(0);
      else expect(c.size).toBeGreaterThan(0);
    }
  });

  /** Bytes that decode to something for every selector: an ifreq-sized run of 0x01. */
  const filler = (c: ResolvedKeyedCapture): Param =>
    c.kind === 'str' ? str('x') : param(Buffer.alloc(c.size, 1), TL_PARAM_OK, c.size, c.arg);

  it('every ioctl capture is used by formatIoctlArg', () => {
    for (const c of IOCTL_CAPTURES) {
      const p = filler(c);
      const text = formatIoctlArg(c.selector, ADDR, p, c.kind === 'inout' ? p : undefined);
      expect(text, c.selector.toString(16)).not.toBe('0x7ffc9559b840');
      expect(text).not.toBeNull();
      // without a capture, the address
      expect(formatIoctlArg(c.selector, ADDR, undefined)).toBe('0x7ffc9559b840');
    }
  });

  it('every prctl capture is used by prctlArgTexts', () => {
    for (const c of PRCTL_CAPTURES) {
      const args = [BigInt(c.selector), 0n, 0n, 0n, 0n];
      args[c.arg] = ADDR;
      if (c.selector === 22) args[1] = 2n; // SECCOMP_MODE_FILTER
      const p = filler(c);
      const withParam = prctlArgTexts(args, (i) => (i === c.arg ? p : undefined), 0n, 64);
      const without = prctlArgTexts(args, () => undefined, 0n, 64);
      expect(withParam[c.arg], c.selector.toString()).not.toBe('0x7ffc9559b840');
      expect(without[c.arg]).toBe('0x7ffc9559b840');
    }
  });

  it('every fcntl capture is used by formatFcntlStructArg', () => {
    for (const c of FCNTL_CAPTURES) {
      expect(formatFcntlStructArg(c.selector, ADDR, filler(c))).toMatch(/^\{/);
      expect(formatFcntlStructArg(c.selector, ADDR, undefined)).toBe('0x7ffc9559b840');
    }
  });
});

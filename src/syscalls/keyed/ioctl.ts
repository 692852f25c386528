// What to capture per ioctl request, in the third argument, and in which layout the formatter
// (src/format/ioctl.ts, after strace's term.c and sock.c) reads the bytes. The getters are
// captured at exit, the setters at enter; struct ifreq's getters at both (the name given, and
// what the kernel filled in).
import { IOCTL_REQUEST as R } from '../uapi/ioctl.js';
import type { KeyedCapture, KeyedKind } from './capture.js';

/** How the captured bytes are laid out; src/format/ioctl.ts has a printer for each. */
export type IoctlLayout =
  'termios' | 'termios2' | 'termio' | 'winsize' | 'modem' | 'int' | 'char' | 'ifreq' | 'ifname';

export interface IoctlCapture extends KeyedCapture {
  readonly layout: IoctlLayout;
}

/** Bytes to copy per layout (x86_64): ifname is a string (a bridge name, up to IFNAMSIZ). */
export const IOCTL_LAYOUT_BYTES: Readonly<Record<IoctlLayout, number>> = {
  termios: 36,
  termios2: 44,
  termio: 18,
  winsize: 8,
  modem: 4,
  int: 4,
  char: 1,
  ifreq: 40,
  ifname: 0,
};

const at = (kind: KeyedKind, layout: IoctlLayout, request: number): IoctlCapture => ({
  selector: request,
  arg: 'arg',
  kind,
  size: IOCTL_LAYOUT_BYTES[layout],
  layout,
});
/** Captures of one kind and layout for each request: gets at exit, sets at enter. */
const capturing =
  (kind: KeyedKind) =>
  (layout: IoctlLayout, ...requests: number[]): IoctlCapture[] =>
    requests.map((r) => at(kind, layout, r));
const gets = capturing('out');
const sets = capturing('in');

export const IOCTL_CAPTURES: readonly IoctlCapture[] = [
  // struct termios (term.c): the get at exit, the sets at enter
  ...gets('termios', R.TCGETS),
  ...sets('termios', R.TCSETS, R.TCSETSW, R.TCSETSF),
  ...gets('termios', R.TIOCGLCKTRMIOS),
  ...sets('termios', R.TIOCSLCKTRMIOS),
  ...gets('termios2', R.TCGETS2),
  ...sets('termios2', R.TCSETS2, R.TCSETSW2, R.TCSETSF2),
  ...gets('termio', R.TCGETA),
  ...sets('termio', R.TCSETA, R.TCSETAW, R.TCSETAF),
  ...gets('winsize', R.TIOCGWINSZ),
  ...sets('winsize', R.TIOCSWINSZ),
  ...gets('modem', R.TIOCMGET),
  ...sets('modem', R.TIOCMBIS, R.TIOCMBIC, R.TIOCMSET),
  // an int, [%d]
  ...gets('int', R.TIOCGPGRP, R.TIOCGSID, R.TIOCGETD, R.TIOCGSOFTCAR, R.TIOCGPTN, R.FIONREAD),
  ...gets('int', R.TIOCOUTQ, R.TIOCGEXCL, R.TIOCGDEV),
  ...sets('int', R.TIOCSPGRP, R.TIOCSETD, R.FIONBIO, R.FIOASYNC, R.TIOCPKT, R.TIOCSSOFTCAR),
  ...sets('int', R.TIOCSPTLCK),
  // one char
  ...sets('char', R.TIOCSTI),
  // sockets (sock.c): an int
  ...gets('int', R.FIOGETOWN, R.SIOCATMARK, R.SIOCGPGRP, R.SIOCOUTQNSD),
  ...sets('int', R.FIOSETOWN, R.SIOCSPGRP),
  // struct ifreq
  ...[
    R.SIOCGIFADDR,
    R.SIOCGIFBRDADDR,
    R.SIOCGIFDSTADDR,
    R.SIOCGIFFLAGS,
    R.SIOCGIFHWADDR,
    R.SIOCGIFINDEX,
    R.SIOCGIFMAP,
    R.SIOCGIFMETRIC,
    R.SIOCGIFMTU,
    R.SIOCGIFNAME,
    R.SIOCGIFNETMASK,
    R.SIOCGIFSLAVE,
    R.SIOCGIFTXQLEN,
  ].map((r) => at('inout', 'ifreq', r)),
  ...sets(
    'ifreq',
    R.SIOCADDMULTI,
    R.SIOCDELMULTI,
    R.SIOCSIFADDR,
    R.SIOCSIFBRDADDR,
    R.SIOCSIFDSTADDR,
    R.SIOCSIFFLAGS,
    R.SIOCSIFHWADDR,
    R.SIOCSIFHWBROADCAST,
    R.SIOCSIFMAP,
    R.SIOCSIFMETRIC,
    R.SIOCSIFMTU,
    R.SIOCSIFNAME,
    R.SIOCSIFNETMASK,
    R.SIOCSIFSLAVE,
    R.SIOCSIFTXQLEN,
  ),
  // a bridge name, at most IFNAMSIZ bytes
  ...[R.SIOCBRADDBR, R.SIOCBRDELBR].map((r) => at('str', 'ifname', r)),
];

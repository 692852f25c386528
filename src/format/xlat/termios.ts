// Terminal and network-interface ioctl tables (x86_64 values), in the order of strace 6.1's
// xlat/term_*.in, baud_options.in, modem_flags.in, iffflags.in and arp_hardware_types.in:
// the first entry with a value wins, so XTABS comes before TAB3 and B19200 before EXTA.
import { xlat } from '../flags.js';

export const TERM_IFLAGS = xlat([
  ['IGNBRK', 0o1],
  ['BRKINT', 0o2],
  ['IGNPAR', 0o4],
  ['PARMRK', 0o10],
  ['INPCK', 0o20],
  ['ISTRIP', 0o40],
  ['INLCR', 0o100],
  ['IGNCR', 0o200],
  ['ICRNL', 0o400],
  ['IUCLC', 0o1000],
  ['IXON', 0o2000],
  ['IXANY', 0o4000],
  ['IXOFF', 0o10000],
  ['IMAXBEL', 0o20000],
  ['IUTF8', 0o40000],
]);

/** c_oflag bits other than the delay fields, which are printed first, one value each. */
export const TERM_OFLAGS = xlat([
  ['OPOST', 0o1],
  ['OLCUC', 0o2],
  ['ONLCR', 0o4],
  ['OCRNL', 0o10],
  ['ONOCR', 0o20],
  ['ONLRET', 0o40],
  ['OFILL', 0o100],
  ['OFDEL', 0o200],
]);

/** The delay fields of c_oflag: mask, values, and what strace prints for an unnamed value. */
export const TERM_OFLAG_FIELDS: ReadonlyArray<{
  readonly mask: bigint;
  readonly table: ReturnType<typeof xlat>;
  readonly unknown: string;
}> = [
  {
    mask: 0o400n,
    table: xlat([
      ['NL0', 0],
      ['NL1', 0o400],
    ]),
    unknown: 'NL?',
  },
  {
    mask: 0o3000n,
    table: xlat([
      ['CR0', 0],
      ['CR1', 0o1000],
      ['CR2', 0o2000],
      ['CR3', 0o3000],
    ]),
    unknown: 'CR?',
  },
  {
    mask: 0o14000n,
    table: xlat([
      ['XTABS', 0o14000],
      ['TAB0', 0],
      ['TAB1', 0o4000],
      ['TAB2', 0o10000],
      ['TAB3', 0o14000],
    ]),
    unknown: 'TAB?',
  },
  {
    mask: 0o20000n,
    table: xlat([
      ['BS1', 0o20000],
      ['BS0', 0],
    ]),
    unknown: 'BS?',
  },
  {
    mask: 0o40000n,
    table: xlat([
      ['VT0', 0],
      ['VT1', 0o40000],
    ]),
    unknown: 'VT?',
  },
  {
    mask: 0o100000n,
    table: xlat([
      ['FF0', 0],
      ['FF1', 0o100000],
    ]),
    unknown: 'FF?',
  },
];

export const TERM_LFLAGS = xlat([
  ['ISIG', 0o1],
  ['ICANON', 0o2],
  ['XCASE', 0o4],
  ['ECHO', 0o10],
  ['ECHOE', 0o20],
  ['ECHOK', 0o40],
  ['ECHONL', 0o100],
  ['NOFLSH', 0o200],
  ['IEXTEN', 0o100000],
  ['ECHOCTL', 0o1000],
  ['ECHOPRT', 0o2000],
  ['ECHOKE', 0o4000],
  ['FLUSHO', 0o10000],
  ['PENDIN', 0o40000],
  ['TOSTOP', 0o400],
  ['EXTPROC', 0o200000],
]);

export const CBAUD = 0o10017n;
export const CIBAUD = 0o2003600000n;
export const IBSHIFT = 16n;
export const CSIZE = 0o60n;

export const TERM_CSIZES = xlat([
  ['CS5', 0],
  ['CS6', 0o20],
  ['CS7', 0o40],
  ['CS8', 0o60],
]);

/** c_cflag bits other than the speeds and the character size. */
export const TERM_CFLAGS = xlat([
  ['CSTOPB', 0o100],
  ['CREAD', 0o200],
  ['PARENB', 0o400],
  ['PARODD', 0o1000],
  ['HUPCL', 0o2000],
  ['CLOCAL', 0o4000],
  ['CMSPAR', 0o10000000000],
  ['CRTSCTS', 0o20000000000],
]);

export const BAUD_RATES = xlat([
  ['B0', 0],
  ['B50', 1],
  ['B75', 2],
  ['B110', 3],
  ['B134', 4],
  ['B150', 5],
  ['B200', 6],
  ['B300', 7],
  ['B600', 8],
  ['B1200', 9],
  ['B1800', 10],
  ['B2400', 11],
  ['B4800', 12],
  ['B9600', 13],
  ['B19200', 14],
  ['B38400', 15],
  ['B57600', 0o10001],
  ['B115200', 0o10002],
  ['B230400', 0o10003],
  ['B460800', 0o10004],
  ['B500000', 0o10005],
  ['B576000', 0o10006],
  ['B921600', 0o10007],
  ['B1000000', 0o10010],
  ['B1152000', 0o10011],
  ['B1500000', 0o10012],
  ['B2000000', 0o10013],
  ['B2500000', 0o10014],
  ['B3000000', 0o10015],
  ['B3500000', 0o10016],
  ['B4000000', 0o10017],
  ['EXTA', 14],
  ['EXTB', 15],
  ['BOTHER', 0o10000],
]);

export const TCXONC_OPTIONS = xlat([
  ['TCOOFF', 0],
  ['TCOON', 1],
  ['TCIOFF', 2],
  ['TCION', 3],
]);

export const TCFLSH_OPTIONS = xlat([
  ['TCIFLUSH', 0],
  ['TCOFLUSH', 1],
  ['TCIOFLUSH', 2],
]);

export const MODEM_FLAGS = xlat([
  ['TIOCM_LE', 0x001],
  ['TIOCM_DTR', 0x002],
  ['TIOCM_RTS', 0x004],
  ['TIOCM_ST', 0x008],
  ['TIOCM_SR', 0x010],
  ['TIOCM_CTS', 0x020],
  ['TIOCM_CAR', 0x040],
  ['TIOCM_RNG', 0x080],
  ['TIOCM_DSR', 0x100],
  ['TIOCM_OUT1', 0x2000],
  ['TIOCM_OUT2', 0x4000],
  ['TIOCM_LOOP', 0x8000],
]);

/** struct ifreq's ifr_flags. */
export const IFF_FLAGS = xlat([
  ['IFF_UP', 1 << 0],
  ['IFF_BROADCAST', 1 << 1],
  ['IFF_DEBUG', 1 << 2],
  ['IFF_LOOPBACK', 1 << 3],
  ['IFF_POINTOPOINT', 1 << 4],
  ['IFF_NOTRAILERS', 1 << 5],
  ['IFF_RUNNING', 1 << 6],
  ['IFF_NOARP', 1 << 7],
  ['IFF_PROMISC', 1 << 8],
  ['IFF_ALLMULTI', 1 << 9],
  ['IFF_MASTER', 1 << 10],
  ['IFF_SLAVE', 1 << 11],
  ['IFF_MULTICAST', 1 << 12],
  ['IFF_PORTSEL', 1 << 13],
  ['IFF_AUTOMEDIA', 1 << 14],
  ['IFF_DYNAMIC', 1 << 15],
  ['IFF_LOWER_UP', 1 << 16],
  ['IFF_DORMANT', 1 << 17],
  ['IFF_ECHO', 1 << 18],
]);

/** ifr_hwaddr.sa_family: ARPHRD_*. */
export const ARPHRD_TYPES = xlat([
  ['ARPHRD_NETROM', 0],
  ['ARPHRD_ETHER', 1],
  ['ARPHRD_EETHER', 2],
  ['ARPHRD_AX25', 3],
  ['ARPHRD_PRONET', 4],
  ['ARPHRD_CHAOS', 5],
  ['ARPHRD_IEEE802', 6],
  ['ARPHRD_ARCNET', 7],
  ['ARPHRD_APPLETLK', 8],
  ['ARPHRD_DLCI', 15],
  ['ARPHRD_ATM', 19],
  ['ARPHRD_METRICOM', 23],
  ['ARPHRD_IEEE1394', 24],
  ['ARPHRD_EUI64', 27],
  ['ARPHRD_INFINIBAND', 32],
  ['ARPHRD_SLIP', 256],
  ['ARPHRD_CSLIP', 257],
  ['ARPHRD_SLIP6', 258],
  ['ARPHRD_CSLIP6', 259],
  ['ARPHRD_RSRVD', 260],
  ['ARPHRD_ADAPT', 264],
  ['ARPHRD_ROSE', 270],
  ['ARPHRD_X25', 271],
  ['ARPHRD_HWX25', 272],
  ['ARPHRD_CAN', 280],
  ['ARPHRD_MCTP', 290],
  ['ARPHRD_PPP', 512],
  ['ARPHRD_CISCO', 513],
  ['ARPHRD_LAPB', 516],
  ['ARPHRD_DDCMP', 517],
  ['ARPHRD_RAWHDLC', 518],
  ['ARPHRD_RAWIP', 519],
  ['ARPHRD_TUNNEL', 768],
  ['ARPHRD_TUNNEL6', 769],
  ['ARPHRD_FRAD', 770],
  ['ARPHRD_SKIP', 771],
  ['ARPHRD_LOOPBACK', 772],
  ['ARPHRD_LOCALTLK', 773],
  ['ARPHRD_FDDI', 774],
  ['ARPHRD_BIF', 775],
  ['ARPHRD_SIT', 776],
  ['ARPHRD_IPDDP', 777],
  ['ARPHRD_IPGRE', 778],
  ['ARPHRD_PIMREG', 779],
  ['ARPHRD_HIPPI', 780],
  ['ARPHRD_ASH', 781],
  ['ARPHRD_ECONET', 782],
  ['ARPHRD_IRDA', 783],
  ['ARPHRD_FCPP', 784],
  ['ARPHRD_FCAL', 785],
  ['ARPHRD_FCPL', 786],
  ['ARPHRD_FCFABRIC', 787],
  ['ARPHRD_IEEE802_TR', 800],
  ['ARPHRD_IEEE80211', 801],
  ['ARPHRD_IEEE80211_PRISM', 802],
  ['ARPHRD_IEEE80211_RADIOTAP', 803],
  ['ARPHRD_IEEE802154', 804],
  ['ARPHRD_IEEE802154_MONITOR', 805],
  ['ARPHRD_PHONET', 820],
  ['ARPHRD_PHONET_PIPE', 821],
  ['ARPHRD_CAIF', 822],
  ['ARPHRD_IP6GRE', 823],
  ['ARPHRD_NETLINK', 824],
  ['ARPHRD_6LOWPAN', 825],
  ['ARPHRD_VSOCKMON', 826],
  ['ARPHRD_NONE', 0xfffe],
  ['ARPHRD_VOID', 0xffff],
]);

/**
 * Bytes of a hardware address by ARPHRD type, where strace knows it (print_mac.c); other
 * types up to ARPHRD_VSOCKMON, and none above it, show all 14 bytes of sa_data.
 */
export const HWADDR_SIZES: ReadonlyMap<number, number> = new Map([
  [0, 7],
  [1, 6],
  [3, 7],
  [6, 6],
  [7, 1],
  [15, 2],
  [24, 16],
  [27, 8],
  [32, 20],
  [256, 0],
  [270, 5],
  [271, 0],
  [280, 0],
  [290, 1],
  [512, 0],
  [518, 0],
  [519, 0],
  [768, 4],
  [769, 16],
  [772, 6],
  [773, 1],
  [774, 6],
  [776, 4],
  [777, 0],
  [778, 4],
  [779, 0],
  [780, 6],
  [783, 4],
  [801, 6],
  [802, 6],
  [803, 6],
  [804, 8],
  [805, 8],
  [820, 1],
  [821, 1],
  [822, 0],
  [823, 16],
  [824, 0],
  [825, 8],
  [826, 0],
]);

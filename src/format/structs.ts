// Decoders of captured structs, as strace prints them in its default (abbreviated) mode:
// `{st_mode=S_IFREG|0644, st_size=1234, ...}`. Each takes the captured bytes; a capture
// shorter than the fields it prints falls back on the caller's pointer text.
import { formatFlagSet, lookupXlat } from './flags.js';
import { quote } from './strings.js';
import { FILE_TYPES, FS_MAGICS, MODE_SPECIAL_BITS, S_IFMT, STATFS_FLAGS } from './xlat/misc.js';
import { STATX_ATTRIBUTES, STATX_MASK, POLL_EVENTS, EPOLL_EVENTS } from './xlat/misc.js';
import { SIGACTION_FLAGS, SA_RESTORER, signalName } from './xlat/signal.js';
import { ADDRESS_FAMILIES, AF_INET, AF_INET6, AF_NETLINK, AF_UNIX } from './xlat/socket.js';
import { address, hexValue } from './print.js';

/** st_mode as strace prints it: S_IFREG|S_ISUID|0755. */
export function formatMode(mode: bigint): string {
  if (mode >= 0n && mode <= 0xffffffffn) return modeText(Number(mode));
  const type = lookupXlat(mode & S_IFMT, FILE_TYPES);
  const special = formatFlagSet(mode & 0o7000n, MODE_SPECIAL_BITS);
  const perm = mode & 0o777n;
  const parts: string[] = [];
  if (type) parts.push(type);
  else if ((mode & S_IFMT) !== 0n) parts.push(`0${(mode & S_IFMT).toString(8)}`);
  if (special) parts.push(special);
  parts.push(perm === 0n ? '000' : `0${perm.toString(8).padStart(3, '0')}`);
  return parts.join('|');
}

const S_IFMT_BITS = Number(S_IFMT);
/** FILE_TYPES by number: a stat line would otherwise cost a BigInt per table entry. */
let fileTypes: ReadonlyMap<number, string> | undefined;

/** Mode texts made already: files of a trace share a handful of modes. */
const modeTexts = new Map<number, string>();

/** formatMode of a mode within 32 bits, in numbers. */
function modeText(mode: number): string {
  let text = modeTexts.get(mode);
  if (text === undefined) {
    text = makeModeText(mode);
    if (modeTexts.size >= 256) modeTexts.clear();
    modeTexts.set(mode, text);
  }
  return text;
}

function makeModeText(mode: number): string {
  fileTypes ??= new Map(FILE_TYPES.map((x) => [Number(x.value), x.name]));
  const fmt = (mode & S_IFMT_BITS) >>> 0;
  let out = fileTypes.get(fmt) ?? (fmt !== 0 ? `0${fmt.toString(8)}` : '');
  const specialBits = mode & 0o7000;
  if (specialBits !== 0) {
    const special = formatFlagSet(BigInt(specialBits), MODE_SPECIAL_BITS);
    if (special) out = out === '' ? special : `${out}|${special}`;
  }
  const perm = mode & 0o777;
  const permText = perm === 0 ? '000' : `0${perm.toString(8).padStart(3, '0')}`;
  return out === '' ? permText : `${out}|${permText}`;
}

/** makedev(0x88, 0x2) from a kernel dev_t (new encoding). */
export function formatDev(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const h = (n: bigint): string => (n === 0n ? '0' : `0x${n.toString(16)}`);
  return `makedev(${h(major)}, ${h(minor)})`;
}

/** S_IFCHR or S_IFBLK. */
const isDevice = (mode: number): boolean =>
  (mode & S_IFMT_BITS) === 0o20000 || (mode & S_IFMT_BITS) === 0o60000;

/** struct stat (x86_64): 56 bytes are enough for what strace shows. */
export function formatStat(b: Buffer): string | undefined {
  if (b.length < 56) return undefined;
  const mode = b.readUInt32LE(24);
  const tail = isDevice(mode)
    ? `st_rdev=${formatDev(b.readBigUInt64LE(40))}`
    : `st_size=${int64Text(b, 48)}`;
  return `{st_mode=${modeText(mode)}, ${tail}, ...}`;
}

/** The signed 64-bit integer at b[o], as decimal: through a double when that is exact. */
function int64Text(b: Buffer, o: number): string {
  const hi = b.readInt32LE(o + 4);
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * 0x100000000 + b.readUInt32LE(o));
  return b.readBigInt64LE(o).toString();
}
export const STAT_BYTES = 56;

/** struct statx: mask, attributes, mode, size (or rdev). */
export function formatStatx(b: Buffer): string | undefined {
  if (b.length < 0x90) return undefined;
  const mask = BigInt(b.readUInt32LE(0));
  const attrs = b.readBigUInt64LE(8);
  const mode = BigInt(b.readUInt16LE(28));
  const tail = `stx_size=${b.readBigUInt64LE(40)}`;
  return (
    `{stx_mask=${formatFlagSet(mask, STATX_MASK) ?? '0'}, ` +
    `stx_attributes=${formatFlagSet(attrs, STATX_ATTRIBUTES) ?? '0'}, ` +
    `stx_mode=${formatMode(mode)}, ${tail}, ...}`
  );
}
export const STATX_BYTES = 0x90;

/** struct statfs (x86_64, 120 bytes). */
export function formatStatfs(b: Buffer): string | undefined {
  if (b.length < 88) return undefined;
  const q = (o: number): bigint => b.readBigUInt64LE(o);
  const type = q(0);
  const fsid = `{val=[${hexValue(b.readUInt32LE(56))}, ${hexValue(b.readUInt32LE(60))}]}`;
  return (
    `{f_type=${lookupXlat(type, FS_MAGICS) ?? `0x${type.toString(16)}`}, f_bsize=${q(8)}, ` +
    `f_blocks=${q(16)}, f_bfree=${q(24)}, f_bavail=${q(32)}, f_files=${q(40)}, ` +
    `f_ffree=${q(48)}, f_fsid=${fsid}, f_namelen=${q(64)}, f_frsize=${q(72)}, ` +
    `f_flags=${formatFlagSet(q(80), STATFS_FLAGS) ?? '0'}}`
  );
}
export const STATFS_BYTES = 88;

/** struct timespec: {tv_sec=1, tv_nsec=500}. */
export function formatTimespec(b: Buffer): string | undefined {
  if (b.length < 16) return undefined;
  // strace prints the fraction unsigned: tv_nsec=-1 reads 18446744073709551615.
  return `{tv_sec=${b.readBigInt64LE(0)}, tv_nsec=${b.readBigUInt64LE(8)}}`;
}

/** struct timeval: {tv_sec=1, tv_usec=500}. */
export function formatTimeval(b: Buffer): string | undefined {
  if (b.length < 16) return undefined;
  return `{tv_sec=${b.readBigInt64LE(0)}, tv_usec=${b.readBigUInt64LE(8)}}`;
}

/** struct itimerspec: {it_interval=..., it_value=...}. */
export function formatItimerspec(b: Buffer): string | undefined {
  if (b.length < 32) return undefined;
  return `{it_interval=${formatTimespec(b.subarray(0, 16))}, it_value=${formatTimespec(b.subarray(16, 32))}}`;
}

const RLIM_INFINITY = 0xffffffffffffffffn;
function rlimValue(v: bigint): string {
  if (v === RLIM_INFINITY) return 'RLIM64_INFINITY';
  if (v > 0n && v % 1024n === 0n) return `${v / 1024n}*1024`;
  return v.toString();
}

/** struct rlimit64: {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}. */
export function formatRlimit(b: Buffer): string | undefined {
  if (b.length < 16) return undefined;
  return `{rlim_cur=${rlimValue(b.readBigUInt64LE(0))}, rlim_max=${rlimValue(b.readBigUInt64LE(8))}}`;
}

/** Signal names without their SIG, by number (1..64), made on first use. */
const shortSignals: string[] = [];
function shortSignal(n: number): string {
  let name = shortSignals[n];
  if (name === undefined) {
    name = signalName(n).replace(/^SIG/, '');
    shortSignals[n] = name;
  }
  return name;
}

/** A signal set: [INT TERM], or ~[...] listing what is not set when most are. */
export function formatSigset(b: Buffer): string {
  const nsig = Math.min(b.length * 8, 64);
  const bytes = nsig >> 3;
  let count = 0;
  for (let i = 0; i < bytes; i++) count += BITS_SET[b[i] as number] as number;
  // Listed: the signals set, or when most are, those that are not. Bytes with nothing to
  // list (most of them) are skipped whole.
  const listSet = count * 2 <= nsig;
  const skip = listSet ? 0 : 0xff;
  let out = '';
  let first = true;
  for (let i = 0; i < bytes; i++) {
    const byte = b[i] as number;
    if (byte === skip) continue;
    for (let bit = 0; bit < 8; bit++) {
      if (((byte >> bit) & 1) !== (listSet ? 1 : 0)) continue;
      const name = shortSignal(8 * i + bit + 1);
      out = first ? name : `${out} ${name}`;
      first = false;
    }
  }
  return listSet ? `[${out}]` : `~[${out}]`;
}

/** How many bits each byte value has set. */
const BITS_SET = Uint8Array.from({ length: 256 }, (_, v) => {
  let n = 0;
  for (let x = v; x !== 0; x >>= 1) n += x & 1;
  return n;
});

/** The kernel's struct sigaction (x86_64): handler, flags, restorer, mask. */
export function formatSigaction(b: Buffer): string | undefined {
  if (b.length < 32) return undefined;
  const handler = b.readBigUInt64LE(0);
  const flags = b.readBigUInt64LE(8);
  const restorer = b.readBigUInt64LE(16);
  const h = handler === 0n ? 'SIG_DFL' : handler === 1n ? 'SIG_IGN' : address(handler);
  let out =
    `{sa_handler=${h}, sa_mask=${formatSigset(b.subarray(24, 32))}, ` +
    `sa_flags=${formatFlagSet(flags, SIGACTION_FLAGS) ?? '0'}`;
  if (flags & SA_RESTORER) out += `, sa_restorer=${address(restorer)}`;
  return out + '}';
}
export const SIGACTION_BYTES = 32;

function ipv4(b: Buffer, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/**
 * The text of an IPv6 address as glibc's inet_ntop writes it (RFC 5952): the longest run of two
 * or more zero words as ::, and an embedded IPv4 address for ::ffff:0:0/96 and the old
 * ::a.b.c.d form.
 */
export function ipv6(b: Buffer, o: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(b.readUInt16BE(o + 2 * i));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const v4 = ipv4(b, o + 12);
  if (best === 0 && (bestLen === 6 || (bestLen === 7 && words[7] !== 1))) return `::${v4}`;
  if (best === 0 && bestLen === 5 && words[5] === 0xffff) return `::ffff:${v4}`;
  const hexw = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hexw(words);
  return `${hexw(words.slice(0, best))}::${hexw(words.slice(best + bestLen))}`;
}

/**
 * A socket address of `len` bytes (the length the call gave or got back; the capture may be
 * longer): AF_INET, AF_INET6, AF_UNIX (with @ for abstract names), AF_NETLINK; others show
 * their family and raw bytes.
 */
export function formatSockaddr(b: Buffer, len: number): string | undefined {
  const n = Math.min(len, b.length);
  if (n < 2) return n === 0 ? '{}' : undefined;
  const family = b.readUInt16LE(0);
  const fam = lookupXlat(BigInt(family), ADDRESS_FAMILIES) ?? `${hexValue(family)} /* AF_??? */`;
  if (family === AF_UNIX) {
    if (n <= 2) return `{sa_family=${fam}}`;
    let path = b.subarray(2, n);
    if (path[0] === 0) return `{sa_family=${fam}, sun_path=@${quote(path.subarray(1))}}`;
    const nul = path.indexOf(0);
    if (nul >= 0) path = path.subarray(0, nul);
    return `{sa_family=${fam}, sun_path=${quote(path)}}`;
  }
  if (family === AF_INET && n >= 8) {
    return (
      `{sa_family=${fam}, sin_port=htons(${b.readUInt16BE(2)}), ` +
      `sin_addr=inet_addr("${ipv4(b, 4)}")}`
    );
  }
  if (family === AF_INET6 && n >= 24) {
    const scope = n >= 28 ? `, sin6_scope_id=${b.readUInt32LE(24)}` : '';
    return (
      `{sa_family=${fam}, sin6_port=htons(${b.readUInt16BE(2)}), ` +
      `sin6_flowinfo=htonl(${b.readUInt32BE(4)}), ` +
      `inet_pton(AF_INET6, "${ipv6(b, 8)}", &sin6_addr)${scope}}`
    );
  }
  if (family === AF_NETLINK && n >= 12) {
    return (
      `{sa_family=${fam}, nl_pid=${b.readUInt32LE(4)}, ` +
      `nl_groups=${b.readUInt32LE(8).toString(16).padStart(8, '0')}}`
    );
  }
  return `{sa_family=${fam}, sa_data=${quote(b.subarray(2, n))}}`;
}
export const SOCKADDR_BYTES = 128;

/** struct new_utsname: strace shows the first two fields. */
export function formatUtsname(b: Buffer): string | undefined {
  if (b.length < 130) return undefined;
  const field = (o: number): string => {
    const f = b.subarray(o, o + 65);
    const nul = f.indexOf(0);
    return quote(nul >= 0 ? f.subarray(0, nul) : f);
  };
  return `{sysname=${field(0)}, nodename=${field(65)}, ...}`;
}
export const UTSNAME_BYTES = 130;

/** pollfd entries (8 bytes each): events at enter, revents at exit. */
export function formatPollfds(b: Buffer, count: number, which: 'events' | 'revents'): string {
  const n = Math.min(count, Math.floor(b.length / 8));
  const items: string[] = [];
  for (let i = 0; i < n; i++) {
    const fd = b.readInt32LE(8 * i);
    const ev = BigInt(b.readUInt16LE(8 * i + (which === 'events' ? 4 : 6)));
    if (which === 'revents' && ev === 0n) continue;
    items.push(`{fd=${fd}, ${which}=${formatFlagSet(ev, POLL_EVENTS) ?? '0'}}`);
  }
  const more = which === 'events' && count > n ? ', ...' : '';
  return `[${items.join(', ')}${more}]`;
}

/** One packed struct epoll_event (12 bytes). */
export function formatEpollEvent(b: Buffer, o = 0): string | undefined {
  if (b.length < o + 12) return undefined;
  const events = BigInt(b.readUInt32LE(o));
  const u32 = b.readUInt32LE(o + 4);
  const u64 = b.readBigUInt64LE(o + 4);
  return `{events=${formatFlagSet(events, EPOLL_EVENTS) ?? '0'}, data={u32=${u32}, u64=${u64}}}`;
}

/** An array of `count` int fds: [3, 4]. */
export function formatIntArray(b: Buffer, count: number): string | undefined {
  if (b.length < 4 * count) return undefined;
  const items: number[] = [];
  for (let i = 0; i < count; i++) items.push(b.readInt32LE(4 * i));
  return `[${items.join(', ')}]`;
}

/** A wait status: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]. */
export function formatWaitStatus(status: number): string {
  const sig = status & 0x7f;
  if (sig === 0) return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${(status >> 8) & 0xff}}]`;
  if (sig === 0x7f) {
    return `[{WIFSTOPPED(s) && WSTOPSIG(s) == ${signalName((status >> 8) & 0xff)}}]`;
  }
  const core = status & 0x80 ? ' && WCOREDUMP(s)' : '';
  return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${signalName(sig)}${core}}]`;
}

/** A CPU mask: [0, 1]. */
export function formatCpuMask(b: Buffer): string {
  const cpus: number[] = [];
  for (let i = 0; i < b.length * 8; i++) if (((b[i >> 3] as number) >> (i & 7)) & 1) cpus.push(i);
  return `[${cpus.join(' ')}]`;
}

const SI_USER = 0;
const SI_QUEUE = -1;
const SI_TKILL = -6;
const SI_CODES: ReadonlyMap<number, string> = new Map([
  [SI_USER, 'SI_USER'],
  [0x80, 'SI_KERNEL'],
  [SI_QUEUE, 'SI_QUEUE'],
  [-2, 'SI_TIMER'],
  [-3, 'SI_MESGQ'],
  [-4, 'SI_ASYNCIO'],
  [-5, 'SI_SIGIO'],
  [SI_TKILL, 'SI_TKILL'],
]);

/**
 * siginfo_t as strace prints a signal another process sent (kill, tgkill, sigqueue):
 * `{si_signo=SIGUSR1, si_code=SI_USER, si_pid=42, si_uid=0}`; other codes with their number.
 */
export function formatSiginfo(b: Buffer): string | undefined {
  if (b.length < 24) return undefined;
  const signo = b.readInt32LE(0);
  const code = b.readInt32LE(8);
  const head = `si_signo=${signalName(signo)}, si_code=${SI_CODES.get(code) ?? code}`;
  if (code !== SI_USER && code !== SI_TKILL && code !== SI_QUEUE) return `{${head}, ...}`;
  const sender = `si_pid=${b.readInt32LE(16)}, si_uid=${b.readUInt32LE(20)}`;
  if (code !== SI_QUEUE || b.length < 32) return `{${head}, ${sender}}`;
  const value = b.readBigUInt64LE(24);
  return `{${head}, ${sender}, si_int=${BigInt.asIntN(32, value)}, si_ptr=${address(value)}}`;
}

/** struct clone_args (clone3), the fields strace shows; `ret` adds what the kernel set. */
export function formatCloneArgs(
  b: Buffer,
  ret: bigint | undefined,
  flagsText: (f: bigint) => string,
): string | undefined {
  if (b.length < 64) return undefined;
  const q = (o: number): bigint => b.readBigUInt64LE(o);
  const flags = q(0);
  const parts = [`flags=${flagsText(flags)}`];
  if (flags & 0x1000n) parts.push(`pidfd=${address(q(8))}`);
  if (flags & (0x01000000n | 0x00200000n)) parts.push(`child_tid=${address(q(16))}`);
  if (flags & 0x00100000n) parts.push(`parent_tid=${address(q(24))}`);
  const sig = Number(q(32));
  parts.push(`exit_signal=${sig === 0 ? '0' : signalName(sig)}`);
  parts.push(`stack=${address(q(40))}`, `stack_size=${hx64(q(48))}`);
  if (flags & 0x00080000n) parts.push(`tls=${address(q(56))}`);
  let out = `{${parts.join(', ')}}`;
  if (ret !== undefined && ret > 0n && flags & 0x00100000n) out += ` => {parent_tid=[${ret}]}`;
  return out;
}
const hx64 = (n: bigint): string => (n === 0n ? '0' : `0x${n.toString(16)}`);
export const CLONE_ARGS_BYTES = 64;

/** struct sysinfo, as strace prints it whole. */
export function formatSysinfo(b: Buffer): string | undefined {
  if (b.length < 112) return undefined;
  const q = (o: number): bigint => b.readBigUInt64LE(o);
  return (
    `{uptime=${b.readBigInt64LE(0)}, loads=[${q(8)}, ${q(16)}, ${q(24)}], totalram=${q(32)}, ` +
    `freeram=${q(40)}, sharedram=${q(48)}, bufferram=${q(56)}, totalswap=${q(64)}, ` +
    `freeswap=${q(72)}, procs=${b.readUInt16LE(80)}, totalhigh=${q(88)}, freehigh=${q(96)}, ` +
    `mem_unit=${b.readUInt32LE(104)}}`
  );
}
export const SYSINFO_BYTES = 112;

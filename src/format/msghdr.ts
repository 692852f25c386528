// struct msghdr (sendmsg at entry, recvmsg at exit) as strace 6.1 prints it, control
// messages included:
//   {msg_name={sa_family=AF_UNIX, sun_path="/tmp/s"}, msg_namelen=128 => 13,
//    msg_iov=[{iov_base="hi", iov_len=2}], msg_iovlen=1,
//    msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[5]}],
//    msg_controllen=24, msg_flags=0}
//
// The capture (struct tl_msg_part, 56 bytes) holds the msghdr's fields as read and how many
// bytes of msg_name and msg_control follow (each padded to 8), then the iovec parts of
// iovec.ts.
import {
  LAYOUT,
  TL_IOV_MAX,
  TL_PARAM_FAULT,
  TL_PARAM_TRUNCATED,
  TL_PART_NULL,
  TL_PART_UNREAD,
  type Param,
} from '../wire.js';
import { formatFlagSet } from './flags.js';
import { formatIovParts, pad8, parseIovParts } from './iovec.js';
import { quote } from './strings.js';
import { formatSockaddr } from './structs.js';
import * as C from './xlat/cmsg.js';
import { MSG_FLAGS, SOL_IP, SOL_SOCKET } from './xlat/socket.js';
import { FAULT, address, hexValue, xvalText } from './print.js';

export const MSG_PART_BYTES = LAYOUT['sizeof(struct tl_msg_part)'];
/** sizeof(struct cmsghdr) on x86_64: u64 cmsg_len, int cmsg_level, int cmsg_type. */
const CMSG_HDR = 16;

/** Options that need more than the exit capture holds. */
export interface MsghdrOptions {
  /**
   * recvmsg: msg_namelen as it was at entry. strace shows `msg_namelen=128 => 13` when the
   * kernel changed it, and decodes no more of msg_name than the smaller of the two.
   */
  namelenAtEnter?: number;
  /** if_nametoindex in reverse, for IP_PKTINFO's ipi_ifindex (strace names the device). */
  ifName?: (index: number) => string | undefined;
}

/** A socket address as strace prints it. */
function sockaddr(b: Buffer, len: number): string {
  return formatSockaddr(b, Math.min(len, b.length)) ?? '{}';
}

// ---- control messages ----

const ipv4 = (b: Buffer, o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/**
 * An array of `size`-byte items, cut at `maxString` items as strace's print_local_array
 * does; `...` also when the capture holds fewer items than the message had.
 */
function localArray(
  data: Buffer,
  dataLen: number,
  size: number,
  maxString: number,
  item: (o: number) => string,
): string {
  const count = Math.floor(dataLen / size);
  const limit = Math.min(count, maxString);
  const n = Math.min(limit, Math.floor(data.length / size));
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(item(i * size));
  if (n < count) items.push('...');
  return `[${items.join(', ')}]`;
}

/** struct timeval / timespec in a cmsg: strace prints the fraction unsigned. */
const timeval = (b: Buffer, o: number, frac: 'tv_usec' | 'tv_nsec'): string =>
  `{tv_sec=${b.readBigInt64LE(o)}, ${frac}=${b.readBigUInt64LE(o + 8)}}`;

/** A uid or gid: strace shows (uid_t)-1 as -1. */
const id = (v: number): string => (v === 0xffffffff ? '-1' : v.toString());

interface CmsgData {
  /** The data bytes captured. */
  data: Buffer;
  /** The data bytes strace would have decoded (cmsg_len, within msg_controllen, less 16). */
  dataLen: number;
  maxString: number;
  opts: MsghdrOptions;
}

/** Fixed-size data: decoded when captured whole, else `...` (strace would have shown it). */
function fixed(d: CmsgData, size: number, show: (b: Buffer) => string): string {
  return d.data.length >= size ? show(d.data) : '...';
}

/** Data printers by type, with the least data strace wants before it prints cmsg_data. */
interface Printer {
  minLen: number;
  print: (d: CmsgData) => string;
}

const rights: Printer = {
  minLen: 4,
  print: (d) =>
    localArray(d.data, d.dataLen, 4, d.maxString, (o) => d.data.readInt32LE(o).toString()),
};
const creds: Printer = {
  minLen: 12,
  print: (d) =>
    fixed(
      d,
      12,
      (b) =>
        `{pid=${b.readInt32LE(0)}, uid=${id(b.readUInt32LE(4))}, gid=${id(b.readUInt32LE(8))}}`,
    ),
};
// The whole label, whatever -s says (strace's print_quoted_string without a limit).
const security: Printer = {
  minLen: 1,
  print: (d) => quote(d.data.subarray(0, d.dataLen)) + (d.data.length < d.dataLen ? '...' : ''),
};
/** Timestamps: strace prints `???` when the message is too short for the struct. */
function timestamp(size: number, show: (b: Buffer) => string): Printer {
  return {
    minLen: 1,
    print: (d) => (d.dataLen < size ? '???' : fixed(d, size, show)),
  };
}
const tsVal = timestamp(16, (b) => timeval(b, 0, 'tv_usec'));
const tsSpec = timestamp(16, (b) => timeval(b, 0, 'tv_nsec'));
const tsSpec3 = timestamp(
  48,
  (b) => `[${[0, 16, 32].map((o) => timeval(b, o, 'tv_nsec')).join(', ')}]`,
);

const uintArray: Printer = {
  minLen: 4,
  print: (d) =>
    localArray(d.data, d.dataLen, 4, d.maxString, (o) => d.data.readUInt32LE(o).toString()),
};
const byteArray: Printer = {
  minLen: 1,
  print: (d) => localArray(d.data, d.dataLen, 1, d.maxString, (o) => hexValue(d.data[o] ?? 0)),
};
const pktinfo: Printer = {
  minLen: 12,
  print: (d) =>
    fixed(d, 12, (b) => {
      const index = b.readUInt32LE(0);
      const name = d.opts.ifName?.(index);
      const ifindex =
        name === undefined ? index.toString() : `if_nametoindex(${quote(Buffer.from(name))})`;
      return (
        `{ipi_ifindex=${ifindex}, ipi_spec_dst=inet_addr("${ipv4(b, 4)}"), ` +
        `ipi_addr=inet_addr("${ipv4(b, 8)}")}`
      );
    }),
};
// struct sock_extended_err (16 bytes) and the offender's sockaddr_in.
const recverr: Printer = {
  minLen: 32,
  print: (d) =>
    fixed(
      d,
      32,
      (b) =>
        `{ee_errno=${b.readUInt32LE(0)}, ee_origin=${b[4]}, ee_type=${b[5]}, ee_code=${b[6]}, ` +
        `ee_info=${b.readUInt32LE(8)}, ee_data=${b.readUInt32LE(12)}, ` +
        `offender=${sockaddr(b.subarray(16, 32), 16)}}`,
    ),
};
const origdst: Printer = {
  minLen: 16,
  print: (d) =>
    d.data.length < Math.min(d.dataLen, 128) ? '...' : sockaddr(d.data, Math.min(d.dataLen, 128)),
};

const SOCKET_PRINTERS: ReadonlyMap<number, Printer> = new Map([
  [C.SCM_TYPE.SCM_RIGHTS, rights],
  [C.SCM_TYPE.SCM_CREDENTIALS, creds],
  [C.SCM_TYPE.SCM_SECURITY, security],
  [C.SCM_TYPE.SO_TIMESTAMP_OLD, tsVal],
  [C.SCM_TYPE.SO_TIMESTAMPNS_OLD, tsSpec],
  [C.SCM_TYPE.SO_TIMESTAMPING_OLD, tsSpec3],
  [C.SCM_TYPE.SO_TIMESTAMP_NEW, tsVal],
  [C.SCM_TYPE.SO_TIMESTAMPNS_NEW, tsSpec],
  [C.SCM_TYPE.SO_TIMESTAMPING_NEW, tsSpec3],
]);
const IP_PRINTERS: ReadonlyMap<number, Printer> = new Map([
  [C.IP_CMSG_TYPE.IP_PKTINFO, pktinfo],
  [C.IP_CMSG_TYPE.IP_TTL, uintArray],
  [C.IP_CMSG_TYPE.IP_TOS, byteArray],
  [C.IP_CMSG_TYPE.IP_RECVOPTS, byteArray],
  [C.IP_CMSG_TYPE.IP_RETOPTS, byteArray],
  [C.IP_CMSG_TYPE.IP_RECVERR, recverr],
  [C.IP_CMSG_TYPE.IP_ORIGDSTADDR, origdst],
  [C.IP_CMSG_TYPE.IP_CHECKSUM, uintArray],
  [C.IP_CMSG_TYPE.SCM_SECURITY, security],
]);

/** `cmsg_type=...` and, for the types strace decodes, `, cmsg_data=...`. */
function cmsgTypeData(level: number, type: number, d: CmsgData): string {
  let printers: ReadonlyMap<number, Printer>;
  let name: string;
  if (level === SOL_SOCKET) {
    printers = SOCKET_PRINTERS;
    name = xvalText(BigInt(type >>> 0), C.SCM_TYPES, 'SCM_???');
  } else if (level === SOL_IP) {
    printers = IP_PRINTERS;
    name = xvalText(BigInt(type >>> 0), C.IP_CMSG_TYPES, 'IP_???');
  } else {
    return `cmsg_type=${hexValue(type >>> 0)}`;
  }
  const printer = printers.get(type);
  if (!printer || d.dataLen < printer.minLen) return `cmsg_type=${name}`;
  return `cmsg_type=${name}, cmsg_data=${printer.print(d)}`;
}

/**
 * msg_control: the walk of strace's decode_msg_control over the captured bytes. Headers
 * advance by cmsg_len rounded up to 8; a header shorter than itself ends the walk; bytes
 * left too few for a header end the list with `... /* their address *\/`. When the capture
 * ends before msg_controllen does, the list ends with `...` where the capture ran out.
 */
export function formatMsgControl(
  addr: bigint,
  controllen: bigint,
  status: number,
  bytes: Buffer,
  maxString: number,
  opts: MsghdrOptions = {},
): string {
  if (controllen < BigInt(CMSG_HDR)) return address(addr);
  if (addr === 0n || status === TL_PART_NULL) return 'NULL';
  if (status === TL_PARAM_FAULT || status === TL_PART_UNREAD) return address(addr);
  // Bytes strace would read (it stops at net.core.optmem_max, far above any capture here).
  let bufLen = controllen > 0x7fffffffn ? 0x7fffffff : Number(controllen);
  const items: string[] = [];
  let off = 0;
  let cut = false;
  while (bufLen >= CMSG_HDR) {
    if (off + CMSG_HDR > bytes.length) {
      cut = true;
      break;
    }
    const cmsgLen = bytes.readBigUInt64LE(off);
    const level = bytes.readInt32LE(off + 8);
    const type = bytes.readInt32LE(off + 12);
    const len = cmsgLen > BigInt(bufLen) ? bufLen : Number(cmsgLen);
    const dataLen = len > CMSG_HDR ? len - CMSG_HDR : 0;
    const data = bytes.subarray(off + CMSG_HDR, Math.min(off + CMSG_HDR + dataLen, bytes.length));
    const levelName = xvalText(BigInt(level >>> 0), C.SOCKET_LAYERS, 'SOL_???');
    const typeData = cmsgTypeData(level, type, { data, dataLen, maxString, opts });
    items.push(`{cmsg_len=${cmsgLen}, cmsg_level=${levelName}, ${typeData}}`);
    if (len < CMSG_HDR) {
      off += CMSG_HDR;
      bufLen -= CMSG_HDR;
      break;
    }
    const step = (cmsgLen + 7n) & ~7n;
    if (step >= BigInt(bufLen)) {
      bufLen = 0;
      break;
    }
    off += Number(step);
    bufLen -= Number(step);
  }
  if (cut) items.push('...');
  else if (bufLen > 0) items.push(`... /* ${address(addr + BigInt(off))} */`);
  return `[${items.join(', ')}]`;
}

// ---- the msghdr ----

/** The fields of struct tl_msg_part. */
interface MsgPart {
  name: bigint;
  namelen: number;
  flags: number;
  iov: bigint;
  iovlen: bigint;
  control: bigint;
  controllen: bigint;
  nameLen: number;
  controlLen: number;
  nameStatus: number;
  controlStatus: number;
}

function readMsgPart(b: Buffer): MsgPart {
  return {
    name: b.readBigUInt64LE(0),
    namelen: b.readInt32LE(8),
    flags: b.readUInt32LE(12),
    iov: b.readBigUInt64LE(16),
    iovlen: b.readBigUInt64LE(24),
    control: b.readBigUInt64LE(32),
    controllen: b.readBigUInt64LE(40),
    nameLen: b.readUInt16LE(48),
    controlLen: b.readUInt16LE(50),
    nameStatus: b.readUInt8(52),
    controlStatus: b.readUInt8(53),
  };
}

/** msg_name, decoded over no more than `len` bytes (strace's decode_sockaddr). */
function msgName(m: MsgPart, nameBytes: Buffer, len: number): string {
  if (len < 2 || m.nameStatus === TL_PART_UNREAD) return address(m.name);
  if (m.name === 0n || m.nameStatus === TL_PART_NULL) return 'NULL';
  if (m.nameStatus === TL_PARAM_FAULT || m.nameStatus === TL_PART_UNREAD) return address(m.name);
  return sockaddr(nameBytes, Math.min(len, 128));
}

/**
 * A captured struct msghdr argument. `filled`: recvmsg's return value, which limits the
 * iov_base bytes shown as for readv; leave it out for sendmsg. For a recvmsg that failed
 * strace prints only `{msg_namelen=N}` (N as at entry), which the caller can do without
 * this capture.
 */
export function formatMsghdr(
  p: Param,
  maxString: number,
  filled?: bigint,
  opts: MsghdrOptions = {},
): string {
  if (p.bytes.length < MSG_PART_BYTES) return FAULT;
  const b = p.bytes;
  const m = readMsgPart(b);
  let at = MSG_PART_BYTES;
  const nameBytes = b.subarray(at, Math.min(at + m.nameLen, b.length));
  at += pad8(m.nameLen);
  const controlBytes = b.subarray(Math.min(at, b.length), Math.min(at + m.controlLen, b.length));
  at += pad8(m.controlLen);

  const before = opts.namelenAtEnter;
  const nameLen = before !== undefined && m.namelen > before ? before : m.namelen;
  let out = `{msg_name=${msgName(m, nameBytes, nameLen)}, msg_namelen=`;
  if (before !== undefined && before !== m.namelen) out += `${before} => `;
  out += `${m.namelen}, msg_iov=`;

  if (m.iov === 0n) {
    out += 'NULL';
  } else {
    const want = m.iovlen > BigInt(TL_IOV_MAX) ? TL_IOV_MAX : Number(m.iovlen);
    const { parts } = parseIovParts(b, Math.min(at, b.length), want);
    const fault = p.status === TL_PARAM_FAULT;
    // strace prints the array's address when not even its first entry could be read.
    if (fault && parts.length === 0 && m.iovlen > 0n) out += address(m.iov);
    else out += formatIovParts(parts, m.iovlen, maxString, filled, fault);
  }
  out += `, msg_iovlen=${m.iovlen}`;

  // strace leaves msg_control out altogether when msg_controllen is 0.
  if (m.controllen !== 0n) {
    const control = formatMsgControl(
      m.control,
      m.controllen,
      m.controlStatus,
      controlBytes,
      maxString,
      opts,
    );
    out += `, msg_control=${control}`;
  }
  out += `, msg_controllen=${m.controllen}, msg_flags=${formatMsgFlags(m.flags)}}`;
  return out;
}

/** msg_flags: names, `0` for none, `0x100000 /* MSG_??? *\/` when none of the bits is known. */
export function formatMsgFlags(flags: number): string {
  if (flags === 0) return '0';
  const text = formatFlagSet(BigInt(flags >>> 0), MSG_FLAGS) ?? '0';
  return text.startsWith('0x') ? `${text} /* MSG_??? */` : text;
}

const MMSG_PART_BYTES = LAYOUT['sizeof(struct tl_mmsg_part)'];
const MMSG_MSG_AT = LAYOUT['tl_mmsg_part.msg'];

/**
 * sendmmsg/recvmmsg's array, captured at exit (struct tl_mmsg_part each: msg_len, the msghdr
 * whose name and control data were not followed, the first buffer): strace's
 * `[{msg_hdr={...}, msg_len=5}, ...]`, as many messages as the call returned (p.want); `...`
 * where the capture holds fewer.
 */
export function formatMmsgVec(p: Param, maxString: number): string {
  if (p.status === TL_PARAM_FAULT && p.bytes.length < MMSG_PART_BYTES) return FAULT;
  const b = p.bytes;
  const items: string[] = [];
  let at = 0;
  while (at + MMSG_PART_BYTES <= b.length && items.length < p.want) {
    const msgLen = b.readUInt32LE(at);
    const bytes = b.readUInt32LE(at + 4);
    if (bytes < MMSG_PART_BYTES || at + bytes > b.length) break;
    const hdr: Param = {
      arg: p.arg,
      status: 0,
      want: 0,
      bytes: b.subarray(at + MMSG_MSG_AT, at + bytes),
    };
    items.push(`{msg_hdr=${formatMsghdr(hdr, maxString, BigInt(msgLen))}, msg_len=${msgLen}}`);
    at += bytes;
  }
  const more = items.length < p.want || p.status === TL_PARAM_TRUNCATED;
  return `[${items.join(', ')}${more ? ', ...' : ''}]`;
}

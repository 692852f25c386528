// strace -yy's socket names, from what /proc/PID/net says about the process's network
// namespace: `TCP:[127.0.0.1:41234->127.0.0.1:5432]`, a listening `TCP:[0.0.0.0:8080]`,
// `UDPv6:[[::1]:53]`, `UNIX-STREAM:[1234,"/run/x.sock"]`. Only what /proc can say exactly:
// TCP and UDP (v4 and v6) and unix sockets without a peer. A unix socket's peer is known to
// sock_diag only, so a connected unix socket gets no -yy name here (fd-table.ts prints -y's
// `socket:[ino]` instead). A freshly made socket has no address yet: its name is its protocol
// and inode (`TCP:[2414506]`), which the records alone tell.
import fs from 'node:fs';
import { quote } from './strings.js';
import { ipv6 } from './structs.js';

/** One socket as /proc/PID/net/{tcp,tcp6,udp,udp6,unix} shows it. */
export interface SockInfo {
  /** The kernel's protocol name, as strace prints it: TCP, TCPv6, UDP, UDPv6, UNIX-STREAM, UNIX. */
  proto: string;
  /** `127.0.0.1:8080`, `[::1]:53` (inet); undefined for unix. */
  local?: string;
  /** The peer's address (inet) when it has one. */
  peer?: string;
  /** unix: connected (it has a peer, which /proc does not name). */
  connected?: boolean;
  /** unix: its bound path, quoted as strace quotes it (`"/run/x"`, `@"abstract"`), if any. */
  path?: string;
  /** unix: the path could not be read whole (a newline in it split /proc's line). */
  pathUnsure?: boolean;
  /** TCP LISTEN, or a unix socket that listens. */
  listening: boolean;
}

const TCP_LISTEN = 0x0a;
/** __SO_ACCEPTCON in /proc/net/unix's flags. */
const UNIX_ACCEPTCON = 0x10000;
/** SS_CONNECTED in /proc/net/unix's St column. */
const SS_CONNECTED = 3;

/** The tables and their protocol names. */
export const INET_TABLES: ReadonlyArray<[file: string, proto: string, v6: boolean]> = [
  ['tcp', 'TCP', false],
  ['tcp6', 'TCPv6', true],
  ['udp', 'UDP', false],
  ['udp6', 'UDPv6', true],
];

/** `0100007F` (a u32 in host order, little-endian here) → 127.0.0.1. */
function ipv4Hex(hex: string): string | undefined {
  const v = Number.parseInt(hex, 16);
  if (hex.length !== 8 || Number.isNaN(v)) return undefined;
  return `${v & 0xff}.${(v >>> 8) & 0xff}.${(v >>> 16) & 0xff}.${v >>> 24}`;
}

/** 32 hex digits, four u32 words in host order → inet_ntop's text (RFC 5952). */
function ipv6Hex(hex: string): string | undefined {
  if (hex.length !== 32) return undefined;
  const bytes = Buffer.alloc(16);
  for (let w = 0; w < 4; w++) {
    const v = Number.parseInt(hex.slice(8 * w, 8 * w + 8), 16);
    if (Number.isNaN(v)) return undefined;
    bytes.writeUInt32LE(v >>> 0, 4 * w);
  }
  return ipv6Text(bytes);
}

/** inet_ntop(AF_INET6) of 16 bytes (structs.ts has the one implementation). */
export function ipv6Text(b: Buffer): string {
  return ipv6(b, 0);
}

/** `0100007F:1F90` → `127.0.0.1:8080`; v6 → `[::1]:8080`. */
function endpoint(text: string, v6: boolean): { text: string; zero: boolean } | undefined {
  const [addrHex, portHex] = text.split(':');
  if (addrHex === undefined || portHex === undefined) return undefined;
  const addr = v6 ? ipv6Hex(addrHex) : ipv4Hex(addrHex);
  const port = Number.parseInt(portHex, 16);
  if (addr === undefined || Number.isNaN(port)) return undefined;
  return {
    text: v6 ? `[${addr}]:${port}` : `${addr}:${port}`,
    zero: port === 0 && /^0+$/.test(addrHex),
  };
}

/** /proc/net/{tcp,udp}[6]: inode → socket. A line that does not parse is left out. */
export function parseInetTable(text: string, proto: string, v6: boolean): Map<number, SockInfo> {
  const out = new Map<number, SockInfo>();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    if (f.length < 10) continue;
    const local = endpoint(f[1]!, v6);
    const rem = endpoint(f[2]!, v6);
    const st = Number.parseInt(f[3]!, 16);
    const inode = Number(f[9]);
    if (!local || !rem || !Number.isInteger(inode) || inode <= 0) continue;
    out.set(inode, {
      proto,
      local: local.text,
      // strace: a peer when the remote port or address is not zero.
      ...(rem.zero ? {} : { peer: rem.text }),
      listening: proto.startsWith('TCP') && st === TCP_LISTEN,
    });
  }
  return out;
}

/** /proc/net/unix: inode → socket. */
export function parseUnixTable(text: string): Map<number, SockInfo> {
  const out = new Map<number, SockInfo>();
  let last: SockInfo | undefined;
  for (const line of text.split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode [Path]
    const m =
      /^[0-9a-f]+: [0-9A-F]+ [0-9A-F]+ ([0-9A-F]+) ([0-9A-F]+) ([0-9A-F]+) (\d+)(?: (.*))?$/.exec(
        line,
      );
    if (!m) {
      // The rest of a path with a newline in it: the line before did not end where it seemed.
      if (line !== '' && last) last.pathUnsure = true;
      continue;
    }
    const [, flags, type, st, ino, path] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string | undefined,
    ];
    const info: SockInfo = {
      proto: Number.parseInt(type, 16) === 1 ? 'UNIX-STREAM' : 'UNIX',
      listening: (Number.parseInt(flags, 16) & UNIX_ACCEPTCON) !== 0,
      connected: Number.parseInt(st, 16) === SS_CONNECTED,
    };
    if (path !== undefined && path !== '') {
      // An abstract name's NULs all print as @: only one at its start can be read back.
      if (path.startsWith('@')) {
        if (path.indexOf('@', 1) >= 0) info.pathUnsure = true;
        info.path = '@' + quote(Buffer.from(path.slice(1), 'latin1'));
      } else {
        info.path = quote(Buffer.from(path, 'latin1'));
      }
    }
    out.set(Number(ino), info);
    last = info;
  }
  return out;
}

/**
 * strace -yy's name of a socket /proc described, or undefined when /proc cannot say all of it
 * (a connected unix socket's peer, a path it could not read whole).
 */
export function sockName(inode: number, s: SockInfo): string | undefined {
  if (s.local !== undefined) {
    return s.peer === undefined ? `${s.proto}:[${s.local}]` : `${s.proto}:[${s.local}->${s.peer}]`;
  }
  if (s.connected || s.pathUnsure) return undefined;
  return s.path === undefined ? `${s.proto}:[${inode}]` : `${s.proto}:[${inode},${s.path}]`;
}

const AF_UNIX = 1n;
const AF_INET = 2n;
const AF_INET6 = 10n;
const SOCK_STREAM = 1n;
const SOCK_DGRAM = 2n;
const SOCK_SEQPACKET = 5n;
const SOCK_TYPE_MASK = 0xfn;
const IPPROTO_TCP = 6n;
const IPPROTO_UDP = 17n;

/**
 * The protocol name a socket(family, type, protocol) gets, for the kinds -yy names here; the
 * name a fresh socket prints with (`TCP:[ino]`). Undefined for any other kind.
 */
export function protoOf(family: bigint, type: bigint, protocol: bigint): string | undefined {
  const t = type & SOCK_TYPE_MASK;
  if (family === AF_UNIX) {
    if (t === SOCK_STREAM) return 'UNIX-STREAM';
    return t === SOCK_DGRAM || t === SOCK_SEQPACKET ? 'UNIX' : undefined;
  }
  if (family !== AF_INET && family !== AF_INET6) return undefined;
  const v6 = family === AF_INET6 ? 'v6' : '';
  if (t === SOCK_STREAM && (protocol === 0n || protocol === IPPROTO_TCP)) return 'TCP' + v6;
  if (t === SOCK_DGRAM && (protocol === 0n || protocol === IPPROTO_UDP)) return 'UDP' + v6;
  return undefined;
}

/** An address as /proc prints it, from a captured struct sockaddr (the call's own). */
export function sockaddrEndpoint(b: Buffer): string | undefined {
  if (b.length < 2) return undefined;
  const family = BigInt(b.readUInt16LE(0));
  if (family === AF_INET && b.length >= 8) {
    return `${b[4]}.${b[5]}.${b[6]}.${b[7]}:${b.readUInt16BE(2)}`;
  }
  if (family === AF_INET6 && b.length >= 24) {
    return `[${ipv6Text(b.subarray(8, 24))}]:${b.readUInt16BE(2)}`;
  }
  return undefined;
}

/** How long a read of a namespace's tables answers for sockets it lists. */
const TABLES_FRESH_MS = 1000;

/**
 * /proc/PID/net, read per network namespace and kept a short while: a busy server's accepts
 * would otherwise read its whole table each. What a kept read does not list is read again.
 */
export class LiveSockets {
  private readonly byNs = new Map<string, { at: number; sockets: Map<number, SockInfo> }>();

  /**
   * The socket `inode` of `pid`'s namespace. A kept read answers only when `want` takes its
   * answer (a socket as the call that changed it left it); else the tables are read again.
   */
  lookup(pid: number, inode: number, want?: (s: SockInfo) => boolean): SockInfo | undefined {
    let ns: string;
    try {
      ns = fs.readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      return undefined;
    }
    const kept = this.byNs.get(ns);
    if (kept && performance.now() - kept.at < TABLES_FRESH_MS) {
      const s = kept.sockets.get(inode);
      if (s && (!want || want(s))) return s;
    }
    const sockets = readTables(pid);
    if (!sockets) return undefined;
    this.byNs.set(ns, { at: performance.now(), sockets });
    if (this.byNs.size > 64) this.byNs.delete(this.byNs.keys().next().value as string);
    return sockets.get(inode);
  }
}

function readTables(pid: number): Map<number, SockInfo> | undefined {
  const all = new Map<number, SockInfo>();
  let any = false;
  const read = (name: string): string | undefined => {
    try {
      const text = fs.readFileSync(`/proc/${pid}/net/${name}`, 'latin1');
      any = true;
      return text;
    } catch {
      return undefined;
    }
  };
  for (const [file, proto, v6] of INET_TABLES) {
    const text = read(file);
    if (text !== undefined) for (const [k, v] of parseInetTable(text, proto, v6)) all.set(k, v);
  }
  const unix = read('unix');
  if (unix !== undefined) for (const [k, v] of parseUnixTable(unix)) all.set(k, v);
  return any ? all : undefined;
}

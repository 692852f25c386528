// What each fd of each process refers to, for strace -y's `read(3</etc/hostname>, ...)`: built
// from the calls the formatter sees (open, socket, pipe, dup, fcntl, close, clone, execve...),
// plus /proc when formatting live (proc-fds.ts). Exact or nothing: an fd the table cannot
// vouch for (opened before the window with no /proc to ask, or after events were lost) has no
// name, and the line shows it bare as without -y.
//
// State is per process (tgid): threads share their fd table; a fork copies it, a CLONE_FILES
// child shares it, an execve drops the close-on-exec fds (and unshares).
import { escapeControls } from './print.js';
import { quote } from './strings.js';
import {
  LAYOUT,
  TL_ARG_NEW_FDS,
  TL_PARAM_OK,
  type EnterRecord,
  type ExitRecord,
  type Param,
} from '../wire.js';
import { argIndex } from '../syscalls/signatures.js';
import { syscallByName, SYSCALLS } from '../syscalls/table.js';
import type { ProcReader } from './proc-fds.js';
import { protoOf, sockaddrEndpoint, sockName, type SockInfo } from './sock-names.js';

/** One fd's referent. Replaced, never changed in place: a forked table shares entries. */
interface FdEntry {
  /** readlink's text (`/etc/hostname`, `pipe:[123]`); undefined while `pending`. */
  text: string | undefined;
  /** A pipe or socket whose inode only /proc can tell: shown once it told, else bare. */
  pending: 'pipe:[' | 'socket:[' | undefined;
  /**
   * A pipe's or socket's inode as the kernel read it from the process's fd table when the call
   * made the fd (TL_CAP_NEW_FDS): the name comes from it, and -yy looks the socket up by it,
   * whatever /proc shows at that fd number later. `unread`: the kernel could not tell, and
   * /proc is not asked either (bare). undefined: not recorded (a kernel that refused the
   * capture, an older capture file): /proc, guarded as changesLater and churned say.
   */
  inode?: number | 'unread';
  /** undefined: not known (an execve then drops the fd from what the table knows). */
  cloexec: boolean | undefined;
  /** -yy: the socket behind it, shared by every copy (dup, fork) so a change shows in all. */
  sock?: SockTrack;
}

/**
 * What -yy knows of one socket. Its name is decided when the records say what the socket is
 * (made, bound, listening, connected, accepted), from /proc read then and checked against
 * what the call did: a socket /proc shows further along (connected where the records have
 * only seen a bind) is not named, since strace would have printed it as it was.
 */
interface SockTrack {
  /** TCP, UDPv6, UNIX-STREAM, ...: from socket()'s arguments, or /proc. */
  proto: string | undefined;
  inode: number | undefined;
  /** strace -yy's text; undefined: -y's `socket:[ino]`. */
  name: string | undefined;
  /** Made by a socket() the records show, with nothing done to it since (no address yet). */
  fresh: boolean;
}

/** A process's fd table: an object of its own so CLONE_FILES processes can share one. */
interface FileTable {
  fds: Map<number, FdEntry>;
}

interface ProcState {
  files: FileTable;
  /** For AT_FDCWD</tmp> and relative paths; undefined when not known. */
  cwd: string | undefined;
}

/** Names one process's fds while its call is described (call.ts). */
export interface FdNamer {
  /** `</etc/hostname>` (brackets included), or undefined: print the fd bare. */
  fd(fd: number): string | undefined;
  /** `</tmp>` for AT_FDCWD, or undefined. */
  cwd(): string | undefined;
}

const O_CLOEXEC = 0o2000000;
const FD_CLOEXEC = 1n;
const CLONE_FS = 0x200n;
const CLONE_FILES = 0x400n;
const CLONE_THREAD = 0x10000n;
const CLOSE_RANGE_UNSHARE = 2n;
const CLOSE_RANGE_CLOEXEC = 4n;
const MFD_CLOEXEC = 1n;
const F_DUPFD = 0n;
const F_SETFD = 2n;
const F_DUPFD_CLOEXEC = 1030n;
const AT_FDCWD = -100;
/** Bounds the state however many processes come and go without their end being seen. */
const PROCS_KEPT = 8192;

/** What one call does to its process's table, once it returned `ret` (>= 0). */
interface CallEffect {
  ret: bigint;
  args: readonly bigint[];
  params: ReadonlyMap<number, Param>;
  state: ProcState;
  pid: number;
}
type Effect = (tables: FdTables, e: CallEffect) => void;

const isCloexec = (flags: bigint | undefined, bit: bigint = BigInt(O_CLOEXEC)): boolean =>
  flags !== undefined && (flags & bit) !== 0n;

const S_IFMT = 0o170000;
const S_IFSOCK = 0o140000;
const S_IFIFO = 0o010000;
const NEW_FD_BYTES = LAYOUT['sizeof(struct tl_new_fd)'];

/**
 * The inode the kernel recorded for `fd`, made by this call as a `kind` (TL_CAP_NEW_FDS):
 * undefined when the call carries no such record; `unread` when it does but the fd's entry
 * could not be read or is not of that kind (another thread closed it and made something else).
 */
export function recordedInode(
  params: ReadonlyMap<number, Param>,
  fd: number,
  kind: 'pipe:[' | 'socket:[',
): number | 'unread' | undefined {
  const p = params.get(TL_ARG_NEW_FDS);
  if (!p) return undefined;
  const b = p.bytes;
  for (let at = 0; at + NEW_FD_BYTES <= b.length; at += NEW_FD_BYTES) {
    if (b.readInt32LE(at + LAYOUT['tl_new_fd.fd']) !== fd) continue;
    const ino = b.readBigUInt64LE(at + LAYOUT['tl_new_fd.ino']);
    const type = b.readUInt16LE(at + LAYOUT['tl_new_fd.mode']) & S_IFMT;
    const want = kind === 'socket:[' ? S_IFSOCK : S_IFIFO;
    return ino !== 0n && ino <= BigInt(Number.MAX_SAFE_INTEGER) && type === want
      ? Number(ino)
      : 'unread';
  }
  return 'unread';
}

/** A NUL-terminated string capture, whole; undefined when faulted or cut short. */
function captured(p: Param | undefined): string | undefined {
  if (!p || p.status !== TL_PARAM_OK) return undefined;
  const end = p.bytes.indexOf(0);
  return p.bytes.toString('utf8', 0, end < 0 ? p.bytes.length : end);
}

/**
 * `/a//b/./c/` → `/a/b/c`. `..` is left to /proc's realpath: through a symlink it is not
 * lexical, so without /proc such a path is not known.
 */
function normalise(path: string): string | undefined {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    parts.push(part);
  }
  return '/' + parts.join('/');
}

const pos = (syscall: string, arg: string): number => {
  const def = syscallByName(syscall);
  if (!def) throw new Error(`fd-table: no syscall ${syscall}`);
  return argIndex(def, arg);
};

/** A call that creates one fd of a fixed kind, its close-on-exec flag in `flagsArg`. */
function creates(syscall: string, text: string, flagsArg?: string, bit?: bigint): [string, Effect] {
  const at = flagsArg === undefined ? -1 : pos(syscall, flagsArg);
  return [
    syscall,
    (t, e) => t.set(e.state, Number(e.ret), text, undefined, isCloexec(e.args[at], bit)),
  ];
}

/** O_TMPFILE is __O_TMPFILE | O_DIRECTORY. */
const O_TMPFILE = 0o20200000n;

function opens(syscall: string, dirArg: string | undefined, pathArg: string, flagsArg?: string) {
  const dirAt = dirArg === undefined ? -1 : pos(syscall, dirArg);
  const pathAt = pos(syscall, pathArg);
  const flagsAt = flagsArg === undefined ? -1 : pos(syscall, flagsArg);
  const effect: Effect = (t, e) => {
    const fd = Number(e.ret);
    const dir = dirAt < 0 ? AT_FDCWD : Number(BigInt.asIntN(32, e.args[dirAt] ?? 0n));
    const path = t.resolve(e.state, dir, captured(e.params.get(pathAt)), e.pid);
    // openat2's flags are in its open_how, not captured: close-on-exec unknown.
    const cloexec = flagsAt < 0 ? (syscall === 'creat' ? false : undefined) : undefined;
    const flags = flagsAt < 0 ? undefined : e.args[flagsAt];
    // O_TMPFILE opens an unnamed file in the directory the path names: the path is not its name
    // (strace shows `/dir/#ino (deleted)`, known only to /proc): bare, not the directory.
    const named = flags === undefined || (flags & O_TMPFILE) !== O_TMPFILE ? path : undefined;
    t.set(e.state, fd, named, undefined, flags === undefined ? cloexec : isCloexec(flags));
    if (named !== undefined) t.device(e.state, e.pid, fd);
  };
  return [syscall, effect] as [string, Effect];
}

const SOCKET_FAMILY = pos('socket', 'family');
const SOCKET_TYPE = pos('socket', 'type');
const SOCKET_PROTOCOL = pos('socket', 'protocol');
const socket: Effect = (t, e) => {
  const fd = Number(e.ret);
  const inode = recordedInode(e.params, fd, 'socket:[');
  t.set(e.state, fd, undefined, 'socket:[', isCloexec(e.args[SOCKET_TYPE]), inode);
  const proto = protoOf(
    e.args[SOCKET_FAMILY] ?? -1n,
    e.args[SOCKET_TYPE] ?? -1n,
    e.args[SOCKET_PROTOCOL] ?? -1n,
  );
  t.track(e.state, e.pid, fd, { proto, inode: undefined, name: undefined, fresh: true });
};

/** accept/accept4: a connected socket; its peer is the address the call filled, if captured. */
function accepts(syscall: string, flagsArg: string | undefined): [string, Effect] {
  const flagsAt = flagsArg === undefined ? -1 : pos(syscall, flagsArg);
  const addrAt = pos(syscall, 'upeer_sockaddr');
  const effect: Effect = (t, e) => {
    const fd = Number(e.ret);
    const listener = e.state.files.fds.get(Number(BigInt.asIntN(32, e.args[0] ?? -1n)));
    const inode = recordedInode(e.params, fd, 'socket:[');
    t.set(e.state, fd, undefined, 'socket:[', isCloexec(e.args[flagsAt]), inode);
    const sock: SockTrack = {
      proto: listener?.sock?.proto,
      inode: undefined,
      name: undefined,
      fresh: false,
    };
    t.track(e.state, e.pid, fd, sock);
    t.sockChanged(e.pid, fd, sock, { peer: capturedEndpoint(e.params.get(addrAt)) ?? 'any' });
  };
  return [syscall, effect];
}

/** What a call that changes a socket leaves it as, for the check of what /proc says. */
interface SockExpect {
  /** It has a peer: this one (`host:port`), or any (`any`); none: it has none. */
  peer?: string;
  /** Bound here (`host:port`; port 0 or an any address: whatever /proc says there). */
  local?: Buffer;
  /** Listening. */
  listening?: boolean;
  /** UDP's autobind on a first send: no address yet is right too. */
  mayBeFresh?: boolean;
}

/** A socket that stays as it is until closed: listening, or an inet one with its peer. */
function settled(s: SockInfo): boolean {
  return s.listening || (s.local !== undefined && s.peer !== undefined);
}

/** Whether /proc's view of a socket is what the call that changed it left. */
function matches(info: SockInfo, expect: SockExpect): boolean {
  const hasPeer = info.local !== undefined ? info.peer !== undefined : info.connected === true;
  if (expect.peer !== undefined) {
    if (!hasPeer) return false;
    if (expect.peer !== 'any' && info.peer !== expect.peer) return false;
  } else if (hasPeer) {
    return false;
  }
  if (expect.listening && !info.listening) return false;
  return expect.local === undefined || boundAt(info, expect.local);
}

/** Whether a socket /proc shows is bound where bind's struct sockaddr asked. */
function boundAt(info: SockInfo, sa: Buffer): boolean {
  if (sa.length < 2) return false;
  const family = sa.readUInt16LE(0);
  if (family === 1) {
    // AF_UNIX: the path, quoted as /proc's is (an abstract name: @ and the rest, NULs too).
    const path = sa.subarray(2);
    if (path.length === 0) return info.path === undefined;
    if (path[0] === 0) return info.path === '@' + quote(path.subarray(1));
    const nul = path.indexOf(0);
    return info.path === quote(nul < 0 ? path : path.subarray(0, nul));
  }
  const want = sockaddrEndpoint(sa);
  if (want === undefined || info.local === undefined) return false;
  const split = (ep: string): [string, string] => {
    const at = ep.lastIndexOf(':');
    return [ep.slice(0, at), ep.slice(at + 1)];
  };
  const [wantHost, wantPort] = split(want);
  const [host, port] = split(info.local);
  const anyHost = wantHost === '0.0.0.0' || wantHost === '[::]';
  return (wantPort === '0' || wantPort === port) && (anyHost || wantHost === host);
}

function capturedEndpoint(p: Param | undefined): string | undefined {
  return p && p.status === TL_PARAM_OK ? sockaddrEndpoint(p.bytes) : undefined;
}

const sockFd = (e: CallEffect): number => Number(BigInt.asIntN(32, e.args[0] ?? -1n));
const BIND_ADDR = pos('bind', 'umyaddr');
const CONNECT_ADDR = pos('connect', 'uservaddr');
const bind: Effect = (t, e) => {
  const p = e.params.get(BIND_ADDR);
  t.sockChanged(e.pid, sockFd(e), undefined, {
    ...(p && p.status === TL_PARAM_OK ? { local: p.bytes } : {}),
  });
};
const listen: Effect = (t, e) => t.sockChanged(e.pid, sockFd(e), undefined, { listening: true });
const connect: Effect = (t, e) => {
  const peer = capturedEndpoint(e.params.get(CONNECT_ADDR));
  // No captured address: which peer it has is not known; AF_UNSPEC disconnects.
  t.sockChanged(e.pid, sockFd(e), undefined, peer === undefined ? {} : { peer });
};
/** A first send on a UDP socket binds it to a port of the kernel's choice. */
const sends: Effect = (t, e) => {
  const entry = e.state.files.fds.get(sockFd(e));
  if (!entry?.sock?.fresh || !entry.sock.proto?.startsWith('UDP')) return;
  t.sockChanged(e.pid, sockFd(e), undefined, { mayBeFresh: true });
};

/** pipe/pipe2/socketpair: the two fds are in the array the call filled. */
function pair(
  syscall: string,
  arrayArg: string,
  flagsArg: string | undefined,
  kind: FdEntry['pending'],
) {
  const arrAt = pos(syscall, arrayArg);
  const flagsAt = flagsArg === undefined ? -1 : pos(syscall, flagsArg);
  const effect: Effect = (t, e) => {
    const p = e.params.get(arrAt);
    if (!p || p.status !== TL_PARAM_OK || p.bytes.length < 8) return;
    const cloexec = isCloexec(e.args[flagsAt]);
    const a = p.bytes.readInt32LE(0);
    const b = p.bytes.readInt32LE(4);
    const made = kind ?? 'pipe:[';
    t.set(e.state, a, undefined, kind, cloexec, recordedInode(e.params, a, made));
    t.set(e.state, b, undefined, kind, cloexec, recordedInode(e.params, b, made));
    if (syscall === 'socketpair') t.socketPair(e.state, e.pid, a, b, e.args);
  };
  return [syscall, effect] as [string, Effect];
}

function dups(syscall: string, newArg: string | undefined, flagsArg: string | undefined) {
  const oldAt = pos(syscall, syscall === 'dup' ? 'fildes' : 'oldfd');
  const flagsAt = flagsArg === undefined ? -1 : pos(syscall, flagsArg);
  void newArg;
  const effect: Effect = (t, e) =>
    t.copy(e.state, Number(e.args[oldAt] ?? -1n), Number(e.ret), isCloexec(e.args[flagsAt]));
  return [syscall, effect] as [string, Effect];
}

const FCNTL_FD = pos('fcntl', 'fd');
const FCNTL_CMD = pos('fcntl', 'cmd');
const FCNTL_ARG = pos('fcntl', 'arg');
const fcntl: Effect = (t, e) => {
  const cmd = BigInt.asUintN(32, e.args[FCNTL_CMD] ?? -1n);
  const fd = Number(BigInt.asIntN(32, e.args[FCNTL_FD] ?? -1n));
  if (cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC)
    t.copy(e.state, fd, Number(e.ret), cmd !== F_DUPFD);
  else if (cmd === F_SETFD) t.setCloexec(e.state, fd, isCloexec(e.args[FCNTL_ARG], FD_CLOEXEC));
};

const CLOSE_FD = pos('close', 'fd');
const close: Effect = (t, e) => {
  const fd = Number(BigInt.asUintN(32, e.args[CLOSE_FD] ?? -1n));
  t.closing(e.pid, fd, e.state.files.fds.get(fd));
  e.state.files.fds.delete(fd);
};

const RANGE_FIRST = pos('close_range', 'fd');
const RANGE_LAST = pos('close_range', 'max_fd');
const RANGE_FLAGS = pos('close_range', 'flags');
const closeRange: Effect = (t, e) => {
  const first = BigInt.asUintN(32, e.args[RANGE_FIRST] ?? 0n);
  const last = BigInt.asUintN(32, e.args[RANGE_LAST] ?? 0n);
  const flags = e.args[RANGE_FLAGS] ?? 0n;
  if (flags & CLOSE_RANGE_UNSHARE) e.state.files = { fds: new Map(e.state.files.fds) };
  for (const [fd, entry] of e.state.files.fds) {
    if (BigInt(fd) < first || BigInt(fd) > last) continue;
    if (flags & CLOSE_RANGE_CLOEXEC) e.state.files.fds.set(fd, { ...entry, cloexec: true });
    else e.state.files.fds.delete(fd);
  }
};

const SIGNALFD4_FLAGS = pos('signalfd4', 'flags');
const signalfd =
  (flagsAt: number): Effect =>
  (t, e) => {
    // An fd given (not -1) is that signalfd changed: nothing new.
    if (BigInt.asIntN(32, e.args[0] ?? 0n) !== -1n) return;
    t.set(e.state, Number(e.ret), 'anon_inode:[signalfd]', undefined, isCloexec(e.args[flagsAt]));
  };

const MEMFD_NAME = pos('memfd_create', 'uname');
const MEMFD_FLAGS = pos('memfd_create', 'flags');
const memfd: Effect = (t, e) => {
  const name = captured(e.params.get(MEMFD_NAME));
  const text = name === undefined ? undefined : `/memfd:${name} (deleted)`;
  t.set(e.state, Number(e.ret), text, undefined, isCloexec(e.args[MEMFD_FLAGS], MFD_CLOEXEC));
};

const CHDIR_PATH = pos('chdir', 'filename');
const chdir: Effect = (t, e) => {
  e.state.cwd = t.resolve(e.state, AT_FDCWD, captured(e.params.get(CHDIR_PATH)), e.pid);
};
const fchdir: Effect = (t, e) => {
  const entry = e.state.files.fds.get(Number(e.args[0] ?? -1n));
  e.state.cwd = entry?.text?.startsWith('/') ? entry.text : undefined;
};

/** An execve that returned: close-on-exec fds go, and those not known to stay go too. */
const exec: Effect = (_t, e) => {
  const kept = new Map<number, FdEntry>();
  for (const [fd, entry] of e.state.files.fds) if (entry.cloexec === false) kept.set(fd, entry);
  e.state.files = { fds: kept };
};

const EFFECTS = new Map<string, Effect>([
  opens('open', undefined, 'filename', 'flags'),
  opens('openat', 'dfd', 'filename', 'flags'),
  opens('openat2', 'dfd', 'filename'),
  opens('creat', undefined, 'pathname'),
  ['socket', socket],
  accepts('accept', undefined),
  accepts('accept4', 'flags'),

  pair('socketpair', 'usockvec', 'type', 'socket:['),
  pair('pipe', 'fildes', undefined, 'pipe:['),
  pair('pipe2', 'fildes', 'flags', 'pipe:['),
  creates('eventfd', 'anon_inode:[eventfd]'),
  creates('eventfd2', 'anon_inode:[eventfd]', 'flags'),
  creates('epoll_create', 'anon_inode:[eventpoll]'),
  creates('epoll_create1', 'anon_inode:[eventpoll]', 'flags'),
  creates('timerfd_create', 'anon_inode:[timerfd]', 'flags'),
  creates('inotify_init', 'anon_inode:inotify'),
  creates('inotify_init1', 'anon_inode:inotify', 'flags'),
  ['signalfd', signalfd(-1)],
  ['signalfd4', signalfd(SIGNALFD4_FLAGS)],
  ['memfd_create', memfd],
  dups('dup', undefined, undefined),
  dups('dup2', 'newfd', undefined),
  dups('dup3', 'newfd', 'flags'),
  ['fcntl', fcntl],
  ['close', close],
  ['close_range', closeRange],
  ['chdir', chdir],
  ['fchdir', fchdir],
  ['execve', exec],
  ['execveat', exec],
]);

/**
 * -yy only: calls that change what a socket is, not which fds there are (a lost enter leaves
 * the table as it was: the socket's name is then decided at its next change).
 */
const SOCK_EFFECTS = new Map<string, Effect>([
  ['bind', bind],
  ['listen', listen],
  ['connect', connect],
  ['sendto', sends],
  ['sendmsg', sends],
  ['sendmmsg', sends],
]);
const EINPROGRESS = -115n;

/** Calls whose return is an fd (strace's RVAL_FD), besides fcntl's F_DUPFD*. */
const RETURNS_FD = new Set([
  'open',
  'openat',
  'openat2',
  'creat',
  'socket',
  'accept',
  'accept4',
  'eventfd',
  'eventfd2',
  'epoll_create',
  'epoll_create1',
  'timerfd_create',
  'inotify_init',
  'inotify_init1',
  'signalfd',
  'signalfd4',
  'memfd_create',
  'dup',
  'dup2',
  'dup3',
  'pidfd_open',
  'fanotify_init',
  'userfaultfd',
  'perf_event_open',
  'open_by_handle_at',
]);

/** The calls that make a process (their flags by where they are). */
const CLONES = new Map<string, (enter: EnterRecord) => bigint | undefined>([
  ['clone', (e) => e.args[pos('clone', 'clone_flags')]],
  [
    'clone3',
    (e) => {
      const p = e.params.find((q) => q.arg === 0);
      return p && p.status === TL_PARAM_OK && p.bytes.length >= 8
        ? p.bytes.readBigUInt64LE(0)
        : undefined;
    },
  ],
  ['fork', () => 0n],
  ['vfork', () => 0n],
]);

// By nr, made once: the formatter looks these up for every call.
const effectByNr: (Effect | undefined)[] = [];
const sockEffectByNr: (Effect | undefined)[] = [];
const returnsFdByNr: boolean[] = [];
const cloneByNr: (((e: EnterRecord) => bigint | undefined) | undefined)[] = [];
const FCNTL_NR = syscallByName('fcntl')?.nr ?? -1;
const CONNECT_NR = syscallByName('connect')?.nr ?? -1;
for (const def of SYSCALLS) {
  effectByNr[def.nr] = EFFECTS.get(def.name);
  sockEffectByNr[def.nr] = SOCK_EFFECTS.get(def.name);
  returnsFdByNr[def.nr] = RETURNS_FD.has(def.name);
  cloneByNr[def.nr] = CLONES.get(def.name);
}
/** pipe, pipe2, socketpair: their fds are printed in an array they fill, after the call. */
const EFFECT_FIRST = new Set(['pipe', 'pipe2', 'socketpair'].map((n) => syscallByName(n)?.nr));

// A file name is anyone's choice: one with a newline or an escape sequence must neither fake a
// line nor drive the terminal (print.ts escapes it).

/** `<text>`, with readlink's ` (deleted)` outside as strace prints it: `</tmp/x>(deleted)`. */
function bracket(text: string): string {
  return bracketed(escapeControls(text));
}

/** bracket() of a name already escaped. */
function bracketed(name: string): string {
  return name.endsWith(' (deleted)') ? `<${name.slice(0, -10)}>(deleted)` : `<${name}>`;
}

/** A clone in flight: the child may show up before its parent's clone returns. */
interface PendingClone {
  flags: bigint;
  parent: ProcState;
}

export class FdTables {
  private readonly procs = new Map<number, ProcState>();
  /** The names namers gave since the last takeShown (escaped, without brackets). */
  private shown: string[] = [];
  /** Whether to note them at all (a filter with an `fd:` term asks): else nothing is kept. */
  noteShown = false;
  /**
   * Whether `pid`'s fd `fd` changes again later in the batch being formatted (records.ts sets
   * it): then /proc, read now, describes what came after, not this call's fd.
   */
  changesLater: ((pid: number, fd: number) => boolean) | undefined;
  /**
   * -yy: per process, the fd numbers a socket or pipe was closed on. A process that closes
   * and makes sockets on one fd number may have done so again between its calls and the read
   * of /proc (a client's connect loop): /proc's socket at that number may be a later one, so
   * -yy trusts it only for an fd number not used so before.
   */
  private readonly churned = new Map<number, Set<number>>();
  private readonly pendingClones = new Map<number, PendingClone>();
  private readonly namer: FdNamer & { pid: number };

  /**
   * `proc`: ask /proc too (live formatting only). `sockets`: strace -yy, sockets with their
   * addresses and devices with their numbers (only with `proc`: the records alone cannot say).
   */
  constructor(
    private readonly proc?: ProcReader,
    private readonly sockets = false,
  ) {
    const nameOf = (pid: number, fd: number): string | undefined => this.nameOf(pid, fd);
    const cwdOf = (pid: number): string | undefined => this.procs.get(pid)?.cwd;
    this.namer = {
      pid: 0,
      fd(fd) {
        return nameOf(this.pid, fd);
      },
      cwd() {
        const cwd = cwdOf(this.pid);
        return cwd === undefined ? undefined : bracket(cwd);
      },
    };
  }

  /**
   * The namer for the process of this record, which is first seen here if it is new. One
   * namer serves every call: it names the fds of the process of the last namerFor.
   */
  namerFor(r: EnterRecord | ExitRecord): FdNamer {
    this.stateOf(r);
    this.namer.pid = r.pid;
    return this.namer;
  }

  /**
   * The fd names given since the last call, in the order the line shows them (the filter's
   * `fd:` term reads them); undefined when none was.
   */
  takeShown(): readonly string[] | undefined {
    if (this.shown.length === 0) return undefined;
    const names = this.shown;
    this.shown = [];
    return names;
  }

  /** Whether this call's fd return is to be named (after its effect). */
  returnsFd(nr: number, args: readonly bigint[] | undefined): boolean {
    if (returnsFdByNr[nr]) return true;
    if (nr !== FCNTL_NR || !args) return false;
    const cmd = BigInt.asUintN(32, args[FCNTL_CMD] ?? -1n);
    return cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC;
  }

  /** Whether the call's effect is applied before its arguments are described. */
  effectFirst(nr: number): boolean {
    return EFFECT_FIRST.has(nr);
  }

  /** A clone's enter: its flags and the table the child starts from, kept for the child. */
  enter(e: EnterRecord): void {
    const flagsOf = cloneByNr[e.nr];
    if (!flagsOf) return;
    const flags = flagsOf(e);
    const parent = this.stateOf(e);
    if (flags === undefined || flags & CLONE_THREAD) return;
    this.pendingClones.set(e.tid, { flags, parent });
  }

  /**
   * A call returned: what it did to its process's table. `enter` is undefined when it is
   * lost; then a call that changes the table leaves it unknown.
   */
  exit(enter: EnterRecord | undefined, exit: ExitRecord, params: ReadonlyMap<number, Param>): void {
    const nr = exit.nr;
    const cloned = cloneByNr[nr];
    if (cloned) return this.cloneReturned(exit);
    const sockEffect = this.yy ? sockEffectByNr[nr] : undefined;
    if (sockEffect) {
      if (enter && (exit.ret >= 0n || (exit.ret === EINPROGRESS && nr === CONNECT_NR))) {
        const state = this.stateOf(exit);
        sockEffect(this, { ret: exit.ret, args: enter.args, params, state, pid: exit.pid });
      }
      return;
    }
    const effect = effectByNr[nr];
    if (!effect || exit.ret < 0n) return;
    const state = this.stateOf(exit);
    if (!enter) {
      state.files.fds.clear();
      state.cwd = undefined;
      return;
    }
    effect(this, { ret: exit.ret, args: enter.args, params, state, pid: exit.pid });
  }

  /** Events were lost (for which processes, the marker does not say): nothing is known. */
  lost(): void {
    this.procs.clear();
    this.pendingClones.clear();
    this.churned.clear();
  }

  /** The process ended (its TL_NR_PROC_END): its pid may be reused. */
  ended(pid: number, tid: number): void {
    if (pid === tid) {
      this.procs.delete(pid);
      this.churned.delete(pid);
    }
    this.pendingClones.delete(tid);
  }

  // --- used by the effects ---

  set(
    state: ProcState,
    fd: number,
    text: string | undefined,
    pending: FdEntry['pending'],
    cloexec: boolean | undefined,
    inode?: FdEntry['inode'],
  ): void {
    if (text === undefined && pending === undefined) state.files.fds.delete(fd);
    else if (inode === undefined) state.files.fds.set(fd, { text, pending, cloexec });
    // The kernel's inode names a pipe or socket as /proc's link would have: `pipe:[123]`.
    else if (typeof inode === 'number' && pending !== undefined) {
      state.files.fds.set(fd, { text: `${pending}${inode}]`, pending: undefined, cloexec, inode });
    } else state.files.fds.set(fd, { text, pending, cloexec, inode });
  }

  copy(state: ProcState, from: number, to: number, cloexec: boolean): void {
    if (from === to) return;
    const entry = state.files.fds.get(from);
    if (entry) state.files.fds.set(to, { ...entry, cloexec });
    else state.files.fds.delete(to);
  }

  /** /proc is asked (live formatting): what it says is about the present. */
  get asksProc(): boolean {
    return this.proc !== undefined;
  }

  /** -yy is on and /proc can be asked. */
  private get yy(): boolean {
    return this.sockets && this.proc !== undefined;
  }

  /** -yy: `fd` (just set as a socket) is this socket. */
  track(state: ProcState, pid: number, fd: number, sock: SockTrack): void {
    if (!this.yy) return;
    const entry = state.files.fds.get(fd);
    if (!entry) return;
    sock.inode = this.inodeOf(pid, fd);
    if (sock.fresh && sock.proto !== undefined && sock.inode !== undefined) {
      sock.name = `${sock.proto}:[${sock.inode}]`;
    }
    state.files.fds.set(fd, { ...entry, sock });
  }

  /**
   * -yy: a call changed what the socket at `fd` is (or made it: `sock`). Its name is what
   * /proc says now, if that is what the call left: else -y's `socket:[ino]`.
   */
  sockChanged(pid: number, fd: number, sock: SockTrack | undefined, expect: SockExpect): void {
    if (!this.yy) return;
    const track = sock ?? this.procs.get(pid)?.files.fds.get(fd)?.sock;
    if (!track) return;
    const wasFresh = track.fresh;
    const freshName = track.name;
    track.fresh = false;
    track.name = undefined;
    track.inode ??= this.inodeOf(pid, fd);
    if (track.inode === undefined) return;
    const proto = track.proto;
    const info = this.proc!.socket?.(
      pid,
      track.inode,
      (s) => (proto === undefined || s.proto === proto) && matches(s, expect),
    );
    if (!info) {
      // Not listed: a UDP socket a send did not bind (it failed) is still as it was made.
      if (expect.mayBeFresh && wasFresh) {
        track.fresh = true;
        track.name = freshName;
      }
      return;
    }
    if (track.proto !== undefined && info.proto !== track.proto) return;
    track.proto = info.proto;
    if (!matches(info, expect)) return;
    track.name = sockName(track.inode, info);
  }

  /** -yy: a device's numbers after its path, `/dev/null<char 1:3>`, as strace -yy shows it. */
  device(state: ProcState, pid: number, fd: number): void {
    if (!this.yy) return;
    const entry = state.files.fds.get(fd);
    if (entry?.text === undefined) return;
    const dev = this.proc!.device?.(pid, fd, entry.text);
    if (dev !== undefined) state.files.fds.set(fd, { ...entry, text: `${entry.text}<${dev}>` });
  }

  /** -yy: a socket /proc shows a process had when first seen; named only as it will stay. */
  private seededSocket(pid: number, inode: number): SockTrack {
    const info = this.proc!.socket?.(pid, inode, (s) => settled(s));
    // Listening, or connected (inet: its peer known): what the socket will be until closed.
    // Anything else may be set up in the moment between the process's calls and this read.
    const name = info && settled(info) ? sockName(inode, info) : undefined;
    return { proto: info?.proto, inode, name, fresh: false };
  }

  /** -yy: a socketpair's two ends, each the other's peer: `UNIX-STREAM:[1->2]`. */
  socketPair(state: ProcState, pid: number, a: number, b: number, args: readonly bigint[]): void {
    if (!this.yy) return;
    const proto = protoOf(args[0] ?? -1n, args[1] ?? -1n, args[2] ?? -1n);
    const ia = this.inodeOf(pid, a);
    const ib = this.inodeOf(pid, b);
    const end = (fd: number, self: number | undefined, peer: number | undefined): void => {
      const entry = state.files.fds.get(fd);
      if (!entry) return;
      const known = proto?.startsWith('UNIX') && self !== undefined && peer !== undefined;
      const name = known ? `${proto}:[${self}->${peer}]` : undefined;
      state.files.fds.set(fd, { ...entry, sock: { proto, inode: self, name, fresh: false } });
    };
    end(a, ia, ib);
    end(b, ib, ia);
  }

  /** close(fd) of `entry`: -yy notes a socket's or pipe's fd number as used again. */
  closing(pid: number, fd: number, entry: FdEntry | undefined): void {
    if (!this.yy || !entry || (entry.pending === undefined && !entry.sock)) return;
    let fds = this.churned.get(pid);
    if (!fds) this.churned.set(pid, (fds = new Set()));
    fds.add(fd);
    if (this.churned.size > PROCS_KEPT) {
      this.churned.delete(this.churned.keys().next().value as number);
    }
  }

  /** Whether /proc's fd `fd` of `pid`, read now, can be this call's (see churned). */
  private linkIsOurs(pid: number, fd: number): boolean {
    if (this.changesLater?.(pid, fd)) return false;
    return !this.yy || !this.churned.get(pid)?.has(fd);
  }

  /**
   * The inode of the socket at `fd`: the one the kernel recorded when the fd was made, else
   * (not recorded) the one /proc shows now, if that can be this call's.
   */
  private inodeOf(pid: number, fd: number): number | undefined {
    const recorded = this.procs.get(pid)?.files.fds.get(fd)?.inode;
    if (recorded !== undefined) return recorded === 'unread' ? undefined : recorded;
    if (!this.linkIsOurs(pid, fd)) return undefined;
    const link = this.proc?.fdLink(pid, fd);
    const m = link === undefined ? null : /^socket:\[(\d+)\]$/.exec(link);
    return m ? Number(m[1]) : undefined;
  }

  setCloexec(state: ProcState, fd: number, cloexec: boolean): void {
    const entry = state.files.fds.get(fd);
    if (entry) state.files.fds.set(fd, { ...entry, cloexec });
  }

  /** An opened path as /proc would show it, or undefined when it cannot be known. */
  resolve(
    state: ProcState,
    dirfd: number,
    path: string | undefined,
    pid?: number,
  ): string | undefined {
    if (path === undefined || path === '') return undefined;
    // A container's paths resolved here would name this machine's files: bare instead.
    if (pid !== undefined && this.proc?.foreign?.(pid)) return undefined;
    let full: string | undefined = path;
    if (!path.startsWith('/')) {
      const base = dirfd === AT_FDCWD ? state.cwd : state.files.fds.get(dirfd)?.text;
      if (base === undefined || !base.startsWith('/')) return undefined;
      full = base + '/' + path;
    }
    if (this.proc) {
      const real = this.proc.realpath(full);
      if (real !== undefined) return real;
    }
    return normalise(full);
  }

  // --- internals ---

  private nameOf(pid: number, fd: number): string | undefined {
    const state = this.procs.get(pid);
    const entry = state?.files.fds.get(fd);
    if (!state || !entry) return undefined;
    if (entry.sock?.name !== undefined) return this.show(entry.sock.name);
    if (entry.text !== undefined) return this.show(entry.text);
    // A pipe or socket: its inode from /proc, if the fd there is still one of that kind (and
    // not, as far as the records tell, another one made since).
    if (!entry.pending || entry.inode !== undefined || !this.linkIsOurs(pid, fd)) return undefined;
    const link = this.proc?.fdLink(pid, fd);
    if (link === undefined || !entry.pending || !link.startsWith(entry.pending)) return undefined;
    state.files.fds.set(fd, { ...entry, text: link, pending: undefined });
    return this.show(link);
  }

  /** `<text>` for the line, the text noted for the filter. */
  private show(text: string): string {
    const name = escapeControls(text);
    if (this.noteShown) this.shown.push(name);
    return bracketed(name);
  }

  private cloneReturned(exit: ExitRecord): void {
    if (exit.ret === 0n) return; // the child's side: stateOf saw to it
    const pending = this.pendingClones.get(exit.tid);
    this.pendingClones.delete(exit.tid);
    if (exit.ret < 0n || !pending) return;
    const child = Number(exit.ret);
    if (!this.procs.has(child)) this.add(child, this.child(pending));
  }

  private child({ flags, parent }: PendingClone): ProcState {
    const files = flags & CLONE_FILES ? parent.files : { fds: new Map(parent.files.fds) };
    void CLONE_FS; // cwd is copied either way: a CLONE_FS sharer's chdir is not followed.
    return { files, cwd: parent.cwd };
  }

  /** A process's state; first seen: what /proc says (live), or nothing known. */
  private stateOf(r: EnterRecord | ExitRecord): ProcState {
    let state = this.procs.get(r.pid);
    if (state) return state;
    // A child's first record is its side of the clone (ret 0): it starts from the table of
    // the clone in flight, when only one is (two at once: which is whose is not known).
    if (r.kind === 'exit' && r.ret === 0n && cloneByNr[r.nr] && this.pendingClones.size === 1) {
      const [pending] = this.pendingClones.values();
      if (pending) {
        state = this.child(pending);
        this.add(r.pid, state);
        return state;
      }
    }
    const snap = this.proc?.snapshot(r.pid);
    const fds = new Map<number, FdEntry>();
    if (snap) {
      for (const [fd, f] of snap.fds) {
        // What /proc shows at an fd this batch changes later is what came after: not known.
        if (this.changesLater?.(r.pid, fd)) continue;
        const entry: FdEntry = { text: f.text, pending: undefined, cloexec: f.cloexec };
        if (this.yy) {
          const inode = /^socket:\[(\d+)\]$/.exec(f.text)?.[1];
          if (inode !== undefined) entry.sock = this.seededSocket(r.pid, Number(inode));
          const dev = f.text.startsWith('/') ? this.proc!.device?.(r.pid, fd, f.text) : undefined;
          if (dev !== undefined) entry.text = `${f.text}<${dev}>`;
        }
        fds.set(fd, entry);
      }
    }
    state = { files: { fds }, cwd: snap?.cwd };
    this.add(r.pid, state);
    return state;
  }

  private add(pid: number, state: ProcState): void {
    this.procs.set(pid, state);
    if (this.procs.size > PROCS_KEPT) this.procs.delete(this.procs.keys().next().value as number);
  }

  /**
   * The fds `pid`'s table holds now, its cwd and a namer for them, for a reader that keeps what
   * each line's fds were (src/ui/fd-history.ts). The map is shared by CLONE_FILES processes and
   * replaced by an execve or an unsharing close_range: its identity says which table it is.
   */
  tableOf(
    pid: number,
  ): { fds: ReadonlyMap<number, unknown>; cwd: string | undefined; namer: FdNamer } | undefined {
    const state = this.procs.get(pid);
    if (!state) return undefined;
    this.namer.pid = pid;
    return { fds: state.files.fds, cwd: state.cwd, namer: this.namer };
  }
}

/** Whether a call can change an fd table (at its exit; a clone also at its enter). */
export function changesFdTable(nr: number): boolean {
  return effectByNr[nr] !== undefined || cloneByNr[nr] !== undefined;
}

/** Whether a call makes a process (clone, clone3, fork, vfork): its return is the child. */
export function makesProcess(nr: number): boolean {
  return cloneByNr[nr] !== undefined;
}

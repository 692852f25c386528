// What /proc says about a live process's descriptors, for the fd table (fd-table.ts) of a
// formatter that formats as the calls happen (run, cgroups): the fds a process had before the
// recording saw it, the inode of a pipe or socket the records only know the kind of, and a
// file's canonical path (strace -y prints readlink of /proc/PID/fd/N). Never used on a dump
// of the past: /proc describes the present.
import fs from 'node:fs';
import { LiveSockets, type SockInfo } from './sock-names.js';

/** One open descriptor as /proc/PID/fd and fdinfo show it. */
export interface ProcFd {
  /** readlink of /proc/PID/fd/N: `/etc/hostname`, `pipe:[123]`, `anon_inode:[eventfd]`. */
  text: string;
  cloexec: boolean;
}

/** What the fd table asks of /proc; a stub in tests. */
export interface ProcReader {
  /** Every fd of a process and its cwd, or undefined when it is gone. */
  snapshot(pid: number): { fds: Map<number, ProcFd>; cwd: string | undefined } | undefined;
  /** readlink of /proc/PID/fd/FD, or undefined. */
  fdLink(pid: number, fd: number): string | undefined;
  /** The canonical form of an absolute path (symlinks resolved), or undefined. */
  realpath(path: string): string | undefined;
  /**
   * Whether `pid` lives in another mount namespace (a container): its paths are not this
   * machine's, so no name of ours is right for them. False when not known (a process gone).
   */
  foreign?(pid: number): boolean;
  /**
   * -yy: the socket `inode` as `pid`'s network namespace shows it (/proc/PID/net); `want`
   * says whether an answer read a moment ago will do (else /proc is read again).
   */
  socket?(pid: number, inode: number, want?: (s: SockInfo) => boolean): SockInfo | undefined;
  /** -yy: `char 1:3` or `block 8:0` when fd `fd` of `pid` is still `path` and a device. */
  device?(pid: number, fd: number, path: string): string | undefined;
}

const O_CLOEXEC = 0o2000000;
const OWN_MOUNT_NS = readlink('/proc/self/ns/mnt');

function readlink(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch {
    return undefined;
  }
}

/** fdinfo's `flags:\t02100002` line, octal. */
function cloexecOf(pid: number, fd: string): boolean {
  try {
    const info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1');
    const m = /^flags:\s*([0-7]+)/m.exec(info);
    return m ? (parseInt(m[1] as string, 8) & O_CLOEXEC) !== 0 : false;
  } catch {
    return false;
  }
}

const S_IFMT = 0o170000n;
const S_IFCHR = 0o020000n;
const S_IFBLK = 0o060000n;

/** strace -yy's `char 1:3`: the device behind a path, if the fd is still that path. */
function deviceOf(pid: number, fd: number, path: string): string | undefined {
  const link = `/proc/${pid}/fd/${fd}`;
  if (readlink(link) !== path) return undefined;
  try {
    const st = fs.statSync(link, { bigint: true });
    const type = st.mode & S_IFMT;
    if (type !== S_IFCHR && type !== S_IFBLK) return undefined;
    const dev = st.rdev;
    const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
    const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
    return `${type === S_IFCHR ? 'char' : 'block'} ${major}:${minor}`;
  } catch {
    return undefined;
  }
}

const liveSockets = new LiveSockets();

export const liveProc: ProcReader = {
  socket: (pid, inode, want) => liveSockets.lookup(pid, inode, want),
  device: deviceOf,
  snapshot(pid) {
    let names: string[];
    try {
      names = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      return undefined;
    }
    const fds = new Map<number, ProcFd>();
    for (const name of names) {
      const text = readlink(`/proc/${pid}/fd/${name}`);
      if (text !== undefined) fds.set(Number(name), { text, cloexec: cloexecOf(pid, name) });
    }
    return { fds, cwd: readlink(`/proc/${pid}/cwd`) };
  },
  fdLink: (pid, fd) => readlink(`/proc/${pid}/fd/${fd}`),
  foreign(pid) {
    const ns = readlink(`/proc/${pid}/ns/mnt`);
    return ns !== undefined && OWN_MOUNT_NS !== undefined && ns !== OWN_MOUNT_NS;
  },
  realpath(path) {
    try {
      return fs.realpathSync.native(path);
    } catch {
      return undefined;
    }
  },
};

/**
 * /proc, but for a command `run` started itself, what it gave it: its stdio (inherited from
 * traceloop's own 0, 1, 2) and traceloop's cwd. Exact at the command's execve, its first
 * record, where /proc would describe it later (or not at all: `cat` is gone before the drain).
 */
export class StartedProc implements ProcReader {
  private readonly started = new Map<number, { fds: Map<number, ProcFd>; cwd: string }>();
  /** `pid/fd` → our own fd's device (-yy), for the fds a started command inherited. */
  private readonly devices = new Map<string, string>();

  constructor(private readonly live: ProcReader = liveProc) {}

  /** `pid` runs with our fds 0-2 and our cwd (spawn's stdio 'inherit', no cwd). */
  inheritsOurs(pid: number): void {
    const fds = new Map<number, ProcFd>();
    for (const fd of [0, 1, 2]) {
      const text = readlink(`/proc/self/fd/${fd}`);
      if (text !== undefined) fds.set(fd, { text, cloexec: false });
      const dev = text === undefined ? undefined : deviceOf(process.pid, fd, text);
      if (dev !== undefined) this.devices.set(`${pid}/${fd}`, dev);
    }
    this.started.set(pid, { fds, cwd: process.cwd() });
  }

  snapshot(pid: number): ReturnType<ProcReader['snapshot']> {
    const known = this.started.get(pid);
    if (!known) return this.live.snapshot(pid);
    this.started.delete(pid);
    return known;
  }

  fdLink(pid: number, fd: number): string | undefined {
    return this.live.fdLink(pid, fd);
  }

  realpath(path: string): string | undefined {
    return this.live.realpath(path);
  }

  foreign(pid: number): boolean {
    return this.live.foreign?.(pid) ?? false;
  }

  socket(pid: number, inode: number, want?: (s: SockInfo) => boolean): SockInfo | undefined {
    return this.live.socket?.(pid, inode, want);
  }

  device(pid: number, fd: number, path: string): string | undefined {
    const key = `${pid}/${fd}`;
    const ours = this.devices.get(key);
    if (ours !== undefined) {
      this.devices.delete(key); // asked once, when the command's table is made
      return ours;
    }
    return this.live.device?.(pid, fd, path);
  }
}

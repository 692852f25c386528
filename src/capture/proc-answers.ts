// What /proc told a live recording's fd names (strace -y: format/proc-fds.ts), kept in its
// capture so that `view` names the same fds: /proc describes the present, and the processes
// are gone (or on another machine) when the file is opened. The formatter asks in the same
// order for the same records, so the answers are replayed in order; a question that is not
// the one recorded next (a capture whose answers were lost) gets no answer, as when /proc has
// none, and the lines show bare fds instead of wrong names.
import type { ProcFd, ProcReader } from '../format/proc-fds.js';
import type { SockInfo } from '../format/sock-names.js';

/** One question and its answer (null: /proc had none). */
export type ProcAnswer =
  | { q: 'snapshot'; pid: number; fds: Array<[number, string, boolean]> | null; cwd: string | null }
  | { q: 'fdLink'; pid: number; fd: number; link: string | null }
  | { q: 'realpath'; path: string; real: string | null }
  | { q: 'socket'; pid: number; inode: number; info: SockInfo | null }
  | { q: 'device'; pid: number; fd: number; path: string; dev: string | null };

/** A ProcReader that notes every answer of `inner`, for the capture. */
export class RecordingProc implements ProcReader {
  private answers: ProcAnswer[] = [];

  constructor(private readonly inner: ProcReader) {}

  /** The answers since the last take. */
  take(): ProcAnswer[] {
    const a = this.answers;
    this.answers = [];
    return a;
  }

  snapshot(pid: number): ReturnType<ProcReader['snapshot']> {
    const s = this.inner.snapshot(pid);
    this.answers.push({
      q: 'snapshot',
      pid,
      fds: s ? [...s.fds].map(([fd, f]) => [fd, f.text, f.cloexec]) : null,
      cwd: s?.cwd ?? null,
    });
    return s;
  }

  fdLink(pid: number, fd: number): string | undefined {
    const link = this.inner.fdLink(pid, fd);
    this.answers.push({ q: 'fdLink', pid, fd, link: link ?? null });
    return link;
  }

  realpath(path: string): string | undefined {
    const real = this.inner.realpath(path);
    this.answers.push({ q: 'realpath', path, real: real ?? null });
    return real;
  }

  socket(pid: number, inode: number, want?: (s: SockInfo) => boolean): SockInfo | undefined {
    const info = this.inner.socket?.(pid, inode, want);
    this.answers.push({ q: 'socket', pid, inode, info: info ?? null });
    return info;
  }

  device(pid: number, fd: number, path: string): string | undefined {
    const dev = this.inner.device?.(pid, fd, path);
    this.answers.push({ q: 'device', pid, fd, path, dev: dev ?? null });
    return dev;
  }
}

/** The recorded answers, given back in order to the same questions. */
export class ReplayProc implements ProcReader {
  private next = 0;
  /** Questions that were not the one recorded next. */
  strayed = 0;

  constructor(private readonly answers: readonly ProcAnswer[]) {}

  snapshot(pid: number): ReturnType<ProcReader['snapshot']> {
    const a = this.answer((x) => x.q === 'snapshot' && x.pid === pid);
    if (a?.q !== 'snapshot' || a.fds === null) return undefined;
    const fds = new Map<number, ProcFd>(
      a.fds.map(([fd, text, cloexec]) => [fd, { text, cloexec }]),
    );
    return { fds, cwd: a.cwd ?? undefined };
  }

  fdLink(pid: number, fd: number): string | undefined {
    const a = this.answer((x) => x.q === 'fdLink' && x.pid === pid && x.fd === fd);
    return a?.q === 'fdLink' ? (a.link ?? undefined) : undefined;
  }

  realpath(path: string): string | undefined {
    const a = this.answer((x) => x.q === 'realpath' && x.path === path);
    return a?.q === 'realpath' ? (a.real ?? undefined) : undefined;
  }

  socket(pid: number, inode: number): SockInfo | undefined {
    const a = this.answer((x) => x.q === 'socket' && x.pid === pid && x.inode === inode);
    return a?.q === 'socket' ? (a.info ?? undefined) : undefined;
  }

  device(pid: number, fd: number, path: string): string | undefined {
    const a = this.answer(
      (x) => x.q === 'device' && x.pid === pid && x.fd === fd && x.path === path,
    );
    return a?.q === 'device' ? (a.dev ?? undefined) : undefined;
  }

  private answer(same: (a: ProcAnswer) => boolean): ProcAnswer | undefined {
    const a = this.answers[this.next];
    if (a === undefined || !same(a)) {
      this.strayed++;
      return undefined;
    }
    this.next++;
    return a;
  }
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const strOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** The answers of a capture's chunk, checked; undefined when they are not answers. */
export function checkAnswers(v: unknown): ProcAnswer[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: ProcAnswer[] = [];
  for (const a of v as unknown[]) {
    if (typeof a !== 'object' || a === null) return undefined;
    const o = a as Record<string, unknown>;
    if (o.q === 'snapshot' && isInt(o.pid) && strOrNull(o.cwd)) {
      if (o.fds === null) {
        out.push({ q: 'snapshot', pid: o.pid, fds: null, cwd: o.cwd });
        continue;
      }
      if (!Array.isArray(o.fds)) return undefined;
      const fds: Array<[number, string, boolean]> = [];
      for (const f of o.fds as unknown[]) {
        if (
          !Array.isArray(f) ||
          !isInt(f[0]) ||
          typeof f[1] !== 'string' ||
          typeof f[2] !== 'boolean'
        ) {
          return undefined;
        }
        fds.push([f[0], f[1], f[2]]);
      }
      out.push({ q: 'snapshot', pid: o.pid, fds, cwd: o.cwd });
    } else if (o.q === 'fdLink' && isInt(o.pid) && isInt(o.fd) && strOrNull(o.link)) {
      out.push({ q: 'fdLink', pid: o.pid, fd: o.fd, link: o.link });
    } else if (o.q === 'realpath' && typeof o.path === 'string' && strOrNull(o.real)) {
      out.push({ q: 'realpath', path: o.path, real: o.real });
    } else if (o.q === 'socket' && isInt(o.pid) && isInt(o.inode)) {
      const info = o.info === null ? null : checkSockInfo(o.info);
      if (info === undefined) return undefined;
      out.push({ q: 'socket', pid: o.pid, inode: o.inode, info });
    } else if (
      o.q === 'device' &&
      isInt(o.pid) &&
      isInt(o.fd) &&
      typeof o.path === 'string' &&
      strOrNull(o.dev)
    ) {
      out.push({ q: 'device', pid: o.pid, fd: o.fd, path: o.path, dev: o.dev });
    } else {
      return undefined;
    }
  }
  return out;
}

const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string';
const optBool = (v: unknown): boolean => v === undefined || typeof v === 'boolean';

/** A socket answer of a capture, checked field by field (its strings are printed). */
function checkSockInfo(v: unknown): SockInfo | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.proto !== 'string' || typeof o.listening !== 'boolean') return undefined;
  if (![o.local, o.peer, o.path].every(optStr)) return undefined;
  if (![o.connected, o.pathUnsure].every(optBool)) return undefined;
  const info: SockInfo = { proto: o.proto, listening: o.listening };
  if (typeof o.local === 'string') info.local = o.local;
  if (typeof o.peer === 'string') info.peer = o.peer;
  if (typeof o.path === 'string') info.path = o.path;
  if (typeof o.connected === 'boolean') info.connected = o.connected;
  if (typeof o.pathUnsure === 'boolean') info.pathUnsure = o.pathUnsure;
  return info;
}

// Writing dumps where the user asked, without losing them halfway: files are
// written beside their target and renamed into place, and a failure names
// the file and the cause in one line.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './cgroup.js';
import { stopSignalsReceived } from './stop.js';

/**
 * Writes `text` to `file` atomically (temp file, fsync, rename). What is not a regular file
 * (`-o /dev/null`, a FIFO, /dev/stdout) is written to as it is: a rename would put a regular
 * file in place of the device. A symlink keeps pointing where it did; its target is replaced.
 */
export function writeFileAtomic(file: string, text: string): void {
  const out = AtomicFile.open(file);
  try {
    out.write(text);
    out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
}

/**
 * A file written piece by piece and put in place whole at the end (commit), as writeFileAtomic
 * writes one text: the target never holds half a dump, whatever happens in between (abort, or
 * a crash, leaves it as it was). A device or FIFO is written to as it is, piece by piece.
 */
export class AtomicFile {
  /** Where commit() put the file: the target, or the name create() found free. */
  committed: string | undefined;

  private constructor(
    private readonly file: string,
    private fd: number | undefined,
    /** Where the pieces go before the rename; undefined when written in place. */
    private readonly tmp: string | undefined,
    private readonly target: string,
    /** create()'s names to try, in order, instead of a rename over the target. */
    private readonly freshNames?: Iterable<string>,
  ) {}

  /**
   * A new file under a name of our choosing in a directory others may write (a snapshot's, a
   * triggered dump's): `base + ext`, else `base-2 + ext`, ... The name is predictable, so a
   * local user can plant a symlink there, or swap one in between a check and an open: nothing
   * here follows or replaces what is at a name. The pieces go to a random O_EXCL file, and
   * commit() link(2)s it to the first name free then (link never follows a symlink and fails
   * on anything there), then removes the random one.
   */
  static create(dir: string, base: string, ext: string): AtomicFile {
    const first = path.join(dir, base + ext);
    const tmp = path.join(
      dir,
      `.${base}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`,
    );
    // 0600: what a service wrote (passwords, tokens) is in it, and the directory may be shared.
    const fd = openOrSay(first, tmp, 'wx', 0o600);
    function* names(): Generator<string> {
      yield first;
      for (let n = 2; ; n++) yield path.join(dir, `${base}-${n}${ext}`);
    }
    return new AtomicFile(first, fd, tmp, first, names());
  }

  static open(file: string): AtomicFile {
    let target = file;
    // The file it replaces keeps its mode: a 0600 trace must not become world-readable.
    let mode: number | undefined;
    try {
      target = fs.realpathSync(file);
      const st = fs.statSync(target);
      if (!st.isFile()) {
        return new AtomicFile(file, openOrSay(file, target, 'w'), undefined, target);
      }
      mode = st.mode & 0o777;
    } catch (err) {
      if (err instanceof UserError) throw err;
      // Not there yet (or a dangling link): create it.
    }
    // A name nobody can guess, created only if it does not exist (O_EXCL, which never follows a
    // symlink): a link planted in a writable directory must not make root truncate its target.
    const tmp = path.join(
      path.dirname(target),
      `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`,
    );
    const fd = openOrSay(file, tmp, 'wx', mode ?? 0o644);
    if (mode !== undefined) {
      try {
        fs.fchmodSync(fd, mode); // the umask may have taken some away
      } catch {
        // a filesystem without modes: as created
      }
    }
    return new AtomicFile(file, fd, tmp, target);
  }

  /** Text, or bytes as they are (a capture file). */
  write(text: string | Uint8Array): void {
    if (this.fd === undefined) throw new UserError(`cannot write ${this.file}: already closed`);
    try {
      if (this.tmp) writeWhole(this.fd, typeof text === 'string' ? Buffer.from(text) : text);
      else writeAllSync(this.fd, text);
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`cannot write ${this.file}: ${describeErrno(err)}`);
    }
  }

  /** Puts the file in place: fsync, close, rename over the target. */
  commit(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      if (this.tmp) fs.fsyncSync(fd);
      fs.closeSync(fd);
      if (this.freshNames && this.tmp) this.committed = linkFree(this.tmp, this.freshNames);
      else if (this.tmp) fs.renameSync(this.tmp, this.target);
      this.committed ??= this.target;
    } catch (err) {
      if (this.tmp) fs.rmSync(this.tmp, { force: true });
      throw new UserError(`cannot write ${this.file}: ${describeErrno(err)}`);
    }
    if (this.freshNames && this.tmp) fs.rmSync(this.tmp, { force: true });
  }

  /** Leaves the target as it was: the pieces written so far are removed. */
  abort(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    if (this.tmp) fs.rmSync(this.tmp, { force: true });
  }
}

/**
 * Puts the finished file `tmp` also at `name`, if nothing (a file, a link, a dangling link) is
 * there: link(2), which never follows a symlink and never replaces anything; on a filesystem
 * without hard links (vfat: EPERM), a copy into a file created O_EXCL, which fails on anything
 * at the name as well. False when the name is taken. The caller removes `tmp`.
 */
export function putAtNewName(tmp: string, name: string): boolean {
  try {
    fs.linkSync(tmp, name);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
  }
  try {
    fs.copyFileSync(tmp, name, fs.constants.COPYFILE_EXCL);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** `tmp` put at the first of `names` that is free (putAtNewName). */
function linkFree(tmp: string, names: Iterable<string>): string {
  let tries = 0;
  for (const name of names) {
    if (putAtNewName(tmp, name)) return name;
    if (++tries >= 1000) break;
  }
  throw Object.assign(new Error('no free name'), { code: 'EEXIST' });
}

function openOrSay(file: string, at: string, flags: string, mode?: number): number {
  try {
    return fs.openSync(at, flags, mode);
  } catch (err) {
    throw new UserError(`cannot write ${file}: ${describeErrno(err)}`);
  }
}

/**
 * Writes every byte or throws: write(2) may take only part of a buffer (a nearly full disk takes
 * what fits and fails on the next call), and a dump cut mid-line must never pass for a whole one.
 */
function writeWhole(fd: number, buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) {
    const n = fs.writeSync(fd, buf, off);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    off += n;
  }
}

/**
 * Writes to a file descriptor synchronously (a dump must be out before the
 * process exits). A closed pipe (`| head`) ends the output quietly.
 */
export function writeAllSync(fd: number, text: string | Uint8Array): void {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue; // a non-blocking pipe that is full: retry
      if (code === 'EPIPE') return;
      throw new UserError(`cannot write the dump: ${describeErrno(err)}`);
    }
  }
}

/** Thrown when a stop signal arrives while a dump is being written. */
export class Interrupted extends UserError {}

const CHUNK = 64 * 1024;

/**
 * Writes `text` to `fd` in chunks, letting signal handlers run in between:
 * a stop signal in the middle of a long dump ends it with a clear message
 * instead of a silent cut (src/stop.ts keeps the handlers installed).
 */
export async function writeInterruptible(
  fd: number,
  text: string,
  signalsBefore = stopSignalsReceived(),
): Promise<void> {
  {
    const buf = Buffer.from(text);
    let off = 0;
    while (off < buf.length) {
      try {
        off += fs.writeSync(fd, buf, off, Math.min(CHUNK, buf.length - off));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') return;
        if (code !== 'EAGAIN') throw new UserError(`cannot write the dump: ${describeErrno(err)}`);
        // The reader is slow (or stopped): wait for it without blocking signals.
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setImmediate(r));
      if (stopSignalsReceived() > signalsBefore) {
        throw new Interrupted('interrupted while writing the dump: the output is incomplete');
      }
    }
  }
}

function describeErrno(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOSPC') return 'no space left on device (free some space and dump again)';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'ENOENT') return 'no such directory';
  return e.message;
}

// Writing dumps where the user asked, without losing them halfway: files are
// written beside their target and renamed into place, and a failure names
// the file and the cause in one line.
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
  let target = file;
  try {
    target = fs.realpathSync(file);
    if (!fs.statSync(target).isFile()) {
      writeInPlace(target, text);
      return;
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    // Not there yet (or a dangling link): create it.
  }
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'w', 0o644);
    writeWhole(fd, Buffer.from(text));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw new UserError(`cannot write ${file}: ${describeErrno(err)}`);
  }
}

/**
 * Writes every byte or throws: write(2) may take only part of a buffer (a nearly full disk takes
 * what fits and fails on the next call), and a dump cut mid-line must never pass for a whole one.
 */
function writeWhole(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    const n = fs.writeSync(fd, buf, off);
    if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    off += n;
  }
}

/** Opens a device or FIFO for writing and writes all of `text` to it. */
function writeInPlace(file: string, text: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'w');
    writeAllSync(fd, text);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot write ${file}: ${describeErrno(err)}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Writes to a file descriptor synchronously (a dump must be out before the
 * process exits). A closed pipe (`| head`) ends the output quietly.
 */
export function writeAllSync(fd: number, text: string): void {
  const buf = Buffer.from(text);
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

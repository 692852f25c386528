// The directory triggered dumps go to (`--dump-dir`). The daemon is root and DIR may be
// writable by others (a /tmp-like place): nothing here follows a name someone else could have
// planted. A file is written under a fresh unguessable name created with O_EXCL|O_NOFOLLOW,
// then linked to its final name (link(2) fails on anything already there, a symlink included,
// and never follows it), then the temporary name is removed. Only files named as we name them
// and regular (lstat) are ever counted or deleted for the budget.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../cgroup.js';
import { putAtNewName } from '../output.js';
import { TRIGGER_KINDS, type TriggerKind } from './options.js';

export const CAPTURE_EXT = '.tlcap';
export const TEXT_EXT = '.txt';

/** `<name>-<trigger>-<UTC time>[-N].{tlcap,txt}`: what saveDump names, and so what is ours. */
const OURS = new RegExp(
  `^[A-Za-z0-9._@+-]{1,100}-(?:${TRIGGER_KINDS.join('|')})-\\d{8}T\\d{6}\\.\\d{3}Z(?:-\\d+)?\\.(?:tlcap|txt)$`,
);

/** A name made of what a file name may safely hold: anything else becomes `_`. */
export function fileSafe(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._@+-]/g, '_').slice(0, 100);
  return s === '' || s.startsWith('.') ? `_${s}`.slice(0, 100) : s;
}

/** `20261204T172301.123Z` */
export function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

export interface SavedFiles {
  capture: string;
  text: string;
  bytes: number;
}

export class DumpDir {
  private constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly log: (line: string) => void,
  ) {}

  /** DIR, created (0700) if missing; it must be a directory. */
  static open(dir: string, maxBytes: number, log: (line: string) => void): DumpDir {
    const abs = path.resolve(dir);
    try {
      fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
      if (!fs.statSync(abs).isDirectory()) throw new Error('not a directory');
      fs.accessSync(abs, fs.constants.W_OK);
    } catch (err) {
      throw new UserError(`--dump-dir ${dir}: ${(err as Error).message.replace(/^[A-Z]+: /, '')}`);
    }
    return new DumpDir(abs, maxBytes, log);
  }

  /**
   * Writes the capture and its text as `<base>.tlcap` and `<base>.txt` (a `-N` suffix when the
   * names are taken), then keeps DIR within its budget. Throws on a write error (a full disk):
   * nothing half-written is left behind.
   */
  save(name: string, trigger: TriggerKind, at: number, capture: Buffer, text: string): SavedFiles {
    const base = `${fileSafe(name)}-${trigger}-${utcStamp(at)}`;
    const tmpCapture = this.writeTemp(capture);
    let tmpText: string | undefined;
    try {
      tmpText = this.writeTemp(Buffer.from(text));
      for (let n = 0; n < 1000; n++) {
        const stem = path.join(this.dir, n === 0 ? base : `${base}-${n}`);
        if (!putAtNewName(tmpCapture, stem + CAPTURE_EXT)) continue;
        if (!putAtNewName(tmpText, stem + TEXT_EXT)) {
          fs.rmSync(stem + CAPTURE_EXT, { force: true });
          continue;
        }
        const saved = {
          capture: stem + CAPTURE_EXT,
          text: stem + TEXT_EXT,
          bytes: capture.length + Buffer.byteLength(text),
        };
        this.keepWithinBudget(new Set([saved.capture, saved.text]));
        return saved;
      }
      throw new Error(`no free name for ${base} in ${this.dir}`);
    } finally {
      fs.rmSync(tmpCapture, { force: true });
      if (tmpText) fs.rmSync(tmpText, { force: true });
    }
  }

  /** Our files in DIR, oldest first. */
  ours(): Array<{ file: string; bytes: number; mtimeMs: number }> {
    const out = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (!OURS.test(name)) continue;
      const file = path.join(this.dir, name);
      try {
        const st = fs.lstatSync(file);
        if (st.isFile()) out.push({ file, bytes: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // removed meanwhile
      }
    }
    return out.sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file));
  }

  /** Deletes our oldest files while they take more than the budget; never those in `keep`. */
  keepWithinBudget(keep: ReadonlySet<string>): string[] {
    const files = this.ours();
    let total = files.reduce((s, f) => s + f.bytes, 0);
    const deleted: string[] = [];
    for (const f of files) {
      if (total <= this.maxBytes) break;
      if (keep.has(f.file)) continue;
      try {
        fs.unlinkSync(f.file); // a name, never followed
        total -= f.bytes;
        deleted.push(f.file);
        this.log(
          `--dump-dir-max ${this.maxBytes}: deleted ${f.file} (${f.bytes} bytes, oldest first)`,
        );
      } catch (err) {
        this.log(`--dump-dir-max: cannot delete ${f.file}: ${(err as Error).message}`);
      }
    }
    if (total > this.maxBytes) {
      this.log(`--dump-dir-max ${this.maxBytes}: the newest dump alone takes ${total} bytes; kept`);
    }
    return deleted;
  }

  /** `data` in a new file of an unguessable name (O_EXCL|O_NOFOLLOW, 0600), synced. */
  private writeTemp(data: Buffer): string {
    const tmp = path.join(
      this.dir,
      `.traceloop-${process.pid}-${crypto.randomBytes(8).toString('hex')}.tmp`,
    );
    const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
    const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off);
      fs.fsyncSync(fd);
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    fs.closeSync(fd);
    return tmp;
  }
}

// Writing a dump to what -o names: atomically for a regular file, in place for what is not one.
// A rename onto /dev/null once replaced the device with a regular file (and broke every
// program on the machine that opened /dev/null expecting a device); these use a FIFO and
// symlinks of their own instead.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicFile, writeFileAtomic } from '../src/output.js';
import { until } from './helpers/wait.js';

describe('writeFileAtomic', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-output-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('on a full filesystem fails in one line and leaves the previous file whole', () => {
    // A 64 KiB tmpfs: the old dump fits, the new one does not (write(2) takes what fits first).
    const small = path.join(dir, 'small');
    fs.mkdirSync(small);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]).status).toBe(0);
    try {
      const file = path.join(small, 'dump.txt');
      writeFileAtomic(file, 'previous dump\n');
      const big = 'x'.repeat(79) + '\n';
      expect(() => writeFileAtomic(file, big.repeat(2000))).toThrow(
        new RegExp(`^cannot write ${file}: no space left on device`),
      );
      expect(fs.readFileSync(file, 'utf8')).toBe('previous dump\n');
      expect(fs.readdirSync(small)).toEqual(['dump.txt']); // the partial temp file is gone
    } finally {
      spawnSync('umount', [small]);
    }
  });

  it('creates a new file, and replaces an old one whole', () => {
    const file = path.join(dir, 'dump.txt');
    writeFileAtomic(file, 'first\n');
    writeFileAtomic(file, 'second\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('second\n');
    expect(fs.readdirSync(dir)).toEqual(['dump.txt']); // no temp file left behind
  });

  it('writes into a FIFO instead of replacing it with a file', async () => {
    const fifo = path.join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (d: Buffer) => (got += d.toString()));
    const done = new Promise((r) => reader.on('exit', r));
    writeFileAtomic(fifo, 'through the pipe\n');
    await done;
    expect(got).toBe('through the pipe\n');
    expect(fs.lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('keeps a symlink, replacing what it points to', () => {
    const target = path.join(dir, 'real.txt');
    const link = path.join(dir, 'link.txt');
    fs.writeFileSync(target, 'old\n');
    fs.symlinkSync(target, link);
    writeFileAtomic(link, 'new\n');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('new\n');
  });

  it('says which file it could not write, and why', () => {
    expect(() => writeFileAtomic(path.join(dir, 'no', 'such', 'dir.txt'), 'x')).toThrow(
      /cannot write .*dir\.txt: no such directory/,
    );
  });
});

describe('writeFileAtomic against a hostile directory', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-output-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a symlink planted where the temporary file used to be named is never followed', () => {
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'precious\n');
    const file = path.join(dir, 'dump.txt');
    // The old name was predictable: .dump.txt.<pid>.tmp; opened with O_TRUNC through the link.
    fs.symlinkSync(victim, path.join(dir, `.dump.txt.${process.pid}.tmp`));
    writeFileAtomic(file, 'the dump\n');
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('the dump\n');
  });

  it('a file it replaces keeps its mode (a 0600 trace stays private)', () => {
    const file = path.join(dir, 'private.txt');
    fs.writeFileSync(file, 'old\n', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    writeFileAtomic(file, 'new\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
  });
});

describe('AtomicFile.create: a name of our choosing in a directory others may write', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-create-'));
    fs.chmodSync(dir, 0o1777); // as /tmp: anyone may plant a name
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const create = (text: string): string => {
    const out = AtomicFile.create(dir, 'snap', '.txt');
    out.write(text);
    out.commit();
    return out.committed!;
  };

  it('never writes through a link planted at the name, dangling or not, nor over a file', () => {
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'root-owned\n');
    fs.symlinkSync(victim, path.join(dir, 'snap.txt'));
    const nowhere = path.join(dir, 'created-through-a-link');
    fs.symlinkSync(nowhere, path.join(dir, 'snap-2.txt'));
    fs.writeFileSync(path.join(dir, 'snap-3.txt'), 'an older snapshot\n');
    expect(create('mine\n')).toBe(path.join(dir, 'snap-4.txt'));
    expect(fs.readFileSync(path.join(dir, 'snap-4.txt'), 'utf8')).toBe('mine\n');
    // Only root reads it: what a service wrote is in a snapshot, and the directory is shared.
    expect(fs.statSync(path.join(dir, 'snap-4.txt')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(victim, 'utf8')).toBe('root-owned\n');
    expect(fs.existsSync(nowhere)).toBe(false);
    expect(fs.lstatSync(path.join(dir, 'snap.txt')).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'snap-3.txt'), 'utf8')).toBe('an older snapshot\n');
    // No temporary file left behind.
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('a link swapped in and out at the name as fast as a process can: the target never written', async () => {
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'root-owned\n');
    const ino = fs.statSync(victim).ino;
    // Another user's loop (nobody: it cannot remove our files from a sticky directory): a link
    // to the victim at the name, then none, then again. /usr/bin/python3: nobody may not run a
    // python3 found under /root.
    const at = path.join(dir, 'snap.txt');
    const loop = `import os\nwhile True:\n  try: os.symlink(${JSON.stringify(victim)}, ${JSON.stringify(at)})\n  except OSError: pass\n  try: os.unlink(${JSON.stringify(at)})\n  except OSError: pass\n`;
    const toggler = spawn('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      '/usr/bin/python3',
      '-c',
      loop,
    ]);
    try {
      await until('the link at the name', () => {
        try {
          return fs.lstatSync(at).isSymbolicLink();
        } catch {
          return false;
        }
      });
      // Each round contests the name again: ours is removed (root may) when it got it.
      for (let i = 0; i < 2000; i++) {
        const f = create(`snapshot ${i}\n`);
        expect(fs.lstatSync(f).isFile()).toBe(true);
        fs.unlinkSync(f);
      }
    } finally {
      toggler.kill('SIGKILL');
    }
    expect(fs.readFileSync(victim, 'utf8')).toBe('root-owned\n');
    expect(fs.statSync(victim).ino).toBe(ino);
  });
});

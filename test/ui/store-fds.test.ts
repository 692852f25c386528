// strace -y's names in the UI's stream (src/ui/fd-history.ts): a line is named from the fd
// table as it was at that line, however much later it is decoded, and bare when that is not
// known (opened before the window, or across lost events).
import { describe, expect, it } from 'vitest';
import { StreamStore } from '../../src/ui/store.js';
import { detailLines } from '../../src/ui/details.js';
import { createLineFormatter } from '../../src/format/index.js';
import { LAYOUT, parseRecords, TL_ARG_NEW_FDS } from '../../src/wire.js';
import { call, lost } from './fake-api.js';

const time = (ts: bigint): string => `t${ts}`;
const AT_FDCWD = BigInt.asUintN(64, -100n);

const openat = (path: string, fd: bigint, tid = 100): Buffer =>
  call({
    name: 'openat',
    args: [AT_FDCWD, 0x1000n, 0n, 0n],
    ret: fd,
    tid,
    param: { arg: 1, bytes: Buffer.from(path + '\0') },
  });
const read = (fd: bigint, tid = 100): Buffer =>
  call({ name: 'read', args: [fd, 0x2000n, 16n], ret: 0n, tid });
const close = (fd: bigint, tid = 100): Buffer => call({ name: 'close', args: [fd], ret: 0n, tid });
const dup2 = (from: bigint, to: bigint): Buffer =>
  call({ name: 'dup2', args: [from, to], ret: to });

function texts(store: StreamStore): string[] {
  return Array.from({ length: store.length }, (_, i) => store.textOf(store.at(i)));
}

describe('fd names in the UI store', () => {
  it('names an fd from its openat on, bare before, and keeps names once it is closed', () => {
    const store = new StreamStore({ time, decodeFds: true });
    // Nothing is decoded until everything is in: the close came before any line was looked at.
    store.ingest(
      Buffer.concat([read(3n), openat('/etc/hostname', 3n), read(3n), close(3n), read(3n)]),
    );
    const out = texts(store);
    expect(out[0]).toMatch(/ read\(3, "", 16\) = 0$/);
    expect(out[1]).toMatch(/openat\(AT_FDCWD, "\/etc\/hostname", O_RDONLY\) = 3<\/etc\/hostname>$/);
    expect(out[2]).toMatch(/ read\(3<\/etc\/hostname>, "", 16\) = 0$/);
    expect(out[3]).toMatch(/ close\(3<\/etc\/hostname>\) = 0$/);
    expect(out[4]).toMatch(/ read\(3, "", 16\) = 0$/);
  });

  it('never names a line from a later state: an fd made anew after the line', () => {
    const store = new StreamStore({ time, decodeFds: true });
    store.ingest(
      Buffer.concat([
        openat('/etc/hostname', 3n),
        read(3n),
        openat('/etc/passwd', 4n),
        dup2(4n, 3n),
        read(3n),
      ]),
    );
    const out = texts(store);
    expect(out[1]).toContain('read(3</etc/hostname>,');
    expect(out[3]).toMatch(/dup2\(4<\/etc\/passwd>, 3<\/etc\/hostname>\) = 3<\/etc\/passwd>$/);
    expect(out[4]).toContain('read(3</etc/passwd>,');
  });

  it('forgets every table at a LOST marker: lines before keep their names, lines after are bare', () => {
    const store = new StreamStore({ time, decodeFds: true });
    store.ingest(Buffer.concat([openat('/etc/hostname', 3n), read(3n), lost(5n), read(3n)]));
    store.ingest(Buffer.concat([openat('/etc/passwd', 3n), read(3n)]));
    const out = texts(store);
    expect(out[1]).toContain('read(3</etc/hostname>,');
    expect(out[2]).toContain('LOST 5 events');
    expect(out[3]).toMatch(/ read\(3, /);
    expect(out[5]).toContain('read(3</etc/passwd>,');
  });

  it('names a line the same whether decoded at once or after the fd changed', () => {
    const early = new StreamStore({ time, decodeFds: true });
    early.ingest(Buffer.concat([openat('/etc/hostname', 3n), read(3n)]));
    const seen = early.textOf(early.at(1)); // on screen right away
    early.ingest(Buffer.concat([close(3n), openat('/etc/passwd', 3n)]));
    expect(early.textOf(early.at(1))).toBe(seen);
    expect(seen).toContain('read(3</etc/hostname>,');
    // A frozen view (a pause) decoded after the live ring moved on.
    const frozen = early.freeze();
    early.ingest(Buffer.concat([close(3n), openat('/etc/group', 3n)]));
    expect(early.textOf(frozen.at(3))).toMatch(/= 3<\/etc\/passwd>$/);
  });

  it('keeps one process apart from another', () => {
    const store = new StreamStore({ time, decodeFds: true });
    store.ingest(Buffer.concat([openat('/etc/hostname', 3n, 100), read(3n, 200)]));
    expect(texts(store)[1]).toMatch(/ read\(3, /);
  });

  /** A clone by 100 making 200, the child's first `= 0` (its side, no line) after. */
  const clone = (flags: bigint): Buffer => {
    const args = [flags, 0n, 0n, 0n, 0n];
    const child = call({ name: 'clone', args, ret: 0n, tid: 200 });
    return Buffer.concat([
      call({ name: 'clone', args, ret: 200n, tid: 100 }),
      child.subarray(48 + 8 * args.length),
    ]);
  };
  const SIGCHLD = 17n;
  const CLONE_FILES = 0x400n;

  it("a fork starts from a copy of its parent's table", () => {
    const store = new StreamStore({ time, decodeFds: true });
    store.ingest(Buffer.concat([openat('/etc/hostname', 3n), clone(SIGCHLD)]));
    store.ingest(Buffer.concat([close(3n), openat('/etc/passwd', 3n), read(3n, 200), read(3n)]));
    const out = texts(store);
    expect(out.at(-2)).toMatch(/\[worker\] read\(3<\/etc\/hostname>, /);
    expect(out.at(-1)).toContain('read(3</etc/passwd>,');
  });

  it("a CLONE_FILES child shares it: the parent's changes are the child's", () => {
    const store = new StreamStore({ time, decodeFds: true });
    store.ingest(Buffer.concat([openat('/etc/hostname', 3n), clone(CLONE_FILES | SIGCHLD)]));
    store.ingest(
      Buffer.concat([read(3n, 200), close(3n), openat('/etc/passwd', 3n), read(3n, 200)]),
    );
    const out = texts(store);
    expect(out.at(-4)).toContain('read(3</etc/hostname>,');
    expect(out.at(-1)).toContain('read(3</etc/passwd>,');
  });

  it('an execve drops the close-on-exec fds', () => {
    const O_CLOEXEC = 0o2000000n;
    const store = new StreamStore({ time, decodeFds: true });
    store.ingest(
      Buffer.concat([
        call({
          name: 'openat',
          args: [AT_FDCWD, 0x1000n, O_CLOEXEC, 0n],
          ret: 4n,
          param: { arg: 1, bytes: Buffer.from('/etc/passwd\0') },
        }),
        openat('/etc/group', 5n),
        read(4n),
        call({ name: 'execve', args: [0x1000n, 0n, 0n], ret: 0n }),
        read(4n),
        read(5n),
      ]),
    );
    const out = texts(store);
    expect(out[2]).toContain('read(4</etc/passwd>,');
    expect(out[4]).toMatch(/ read\(4, /);
    expect(out[5]).toContain('read(5</etc/group>,');
  });

  it('history older than what is kept is dropped: an old frozen line is then bare, never renamed', () => {
    const store = new StreamStore({ time, decodeFds: true, capacity: 2 });
    store.ingest(Buffer.concat([openat('/etc/hostname', 3n), read(3n)]));
    const frozen = store.freeze(); // not decoded yet
    for (let i = 0; i < 10; i++) {
      store.ingest(Buffer.concat([close(3n), openat(`/etc/other-${i}`, 3n)]));
    }
    expect(store.textOf(frozen.at(1))).toMatch(/ read\(3, /);
    expect(texts(store).at(-1)).toMatch(/= 3<\/etc\/other-9>$/);
  });

  it('gives the lines fd names for the filter, and none with names off', () => {
    const on = new StreamStore({ time, decodeFds: true });
    on.ingest(Buffer.concat([openat('/etc/hostname', 3n), read(3n)]));
    expect(on.fdNamesOf(on.at(1))).toEqual(['/etc/hostname']);
    const off = new StreamStore({ time });
    off.ingest(Buffer.concat([openat('/etc/hostname', 3n), read(3n)]));
    expect(texts(off)[1]).toMatch(/ read\(3, /);
    expect(off.fdNamesOf(off.at(1))).toBeUndefined();
  });
});

describe('the store names each line as a dump of the same records does', () => {
  /** A small deterministic PRNG (mulberry32). */
  function rng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`random opens, dups, closes, execs, interleavings and losses (seed ${seed})`, () => {
      const r = rng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
      const fds = [3n, 4n, 5n, 6n];
      const tids = [100, 101];
      const one = (tid: number): Buffer => {
        const x = r();
        if (x < 0.25) return openat(`/f/${Math.floor(r() * 1000)}`, pick(fds), tid);
        if (x < 0.5) return read(pick(fds), tid);
        if (x < 0.65) return close(pick(fds), tid);
        if (x < 0.75)
          return call({ name: 'dup2', args: [pick(fds), pick(fds)], ret: pick(fds), tid });
        if (x < 0.78) return call({ name: 'execve', args: [0x1000n, 0n, 0n], ret: 0n, tid });
        if (x < 0.8) return lost(2n);
        if (x < 0.85) {
          const dir = `/d/${Math.floor(r() * 4)}\0`;
          return call({
            name: 'chdir',
            args: [0x1000n],
            ret: 0n,
            tid,
            param: { arg: 0, bytes: Buffer.from(dir) },
          });
        }
        if (x < 0.9) return openat(`rel-${Math.floor(r() * 4)}`, pick(fds), tid);
        return call({ name: 'fcntl', args: [pick(fds), 0n, 7n], ret: pick(fds), tid });
      };
      const batches: Buffer[] = [];
      for (let b = 0; b < 20; b++) {
        const parts: Buffer[] = [];
        for (let i = 0; i < 15; i++) {
          const tid = pick(tids);
          const c = one(tid);
          if (r() < 0.15 && c.length > 56) {
            // Another thread's call between this one's enter and exit: unfinished, resumed.
            const enterSize = c.readUInt16LE(0);
            const other = tids.find((t) => t !== tid)!;
            parts.push(c.subarray(0, enterSize), read(pick(fds), other), c.subarray(enterSize));
          } else {
            parts.push(c);
          }
        }
        batches.push(Buffer.concat(parts));
      }
      const store = new StreamStore({ time, decodeFds: true });
      for (const b of batches) {
        store.ingest(b);
        // Some lines are looked at as they come, the rest only at the end.
        for (let i = 0; i < store.length; i++) if (r() < 0.1) store.textOf(store.at(i));
      }
      store.ingest(Buffer.alloc(0));
      const fmt = createLineFormatter({ time, decodeFds: true });
      const want = [...fmt.push(parseRecords(Buffer.concat(batches))), ...fmt.flush()];
      const got = texts(store);
      expect(got.some((l) => l.includes('</f/'))).toBe(true);
      expect(
        got.some((l) => /AT_FDCWD<\/d\/\d>, "rel-\d", O_RDONLY\) = \d<\/d\/\d\/rel-\d>$/.test(l)),
      ).toBe(true);
      expect(got).toEqual(want);
    });
  }
});

describe('the details view names fds as its line does', () => {
  it('an argument before the call, the return after it', () => {
    const store = new StreamStore({ time, decodeFds: true });
    store.ingest(
      Buffer.concat([openat('/etc/hostname', 3n), close(3n), openat('/etc/passwd', 3n)]),
    );
    const opened = detailLines(store, store.at(0)).join('\n');
    expect(opened).toMatch(/^result: {3}3<\/etc\/hostname>$/m);
    const closed = detailLines(store, store.at(1)).join('\n');
    expect(closed).toMatch(/^ {2}0 {2}unsigned int fd = 3<\/etc\/hostname> \(0x3\)$/m);
    const off = new StreamStore({ time });
    off.ingest(openat('/etc/hostname', 3n));
    expect(detailLines(off, off.at(0)).join('\n')).toMatch(/^result: {3}3$/m);
  });

  it('a socket: named by the inode the kernel recorded; the details say what it recorded', () => {
    const size = LAYOUT['sizeof(struct tl_new_fd)'];
    const fds = Buffer.alloc(size);
    fds.writeBigUInt64LE(9003n, LAYOUT['tl_new_fd.ino']);
    fds.writeInt32LE(3, LAYOUT['tl_new_fd.fd']);
    fds.writeUInt16LE(0o140777, LAYOUT['tl_new_fd.mode']);
    const store = new StreamStore({ time, decodeFds: true });
    store.ingest(
      Buffer.concat([
        call({
          name: 'socket',
          args: [2n, 1n, 0n],
          ret: 3n,
          exitParam: { arg: TL_ARG_NEW_FDS, bytes: fds },
        }),
        close(3n),
      ]),
    );
    expect(texts(store)[1]).toMatch(/close\(3<socket:\[9003\]>\) = 0/);
    const details = detailLines(store, store.at(0)).join('\n');
    expect(details).not.toMatch(/captured argument 7/);
    expect(details).toMatch(/^new fds, as the kernel saw them when the call returned:$/m);
    expect(details).toMatch(/^ {2}fd 3: socket, inode 9003$/m);
  });
});

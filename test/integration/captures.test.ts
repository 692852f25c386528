// The compound and keyed captures on real BPF: what the kernel side writes for iovecs, msghdrs,
// select's fd sets and getdents counts (the payload layouts of bpf/traceloop.h), and where
// it has to cut, that it says so. The decoded text is compared with strace in
// strace-compare.test.ts; this file checks the bytes and the limits.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { Recorder } from '../../src/recorder.js';
import { syscallByName } from '../../src/syscalls/table.js';
import {
  LAYOUT,
  TL_PARAM_FAULT,
  TL_PARAM_OK,
  TL_PARAM_TRUNCATED,
  TL_PART_NULL,
  parseRecords,
  type EnterRecord,
  type ExitRecord,
  type Param,
} from '../../src/wire.js';
import { requireRootAndBpf, runInCgroup, scratchCgroup, uniquePath } from '../helpers/system.js';

const MAX_ARG = 256;

const nr = (name: string): number => {
  const def = syscallByName(name);
  if (!def) throw new Error(`no syscall ${name}`);
  return def.nr;
};

// The workload: each step marks itself with a getpid-free write to fd 99 (EBADF), so the
// test can find the calls that follow a marker.
const WORKLOAD = String.raw`
import ctypes, fcntl, os, pty, select, socket, sys, termios
libc = ctypes.CDLL(None, use_errno=True)
def mark(tag):
    try: os.write(99, tag.encode())
    except OSError: pass
mark("many-iovecs")
os.writev(1, [b"%02d:" % i + b"x" * 37 for i in range(20)])
mark("short-readv")
r, w = os.pipe()
os.write(w, b"0123456789")
os.readv(r, [bytearray(4), bytearray(4), bytearray(4)])
mark("empty-readv")
os.close(w)
os.readv(r, [bytearray(4), bytearray(4)])
mark("bad-iovec")
libc.writev(1, ctypes.c_void_p(8), 2)
mark("bad-buffer")
class IOV(ctypes.Structure): _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
ok = ctypes.create_string_buffer(b"ok!")
libc.writev(1, (IOV * 2)(IOV(ctypes.cast(ok, ctypes.c_void_p), 3), IOV(8, 4)), 2)
mark("wide-select")
libc.syscall(23, 1100, None, None, None, ctypes.byref((ctypes.c_long * 2)(0, 1000)))  # SYS_select: glibc would call pselect6
mark("named-recvmsg")
a = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
a.bind(sys.argv[1] + "/a.sock")
b = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
b.bind(sys.argv[1] + "/b.sock")
b.sendto(b"from-b", sys.argv[1] + "/a.sock")
a.recvmsg(64)
mark("listdir")
os.listdir(sys.argv[1] + "/many")
mark("long-path")
try: os.stat(sys.argv[1] + "/" + "/".join(["p" * 200] * 15))
except OSError: pass
mark("tty")
m, t = pty.openpty()
termios.tcgetattr(t)
fcntl.ioctl(t, termios.TIOCSWINSZ, bytes([24, 0, 80, 0, 0, 0, 0, 0]))
fcntl.ioctl(t, termios.TIOCGWINSZ, bytes(8))
mark("plain-write")
os.write(1, b"plain!")
mark("plain-read")
r, w = os.pipe()
os.write(w, b"pipe-bytes")
os.read(r, 64)
pr, pw = os.pipe()  # a pipe copies what it is given (/dev/null reads nothing)
mark("bad-write")
libc.write(pw, ctypes.c_void_p(8), 4)
mark("fresh-page-write")
import mmap
with open(sys.argv[1] + "/page", "r+b") as f:
    mm = mmap.mmap(f.fileno(), 4096)
    libc.write(pw, ctypes.c_void_p(ctypes.addressof(ctypes.c_char.from_buffer(mm))), 5)
mark("end")
`;

describe('compound captures on real BPF', () => {
  let recorder: Recorder;
  let cg: ScratchCgroup;
  let dir: string;
  /** Records after each marker, up to the next. */
  const steps = new Map<string, (EnterRecord | ExitRecord)[]>();
  let faults = 0;

  beforeAll(async () => {
    requireRootAndBpf();
    dir = uniquePath('captures');
    fs.mkdirSync(path.join(dir, 'many'), { recursive: true });
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(dir, 'many', `f${i}`), '');
    fs.writeFileSync(path.join(dir, 'w.py'), WORKLOAD);
    fs.writeFileSync(
      path.join(dir, 'page'),
      Buffer.concat([Buffer.from('hello'), Buffer.alloc(4091)]),
    );
    recorder = Recorder.open({ ringPages: 256, maxArgBytes: MAX_ARG });
    cg = scratchCgroup('captures');
    const id = recorder.add(cg.path).id;
    const run = await runInCgroup(cg.path, `exec python3 ${dir}/w.py ${dir} >/dev/null`);
    expect(run.code, run.stderr).toBe(0);
    let step: string | undefined;
    for (const r of parseRecords(recorder.snapshot(id).records)) {
      if (r.kind === 'lost') {
        // Python's start may well overrun the ring; what the steps did may not.
        if (step) throw new Error(`records lost (reason ${r.reason}) after marker ${step}`);
        continue;
      }
      if (r.kind === 'enter' && r.nr === nr('write') && r.args[0] === 99n) {
        step = r.params[0]?.bytes.toString('latin1');
        steps.set(step ?? '?', []);
        continue;
      }
      if (step) steps.get(step)?.push(r);
    }
    faults = recorder.stats(id).reduce((n, c) => n + Number(c.faults), 0);
  });

  afterAll(async () => {
    recorder?.close();
    await cg?.remove('kill');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const find = (step: string, kind: 'enter' | 'exit', name: string): EnterRecord | ExitRecord => {
    const r = steps.get(step)?.find((x) => x.kind === kind && x.nr === nr(name));
    if (!r) throw new Error(`no ${kind} of ${name} after marker ${step}`);
    return r;
  };
  /** The step's last `kind` of a write: the marker's own exit comes first. */
  const lastWrite = (step: string, kind: 'enter' | 'exit'): EnterRecord | ExitRecord => {
    const r = steps
      .get(step)
      ?.filter((x) => x.kind === kind && x.nr === nr('write'))
      .at(-1);
    if (!r) throw new Error(`no ${kind} of write after marker ${step}`);
    return r;
  };
  const param = (r: EnterRecord | ExitRecord, arg: number): Param => {
    const p = r.params.find((x) => x.arg === arg);
    if (!p) throw new Error(`no param for arg ${arg}`);
    return p;
  };

  /** The iovec parts of a TL_CAP_IOV param: [iov_len, captured bytes, status]. */
  function iovParts(p: Param, at = 0): Array<[bigint, string, number]> {
    const head = LAYOUT['sizeof(struct tl_iov_part)'];
    const parts: Array<[bigint, string, number]> = [];
    while (at + head <= p.bytes.length) {
      const len = p.bytes.readUInt16LE(at + LAYOUT['tl_iov_part.len']);
      parts.push([
        p.bytes.readBigUInt64LE(at + LAYOUT['tl_iov_part.iov_len']),
        p.bytes.toString('latin1', at + head, at + head + len),
        p.bytes[at + LAYOUT['tl_iov_part.status']] as number,
      ]);
      at += head + ((len + 7) & ~7);
    }
    return parts;
  }

  it('writev: entries while max_capture lasts, and the param says more existed', () => {
    const p = param(find('many-iovecs', 'enter', 'writev'), 1);
    expect(p.want).toBe(20);
    expect(p.status).toBe(TL_PARAM_TRUNCATED);
    expect(p.bytes.length).toBeLessThanOrEqual(MAX_ARG);
    const parts = iovParts(p);
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.length).toBeLessThan(20);
    parts.slice(0, -1).forEach(([len, bytes, status], i) => {
      expect(len).toBe(40n);
      expect(bytes).toBe(`${String(i).padStart(2, '0')}:${'x'.repeat(37)}`);
      expect(status).toBe(TL_PARAM_OK);
    });
  });

  it('readv: the bytes returned spread over the buffers in order, and 0 returned reads none', () => {
    const p = param(find('short-readv', 'exit', 'readv'), 1);
    expect(p.status).toBe(TL_PARAM_OK);
    expect(iovParts(p)).toEqual([
      [4n, '0123', TL_PARAM_OK],
      [4n, '4567', TL_PARAM_OK],
      [4n, '89', TL_PARAM_OK],
    ]);
    const empty = param(find('empty-readv', 'exit', 'readv'), 1);
    expect(iovParts(empty)).toEqual([
      [4n, '', TL_PARAM_OK],
      [4n, '', TL_PARAM_OK],
    ]);
  });

  it('an unreadable iovec array is a fault, counted in stats', () => {
    const p = param(find('bad-iovec', 'enter', 'writev'), 1);
    expect(p.status).toBe(TL_PARAM_FAULT);
    expect(p.bytes.length).toBe(0);
    expect(faults).toBeGreaterThanOrEqual(1);
  });

  it('an unreadable buffer inside an iovec array is marked, and counted in stats too', () => {
    const p = param(find('bad-buffer', 'enter', 'writev'), 1);
    expect(iovParts(p)).toEqual([
      [3n, 'ok!', TL_PARAM_OK],
      [4n, '', TL_PARAM_FAULT],
    ]);
    expect(faults).toBeGreaterThanOrEqual(2); // this one and the unreadable array above
  });

  // A write's and a read's buffer are the commonest captures: the programs take them by a short
  // way (tl_rule.one_buffer and one_result), which these hold to what the general loops wrote.
  it('write: its buffer, at enter; read: the bytes it returned, at exit', () => {
    const w = param(find('plain-write', 'enter', 'write'), 1);
    expect([w.bytes.toString(), w.status, w.want]).toEqual(['plain!', TL_PARAM_OK, 6]);
    const r = param(find('plain-read', 'exit', 'read'), 1);
    expect([r.bytes.toString(), r.status, r.want]).toEqual(['pipe-bytes', TL_PARAM_OK, 10]);
  });

  it("a write's unreadable buffer is marked, read again at exit, and counted in stats", () => {
    expect(param(find('bad-write', 'enter', 'write'), 1).status).toBe(TL_PARAM_FAULT);
    const x = lastWrite('bad-write', 'exit') as ExitRecord;
    expect(x.ret).toBe(-14n); // EFAULT
    expect(param(x, 1).status).toBe(TL_PARAM_FAULT);
    expect(faults).toBeGreaterThanOrEqual(3); // and the two iovec ones above
  });

  it("a write's buffer in a page not yet touched is read again at exit, whole", () => {
    // At enter the page is not in the page tables (BPF may not fault it in); the write's own
    // copy brings it in, and the exit reads what the enter could not.
    expect(param(find('fresh-page-write', 'enter', 'write'), 1).status).toBe(TL_PARAM_FAULT);
    const p = param(lastWrite('fresh-page-write', 'exit'), 1);
    expect([p.bytes.toString(), p.status, p.want]).toEqual(['hello', TL_PARAM_OK, 5]);
  });

  it('select: more than 1024 fds are cut at 1024 and marked; NULL sets read nothing', () => {
    const p = param(find('wide-select', 'enter', 'select'), 1);
    expect(p.status).toBe(TL_PARAM_TRUNCATED);
    expect(p.bytes.readUInt16LE(LAYOUT['tl_fdsets_part.nbits'])).toBe(1024);
    const status = LAYOUT['tl_fdsets_part.status'];
    expect([p.bytes[status], p.bytes[status + 1], p.bytes[status + 2]]).toEqual([
      TL_PART_NULL,
      TL_PART_NULL,
      TL_PART_NULL,
    ]);
    expect(p.bytes[LAYOUT['tl_fdsets_part.timeout_status']]).toBe(TL_PARAM_OK);
    expect(p.bytes.readBigInt64LE(LAYOUT['tl_fdsets_part.timeout'] + 8)).toBe(1000n);
  });

  it('recvmsg: the sender address and the data, at exit; msg_namelen as it was at enter', () => {
    const exit = find('named-recvmsg', 'exit', 'recvmsg');
    const p = exit.params.find((x) => x.bytes.length >= LAYOUT['sizeof(struct tl_msg_part)']);
    if (!p) throw new Error('no msghdr capture at exit');
    const m = p.bytes;
    const nameLen = m.readUInt16LE(LAYOUT['tl_msg_part.name_len']);
    const name = m.subarray(
      LAYOUT['sizeof(struct tl_msg_part)'],
      LAYOUT['sizeof(struct tl_msg_part)'] + nameLen,
    );
    expect(name.readUInt16LE(0)).toBe(1); // AF_UNIX
    expect(name.toString('latin1', 2)).toContain(`${dir}/b.sock`);
    const controlLen = m.readUInt16LE(LAYOUT['tl_msg_part.control_len']);
    const iovAt =
      LAYOUT['sizeof(struct tl_msg_part)'] + ((nameLen + 7) & ~7) + ((controlLen + 7) & ~7);
    expect(iovParts(p, iovAt)).toEqual([[64n, 'from-b', TL_PARAM_OK]]);
    const enter = param(find('named-recvmsg', 'enter', 'recvmsg'), 1);
    expect(enter.bytes.readInt32LE(8)).toBe(110); // sizeof(struct sockaddr_un), as Python asks
  });

  it('a path longer than --max-arg-bytes is kept whole (up to PATH_MAX), as strace shows it', () => {
    const long = `${dir}/${Array(15).fill('p'.repeat(200)).join('/')}`;
    expect(long.length).toBeGreaterThan(3000);
    const p = param(find('long-path', 'enter', 'newfstatat'), 1);
    expect(p.status).toBe(TL_PARAM_OK);
    expect(p.bytes.toString('latin1')).toBe(long);
  });

  it('keyed captures: what ioctl captures depends on its request', () => {
    const ioctls = (steps.get('tty') ?? []).filter((r) => r.nr === nr('ioctl'));
    const request = (r: EnterRecord | ExitRecord): bigint | undefined =>
      r.kind === 'enter' ? r.args[1] : undefined;
    const enters = ioctls.filter((r): r is EnterRecord => r.kind === 'enter');
    // The exit that follows an enter of the same thread (records are merged in time order).
    const exitAfter = (e: EnterRecord): ExitRecord => {
      const x = ioctls
        .slice(ioctls.indexOf(e) + 1)
        .find((r): r is ExitRecord => r.kind === 'exit' && r.tid === e.tid);
      if (!x) throw new Error('no exit');
      return x;
    };
    const tcgets = enters.find((e) => request(e) === 0x5401n);
    const setWinsize = enters.find((e) => request(e) === 0x5414n);
    const getWinsize = enters.find((e) => request(e) === 0x5413n);
    if (!tcgets || !setWinsize || !getWinsize) throw new Error('an ioctl is missing');
    // TCGETS and TIOCGWINSZ fill their struct: captured at exit, nothing at enter.
    expect(tcgets.params).toEqual([]);
    expect(param(exitAfter(tcgets), 2).bytes.length).toBe(36);
    expect(getWinsize.params).toEqual([]);
    expect([...param(exitAfter(getWinsize), 2).bytes]).toEqual([24, 0, 80, 0, 0, 0, 0, 0]);
    // TIOCSWINSZ reads it: captured at enter.
    expect([...param(setWinsize, 2).bytes]).toEqual([24, 0, 80, 0, 0, 0, 0, 0]);
    expect(exitAfter(setWinsize).params).toEqual([]);
  });

  it('getdents64: the entries counted in the kernel add up to the directory', () => {
    const counts = (steps.get('listdir') ?? [])
      .filter((r): r is ExitRecord => r.kind === 'exit' && r.nr === nr('getdents64') && r.ret > 0n)
      .map((r) => {
        const p = param(r, 1);
        expect(p.status).toBe(TL_PARAM_OK);
        expect(p.want).toBe(Number(r.ret));
        return p.bytes.readUInt32LE(LAYOUT['tl_dirents_part.count']);
      });
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(302); // 300 files, . and ..
  });
});

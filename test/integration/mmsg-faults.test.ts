// Issue #12 item 8: an mmsghdr array the kernel read but the capture cannot is a fault, counted
// in the ring's `faults`, and a message the capture cannot read is never shown as read.
// sendmmsg/recvmmsg are captured at exit, after the kernel has touched (read, or written) every
// byte of what the capture reads, with one exception: the 4 bytes of padding at the end of each
// struct mmsghdr (msg_hdr is 56 bytes, msg_len 4, then 4 of padding). The kernel reads msg_hdr
// and writes msg_len, never the padding; the capture reads the whole 64 bytes. An entry placed
// so that its padding alone lies on a PROT_NONE page is a deterministic fault: the call
// succeeds, the capture's read fails, no race with another thread is needed.
// (The other reads of an mmsg capture, the first iovec and its first msg_len bytes, cannot be
// made to fault without a race: the call itself reads them, or writes them, before the exit.)
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
  parseRecords,
  type ExitRecord,
  type Param,
} from '../../src/wire.js';
import { requireRootAndBpf, runInCgroup, scratchCgroup, uniquePath } from '../helpers/system.js';

// argv[1]: "bad" places entries across the PROT_NONE boundary, "control" the same calls with
// every byte readable (and resident). Each step is marked by a write to fd 99 (EBADF).
const WORKLOAD = String.raw`
import ctypes, mmap, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.syscall.restype = ctypes.c_long
SYS_recvmmsg, SYS_sendmmsg = 299, 307
class IOV(ctypes.Structure): _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
class MSGHDR(ctypes.Structure): _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
    ("iov", ctypes.c_void_p), ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p),
    ("controllen", ctypes.c_size_t), ("flags", ctypes.c_int)]
class MMSGHDR(ctypes.Structure): _fields_ = [("hdr", MSGHDR), ("len", ctypes.c_uint)]
assert ctypes.sizeof(MMSGHDR) == 64
PAGE = mmap.PAGESIZE
area = mmap.mmap(-1, 2 * PAGE)
base = ctypes.addressof(ctypes.c_char.from_buffer(area))
# The capture cannot fault a page in either: the control's second page is touched first.
if sys.argv[1] == "bad": assert libc.mprotect(base + PAGE, PAGE, 0) == 0
else: area[PAGE] = 1
def mark(tag):
    try: os.write(99, tag.encode())
    except OSError: pass
keep = []
def entries(n, text):
    # n entries ending 4 bytes short of the second page: the last one's padding is on it.
    at = base + PAGE - 60 - 64 * (n - 1)
    for i in range(n):
        buf = ctypes.create_string_buffer(text + b"%d" % i)
        iov = IOV(ctypes.addressof(buf), len(buf) - 1)
        keep.extend([buf, iov])
        e = MMSGHDR.from_address(at + 64 * i)
        e.hdr.iov, e.hdr.iovlen = ctypes.addressof(iov), 1
    return at
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
mark("send-one")
assert libc.syscall(SYS_sendmmsg, a.fileno(), ctypes.c_void_p(entries(1, b"one-")), 1, 0) == 1
mark("recv-one")
assert libc.syscall(SYS_recvmmsg, b.fileno(), ctypes.c_void_p(entries(1, b"....")), 1, 0, None) == 1
mark("send-two")
assert libc.syscall(SYS_sendmmsg, a.fileno(), ctypes.c_void_p(entries(2, b"two-")), 2, 0) == 2
mark("end")
`;

const SENDMMSG = syscallByName('sendmmsg')!.nr;
const RECVMMSG = syscallByName('recvmmsg')!.nr;

/** The exits of sendmmsg/recvmmsg after each marker, and the cgroup's fault count. */
interface Run {
  exits: Map<string, ExitRecord>;
  faults: number;
}

describe('an mmsghdr array the capture cannot read', () => {
  let recorder: Recorder;
  const cgroups: ScratchCgroup[] = [];
  let dir: string;
  const runs = new Map<'bad' | 'control', Run>();

  beforeAll(async () => {
    requireRootAndBpf();
    dir = uniquePath('mmsg-faults');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'w.py'), WORKLOAD);
    recorder = Recorder.open({ ringPages: 256 });
    for (const how of ['control', 'bad'] as const) {
      const cg = scratchCgroup(`mmsg-${how}`);
      cgroups.push(cg);
      const id = recorder.add(cg.path).id;
      const run = await runInCgroup(cg.path, `exec python3 ${dir}/w.py ${how}`);
      expect(run.code, run.stderr).toBe(0);
      const exits = new Map<string, ExitRecord>();
      let step: string | undefined;
      for (const r of parseRecords(recorder.snapshot(id).records)) {
        if (r.kind === 'enter' && r.args[0] === 99n) step = r.params[0]?.bytes.toString('latin1');
        else if (step && r.kind === 'exit' && (r.nr === SENDMMSG || r.nr === RECVMMSG))
          exits.set(step, r);
      }
      runs.set(how, {
        exits,
        faults: recorder.stats(id).reduce((n, c) => n + Number(c.faults), 0),
      });
    }
  });

  afterAll(async () => {
    recorder?.close();
    for (const cg of cgroups) await cg.remove('kill');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const param = (how: 'bad' | 'control', step: string): Param => {
    const exit = runs.get(how)!.exits.get(step);
    expect(exit, `${how}: no exit after ${step}`).toBeDefined();
    const p = exit!.params.find((x) => x.arg === 1);
    expect(p, `${how}: no msgvec captured after ${step}`).toBeDefined();
    return p!;
  };
  /** The messages of a TL_CAP_MMSG_EXIT param: msg_len and the bytes captured of each. */
  const messages = (p: Param): Array<[number, string]> => {
    const out: Array<[number, string]> = [];
    const head = LAYOUT['sizeof(struct tl_mmsg_part)'] + LAYOUT['sizeof(struct tl_iov_part)'];
    for (let at = 0; at + head <= p.bytes.length;) {
      const part = at + LAYOUT['sizeof(struct tl_mmsg_part)'];
      const len = p.bytes.readUInt16LE(part + LAYOUT['tl_iov_part.len']);
      out.push([
        p.bytes.readUInt32LE(at + LAYOUT['tl_mmsg_part.msg_len']),
        p.bytes.toString(
          'latin1',
          part + LAYOUT['sizeof(struct tl_iov_part)'],
          part + LAYOUT['sizeof(struct tl_iov_part)'] + len,
        ),
      ]);
      at += p.bytes.readUInt32LE(at + LAYOUT['tl_mmsg_part.bytes']);
    }
    return out;
  };

  it('the control: every message read', () => {
    expect([param('control', 'send-one').status, messages(param('control', 'send-one'))]).toEqual([
      TL_PARAM_OK,
      [[5, 'one-0']],
    ]);
    expect(messages(param('control', 'recv-one'))).toEqual([[5, 'one-0']]);
    expect(messages(param('control', 'send-two'))).toEqual([
      [5, 'two-0'],
      [5, 'two-1'],
    ]);
  });

  it('the first entry unreadable: a fault, nothing shown as read (sendmmsg and recvmmsg)', () => {
    for (const step of ['send-one', 'recv-one']) {
      const p = param('bad', step);
      expect(p.status, step).toBe(TL_PARAM_FAULT);
      expect(p.bytes.length, step).toBe(0);
    }
  });

  // As an unreadable later iovec is (iov_step): a truncation, not a fault.
  it('a later entry unreadable: the messages before it, the param marked cut short', () => {
    const p = param('bad', 'send-two');
    expect(p.status).toBe(TL_PARAM_TRUNCATED);
    expect(messages(p)).toEqual([[5, 'two-0']]);
  });

  it('each unreadable capture counts in the ring’s faults, one each, nothing else differs', () => {
    // The same interpreter and the same calls: the two faulted params are the difference (the
    // cut-short one is not a fault).
    expect(runs.get('bad')!.faults - runs.get('control')!.faults).toBe(2);
  });
});

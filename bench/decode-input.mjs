// Wire records for the decode benchmark and its output check, built the way the addon hands
// them over: little-endian records concatenated into batches of about 40 KiB.
//
// benchBatches(): the benchmark's stream, shaped like a real trace.
// fuzzBatches(seed): a seeded random stream over every syscall of the table (and unknown
// numbers), with faults, truncations, errors, lost records, orphan halves, forks, late flags
// and timestamps past 2^53, so that bench/decode-digest.mjs can show that a change to the
// decoders leaves every byte of their output as it was.
import { syscallByName, SYSCALLS } from '../dist/syscalls/table.js';
import { capturesFor, isExitCapture, ruleFor } from '../dist/syscalls/rules.js';
import { syscallByNr } from '../dist/syscalls/table.js';
import {
  LAYOUT,
  TL_REC_ENTER,
  TL_REC_EXIT,
  TL_REC_LOST,
  TL_REC_PAD,
  TL_REC_PARAM,
} from '../dist/wire.js';

const align8 = (n) => (n + 7) & ~7;
const nrOf = (name) => {
  const d = syscallByName(name);
  if (!d) throw new Error(`no syscall ${name}`);
  return d.nr;
};

/** Record writers appending to `chunks`; seq counts up across the stream. */
function writer() {
  const chunks = [];
  let seq = 0;
  return {
    chunks,
    enter({
      tid,
      pid = tid,
      nr,
      ts,
      args,
      params = [],
      comm = 'worker',
      cpu = tid & 1,
      flags = 0,
    }) {
      const size = LAYOUT['sizeof(struct tl_enter)'] - 8 * (6 - args.length);
      const b = Buffer.alloc(size);
      b.writeUInt16LE(size, LAYOUT['tl_hdr.size']);
      b.writeUInt8(TL_REC_ENTER, LAYOUT['tl_hdr.type']);
      b.writeUInt8(flags, LAYOUT['tl_hdr.flags']);
      b.writeUInt32LE(tid, LAYOUT['tl_hdr.tid']);
      b.writeUInt32LE(seq++ >>> 0, LAYOUT['tl_event.seq']);
      b.writeUInt16LE(cpu, LAYOUT['tl_event.cpu']);
      b.writeUInt16LE(nr, LAYOUT['tl_event.nr']);
      b.writeBigUInt64LE(BigInt.asUintN(64, ts), LAYOUT['tl_event.ts']);
      b.writeUInt32LE(pid, LAYOUT['tl_enter.pid']);
      b.writeUInt8(args.length, LAYOUT['tl_enter.nargs']);
      b.writeUInt8(params.length, LAYOUT['tl_enter.nparams']);
      Buffer.from(comm).copy(b, LAYOUT['tl_enter.comm'], 0, 16);
      args.forEach((a, i) =>
        b.writeBigUInt64LE(BigInt.asUintN(64, a), LAYOUT['tl_enter.args'] + 8 * i),
      );
      chunks.push(b, ...params);
    },
    exit({ tid, pid = tid, nr, ts, ret, params = [], cpu = tid & 1, flags = 0 }) {
      const size = LAYOUT['sizeof(struct tl_exit)'];
      const b = Buffer.alloc(size);
      b.writeUInt16LE(size, LAYOUT['tl_hdr.size']);
      b.writeUInt8(TL_REC_EXIT, LAYOUT['tl_hdr.type']);
      b.writeUInt8(flags, LAYOUT['tl_hdr.flags']);
      b.writeUInt32LE(tid, LAYOUT['tl_hdr.tid']);
      b.writeUInt32LE(seq++ >>> 0, LAYOUT['tl_event.seq']);
      b.writeUInt16LE(cpu, LAYOUT['tl_event.cpu']);
      b.writeUInt16LE(nr, LAYOUT['tl_event.nr']);
      b.writeBigUInt64LE(BigInt.asUintN(64, ts), LAYOUT['tl_event.ts']);
      b.writeBigInt64LE(BigInt.asIntN(64, ret), LAYOUT['tl_exit.ret']);
      b.writeUInt32LE(pid, LAYOUT['tl_exit.pid']);
      b.writeUInt8(params.length, LAYOUT['tl_exit.nparams']);
      chunks.push(b, ...params);
    },
    lost({ cpu, reason, count, tsFrom, tsTo }) {
      const b = Buffer.alloc(LAYOUT['sizeof(struct tl_lost)']);
      b.writeUInt16LE(b.length, LAYOUT['tl_hdr.size']);
      b.writeUInt8(TL_REC_LOST, LAYOUT['tl_hdr.type']);
      b.writeUInt8(reason, LAYOUT['tl_hdr.flags']);
      b.writeUInt32LE(cpu >>> 0, LAYOUT['tl_lost.cpu']);
      b.writeBigUInt64LE(count, LAYOUT['tl_lost.count']);
      b.writeBigUInt64LE(tsFrom, LAYOUT['tl_lost.ts_from']);
      b.writeBigUInt64LE(tsTo, LAYOUT['tl_lost.ts_to']);
      chunks.push(b);
    },
    pad(size) {
      const b = Buffer.alloc(size);
      b.writeUInt16LE(size, LAYOUT['tl_hdr.size']);
      b.writeUInt8(TL_REC_PAD, LAYOUT['tl_hdr.type']);
      chunks.push(b);
    },
  };
}

function param(tid, arg, bytes, want = 0, status = 0) {
  const head = LAYOUT['sizeof(struct tl_param)'];
  const size = align8(head + bytes.length);
  const b = Buffer.alloc(size);
  b.writeUInt16LE(size, LAYOUT['tl_hdr.size']);
  b.writeUInt8(TL_REC_PARAM, LAYOUT['tl_hdr.type']);
  b.writeUInt32LE(tid, LAYOUT['tl_hdr.tid']);
  b.writeUInt8(arg, LAYOUT['tl_param.arg']);
  b.writeUInt8(status, LAYOUT['tl_param.status']);
  b.writeUInt16LE(bytes.length, LAYOUT['tl_param.len']);
  b.writeUInt32LE(want >>> 0, LAYOUT['tl_param.want']);
  bytes.copy(b, head);
  return b;
}

/** The benchmark's stream: 1000 rounds of about 20 records, in batches of 25 rounds. */
export function benchBatches() {
  const w = writer();
  let ts = 1_000_000_000n;
  const enter = (tid, name, args, params = []) =>
    w.enter({ tid, nr: nrOf(name), ts: (ts += 700n), args, params });
  const exit = (tid, name, ret, params = []) =>
    w.exit({ tid, nr: nrOf(name), ts: (ts += 300n), ret, params });

  const stat = Buffer.alloc(56);
  stat.writeUInt32LE(0o100644, 24);
  stat.writeBigInt64LE(12345n, 48);
  const text = Buffer.from(
    '# a configuration file\nkey = value\n\tindented\0binary\x01\x02'.repeat(4),
  );
  const path = (p) => Buffer.from(`${p}\0`);
  const AT_FDCWD = -100n;

  /** One round: about 12 lines. */
  function round(i) {
    const a = 100 + (i % 2);
    const b = 201;
    const file = `/usr/lib/x86_64-linux-gnu/lib${i % 50}.so.6`;
    enter(a, 'openat', [AT_FDCWD, 0x7f00n, 0o2000000n, 0n], [param(a, 1, path(file))]);
    exit(a, 'openat', i % 5 === 0 ? -2n : 3n);
    enter(a, 'newfstatat', [3n, 0x7f10n, 0x7ff0n, 0x1000n], [param(a, 1, path(''))]);
    exit(a, 'newfstatat', 0n, [param(a, 2, stat, 56)]);
    enter(a, 'read', [3n, 0x5000n, 4096n]);
    enter(b, 'futex', [0x7f20n, 0x80n, 2n, 0n, 0n, 0n]); // interleaves: read is split
    exit(a, 'read', BigInt(text.length), [param(a, 1, text, text.length)]);
    exit(b, 'futex', -11n);
    enter(a, 'mmap', [0n, 8192n, 3n, 0x22n, -1n, 0n]);
    exit(a, 'mmap', 0x7f0a1c000000n);
    enter(a, 'write', [1n, 0x6000n, 13n], [param(a, 1, Buffer.from('hello, world\n'), 13)]);
    exit(a, 'write', 13n);
    enter(
      b,
      'rt_sigprocmask',
      [0n, 0x7f30n, 0x7f40n, 8n],
      [param(b, 1, Buffer.from([0, 0, 1, 0, 0, 0, 0, 0]), 8)],
    );
    exit(b, 'rt_sigprocmask', 0n, [param(b, 2, Buffer.alloc(8), 8)]);
    enter(a, 'close', [3n]);
    exit(a, 'close', 0n);
    enter(b, 'epoll_wait', [4n, 0x7f50n, 8n, 100n]);
    exit(b, 'epoll_wait', 0n);
    enter(a, 'getpid', []);
    exit(a, 'getpid', BigInt(a));
  }

  // Batches of 25 rounds (about 500 records, 40 KiB), as the drain hands them to JS.
  const batches = [];
  for (let i = 0; i < 1000; i++) {
    round(i);
    if (i % 25 === 24) batches.push(Buffer.concat(w.chunks.splice(0)));
  }
  return batches;
}

/** xorshift32: the same stream for the same seed, on any machine. */
function rng(seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const int = (n) => next() % n;
  const pick = (xs) => xs[int(xs.length)];
  const chance = (p) => next() / 0x100000000 < p;
  const u64 = () => (BigInt(next()) << 32n) | BigInt(next());
  return { next, int, pick, chance, u64 };
}

/**
 * A random stream of `records` records (about) over every syscall, in batches; some batches
 * are not 8-byte aligned in memory (the parser's other path).
 */
export function fuzzBatches(seed, records = 60_000) {
  const r = rng(seed);
  const w = writer();
  const known = SYSCALLS.map((d) => d.nr);
  const unknown = [335, 400, 511, 600, 65535];
  const tids = [100, 101, 102, 200, 4242, 0xfffffff0];
  const comms = ['worker', 'a', 'fifteen_chars__', 'sixteen_chars___', 'wörker', ''];
  const commOf = new Map(tids.map((t) => [t, r.pick(comms)]));
  const inFlight = new Map();
  // Around 2^53 ns (104 days of uptime) and far past it, as well as small.
  let ts = r.pick([1_000_000_000n, 2n ** 53n - 5_000_000n, 2n ** 63n + 12345n]);

  const arg = () => {
    switch (r.int(12)) {
      case 0:
        return 0n;
      case 1:
        return -1n;
      case 2:
        return -100n;
      case 3:
        return BigInt(r.int(16));
      case 4:
        return BigInt(r.int(70000));
      case 5:
        return BigInt(r.next());
      case 6:
        return BigInt(r.next()) | (BigInt(r.next()) << 32n);
      case 7:
        return 0x7ffc00000000n + BigInt(r.int(1 << 20));
      case 8:
        return BigInt(1 << r.int(31));
      case 9:
        return BigInt(-r.int(5000));
      case 10:
        return 0xffffffffn;
      default:
        return BigInt(r.int(0x80000)) | BigInt(r.pick([0, 0o100, 0o2000000, 0x410000]));
    }
  };
  const ret = () => {
    switch (r.int(10)) {
      case 0:
      case 1:
        return 0n;
      case 2:
        return BigInt(-1 - r.int(140));
      case 3:
        return BigInt(-1 - r.int(4095));
      case 4:
        return BigInt(r.pick([-512, -513, -514, -516, -4096, -4097]));
      case 5:
        return r.u64();
      case 6:
        return BigInt(r.int(1 << 20));
      case 7:
        return 0x7f0a1c000000n + BigInt(r.int(1 << 30));
      default:
        return BigInt(r.int(64));
    }
  };
  const bytes = (n) => {
    const b = Buffer.alloc(n);
    const style = r.int(4);
    for (let i = 0; i < n; i++) {
      if (style === 0) b[i] = 0x20 + r.int(95);
      else if (style === 1)
        b[i] = r.pick([
          0x30, 0x31, 0x37, 0x38, 0, 1, 9, 10, 13, 0x22, 0x5c, 0x7f, 0xc3, 0xa9, 0x61,
        ]);
      else b[i] = r.int(256);
    }
    return b;
  };
  const capturedParams = (tid, nr, exit) => {
    const out = [];
    for (const c of capturesFor(nr)) {
      if (isExitCapture(c.kind) !== exit) continue;
      if (r.chance(0.1)) continue;
      let len;
      if (c.kind === 1) len = r.int(80);
      else if (c.kind === 4 || c.kind === 5)
        len = r.chance(0.85) ? c.size : r.int((c.size ?? 8) + 1);
      else len = r.int(300);
      let b = bytes(Math.min(len, 4096));
      if (c.kind === 1 && r.chance(0.7))
        b = Buffer.concat([b.subarray(0, r.int(b.length + 1)), Buffer.from([0])]);
      if (c.kind === 7) {
        const n = r.int(6);
        b = Buffer.concat(
          Array.from({ length: n }, () => Buffer.from(`${'x'.repeat(r.int(40))}\0`)),
        );
      }
      const status = r.chance(0.8) ? 0 : r.int(3);
      const want = c.kind === 1 ? 0 : r.chance(0.7) ? b.length : r.int(5000);
      out.push(param(tid, c.arg, b, want, status));
    }
    // A stray param of another thread: dropped by the parser.
    if (r.chance(0.02)) out.push(param(tid + 1, 0, bytes(5)));
    return out;
  };

  const batches = [];
  let n = 0;
  while (n < records) {
    ts += BigInt(r.int(3000));
    if (r.chance(0.003)) ts -= 5000n; // records a little out of order
    const tid = r.pick(tids);
    const flags = r.chance(0.03) ? 1 : 0;
    const cpu = r.chance(0.9) ? r.int(4) : 0xffff;
    const roll = r.int(1000);
    if (roll < 4) {
      w.lost({
        cpu: r.chance(0.3) ? 0xffffffff : r.int(4),
        reason: r.int(7),
        count: r.pick([0n, 1n, 2n, r.u64()]),
        tsFrom: r.chance(0.3) ? 0n : ts - 10000n,
        tsTo: r.chance(0.3) ? 0n : ts,
      });
    } else if (roll < 8) {
      w.pad(8 * (1 + r.int(4)));
    } else if (roll < 14) {
      // a new child's first return, or an exit whose enter was lost
      const nr = r.chance(0.5)
        ? r.pick(['clone', 'fork', 'clone3', 'vfork'].map(nrOf))
        : r.pick(known);
      w.exit({
        tid,
        nr,
        ts,
        ret: r.chance(0.5) ? 0n : ret(),
        cpu,
        flags,
        params: capturedParams(tid, nr, true),
      });
    } else if (inFlight.has(tid) && r.chance(0.9)) {
      const { nr } = inFlight.get(tid);
      inFlight.delete(tid);
      let rv = ret();
      const params = capturedParams(tid, nr, true);
      if (nr === nrOf('wait4') && r.chance(0.5)) {
        rv = BigInt(r.pick(tids));
        const st = Buffer.alloc(4);
        st.writeInt32LE(r.pick([0, 9, 0x89, 0x7f, 0x100, 15, 0x8b]));
        params.push(param(tid, 1, st, 4));
      }
      w.exit({ tid, nr: r.chance(0.97) ? nr : r.pick(known), ts, ret: rv, cpu, flags, params });
    } else {
      const nr = r.chance(0.97) ? r.pick(known) : r.pick(unknown);
      const def = syscallByNr(nr);
      const nargs = r.chance(0.95) ? ruleFor(def).nargs : r.int(7);
      const args = Array.from({ length: nargs }, arg);
      if (nr === nrOf('exit_group') && nargs > 0) args[0] = BigInt(r.int(300));
      let comm = commOf.get(tid);
      if (r.chance(0.01)) commOf.set(tid, (comm = r.pick(comms)));
      w.enter({
        tid,
        pid: tid - (tid % 2),
        nr,
        ts,
        args,
        params: capturedParams(tid, nr, false),
        comm,
        cpu,
        flags,
      });
      inFlight.set(tid, { nr });
    }
    n++;
    if (n % 400 === 0 || n >= records) {
      const all = Buffer.concat(w.chunks.splice(0));
      if (r.chance(0.3)) {
        // Not 8-byte aligned in memory: readBigUInt64LE instead of a 64-bit view.
        const host = Buffer.alloc(all.length + 4);
        all.copy(host, 4);
        batches.push(host.subarray(4));
      } else {
        batches.push(all);
      }
    }
  }
  return batches;
}

// Decode + format throughput: wire records (as the addon hands them over) parsed by
// parseRecords and turned into strace lines by createLineFormatter, on one core, in lines/s.
// The records are synthetic but shaped like a real trace: a mix of path, buffer and struct
// captures, flag sets, errors, and two threads interleaving (so some calls split into
// `<unfinished ...>` / `<... resumed>`). Prints a markdown section; bench/run.sh appends it
// to bench/results.md.
//
// usage: node bench/decode.mjs [LINES]
import { createLineFormatter } from '../dist/format/index.js';
import { syscallByName } from '../dist/syscalls/table.js';
import { LAYOUT, TL_REC_ENTER, TL_REC_EXIT, TL_REC_PARAM, parseRecords } from '../dist/wire.js';

const target = Number(process.argv[2] ?? '1000000');
const nr = (name) => {
  const d = syscallByName(name);
  if (!d) throw new Error(`no syscall ${name}`);
  return d.nr;
};

const chunks = [];
let seq = 0;
let ts = 1_000_000_000n;
const align8 = (n) => (n + 7) & ~7;

function enter(tid, name, args, params = []) {
  const size = LAYOUT['sizeof(struct tl_enter)'] - 8 * (6 - args.length);
  const b = Buffer.alloc(size);
  b.writeUInt16LE(size, LAYOUT['tl_hdr.size']);
  b.writeUInt8(TL_REC_ENTER, LAYOUT['tl_hdr.type']);
  b.writeUInt32LE(tid, LAYOUT['tl_hdr.tid']);
  b.writeUInt32LE(seq++, LAYOUT['tl_event.seq']);
  b.writeUInt16LE(tid & 1, LAYOUT['tl_event.cpu']);
  b.writeUInt16LE(nr(name), LAYOUT['tl_event.nr']);
  b.writeBigUInt64LE((ts += 700n), LAYOUT['tl_event.ts']);
  b.writeUInt32LE(tid, LAYOUT['tl_enter.pid']);
  b.writeUInt8(args.length, LAYOUT['tl_enter.nargs']);
  b.writeUInt8(params.length, LAYOUT['tl_enter.nparams']);
  b.write('worker', LAYOUT['tl_enter.comm']);
  args.forEach((a, i) =>
    b.writeBigUInt64LE(BigInt.asUintN(64, a), LAYOUT['tl_enter.args'] + 8 * i),
  );
  chunks.push(b, ...params);
}

function exit(tid, name, ret, params = []) {
  const size = LAYOUT['sizeof(struct tl_exit)'];
  const b = Buffer.alloc(size);
  b.writeUInt16LE(size, LAYOUT['tl_hdr.size']);
  b.writeUInt8(TL_REC_EXIT, LAYOUT['tl_hdr.type']);
  b.writeUInt32LE(tid, LAYOUT['tl_hdr.tid']);
  b.writeUInt32LE(seq++, LAYOUT['tl_event.seq']);
  b.writeUInt16LE(tid & 1, LAYOUT['tl_event.cpu']);
  b.writeUInt16LE(nr(name), LAYOUT['tl_event.nr']);
  b.writeBigUInt64LE((ts += 300n), LAYOUT['tl_event.ts']);
  b.writeBigInt64LE(ret, LAYOUT['tl_exit.ret']);
  b.writeUInt32LE(tid, LAYOUT['tl_exit.pid']);
  b.writeUInt8(params.length, LAYOUT['tl_exit.nparams']);
  chunks.push(b, ...params);
}

function param(tid, arg, bytes, want = 0) {
  const head = LAYOUT['sizeof(struct tl_param)'];
  const size = align8(head + bytes.length);
  const b = Buffer.alloc(size);
  b.writeUInt16LE(size, LAYOUT['tl_hdr.size']);
  b.writeUInt8(TL_REC_PARAM, LAYOUT['tl_hdr.type']);
  b.writeUInt32LE(tid, LAYOUT['tl_hdr.tid']);
  b.writeUInt8(arg, LAYOUT['tl_param.arg']);
  b.writeUInt16LE(bytes.length, LAYOUT['tl_param.len']);
  b.writeUInt32LE(want, LAYOUT['tl_param.want']);
  bytes.copy(b, head);
  return b;
}

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
  if (i % 25 === 24) batches.push(Buffer.concat(chunks.splice(0)));
}
const bytes = batches.reduce((n, b) => n + b.length, 0);
const time = (t) => `${t}`;

function pass() {
  const f = createLineFormatter({ time, maxString: 32 });
  let n = 0;
  for (const batch of batches) n += f.push(parseRecords(batch)).length;
  return n + f.flush().length;
}

const perPass = pass();
for (let i = 0; i < 20; i++) pass(); // warm up
const samples = [];
const cpuSamples = [];
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
for (let r = 0; r < 5; r++) {
  let lines = 0;
  const t0 = process.hrtime.bigint();
  const c0 = cpuUs();
  while (lines < target) lines += pass();
  const ns = Number(process.hrtime.bigint() - t0);
  cpuSamples.push((lines / (cpuUs() - c0)) * 1e6);
  samples.push((lines / ns) * 1e9);
}
samples.sort((x, y) => x - y);
cpuSamples.sort((x, y) => x - y);
const median = samples[2];
const cpuMedian = cpuSamples[2];
const [load1] = (await import('node:os')).loadavg();
const mib = (bytes * (median / perPass)) / (1 << 20);

console.log(`
## Decode + format throughput

\`\`\`sh
node bench/decode.mjs ${target}   # run by bench/run.sh
\`\`\`

parseRecords + createLineFormatter on one core (the JS thread), over a synthetic ${(bytes / 1024).toFixed(0)} KiB
stream of ${perPass} lines in batches of about 40 KiB (as the drain hands them over) shaped like a real trace (paths, buffers, structs, flag sets, errors, two
threads interleaving); median of 5 runs of ${target} lines each, Node ${process.version}, load
average ${load1.toFixed(1)} on ${(await import('node:os')).cpus().length} CPUs when it ran. Per CPU second counts only the time this process was on a CPU.

| lines/s (wall) | lines per CPU second | wire MiB/s (wall) |
|---:|---:|---:|
| ${Math.round(median).toLocaleString('en-US')} | ${Math.round(cpuMedian).toLocaleString('en-US')} | ${mib.toFixed(0)} |
`);

// Decode + format throughput: wire records (as the addon hands them over) parsed by
// parseRecords and turned into strace lines by createLineFormatter, on one core, in lines/s.
// The records are synthetic but shaped like a real trace: a mix of path, buffer and struct
// captures, flag sets, errors, and two threads interleaving (so some calls split into
// `<unfinished ...>` / `<... resumed>`). Prints a markdown section; bench/run.sh appends it
// to bench/results.md.
//
// usage: node bench/decode.mjs [LINES] [--wall]
import { createWallClock, sampleClocks } from '../dist/clock.js';
import { createLineFormatter } from '../dist/format/index.js';
import { parseRecords } from '../dist/wire.js';
import { benchBatches } from './decode-input.mjs';

const target = Number(process.argv[2] ?? '1000000');
// --wall: timestamps as the CLI prints them (src/dump.ts's wall clock) instead of raw ns.
const wall = process.argv.includes('--wall');
// --fds: with strace -y's fd names (the table from the records alone: no /proc here).
const fds = process.argv.includes('--fds');

const batches = benchBatches();
const bytes = batches.reduce((n, b) => n + b.length, 0);
const time = wall ? createWallClock(sampleClocks()) : (t) => `${t}`;

function pass() {
  const f = createLineFormatter({ time, maxString: 32, decodeFds: fds });
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
node bench/decode.mjs ${target}${wall ? ' --wall' : ''}${fds ? ' --fds' : ''}   # run by bench/run.sh
\`\`\`

parseRecords + createLineFormatter on one core (the JS thread), over a synthetic ${(bytes / 1024).toFixed(0)} KiB
stream of ${perPass} lines in batches of about 40 KiB (as the drain hands them over) shaped like a real trace (paths, buffers, structs, flag sets, errors, two
threads interleaving); median of 5 runs of ${target} lines each, Node ${process.version}, load
average ${load1.toFixed(1)} on ${(await import('node:os')).cpus().length} CPUs when it ran. Per CPU second counts only the time this process was on a CPU.

| lines/s (wall) | lines per CPU second | wire MiB/s (wall) |
|---:|---:|---:|
| ${Math.round(median).toLocaleString('en-US')} | ${Math.round(cpuMedian).toLocaleString('en-US')} | ${mib.toFixed(0)} |
`);

// The drain's throughput, two ways; prints a markdown section that
// bench/run.sh appends to bench/results.md.
//  1. Reader + merger alone, on synthetic full rings (native/synthetic.cc):
//     events per second on one core, for several ring sizes and CPU counts.
//  2. Live watching of a write loop at full speed on CPU 0, with the real
//     BPF programs and drain thread: events per second delivered to JS, the
//     share marked lost, the drain thread's CPU time, and the live stream's
//     memory per 1M events.
//
// usage: node bench/drain.mjs WRITELOOP CGROUP_PARENT [CALLS]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadNative } from '../dist/native.js';
import { Recorder } from '../dist/recorder.js';
import { parseRecords } from '../dist/wire.js';

const [writeloop, parent, callsArg = '2000000'] = process.argv.slice(2);
if (!writeloop || !parent) throw new Error('usage: drain.mjs WRITELOOP CGROUP_PARENT [CALLS]');
const native = loadNative();

const synthetic = [];
for (const [ncpus, ringBytes] of [
  [2, 256 << 10],
  [2, 1 << 20],
  [8, 1 << 20],
  [2, 16 << 20],
]) {
  native.benchDrain(ncpus, ringBytes, 1); // warm up
  const r = native.benchDrain(ncpus, ringBytes, 10);
  synthetic.push({ ncpus, ringBytes, events: r.events, perSec: r.events / (r.ns / 1e9) });
}

// The drain thread's CPU time, from /proc (utime + stime, clock ticks).
const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
function drainCpuSeconds() {
  for (const tid of fs.readdirSync('/proc/self/task')) {
    const comm = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
    if (comm !== 'tl-drain') continue;
    const fields = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticks;
  }
  return NaN;
}

const dir = path.join(parent, 'drain-live');
fs.mkdirSync(dir, { recursive: true });
const recorder = Recorder.open({ ringPages: 64, maxArgBytes: 64 });
let live;
try {
  const { id } = recorder.add(dir);
  let events = 0;
  let lost = 0;
  let bytes = 0;
  recorder.watch(id, (buf) => {
    bytes += buf.length;
    for (const r of parseRecords(buf)) {
      if (r.kind === 'lost') lost += Number(r.count);
      else events++;
    }
  });
  const rss0 = process.memoryUsage().rss;
  const cpu0 = drainCpuSeconds();
  const t0 = process.hrtime.bigint();
  // The loop runs in a child; this process keeps its event loop free to receive.
  const child = await import('node:child_process');
  await new Promise((resolve, reject) => {
    const p = child.spawn('/bin/sh', [
      '-c',
      `echo $$ > "$0/cgroup.procs" && exec taskset -c 0 "$1" "$2"`,
      dir,
      writeloop,
      callsArg,
    ]);
    p.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`writeloop exited ${code}`)),
    );
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  recorder.unwatch(id);
  const cpu = drainCpuSeconds() - cpu0;
  const emitted = recorder.stats(id).reduce((s, c) => s + c.emitted, 0);
  live = {
    seconds,
    emitted,
    events,
    lost,
    drainCpu: cpu / seconds,
    bytesPerMillion: (bytes / Math.max(events, 1)) * 1e6,
    rssGrowth: process.memoryUsage().rss - rss0,
  };
} finally {
  recorder.close();
  fs.rmdirSync(dir);
}

const M = (x) => (x / 1e6).toFixed(2);
console.log(`
## Drain and merge throughput

\`\`\`sh
node bench/drain.mjs bench/out/writeloop <cgroup2>/traceloop-bench ${callsArg}   # run by bench/run.sh
\`\`\`

Reader and merger alone (\`native/synthetic.cc\`: rings filled as the BPF writer fills them, then read
with fresh cursors and merged by the live merger; one thread):

| CPUs × ring | events | M events/s |
|---|---:|---:|
${synthetic.map((s) => `| ${s.ncpus} × ${s.ringBytes >> 10} KiB | ${s.events} | ${M(s.perSec)} |`).join('\n')}

Live: a \`write(fd, 64 B)\` loop of ${callsArg} calls at full speed on CPU 0, watched through the drain
thread (50 ms period) into JS, 64-page rings:

| | |
|---|---:|
| records emitted by BPF | ${live.emitted} |
| delivered to JS | ${live.events} (${M(live.events / live.seconds)} M/s) |
| marked lost | ${live.lost} (${((100 * live.lost) / Math.max(live.emitted, 1)).toFixed(1)}%) |
| shown + marked = emitted | ${live.events + live.lost === live.emitted ? 'yes' : 'NO'} |
| drain thread CPU | ${(100 * live.drainCpu).toFixed(1)}% of a core |
| live stream bytes per 1M events | ${M(live.bytesPerMillion)} MB |
`);

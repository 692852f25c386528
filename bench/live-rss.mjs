#!/usr/bin/env node
// The recorder process's memory under a fast live stream: a `dd bs=1` in a fresh cgroup, watched
// through the drain thread into JS for SECONDS; RSS sampled every 2 s. With STALL_MS, the JS
// thread blocks that long in the first batch (the outbox fills, batches are dropped and marked).
//
//   node bench/live-rss.mjs <cgroup2>/traceloop-test SECONDS [STALL_MS]   # as root, after npm run build
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Recorder } from '../dist/recorder.js';

const [base, secondsArg = '20', stallArg = '0'] = process.argv.slice(2);
if (!base) {
  console.error('usage: live-rss.mjs <cgroup2 parent dir> [SECONDS] [STALL_MS]');
  process.exit(2);
}
const cg = path.join(base, `live-rss-${process.pid}`);
fs.mkdirSync(cg, { recursive: true });
const rssMiB = () =>
  Math.round(Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) / 1024);
const idle = rssMiB();
const recorder = Recorder.open({ ringPages: 1024 });
const c = recorder.add(cg);
const load = spawn('sh', [
  '-c',
  `echo $$ > ${cg}/cgroup.procs; exec dd if=/dev/zero of=/dev/null bs=1`,
]);
let bytes = 0;
let stalled = Number(stallArg) <= 0;
recorder.watch(c.id, (b) => {
  bytes += b.length;
  if (!stalled) {
    stalled = true;
    const end = Date.now() + Number(stallArg);
    while (Date.now() < end);
  }
});
const samples = [];
for (let t = 0; t < Number(secondsArg); t += 2) {
  await new Promise((r) => setTimeout(r, 2000));
  samples.push(rssMiB());
}
load.kill('SIGKILL');
recorder.unwatch(c.id);
const notShown = recorder.notShown(c.id);
recorder.remove(c.id);
recorder.close();
await new Promise((r) => setTimeout(r, 300));
fs.rmdirSync(cg);
console.log(
  JSON.stringify({
    idleMiB: idle,
    rssMiB: samples,
    streamedMiB: Math.round(bytes / 2 ** 20),
    notShown,
  }),
);

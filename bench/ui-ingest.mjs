// What the UI's store costs to index a busy stream (StreamStore.ingest alone: no line decoded),
// strace -y's fd names off and on, over bench/decode-input.mjs's mix (about one line in six an
// openat or a close, which the names' tables are fed). Lines per CPU second, the median of 7
// runs of each, alternated. A build without the option ignores it (both columns then equal).
// usage: node bench/ui-ingest.mjs [DIST]     (default: this checkout's dist/)
import path from 'node:path';
import { benchBatches } from './decode-input.mjs';

const dist = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'dist'));
const { StreamStore } = await import(path.join(dist, 'ui', 'store.js'));
const batches = benchBatches();

function run(decodeFds) {
  const store = new StreamStore({ time: String, decodeFds });
  const t0 = process.cpuUsage();
  for (let rep = 0; rep < 10; rep++) for (const b of batches) store.ingest(b);
  const used = process.cpuUsage(t0);
  return store.total / ((used.user + used.system) / 1e6);
}

const off = [];
const on = [];
for (let i = 0; i < 7; i++) {
  off.push(run(false));
  on.push(run(true));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`${dist}: names off ${fmt(median(off))} lines/s, names on ${fmt(median(on))} lines/s`);

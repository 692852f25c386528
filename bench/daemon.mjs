// The daemon's two figures: how long a dump of a cgroup whose 64-page ring
// is full on every CPU takes through the socket (text, jsonl, raw), and how
// much memory the daemon holds with 128 registered cgroups (its own RSS and
// the rings' kernel memory). Prints a markdown section; bench/run.sh appends
// it to bench/results.md.
//
// usage: node bench/daemon.mjs CGROUP_PARENT [DUMP_ROUNDS]
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const [parent, roundsArg = '10'] = process.argv.slice(2);
if (!parent) throw new Error('usage: daemon.mjs CGROUP_PARENT [DUMP_ROUNDS]');
const rounds = Number(roundsArg);
const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-bench-daemon-'));
const socket = path.join(dir, 'tl.sock');
const PAGES = 64;
const CGROUPS = 128;

const get = (target) =>
  new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    http
      .get({ socketPath: socket, path: target }, (res) => {
        let bytes = 0;
        let body = [];
        res.on('data', (c) => {
          bytes += c.length;
          if (body) body.push(c);
          if (bytes > 1 << 20) body = null; // keep small bodies only
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            bytes,
            ms: Number(process.hrtime.bigint() - t0) / 1e6,
            text: body ? Buffer.concat(body).toString() : '',
          }),
        );
      })
      .on('error', reject);
  });
const must = async (target) => {
  const r = await get(target);
  if (r.status !== 200) throw new Error(`${target}: ${r.status} ${r.text}`);
  return r;
};
const rssOf = (pid) => {
  const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(st)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), shared: kb('RssFile') + kb('RssShmem') };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (n) => (n / (1 << 20)).toFixed(1);

const made = [];
const mk = (name) => {
  const p = path.join(parent, name);
  fs.mkdirSync(p, { recursive: true });
  made.push(p);
  return p;
};

const daemon = spawn(
  process.execPath,
  [path.join(root, 'dist/cli.js'), 'serve', '--socket', socket, '--ring-pages', String(PAGES)],
  {
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
let log = '';
daemon.stderr.on('data', (d) => (log += d));
const out = {};
try {
  for (let i = 0; !log.includes('serving on'); i++) {
    if (i > 400 || daemon.exitCode !== null) throw new Error(`the daemon did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const ncpus = os.cpus().length;

  // 1. A full ring on every CPU: a write loop pinned to each CPU until the ring has wrapped.
  const full = mk('daemon-full');
  await must(`/add?name=full&cgrouppath=${encodeURIComponent(full)}`);
  for (let cpu = 0; cpu < ncpus; cpu++) {
    execFileSync('/bin/sh', [
      '-c',
      `echo $$ > "$0/cgroup.procs" && exec taskset -c ${cpu} dd if=/dev/zero of=/dev/null bs=1 count=40000 status=none`,
      full,
    ]);
  }
  const stats = JSON.parse((await must('/stats?name=full&format=json')).text).cgroups[0];
  const fills = stats.cpus.filter((c) => c.emitted > 0).map((c) => c.fill);
  if (fills.length < ncpus || fills.some((f) => f < 1))
    throw new Error(`rings not full: ${JSON.stringify(fills)}`);
  out.records = stats.cpus.reduce((s, c) => s + c.emitted, 0);
  for (const format of ['text', 'jsonl', 'raw']) {
    const times = [];
    let bytes = 0;
    for (let r = 0; r < rounds; r++) {
      const a = await must(`/dump-by-name?name=full&format=${format}`);
      times.push(a.ms);
      bytes = a.bytes;
    }
    out[format] = { ms: median(times), min: Math.min(...times), max: Math.max(...times), bytes };
  }
  // Records in one dump: count the raw dump's records through a jsonl dump's lines.
  out.lines = (await get('/dump-by-name?name=full&format=jsonl')).bytes;
  const rssOne = rssOf(daemon.pid);

  // 2. 128 registered cgroups.
  for (let i = 1; i < CGROUPS; i++) {
    const p = mk(`daemon-${i}`);
    await must(`/add?name=cg-${i}&cgrouppath=${encodeURIComponent(p)}`);
  }
  await new Promise((r) => setTimeout(r, 500));
  const all = JSON.parse((await must('/stats?format=json')).text);
  out.cgroups = all.cgroups.length;
  out.rss128 = rssOf(daemon.pid);
  out.rssOne = rssOne;
  out.rings128 = all.daemon.ringMemoryBytes;
  out.list128 = median(
    await Promise.all(Array.from({ length: 5 }, () => must('/list'))).then((xs) =>
      xs.map((x) => x.ms),
    ),
  );
  out.stats128 = (await must('/stats?format=json')).ms;
  out.ncpus = ncpus;
} finally {
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.on('exit', r));
  for (const p of made.reverse()) {
    try {
      fs.rmdirSync(p);
    } catch {
      // a process still in it: left for the caller's cleanup
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

const row = (f) =>
  `| ${f} | ${out[f].ms.toFixed(1)} | ${out[f].min.toFixed(1)}–${out[f].max.toFixed(1)} | ${mib(out[f].bytes)} |`;
console.log(`
## Daemon: dump time and memory

\`\`\`sh
node bench/daemon.mjs <cgroup2>/traceloop-bench ${rounds}   # run by bench/run.sh
\`\`\`

A \`traceloop serve\` process (\`--ring-pages ${PAGES}\`: 256 KiB per CPU, as the original), one cgroup whose
ring has wrapped on every one of the ${out.ncpus} CPUs (a \`dd bs=1\` pinned to each; ${out.records} records
emitted, the ring holding the newest), dumped over the unix socket ${rounds} times per format; the time is
from the request to the last byte, as a client sees it. Load average when it ran: ${os.loadavg()[0].toFixed(1)} on ${out.ncpus} CPUs
(a loaded machine stretches the median; the minimum is the cost on a quiet one).

| format | median ms | range ms | body MiB |
|---|---:|---:|---:|
${row('text')}
${row('jsonl')}
${row('raw')}

With ${out.cgroups} registered cgroups (one full, the rest idle), the daemon's RSS is ${mib(out.rss128.rss)} MiB: ${mib(out.rss128.anon)} MiB
its own (heap, code; ${mib(out.rssOne.anon)} MiB with the one cgroup, after the dumps) and ${mib(out.rss128.shared)} MiB of mapped pages
(the rings, mapped read-only: the same kernel memory as below, not a copy; and shared libraries). The rings themselves take ${mib(out.rings128)} MiB of kernel memory
(${PAGES} pages + control block per CPU per cgroup), accounted to the daemon's memory cgroup. \`/list\` answers in
${out.list128.toFixed(1)} ms, \`/stats\` (every cgroup and CPU) in ${out.stats128.toFixed(1)} ms. The original's Kubernetes mode
preallocated 128 × 64 pages × CPUs up front (512 MiB on 16 CPUs); here a ring exists only while its cgroup is
registered.
`);

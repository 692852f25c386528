// What each part of a recorded syscall costs, measured by leaving it out: the clock (one
// bpf_ktime_get_ns per program run), the ring's lock (one locked exchange per run) and the copy of
// a captured buffer (bpf_probe_read_user). A recorder that keeps times, durations and the bytes
// cannot drop them; what remains after all three is everything else the programs do (finding the
// ring, the rule, the records), the only part left to optimise (issue #11).
//
// Like prog-cost.mjs, from the kernel's own accounting (kernel.bpf_stats_enabled: run_time_ns /
// run_cnt per program), the workload pinned to CPU 0 in a cgroup of its own. Each round runs every
// variant once, in a rotated order; "less than active" is the median of the per-round differences.
// The counts include every other process's syscalls meanwhile (see bench/bpf-stats.mjs).
// The variants load the same programs with TRACELOOP_BENCH_SKIP (src/recorder.ts, enum
// tl_bench_skip in bpf/traceloop.h) or TRACELOOP_BENCH_FLOOR; their records are not worth reading.
//
// usage: node bench/cost-parts.mjs CGROUP_PARENT ROUNDS LABEL -- COMMAND [ARG...]
// Prints a markdown section; bench/run.sh appends it to bench/results.md.
import fs from 'node:fs';
import path from 'node:path';
import { Recorder } from '../dist/recorder.js';
import { costPerRun, median, withBpfStats } from './bpf-stats.mjs';

const dash = process.argv.indexOf('--');
const [parent, roundsArg, label] = process.argv.slice(2, dash < 0 ? undefined : dash);
const command = dash < 0 ? [] : process.argv.slice(dash + 1);
if (!parent || !roundsArg || !label || command.length === 0)
  throw new Error('usage: cost-parts.mjs CGROUP_PARENT ROUNDS LABEL -- COMMAND [ARG...]');
const rounds = Number(roundsArg);
// The command as printed: paths inside this checkout relative to it, as a reader would type them.
const root = path.resolve(import.meta.dirname, '..');
const shown = command.map((a) => (a.startsWith(root + path.sep) ? path.relative(root, a) : a));

const VARIANTS = [
  { name: 'floor', title: 'attached, doing nothing', env: { TRACELOOP_BENCH_FLOOR: '1' } },
  { name: 'active', title: 'active', env: {} },
  { name: 'clock', title: 'active without the clock', env: { TRACELOOP_BENCH_SKIP: 'clock' } },
  { name: 'lock', title: 'active without the lock', env: { TRACELOOP_BENCH_SKIP: 'lock' } },
  { name: 'copy', title: 'active without the copy', env: { TRACELOOP_BENCH_SKIP: 'copy' } },
  {
    name: 'bare',
    title: 'active without all three',
    env: { TRACELOOP_BENCH_SKIP: 'clock,lock,copy' },
  },
];

const dir = path.join(parent, 'cost-parts');
fs.mkdirSync(dir, { recursive: true });
/** variant name -> per round, ns per syscall (enter + exit) and each side */
const samples = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));

/** Loads the programs as variant v asks, runs the workload once, returns its cost per run. */
const measure = (v) =>
  costPerRun(
    () => {
      Object.assign(process.env, v.env);
      try {
        return Recorder.open({ ringPages: 64, maxArgBytes: 256 });
      } finally {
        for (const k of Object.keys(v.env)) delete process.env[k];
      }
    },
    dir,
    dir,
    command,
  );

try {
  withBpfStats(() => {
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(r + k) % VARIANTS.length];
        samples[v.name].push(measure(v));
      }
    }
  });
} finally {
  fs.rmdirSync(dir);
}

const sum = (s) => s.enter + s.exit;
const med = (name, f) => median(samples[name].map(f));
const lessThanActive = (name) =>
  median(samples[name].map((s, r) => sum(samples.active[r]) - sum(s)));
const fmt = (x) => x.toFixed(0);
const rows = VARIANTS.map(
  (v) =>
    `| ${v.title} | ${fmt(med(v.name, (s) => s.enter))} | ${fmt(med(v.name, (s) => s.exit))} | ` +
    `${fmt(med(v.name, sum))} | ${v.name === 'active' ? '–' : fmt(lessThanActive(v.name))} |`,
);
const parts = lessThanActive('bare');
const rest = median(samples.bare.map((s, r) => sum(s) - sum(samples.floor[r])));
const overFloor = median(samples.active.map((s, r) => sum(s) - sum(samples.floor[r])));
console.log(`
### ${label}

\`\`\`sh
node bench/cost-parts.mjs <cgroup2>/traceloop-bench ${rounds} '${label}' -- ${shown.join(' ')}   # run by bench/run.sh
\`\`\`

| variant | sys_enter ns/run | sys_exit ns/run | per syscall | less than active |
|---|---:|---:|---:|---:|
${rows.join('\n')}

Active costs ${fmt(overFloor)} ns per syscall over the empty programs: ${fmt(parts)} ns of it are
the clock, the lock and the copy together (active less "without all three"), ${fmt(rest)} ns everything
else (the programs' own work over the empty ones: "without all three" less the floor).
`);

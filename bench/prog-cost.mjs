// The cost of our BPF programs per run, from the kernel's own accounting
// (kernel.bpf_stats_enabled: run_time_ns / run_cnt per program), while the
// write loop runs passive (its cgroup not registered) and active. Unlike
// ns per syscall, this is immune to how slow syscalls are on the host.
// Prints a markdown section; bench/run.sh appends it to bench/results.md.
//
// usage: node bench/prog-cost.mjs WRITELOOP_BINARY CGROUP_PARENT [ROUNDS] [CALLS] [--armed ERRNOS]
//
// --armed 9,111: a third variant, `armed`, alternated with the others in each round: the same
// active cgroup with these errno numbers armed as triggers (src/triggers/), disarmed again for
// the other variants. With bench/failloop.c (every call fails with EBADF, 9) each call counts
// a trigger; with writeloop none does, and only the failed-call test remains.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Recorder } from '../dist/recorder.js';

const args = process.argv.slice(2);
const armedAt = args.indexOf('--armed');
const armed = armedAt >= 0 ? args.splice(armedAt, 2)[1].split(',').map(Number) : undefined;
const [writeloop, parent, roundsArg = '5', callsArg = '500000'] = args;
if (!writeloop || !parent)
  throw new Error('usage: prog-cost.mjs WRITELOOP CGROUP_PARENT [ROUNDS] [CALLS] [--armed ERRNOS]');
const rounds = Number(roundsArg);
const calls = Number(callsArg);

const progs = () =>
  JSON.parse(execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' }));
const statsWas = fs.readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim();
const dirs = {
  passive: path.join(parent, 'cost-passive'),
  active: path.join(parent, 'cost-active'),
};
for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });

const samples = {
  floor: { enter: [], exit: [] },
  passive: { enter: [], exit: [] },
  active: { enter: [], exit: [] },
  armed: { enter: [], exit: [] },
};

/** Runs the write loop in `dir` and adds the per-run cost of `mine` (our two programs) to `into`. */
function measure(mine, dir, into) {
  const snap = () =>
    Object.fromEntries(
      progs()
        .filter((p) => mine.some((m) => m.id === p.id))
        .map((p) => [
          p.name === 'tl_sys_enter' ? 'enter' : 'exit',
          [p.run_time_ns ?? 0, p.run_cnt ?? 0],
        ]),
    );
  const a = snap();
  execFileSync('/bin/sh', [
    '-c',
    `echo $$ > "$0/cgroup.procs" && exec taskset -c 0 "$1" "$2"`,
    dir,
    writeloop,
    String(calls),
  ]);
  const b = snap();
  for (const k of ['enter', 'exit']) into[k].push((b[k][0] - a[k][0]) / (b[k][1] - a[k][1]));
}

/** Opens a recorder (the floor: programs that return at once) and returns it with its programs. */
function open(floor) {
  const before = new Set(progs().map((p) => p.id));
  if (floor) process.env.TRACELOOP_BENCH_FLOOR = '1';
  try {
    const recorder = Recorder.open({ ringPages: 64, maxArgBytes: 256 });
    const mine = progs().filter((p) => !before.has(p.id) && p.name?.startsWith('tl_sys_'));
    return { recorder, mine };
  } finally {
    delete process.env.TRACELOOP_BENCH_FLOOR;
  }
}

try {
  fs.writeFileSync('/proc/sys/kernel/bpf_stats_enabled', '1');
  // The floor first, on its own: an empty program's cost on these hooks.
  const floor = open(true);
  try {
    for (let r = 0; r < rounds; r++) measure(floor.mine, dirs.passive, samples.floor);
  } finally {
    floor.recorder.close();
  }
  const { recorder, mine } = open(false);
  try {
    recorder.add(dirs.active);
    for (let r = 0; r < rounds; r++) {
      for (const variant of ['passive', 'active']) measure(mine, dirs[variant], samples[variant]);
      if (armed) {
        recorder.setTriggerErrnos(armed);
        measure(mine, dirs.active, samples.armed);
        recorder.setTriggerErrnos([]);
      }
    }
  } finally {
    recorder.close();
  }
} finally {
  fs.writeFileSync('/proc/sys/kernel/bpf_stats_enabled', statsWas);
  for (const d of Object.values(dirs)) fs.rmdirSync(d);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => x.toFixed(0);
const row = (v) => {
  const e = median(samples[v].enter),
    x = median(samples[v].exit);
  return `| ${v} | ${fmt(e)} | ${fmt(x)} | ${fmt(e + x)} |`;
};
console.log(`
## BPF program cost per syscall (the kernel's own accounting)

\`\`\`sh
node bench/prog-cost.mjs bench/out/writeloop <cgroup2>/traceloop-bench ${rounds} ${calls}   # run by bench/run.sh
\`\`\`

\`kernel.bpf_stats_enabled=1\`, then run_time_ns / run_cnt of each program over a \`write(fd, 64 B)\` loop
pinned to CPU 0; median of ${rounds} rounds. Floor: the programs attached but returning at once
(TRACELOOP_BENCH_FLOOR=1), what an empty program costs on these hooks. Passive: the loop's cgroup is
not registered (a bitmap load). Active: registered, the 64 bytes captured. The counts include everything else the machine ran
meanwhile, which all takes the passive path. Stats collection itself adds a little to each run.

| variant | sys_enter ns/run | sys_exit ns/run | per syscall |
|---|---:|---:|---:|
${row('floor')}
${row('passive')}
${row('active')}
${armed ? row('armed') + ` (errnos ${armed.join(', ')} armed as triggers)` : ''}
`);

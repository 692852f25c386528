// Two or more builds of traceloop against each other, alternated in one sitting: the BPF programs'
// cost per syscall from the kernel's own accounting (kernel.bpf_stats_enabled), over a workload
// pinned to CPU 0. How issue #11 decided what to keep: on a shared machine, only differences paired
// round by round are worth reading.
//
// A build is a directory holding a built checkout's dist/ and build/ (a worktree after `npm run
// build`, or a copy of those two and package.json, with node_modules linked). Each round opens each
// build's recorder in turn (the order reversed every other round), records the workload's cgroup
// (or, with --passive, another one), runs the workload once and closes the recorder.
//
// usage: node bench/ab-builds.mjs [--passive] CGROUP_PARENT ROUNDS BUILD_A BUILD_B [BUILD...] -- COMMAND [ARG...]
// Prints, per build, the median enter and exit ns per run and, for each build after the first,
// the median of its per-round differences from the first (negative: cheaper).
import fs from 'node:fs';
import path from 'node:path';
import { costPerRun, median, withBpfStats } from './bpf-stats.mjs';

const argv = process.argv.slice(2);
const passive = argv[0] === '--passive';
if (passive) argv.shift();
const dash = argv.indexOf('--');
const [parent, roundsArg, ...builds] = dash < 0 ? [] : argv.slice(0, dash);
const command = dash < 0 ? [] : argv.slice(dash + 1);
if (!parent || !(Number(roundsArg) > 0) || builds.length < 2 || command.length === 0)
  throw new Error(
    'usage: ab-builds.mjs [--passive] CGROUP_PARENT ROUNDS BUILD_A BUILD_B [BUILD...] -- COMMAND [ARG...]',
  );
const rounds = Number(roundsArg);

// By position, not path: the same build given twice is an A/A check of the method itself.
const recorders = [];
for (const b of builds)
  recorders.push((await import(path.resolve(b, 'dist/recorder.js'))).Recorder);
const work = path.join(parent, 'ab-work');
const other = path.join(parent, 'ab-other');
for (const d of [work, other]) fs.mkdirSync(d, { recursive: true });
const samples = builds.map(() => []);

const measure = (i) =>
  costPerRun(
    () => recorders[i].open({ ringPages: 64, maxArgBytes: 256 }),
    passive ? other : work,
    work,
    command,
  );

try {
  const order = builds.map((_, i) => i);
  withBpfStats(() => {
    for (let r = 0; r < rounds; r++)
      for (const i of r % 2 ? [...order].reverse() : order) samples[i].push(measure(i));
  });
} finally {
  for (const d of [work, other]) fs.rmdirSync(d);
}

const sum = (s) => s.enter + s.exit;
const round = (xs) => xs.map((x) => Math.round(x)).join(' ');
console.log(`${passive ? 'passive' : 'active'}, ${rounds} rounds: ${command.join(' ')}`);
for (const [i, b] of builds.entries()) {
  const s = samples[i];
  console.log(
    `${b}: enter ${median(s.map((x) => x.enter)).toFixed(1)} exit ${median(s.map((x) => x.exit)).toFixed(1)}` +
      ` sum ${median(s.map(sum)).toFixed(1)} ns (rounds: ${round(s.map(sum))})`,
  );
}
for (const [i, b] of builds.entries()) {
  if (i === 0) continue;
  const d = samples[i].map((s, r) => sum(s) - sum(samples[0][r]));
  console.log(
    `${b} - ${builds[0]}: paired median ${median(d).toFixed(1)} ns (rounds: ${round(d)})`,
  );
}

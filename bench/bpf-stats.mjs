// What one run of a workload costs our two syscall programs, from the kernel's own accounting
// (kernel.bpf_stats_enabled: run_time_ns / run_cnt per program). Shared by bench/cost-parts.mjs
// and bench/ab-builds.mjs. The counts include every other process's syscalls meanwhile (each on
// the passive path), so on a busy machine a figure is a little diluted towards the passive cost.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const STATS = '/proc/sys/kernel/bpf_stats_enabled';

const programs = () =>
  JSON.parse(execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' }));

/** Runs fn with the kernel's BPF statistics on, and leaves them as they were. */
export function withBpfStats(fn) {
  const was = fs.readFileSync(STATS, 'utf8').trim();
  fs.writeFileSync(STATS, '1');
  try {
    return fn();
  } finally {
    fs.writeFileSync(STATS, was);
  }
}

/**
 * Opens a recorder with `open()`, records `recordDir`, runs `command` pinned to CPU 0 in the
 * cgroup `workDir`, and returns ns per run of tl_sys_enter and tl_sys_exit over that run.
 */
export function costPerRun(open, recordDir, workDir, command) {
  const before = new Set(programs().map((p) => p.id));
  const recorder = open();
  try {
    recorder.add(recordDir);
    const mine = programs().filter((p) => !before.has(p.id) && p.name?.startsWith('tl_sys_'));
    const snap = () =>
      Object.fromEntries(
        programs()
          .filter((p) => mine.some((m) => m.id === p.id))
          .map((p) => [p.name, [p.run_time_ns ?? 0, p.run_cnt ?? 0]]),
      );
    const a = snap();
    execFileSync(
      '/bin/sh',
      ['-c', 'echo $$ > "$0/cgroup.procs" && exec taskset -c 0 "$@"', workDir, ...command],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const b = snap();
    const per = (name) => (b[name][0] - a[name][0]) / (b[name][1] - a[name][1]);
    return { enter: per('tl_sys_enter'), exit: per('tl_sys_exit') };
  } finally {
    recorder.close();
  }
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// What the terminal UI costs while a busy cgroup streams into it, and how
// fast a key press reaches the screen, measured in a real terminal (tmux).
//
//   1. `traceloop tui --cgroup CG` runs in a detached tmux session (100x30).
//   2. A load generator in CG makes write(2) calls at a fixed rate (each call
//      is two recorded events: its enter and its exit).
//   3. The TUI process's CPU time (utime + stime from /proc, drain thread
//      included) over a window, as a share of one core; the events/s the
//      recorder saw, read off the UI's own EV/S column.
//   4. Key latency: C-s through a tmux control-mode client, until the pane's
//      output shows PAUSED; C-q until it shows LIVE. tmux's own work included.
//
// Prints a markdown section; bench/run.sh appends it to bench/results.md.
// usage (root): node bench/tui.mjs [SYSCALLS_PER_S...]   default: 100000 200000
// env: TUI_BENCH_SECONDS=10 (CPU window), TUI_BENCH_KEYS=20 (key presses per kind)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScratchCgroup } from '../dist/cgroup.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench', 'out');
const rates = process.argv.slice(2).map(Number);
if (rates.length === 0) rates.push(100_000, 200_000);
const WINDOW_S = Number(process.env.TUI_BENCH_SECONDS ?? 10);
const KEYS = Number(process.env.TUI_BENCH_KEYS ?? 20);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

const LOAD_C = `
// write(2) to /dev/null at RATE calls/s for SECONDS, in steps of 1 ms.
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  double rate = atof(argv[1]), secs = atof(argv[2]);
  int fd = open("/dev/null", O_WRONLY);
  struct timespec t0, next, now;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  next = t0;
  long done = 0;
  for (;;) {
    clock_gettime(CLOCK_MONOTONIC, &now);
    double el = (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
    if (el >= secs) break;
    long want = (long)(el * rate) + (long)(rate / 1000);
    for (; done < want; done++) write(fd, "tui-load", 8);
    next.tv_nsec += 1000000;
    if (next.tv_nsec >= 1000000000) { next.tv_sec++; next.tv_nsec -= 1000000000; }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
  }
  return 0;
}
`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const tmux = (...args) => execFileSync('tmux', args, { encoding: 'utf8' });

async function until(what, probe, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime, stime (fields 14, 15)
}

/** The UI's EV/S column, `123.4k` → 123400. */
function shownRate(screen) {
  const m = /^> \S+\s+\S+\s+([\d.]+)([kM]?)\s/m.exec(screen);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]; // nearest rank
};
const median = (xs) => pct(xs, 50);

async function measure(rate, load) {
  const cg = new ScratchCgroup('bench-tui');
  const session = `tl-bench-tui-${process.pid}`;
  try {
    tmux(
      'new-session', '-d', '-s', session, '-x', '100', '-y', '30',
      'env', '-u', 'CI', process.execPath, path.join(ROOT, 'dist/cli.js'),
      'tui', '--standalone', '--cgroup', cg.path,
    ); // prettier-ignore
    tmux('set-option', '-t', session, 'window-size', 'manual');
    const screen = () => tmux('capture-pane', '-p', '-t', session);
    const pid = Number(tmux('display', '-p', '-t', session, '#{pane_pid}').trim());
    await until('the UI', () => screen().includes(' LIVE '));
    const seconds = WINDOW_S + 6 + KEYS; // warm-up, CPU window, key presses
    const gen = spawn('/bin/sh', [
      '-c',
      'echo $$ > "$0/cgroup.procs" && exec "$1" "$2" "$3"',
      cg.path,
      load,
      String(rate),
      String(seconds),
    ]);
    const genDone = new Promise((r) => gen.on('exit', r));
    await sleep(3000); // warm-up: the stream fills, the rate settles

    const t0 = process.hrtime.bigint();
    const c0 = cpuTicks(pid);
    const shown = [];
    for (let i = 0; i < WINDOW_S; i++) {
      await sleep(1000);
      shown.push(shownRate(screen()));
    }
    const c1 = cpuTicks(pid);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = (c1 - c0) / CLK_TCK / wall;

    // Keys go through a tmux control-mode client: no process started per key,
    // and the pane's output comes back to us as %output lines the moment the
    // UI writes it. Latency: from writing the key to the first output that
    // shows the new state.
    const ctl = spawn('tmux', ['-C', 'attach', '-t', session], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let seen = '';
    ctl.stdout.on('data', (d) => {
      for (const line of d.toString().split('\n')) if (line.startsWith('%output ')) seen += line;
    });
    const key = async (k, want) => {
      seen = '';
      const t = performance.now();
      ctl.stdin.write(`send-keys -t ${session} ${k}\n`);
      await until(want, () => seen.includes(want), 5000);
      return performance.now() - t;
    };
    await sleep(500); // the control client attached
    const pause = [];
    const resume = [];
    for (let i = 0; i < KEYS; i++) {
      pause.push(await key('C-s', 'PAUSED'));
      await sleep(200);
      resume.push(await key('C-q', 'LIVE'));
      await sleep(200);
    }
    ctl.stdin.end('detach\n');
    tmux('send-keys', '-t', session, 'q');
    await until('the UI to exit', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    gen.kill('SIGKILL');
    await genDone;
    return {
      rate,
      events: median(shown.filter((x) => !Number.isNaN(x))),
      cpu,
      pause,
      resume,
    };
  } finally {
    try {
      execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
    } catch {
      // exited with the UI
    }
    await cg.remove('kill');
  }
}

if (process.getuid() !== 0) throw new Error('run as root (BPF, cgroups)');
fs.mkdirSync(OUT, { recursive: true });
const src = path.join(OUT, 'tui-load.c');
const load = path.join(OUT, 'tui-load');
fs.writeFileSync(src, LOAD_C);
execFileSync('cc', ['-O2', '-o', load, src]);

const loadStart = os.loadavg()[0];
const results = [];
for (const rate of rates) {
  process.stderr.write(`[tui bench] ${rate} calls/s\n`);
  results.push(await measure(rate, load));
}

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d });
const cmd = `node bench/tui.mjs ${rates.join(' ')}`;
const lines = [
  '',
  '## The terminal UI under load',
  '',
  `\`${cmd}\` (as root; part of \`npm run bench\`), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC,`,
  `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), kernel ${os.release()}, node ${process.version};`,
  `load average ${loadStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end (others' work shares the CPUs).`,
  `\`traceloop tui --cgroup CG\` in tmux (100x30); a load generator in CG calls write(2) at a fixed rate`,
  `(each call is two recorded events, enter and exit). CPU: the TUI process (drain thread included) over`,
  `${WINDOW_S} s, as a share of one core. Keys: written to a tmux control-mode client; the latency ends`,
  `when the pane's output showing the new state (PAUSED, LIVE) comes back from tmux (${KEYS} presses each).`,
  '',
  "| write calls/s | events/s (the UI's EV/S) | TUI CPU, % of a core | Ctrl-S → PAUSED, ms median / p95 / max | Ctrl-Q → LIVE, ms median / p95 / max |",
  '|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${fmt(r.rate)} | ${fmt(r.events)} | ${fmt(r.cpu * 100, 1)} | ` +
      `${fmt(median(r.pause), 1)} / ${fmt(pct(r.pause, 95), 1)} / ${fmt(Math.max(...r.pause), 1)} | ` +
      `${fmt(median(r.resume), 1)} / ${fmt(pct(r.resume, 95), 1)} / ${fmt(Math.max(...r.resume), 1)} |`,
  ),
  '',
  'Targets (issue #5): at 200k events/s the TUI uses at most 30% of a core, and a key press reaches the screen within 50 ms.',
  '',
];
process.stdout.write(lines.join('\n'));

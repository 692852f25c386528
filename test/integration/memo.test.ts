// Each CPU remembers the last task whose cgroup it looked up, and whether that cgroup is recorded
// (struct tl_memo in bpf/traceloop.h; issue #11). A memo must never outlive what it says: these
// tests keep one task making syscalls on one CPU, so that its memo would hold, and change what
// the memo said under it. Each registration and withdrawal (the loader) and each move between
// cgroups (tl_cgroup_move) makes every memo stale; a stale memo that held would keep the task
// unrecorded (or recording into rings that are gone) until another task's syscall on that CPU
// happened to replace it, so each test asks for the task's first record within a few of its
// iterations (~1 ms each) of the change, not eventually.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadNative } from '../../src/native.js';
import { Recorder } from '../../src/recorder.js';
import { parseRecords } from '../../src/wire.js';
import { programsOfPid, requireRootAndBpf, runInCgroup, scratchCgroup } from '../helpers/system.js';

// How long after a change the task's first record may come: its loop makes one write per ~1 ms
// and never sleeps (so few other tasks' syscalls come between its own on its CPU to replace the
// memo: without the change making it stale, the first record comes 100 ms or more later).
const WITHIN_NS = 25_000_000n;

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
});

// Busy ~1 ms (an awk loop makes no syscalls), then one write to /dev/null, for ever.
const STEADY =
  'BEGIN { for (;;) { for (i = 0; i < 100000; i++); printf "tick" > "/dev/null"; fflush("/dev/null") } }';

/** A task in `cgroup`, pinned to CPU 0, making one syscall every ~1 ms; its pid. */
async function steadyTask(cgroup: string): Promise<number> {
  const child = spawn('/bin/bash', [
    '-c',
    'echo $$ > "$0/cgroup.procs" && taskset -pc 0 $$ >/dev/null && echo ready && exec awk "$1"',
    cgroup,
    STEADY,
  ]);
  children.push(child);
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(line.toString()).toContain('ready');
  // Long enough for many iterations: the CPU's memo now holds this task.
  await new Promise((r) => setTimeout(r, 100));
  return child.pid!;
}

/**
 * Runs fn with this process (all its threads) kept off CPU 0, where the steady task runs: our
 * own syscalls there would replace the task's memo and hide a stale one.
 */
async function offCpu0<T>(fn: () => Promise<T>): Promise<T> {
  const all = `0-${os.cpus().length - 1}`;
  execFileSync(
    'taskset',
    ['-a', '-pc', os.cpus().length > 1 ? '1-' + (os.cpus().length - 1) : all, String(process.pid)],
    { stdio: 'ignore' },
  );
  try {
    return await fn();
  } finally {
    execFileSync('taskset', ['-a', '-pc', all, String(process.pid)], { stdio: 'ignore' });
  }
}

/** The programs' global cgroup_moves, which every memo is checked against (read by bpftool). */
function cgroupMoves(): bigint {
  const json = (...args: string[]) =>
    JSON.parse(
      execFileSync('bpftool', [...args, '--json'], { maxBuffer: 1 << 27, encoding: 'utf8' }),
    );
  for (const prog of programsOfPid(process.pid)) {
    const shown = json('prog', 'show', 'id', String(prog));
    if (shown.name !== 'tl_sys_enter') continue;
    for (const map of shown.map_ids as number[]) {
      if (!String(json('map', 'show', 'id', String(map)).name).endsWith('.bss')) continue;
      const vars = json('map', 'dump', 'id', String(map))[0].formatted.value['.bss'] as object[];
      const found = vars.find((v) => 'cgroup_moves' in v) as { cgroup_moves: number } | undefined;
      if (found) return BigInt(found.cgroup_moves);
    }
  }
  throw new Error("no tl_sys_enter with a .bss holding cgroup_moves among this process's programs");
}

/** The time of `pid`'s first enter in `id`'s rings (none: undefined). */
function firstEnter(recorder: Recorder, id: bigint, pid: number): bigint | undefined {
  let first: bigint | undefined;
  for (const r of parseRecords(recorder.snapshot(id).records))
    if (r.kind === 'enter' && r.pid === pid && (first === undefined || r.ts < first)) first = r.ts;
  return first;
}

async function expectRecordedSoonAfter(
  recorder: Recorder,
  id: bigint,
  pid: number,
  since: bigint,
): Promise<void> {
  await new Promise((r) => setTimeout(r, 150));
  const first = firstEnter(recorder, id, pid);
  expect(first, 'the task is recorded').toBeDefined();
  // bpf_ktime_get_ns and process.hrtime read the same clock (CLOCK_MONOTONIC).
  expect(first! - since, 'ns from the change to its first record').toBeLessThan(WITHIN_NS);
}

describe("a CPU's memo of a task's cgroup", () => {
  it('gives way when the cgroup is registered', async () => {
    requireRootAndBpf();
    const recorder = Recorder.open({ ringPages: 256, maxArgBytes: 64 });
    const cg = scratchCgroup('memo-register');
    try {
      const pid = await steadyTask(cg.path);
      const since = process.hrtime.bigint();
      const { id } = recorder.add(cg.path);
      await expectRecordedSoonAfter(recorder, id, pid, since);
    } finally {
      recorder.close();
      await cg.remove('kill');
    }
  });

  it('gives way when the task moves into a registered cgroup', async () => {
    requireRootAndBpf();
    const recorder = Recorder.open({ ringPages: 256, maxArgBytes: 64 });
    const [from, to] = [scratchCgroup('memo-from'), scratchCgroup('memo-to')];
    try {
      const { id } = recorder.add(to.path);
      const pid = await steadyTask(from.path);
      expect(firstEnter(recorder, id, pid)).toBeUndefined();
      const since = process.hrtime.bigint();
      fs.writeFileSync(path.join(to.path, 'cgroup.procs'), String(pid));
      await expectRecordedSoonAfter(recorder, id, pid, since);
    } finally {
      recorder.close();
      for (const cg of [from, to]) await cg.remove('kill');
    }
  });

  it('gives way when the cgroup is withdrawn and registered again (another slot)', async () => {
    requireRootAndBpf();
    const recorder = Recorder.open({ ringPages: 256, maxArgBytes: 64 });
    const cg = scratchCgroup('memo-again');
    try {
      const first = recorder.add(cg.path);
      const pid = await steadyTask(cg.path);
      expect(firstEnter(recorder, first.id, pid)).toBeDefined();
      recorder.remove(first.id);
      const since = process.hrtime.bigint();
      const again = recorder.add(cg.path);
      await expectRecordedSoonAfter(recorder, again.id, pid, since);
    } finally {
      recorder.close();
      await cg.remove('kill');
    }
  });

  it("never records a withdrawn cgroup's task into the rings that take its slot", async () => {
    requireRootAndBpf();
    const recorder = Recorder.open({ ringPages: 1, maxArgBytes: 16 });
    const [cg, other] = [scratchCgroup('memo-gone'), scratchCgroup('memo-other')];
    try {
      const gone = recorder.add(cg.path);
      const pid = await steadyTask(cg.path);
      expect(firstEnter(recorder, gone.id, pid)).toBeDefined();
      // Slots are handed out in turn: after TL_MAX_CGROUPS - 1 others, the next takes the slot
      // the task's memo still names.
      const maxCgroups = Number(loadNative().constants().TL_MAX_CGROUPS);
      const heir = await offCpu0(async () => {
        recorder.remove(gone.id);
        for (let i = 0; i < maxCgroups - 1; i++) recorder.remove(recorder.add(other.path).id);
        const added = recorder.add(other.path);
        await new Promise((r) => setTimeout(r, 100));
        return added;
      });
      expect(firstEnter(recorder, heir.id, pid)).toBeUndefined();
      // ... while the heir's rings work: its own tasks are there.
      const own = await runInCgroup(other.path, 'echo heir > /dev/null');
      expect(firstEnter(recorder, heir.id, own.pid)).toBeDefined();
    } finally {
      recorder.close();
      for (const c of [cg, other]) await c.remove('kill');
    }
  });

  it('is made stale by every registration and withdrawal (the loader moves cgroup_moves)', async () => {
    requireRootAndBpf();
    const recorder = Recorder.open({ ringPages: 1, maxArgBytes: 16 });
    const cg = scratchCgroup('memo-moves');
    try {
      const start = cgroupMoves();
      const { id } = recorder.add(cg.path);
      const added = cgroupMoves();
      expect(added).toBeGreaterThan(start);
      recorder.remove(id);
      expect(cgroupMoves()).toBeGreaterThan(added);
    } finally {
      recorder.close();
      await cg.remove('kill');
    }
  });
});

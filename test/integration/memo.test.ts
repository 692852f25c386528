// Each CPU remembers the last task whose cgroup it looked up, and whether that cgroup is recorded
// (struct tl_memo in bpf/traceloop.h; issue #11). A memo must never outlive what it says: these
// tests keep one task making syscalls on one CPU, so that its memo would hold, and change what
// the memo said under it. Each registration and withdrawal (the loader) and each move between
// cgroups (tl_cgroup_move) makes every memo stale; a stale memo that held would keep the task
// unrecorded (or recording into rings that are gone) until another task's syscall on that CPU
// happened to replace it. So the task numbers its writes, and each test asks that the first one
// recorded after a change be the first the task made after it: counted, not timed, so a loaded
// machine makes the test no less exact (it only makes a stale memo likelier to be replaced).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { loadNative } from '../../src/native.js';
import { Recorder } from '../../src/recorder.js';
import { parseRecords } from '../../src/wire.js';
import {
  programsOfPid,
  requireRootAndBpf,
  runInCgroup,
  scratchCgroup,
  tempDir,
} from '../helpers/system.js';
import { until } from '../helpers/wait.js';

// Busy ~1 ms (an awk loop makes no syscalls), then one numbered write to a file, for ever.
const STEADY =
  'BEGIN { for (n = 1; ; n++) { for (i = 0; i < 100000; i++); printf "tick %d\\n", n > out; fflush(out) } }';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface Steady {
  pid: number;
  /** Writes made so far (the file's lines). */
  ticks: () => number;
}

/** A task in `cgroup`, pinned to CPU 0, writing "tick N" every ~1 ms, N = 1, 2, ... */
async function steadyTask(cgroup: string): Promise<Steady> {
  const dir = tempDir('memo');
  dirs.push(dir);
  const out = path.join(dir, 'ticks');
  const child = spawn('/bin/bash', [
    '-c',
    'echo $$ > "$0/cgroup.procs" && taskset -pc 0 $$ >/dev/null && exec awk -v out="$1" "$2"',
    cgroup,
    out,
    STEADY,
  ]);
  children.push(child);
  const ticks = (): number => {
    try {
      return fs.readFileSync(out, 'latin1').split('\n').length - 1;
    } catch {
      return 0;
    }
  };
  // Many writes in: the CPU's memo now holds this task.
  await until('the steady task to write', () => ticks() >= 20, 10_000);
  return { pid: child.pid!, ticks };
}

/** The lowest tick number among `pid`'s writes recorded in `id`'s rings. */
function firstTick(recorder: Recorder, id: bigint, pid: number): number | undefined {
  let first: number | undefined;
  for (const r of parseRecords(recorder.snapshot(id).records)) {
    if (r.kind !== 'enter' || r.pid !== pid) continue;
    for (const p of r.params) {
      const m = /^tick (\d+)\n/.exec(p.bytes.toString('latin1'));
      if (m && (first === undefined || Number(m[1]) < first)) first = Number(m[1]);
    }
  }
  return first;
}

/**
 * Makes `change`, then expects the task's first recorded write to be one of the first two it made
 * after the change returned (one may have been under way).
 */
async function expectRecordedFromChange(
  recorder: Recorder,
  id: () => bigint,
  task: Steady,
  change: () => void,
): Promise<void> {
  const before = task.ticks();
  change();
  const after = task.ticks();
  const first = await until('a write of the task recorded', () =>
    firstTick(recorder, id(), task.pid),
  );
  expect(first, `writes before the change: ${before}`).toBeGreaterThan(before);
  expect(first, `writes when the change returned: ${after}`).toBeLessThanOrEqual(after + 2);
}

/**
 * Runs fn with this process (all its threads) kept off CPU 0, where the steady task runs: our
 * own syscalls there would replace the task's memo and hide a stale one.
 */
async function offCpu0<T>(fn: () => Promise<T>): Promise<T> {
  const last = os.cpus().length - 1;
  const all = `0-${last}`;
  execFileSync('taskset', ['-a', '-pc', last > 0 ? `1-${last}` : all, String(process.pid)], {
    stdio: 'ignore',
  });
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

/** Runs fn with a recorder and scratch cgroups (one per label), closed and removed after. */
async function withRecorder(
  ringPages: number,
  labels: string[],
  fn: (recorder: Recorder, cgroups: ScratchCgroup[]) => Promise<void>,
): Promise<void> {
  const recorder = Recorder.open({ ringPages, maxArgBytes: 64 });
  const cgroups = labels.map((l) => scratchCgroup(l));
  try {
    await fn(recorder, cgroups);
  } finally {
    recorder.close();
    for (const cg of cgroups) await cg.remove('kill');
  }
}

/** Registers `cgroup` as the change of expectRecordedFromChange. */
function expectRecordedFromRegistration(
  recorder: Recorder,
  task: Steady,
  cgroup: string,
): Promise<void> {
  let id = 0n;
  return expectRecordedFromChange(
    recorder,
    () => id,
    task,
    () => (id = recorder.add(cgroup).id),
  );
}

describe("a CPU's memo of a task's cgroup", () => {
  it('gives way when the cgroup is registered', async () => {
    requireRootAndBpf();
    await withRecorder(256, ['memo-register'], async (recorder, [cg]) => {
      const task = await steadyTask(cg!.path);
      await expectRecordedFromRegistration(recorder, task, cg!.path);
    });
  });

  it('gives way when the task moves into a registered cgroup', async () => {
    requireRootAndBpf();
    await withRecorder(256, ['memo-from', 'memo-to'], async (recorder, [from, to]) => {
      const { id } = recorder.add(to!.path);
      const task = await steadyTask(from!.path);
      expect(firstTick(recorder, id, task.pid)).toBeUndefined();
      await expectRecordedFromChange(
        recorder,
        () => id,
        task,
        () => fs.writeFileSync(path.join(to!.path, 'cgroup.procs'), String(task.pid)),
      );
    });
  });

  it('gives way when the cgroup is withdrawn and registered again (another slot)', async () => {
    requireRootAndBpf();
    await withRecorder(256, ['memo-again'], async (recorder, [cg]) => {
      const first = recorder.add(cg!.path);
      const task = await steadyTask(cg!.path);
      await until('the task recorded', () => firstTick(recorder, first.id, task.pid));
      recorder.remove(first.id);
      await expectRecordedFromRegistration(recorder, task, cg!.path);
    });
  });

  it("never records a withdrawn cgroup's task into the rings that take its slot", async () => {
    requireRootAndBpf();
    await withRecorder(4, ['memo-gone', 'memo-other'], async (recorder, [cg, other]) => {
      const gone = recorder.add(cg!.path);
      const task = await steadyTask(cg!.path);
      await until('the task recorded', () => firstTick(recorder, gone.id, task.pid));
      // Slots are handed out in turn: after TL_MAX_CGROUPS - 1 others, the next takes the slot
      // the task's memo still names.
      const maxCgroups = Number(loadNative().constants().TL_MAX_CGROUPS);
      const heir = await offCpu0(async () => {
        recorder.remove(gone.id);
        for (let i = 0; i < maxCgroups - 1; i++) recorder.remove(recorder.add(other!.path).id);
        const added = recorder.add(other!.path);
        await new Promise((r) => setTimeout(r, 100));
        return added;
      });
      expect(firstTick(recorder, heir.id, task.pid)).toBeUndefined();
      // ... while the heir's rings work: its own tasks are there.
      const own = await runInCgroup(other!.path, 'echo heir > /dev/null');
      expect(
        parseRecords(recorder.snapshot(heir.id).records).some(
          (r) => r.kind === 'enter' && r.pid === own.pid,
        ),
      ).toBe(true);
    });
  });

  it('is made stale by every registration and withdrawal (the loader moves cgroup_moves)', async () => {
    requireRootAndBpf();
    await withRecorder(1, ['memo-moves'], async (recorder, [cg]) => {
      const start = cgroupMoves();
      const { id } = recorder.add(cg!.path);
      const added = cgroupMoves();
      expect(added).toBeGreaterThan(start);
      recorder.remove(id);
      expect(cgroupMoves()).toBeGreaterThan(added);
    });
  });
});

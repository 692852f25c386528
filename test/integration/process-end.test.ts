// A process's end, as the kernel reports it (tl_proc_exit on sched_process_exit): strace's
// `+++ exited with N +++` for every process, and `+++ killed by SIGKILL +++` for one killed in
// the middle of a call, which makes no call that says so (cgroup.kill, the OOM killer).
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { dumpText } from '../../src/dump.js';
import { Recorder } from '../../src/recorder.js';
import { requireRootAndBpf, runInCgroup, scratchCgroup } from '../helpers/system.js';

let recorder: Recorder | undefined;
let cg: ScratchCgroup | undefined;
afterEach(async () => {
  recorder?.close();
  recorder = undefined;
  await cg?.remove('kill');
  cg = undefined;
});

const dumpOf = (id: bigint): string => dumpText('# test', recorder!.snapshot(id));

describe("a process's end", () => {
  it('says how each process exited, after its last call', async () => {
    requireRootAndBpf();
    recorder = Recorder.open();
    cg = scratchCgroup('proc-end');
    const { id } = recorder.add(cg.path);
    const run = await runInCgroup(cg.path, '(exit 3); sh -c "exit 5"; exit 0');
    expect(run.code).toBe(0);
    const text = dumpOf(id);
    for (const code of [3, 5, 0])
      expect(text).toMatch(new RegExp(`\\+\\+\\+ exited with ${code} \\+\\+\\+`));
    // The shell's own end comes after its exit_group line, as strace prints them.
    const lines = text.split('\n');
    const last = lines.findIndex(
      (l) => l.includes(` ${run.pid} `) && l.includes('exit_group(0) = ?'),
    );
    expect(last).toBeGreaterThanOrEqual(0);
    expect(lines[last + 1]).toMatch(
      new RegExp(` ${run.pid} \\[\\S+\\] \\+\\+\\+ exited with 0 \\+\\+\\+$`),
    );
  });

  it('says +++ killed by SIGKILL +++ for a process killed in the middle of a read (cgroup.kill)', async () => {
    requireRootAndBpf();
    recorder = Recorder.open();
    cg = scratchCgroup('proc-kill');
    const { id } = recorder.add(cg.path);
    // A reader blocked on a pipe nobody writes, in the recorded cgroup.
    const child = spawn('/bin/sh', ['-c', `echo $$ > "$0/cgroup.procs" && exec cat`, cg.path], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const pid = child.pid!;
    for (let i = 0; i < 100 && !/ read\(0, /.test(dumpOf(id)); i++)
      await new Promise((r) => setTimeout(r, 20));
    const exited = new Promise((r) => child.on('exit', r));
    fs.writeFileSync(path.join(cg.path, 'cgroup.kill'), '1');
    await exited;
    const text = dumpOf(id);
    // Its read is cut short (its exit says ERESTARTSYS: the kill interrupted it), and then:
    const lines = text.split('\n');
    const read = lines.map((l) => l.includes(` ${pid} [cat] read(0, `)).lastIndexOf(true);
    expect(read, text).toBeGreaterThanOrEqual(0);
    expect(lines[read + 1]).toMatch(
      new RegExp(` ${pid} \\[cat\\] \\+\\+\\+ killed by SIGKILL \\+\\+\\+$`),
    );
    // The accounting still adds up: the end is a record like any other.
    expect(text).toMatch(/# cpu\d+: (\d+) recorded, \1 shown, 0 lost/);
  });
});

// ia32 calls (int $0x80 from a 64-bit process), recorded by the real BPF programs: the raw
// syscall tracepoints see them with their i386 numbers, which are not x86_64's (20 is getpid
// there, writev here). They must be marked (TL_FLAG_IA32), take no x86_64 capture rule (which
// would read user memory under another call's layout), and print as what is known:
// `[ia32] syscall_20(0x11, 0x22, 0x33, ...) = PID`.
//
// Some hosts cannot make ia32 calls at all (no ia32 emulation: `int $0x80` raises a general
// protection fault, as on the PVM guest CI ran on in December 2026). There, the recording of
// such a crash is checked instead, and the ia32 records themselves are checked by the kernel
// matrix (scripts/kernels/guest-init.sh, "ia32"), whose Debian kernels make them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { dumpText } from '../../src/dump.js';
import { Recorder } from '../../src/recorder.js';
import { NR_IA32_BASE, parseRecords, type EnterRecord, type ExitRecord } from '../../src/wire.js';
import { requireRootAndBpf, runInCgroup, scratchCgroup } from '../helpers/system.js';

const SOURCE = path.join(import.meta.dirname, 'corpus', 'int80.c');

let dir = '';
let program = '';
let recorder: Recorder | undefined;
let cg: ScratchCgroup | undefined;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-ia32-'));
  program = path.join(dir, 'int80');
  const cc = spawnSync('cc', ['-O0', '-o', program, SOURCE], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc ${SOURCE}: ${cc.stderr}`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Whether this host makes ia32 calls: int80 run once, unrecorded, exits 0. */
function hostMakesIa32Calls(): boolean {
  const run = spawnSync(program, { encoding: 'utf8' });
  if (run.status === 0) return true;
  // Anything but the fault of a missing ia32 entry is a broken test program.
  expect(run.signal, `int80 failed otherwise: ${run.status} ${run.stderr}`).toBe('SIGSEGV');
  return false;
}
afterEach(async () => {
  recorder?.close();
  recorder = undefined;
  await cg?.remove('kill');
  cg = undefined;
});

describe('ia32 calls (int 0x80)', () => {
  it('are recorded with their i386 numbers and registers, marked, and nothing captured', async () => {
    requireRootAndBpf();
    if (!hostMakesIa32Calls()) {
      await expectFaultRecorded();
      return;
    }
    recorder = Recorder.open();
    cg = scratchCgroup('ia32');
    const { id } = recorder.add(cg.path);
    const run = await runInCgroup(cg.path, `exec ${program}`);
    expect(run.code, run.stderr).toBe(0);
    const [pid, now, pid64] = run.stdout.trim().split(' ').map(Number);
    expect(pid).toBe(run.pid);
    expect(pid64).toBe(run.pid);

    const read = recorder.snapshot(id);
    const mine = parseRecords(read.records).filter(
      (r): r is EnterRecord | ExitRecord =>
        r.kind !== 'lost' && r.pid === run.pid && r.nr >= NR_IA32_BASE,
    );
    // getpid (20) and time (13): an enter and a full exit each (never completed in place,
    // which would lose the mark), with no params at either end.
    expect(mine.map((r) => [r.kind, r.nr - NR_IA32_BASE])).toEqual([
      ['enter', 20],
      ['exit', 20],
      ['enter', 13],
      ['exit', 13],
    ]);
    for (const r of mine) {
      expect(r.params).toEqual([]);
      if (r.kind === 'enter') expect(r.args).toHaveLength(6);
    }
    // ebx, ecx, edx: the i386 ABI's first arguments.
    const getpid = mine[0];
    expect(getpid?.kind === 'enter' && getpid.args.slice(0, 3)).toEqual([0x11n, 0x22n, 0x33n]);

    const text = dumpText('# test', read);
    const lines = text.split('\n').filter((l) => l.includes(` ${run.pid} [int80] `));
    const at = lines.findIndex((l) => l.includes('[ia32] syscall_20('));
    expect(at, text).toBeGreaterThanOrEqual(0);
    expect(lines[at]).toMatch(/\[ia32\] syscall_20\(0x11, 0x22, 0x33, [^)]*\) = (\d+)$/);
    expect(lines[at]).toMatch(new RegExp(`\\) = ${run.pid}$`));
    expect(lines[at + 1]).toMatch(
      new RegExp(`\\[ia32\\] syscall_13\\(0, 0x[0-9a-f]+, 0x[0-9a-f]+, [^)]*\\) = ${now}$`),
    );
    // The same process's own x86_64 getpid is decoded as ever, and nothing was taken for the
    // x86_64 calls those numbers are (writev's iovecs, rt_sigaction's old action).
    expect(lines[at + 2]).toMatch(new RegExp(`getpid\\(\\) = ${run.pid}$`));
    expect(lines.filter((l) => /\b(writev|rt_sigaction)\(/.test(l) && l.includes('0x11'))).toEqual(
      [],
    );
    expect(text).toMatch(/# cpu\d+: (\d+) recorded, \1 shown, 0 lost/);
  });
});

/** On a host without ia32 calls: int80's first `int $0x80` faults, and the dump says so. */
async function expectFaultRecorded(): Promise<void> {
  recorder = Recorder.open();
  cg = scratchCgroup('ia32-fault');
  const { id } = recorder.add(cg.path);
  const run = await runInCgroup(cg.path, `exec ${program}`);
  expect(run.code).not.toBe(0);
  const read = recorder.snapshot(id);
  const ia32 = parseRecords(read.records).filter(
    (r): r is EnterRecord | ExitRecord =>
      r.kind !== 'lost' && r.pid === run.pid && r.nr >= NR_IA32_BASE,
  );
  expect(ia32).toEqual([]);
  const lines = dumpText('# test', read)
    .split('\n')
    .filter((l) => l.includes(` ${run.pid} [int80] `));
  expect(lines.at(-2)).toMatch(/--- SIGSEGV \{si_signo=SIGSEGV, si_code=SI_KERNEL/);
  expect(lines.at(-1)).toMatch(/\+\+\+ killed by SIGSEGV( \(core dumped\))? \+\+\+$/);
  // Nothing of its own after main began: the fault came before any call of main's.
  expect(lines.some((l) => /getpid\(\)/.test(l))).toBe(false);
}

// How the programs find a registered cgroup's rings (issue #11): a slot, read from .bss
// (slot_of, slot_owner) when its bucket is its own, else from the cgroup_slots hash; the rings
// are ring_slots[slot]. Cgroups come and go; each keeps recording into its own rings, and a
// cgroup no longer registered is recorded nowhere. TRACELOOP_TEST_SHARED_BUCKETS=1 makes every
// bucket look taken, so the second way is tested too (real collisions of cgroup ids modulo
// 16,384 cannot be arranged).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/recorder.js';
import { parseRecords } from '../../src/wire.js';
import { requireRootAndBpf, runInCgroup, scratchCgroup } from '../helpers/system.js';

/** Writes `marker` (to /dev/null) from a shell in the cgroup; its pid. */
async function writeFrom(cgroup: string, marker: string): Promise<number> {
  const run = await runInCgroup(cgroup, `echo ${marker} > /dev/null`);
  expect(run.code).toBe(0);
  return run.pid;
}

const pidsIn = (recorder: Recorder, id: bigint): Set<number> =>
  new Set(
    parseRecords(recorder.snapshot(id).records).flatMap((r) => (r.kind === 'lost' ? [] : [r.pid])),
  );

/** The scenario, in this process or in a child with the test hook set. */
async function comeAndGo(): Promise<void> {
  const recorder = Recorder.open({ ringPages: 16, maxArgBytes: 64 });
  const [a, b, c] = ['slots-a', 'slots-b', 'slots-c'].map((l) => scratchCgroup(l));
  try {
    const ra = recorder.add(a!.path);
    const rb = recorder.add(b!.path);
    const pa = await writeFrom(a!.path, 'a1');
    const pb = await writeFrom(b!.path, 'b1');
    expect(pidsIn(recorder, ra.id).has(pa)).toBe(true);
    expect(pidsIn(recorder, ra.id).has(pb)).toBe(false);
    expect(pidsIn(recorder, rb.id).has(pb)).toBe(true);
    expect(pidsIn(recorder, rb.id).has(pa)).toBe(false);

    // a leaves: b keeps its slot, c takes a fresh one (not a's), a is recorded nowhere.
    recorder.remove(ra.id);
    const rc = recorder.add(c!.path);
    const pa2 = await writeFrom(a!.path, 'a2');
    const pb2 = await writeFrom(b!.path, 'b2');
    const pc = await writeFrom(c!.path, 'c1');
    expect(pidsIn(recorder, rb.id).has(pb2)).toBe(true);
    expect(pidsIn(recorder, rc.id)).toContain(pc);
    for (const id of [rb.id, rc.id]) expect(pidsIn(recorder, id).has(pa2)).toBe(false);
    expect(pidsIn(recorder, rc.id).has(pb2)).toBe(false);

    // a again: recorded again, into rings of its own.
    const ra2 = recorder.add(a!.path);
    const pa3 = await writeFrom(a!.path, 'a3');
    expect(pidsIn(recorder, ra2.id).has(pa3)).toBe(true);
    expect(pidsIn(recorder, ra2.id).has(pa2)).toBe(false);
    expect(pidsIn(recorder, rb.id).has(pa3)).toBe(false);
  } finally {
    recorder.close();
    for (const cg of [a, b, c]) await cg?.remove('kill');
  }
}

describe("a cgroup's slot", () => {
  it('leads each registered cgroup to its own rings, and a removed one to none', async () => {
    requireRootAndBpf();
    await comeAndGo();
  });

  it('is found in cgroup_slots when its bucket is taken (TRACELOOP_TEST_SHARED_BUCKETS)', () => {
    requireRootAndBpf();
    // The hook is read once per process: run the same scenario in a child that has it.
    const child = spawnSync(
      process.execPath,
      [
        path.join(import.meta.dirname, '..', '..', 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        path.join(import.meta.dirname, 'slots.test.ts'),
        '-t',
        'leads each registered cgroup',
      ],
      { env: { ...process.env, TRACELOOP_TEST_SHARED_BUCKETS: '1' }, encoding: 'utf8' },
    );
    expect(child.status, child.stdout + child.stderr).toBe(0);
    expect(child.stdout).toMatch(/1 passed/);
  }, 60_000);
});

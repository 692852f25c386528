// The recorder on real BPF, real cgroups, real workloads.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { dumpText } from '../../src/dump.js';
import { Recorder } from '../../src/recorder.js';
import { syscallByName } from '../../src/syscalls/table.js';
import {
  parseRecords,
  TL_LOST_BUSY,
  type EnterRecord,
  type ExitRecord,
  type WireRecord,
} from '../../src/wire.js';
import {
  programsOfPid,
  programsGone,
  requireRootAndBpf,
  runInCgroup,
  scratchCgroup,
  uniquePath,
  OUR_PROGRAMS,
} from '../helpers/system.js';

const nr = (name: string): number => {
  const def = syscallByName(name);
  if (!def) throw new Error(`no syscall ${name}`);
  return def.nr;
};

const text = (r: EnterRecord | ExitRecord, arg: number): string | undefined =>
  r.params.find((p) => p.arg === arg)?.bytes.toString('latin1');

describe('recording a cgroup with real BPF', () => {
  let recorder: Recorder;
  let watched: ScratchCgroup;
  let other: ScratchCgroup;
  const file = uniquePath('file');
  const secret = `traceloop-secret-${Math.random().toString(36).slice(2)}`;
  let records: WireRecord[];
  let workload: { pid: number; catPid: number };

  beforeAll(async () => {
    requireRootAndBpf();
    recorder = Recorder.open({ ringPages: 64, maxArgBytes: 256 });
    watched = scratchCgroup('watched');
    other = scratchCgroup('other');
    const cg = recorder.add(watched.path);
    // The same workload in both; only the first is recorded.
    const script = `echo ${secret} > ${file}; cat ${file} & echo catpid=$!; wait`;
    await runInCgroup(other.path, script.replaceAll(secret, `${secret}-other`));
    const run = await runInCgroup(watched.path, script);
    expect(run.stdout).toContain(secret);
    workload = { pid: run.pid, catPid: Number(/catpid=(\d+)/.exec(run.stdout)?.[1]) };
    records = parseRecords(recorder.snapshot(cg.id).records);
  });

  afterAll(async () => {
    recorder?.close();
    await watched?.remove('kill');
    await other?.remove('kill');
    fs.rmSync(file, { force: true });
  });

  it('records the open of a unique path, the write of a unique string and its read-back, in order, with the right pids', () => {
    const enters = records.filter((r): r is EnterRecord => r.kind === 'enter');
    const exits = records.filter((r): r is ExitRecord => r.kind === 'exit');
    const openForWrite = enters.find(
      (r) => r.nr === nr('openat') && r.tid === workload.pid && text(r, 1) === file,
    );
    const write = enters.find(
      (r) => r.nr === nr('write') && r.tid === workload.pid && text(r, 1) === `${secret}\n`,
    );
    const openForRead = enters.find(
      (r) => r.nr === nr('openat') && r.tid === workload.catPid && text(r, 1) === file,
    );
    const read = exits.find(
      (r) => r.nr === nr('read') && r.tid === workload.catPid && text(r, 1) === `${secret}\n`,
    );
    expect(openForWrite, 'openat of the file by the shell').toBeDefined();
    expect(write, 'write of the secret by the shell').toBeDefined();
    expect(openForRead, 'openat of the file by cat').toBeDefined();
    expect(read, 'read of the secret by cat, captured at exit').toBeDefined();
    expect(read!.ret).toBe(BigInt(secret.length + 1));
    expect(openForWrite!.pid).toBe(workload.pid);
    expect(read!.pid).toBe(workload.catPid);
    const order = [openForWrite!, write!, openForRead!, read!].map((r) => records.indexOf(r));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(openForWrite!.comm).toBe('bash');
    expect(openForRead!.comm).toBe('cat');
  });

  it('leaves no trace of the same workload in an unrecorded cgroup', () => {
    const all = records
      .flatMap((r) => (r.kind === 'lost' ? [] : r.params))
      .map((p) => p.bytes.toString('latin1'));
    expect(all.some((s) => s.includes(secret))).toBe(true);
    expect(all.some((s) => s.includes(`${secret}-other`))).toBe(false);
  });

  it('formats the dump as strace does', () => {
    const cg = recorder.list()[0]!;
    const dump = dumpText('# test', recorder.snapshot(cg.id), { maxString: 256 });
    expect(dump).toContain(`openat(AT_FDCWD, "${file}", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3`);
    expect(dump).toMatch(
      new RegExp(`write\\(1, "${secret}\\\\n", ${secret.length + 1}\\) = ${secret.length + 1}`),
    );
    expect(dump).toMatch(new RegExp(`read\\(3, "${secret}\\\\n", \\d+\\) = ${secret.length + 1}`));
    expect(dump).toMatch(/^# cpu\d: \d+ recorded, \d+ shown, 0 lost/m);
  });
});

describe('a one-page ring under a busy workload', () => {
  it('marks what it loses, and per CPU emitted = delivered + lost', async () => {
    requireRootAndBpf();
    const recorder = Recorder.open({ ringPages: 1, maxArgBytes: 64 });
    const busy = scratchCgroup('busy');
    try {
      const cg = recorder.add(busy.path);
      const lost: WireRecord[] = [];
      const poll = (): void => {
        for (const r of parseRecords(recorder.poll(cg.id).records))
          if (r.kind === 'lost') lost.push(r);
      };
      const timer = setInterval(poll, 20);
      const load = 'dd if=/dev/zero of=/dev/null bs=1 count=100000 status=none';
      await Promise.all([runInCgroup(busy.path, load, 0), runInCgroup(busy.path, load, 1)]);
      clearInterval(timer);
      poll();
      expect(lost.length).toBeGreaterThan(0);
      const cpus = recorder.stats(cg.id);
      for (const c of cpus)
        expect(c.emitted, `cpu${c.cpu}: ${JSON.stringify(c)}`).toBe(c.delivered + c.lost);
      const emitted = cpus.reduce((s, c) => s + c.emitted, 0);
      expect(emitted).toBeGreaterThan(400_000); // 2 x 100k reads and writes, enter and exit
      const markedLost = lost.reduce(
        (s, r) => s + (r.kind === 'lost' && r.reason !== TL_LOST_BUSY ? Number(r.count) : 0),
        0,
      );
      const busyLost = cpus.reduce((s, c) => s + c.failed, 0);
      expect(markedLost + busyLost).toBe(cpus.reduce((s, c) => s + c.lost, 0));
    } finally {
      recorder.close();
      await busy.remove('kill');
    }
  });
});

describe('detaching', () => {
  it('leaves no program of ours loaded after close()', async () => {
    requireRootAndBpf();
    const before = new Set(programsOfPid(process.pid));
    const recorder = Recorder.open();
    const mine = programsOfPid(process.pid).filter((id) => !before.has(id));
    expect(mine).toHaveLength(OUR_PROGRAMS);
    recorder.close();
    expect(await programsGone(mine)).toEqual([]);
  });
});

describe('loading', () => {
  // The verifier proves every ring access in bounds from the capture size and ring size the
  // loader sets as constants: a bound that holds for one pair may not for another.
  it.each([
    [1, 16],
    [1, 4096],
    [2, 128],
    [64, 256],
    [4096, 4096],
  ])('passes the verifier with %i-page rings and %i-byte captures', (ringPages, maxArgBytes) => {
    requireRootAndBpf();
    const recorder = Recorder.open({ ringPages, maxArgBytes });
    recorder.close();
  });
});

// bench/cost-parts.mjs measures each part of the path by leaving it out: a switch that silently
// did nothing would make its figures lies.
describe('the benchmark switches (TRACELOOP_BENCH_SKIP)', () => {
  /** Records `echo SECRET > /dev/null` with the parts `skip` leaves out. */
  const recordWith = async (skip: string): Promise<{ times: bigint[]; copied: boolean }> => {
    const secret = `traceloop-skip-${Math.random().toString(36).slice(2)}`;
    let recorder: Recorder | undefined;
    const cgroup = scratchCgroup('skip');
    try {
      process.env.TRACELOOP_BENCH_SKIP = skip;
      try {
        recorder = Recorder.open({ ringPages: 64, maxArgBytes: 256 });
      } finally {
        delete process.env.TRACELOOP_BENCH_SKIP;
      }
      const cg = recorder.add(cgroup.path);
      await runInCgroup(cgroup.path, `echo ${secret} > /dev/null`);
      const events = parseRecords(recorder.snapshot(cg.id).records).filter(
        (r): r is EnterRecord | ExitRecord => r.kind === 'enter' || r.kind === 'exit',
      );
      const writes = events.filter((r) => r.kind === 'enter' && r.nr === nr('write'));
      expect(writes.length).toBeGreaterThan(0);
      return {
        times: events.map((r) => r.ts),
        copied: writes.some((w) => text(w, 1)?.includes(secret)),
      };
    } finally {
      recorder?.close();
      await cgroup.remove('kill');
    }
  };

  it('clock,lock,copy: every time is 0 and no buffer is copied; without them, both are there', async () => {
    requireRootAndBpf();
    // The lock's switch leaves nothing to see in the records: loading and running it is the test.
    const skipped = await recordWith('clock,lock,copy');
    expect(skipped.times.length).toBeGreaterThan(0);
    expect(skipped.times.every((ts) => ts === 0n)).toBe(true);
    expect(skipped.copied).toBe(false);
    const plain = await recordWith('');
    expect(plain.times.every((ts) => ts > 0n)).toBe(true);
    expect(plain.copied).toBe(true);
  });

  it('refuses a part it does not know, saying which', () => {
    process.env.TRACELOOP_BENCH_SKIP = 'clock,nap';
    try {
      expect(() => Recorder.open()).toThrow(/TRACELOOP_BENCH_SKIP: unknown part 'nap'/);
      process.env.TRACELOOP_BENCH_SKIP = 'toString'; // an Object.prototype name is no part either
      expect(() => Recorder.open()).toThrow(/unknown part 'toString'/);
    } finally {
      delete process.env.TRACELOOP_BENCH_SKIP;
    }
  });
});

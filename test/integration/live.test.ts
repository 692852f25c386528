// The live stream on real BPF: the drain thread, the watermark merge across
// both CPUs, loss markers, and the consumer falling behind.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { Recorder, type RecorderSettings } from '../../src/recorder.js';
import { syscallByName } from '../../src/syscalls/table.js';
import {
  TL_LOST_CONSUMER,
  TL_LOST_GONE,
  parseRecords,
  type EnterRecord,
  type ExitRecord,
  type LostRecord,
  type WireRecord,
} from '../../src/wire.js';
import { requireRootAndBpf, runInCgroup, scratchCgroup } from '../helpers/system.js';

const NR_READ = syscallByName('read')!.nr;
const NR_WRITE = syscallByName('write')!.nr;
const PY = '/usr/bin/python3';

interface Live {
  recorder: Recorder;
  cg: ScratchCgroup;
  id: bigint;
  records: WireRecord[];
}

const text = (r: EnterRecord | ExitRecord): string =>
  r.params.map((p) => p.bytes.toString('latin1')).join('');

describe('the live stream', () => {
  const open: Live[] = [];
  beforeAll(() => requireRootAndBpf());
  afterEach(async () => {
    for (const l of open.splice(0)) {
      l.recorder.close();
      await l.cg.remove('kill');
    }
  });

  function live(label: string, settings: RecorderSettings = {}): Live {
    const recorder = Recorder.open({ ringPages: 64, maxArgBytes: 64, ...settings });
    const cg = scratchCgroup(label);
    const { id } = recorder.add(cg.path);
    const l: Live = { recorder, cg, id, records: [] };
    recorder.watch(id, (buf) => l.records.push(...parseRecords(buf)));
    open.push(l);
    return l;
  }

  /** Every event the BPF side tried to write, shown or marked lost: the books balance. */
  /** Per CPU: events shown + events marked lost (with that CPU's number) = emitted. */
  function expectAccounted(l: Live): void {
    for (const c of l.recorder.stats(l.id)) {
      const mine = l.records.filter((r) => r.cpu === c.cpu);
      const events = mine.filter((r) => r.kind !== 'lost').length;
      const marked = mine.reduce((s, r) => s + (r.kind === 'lost' ? Number(r.count) : 0), 0);
      expect(events + marked, `cpu${c.cpu}: ${events} shown + ${marked} marked lost`).toBe(
        c.emitted,
      );
    }
  }

  it('merges two CPUs in order: every write comes before the read that returns its bytes', async () => {
    const l = live('pingpong');
    // Two threads, pinned to CPU 0 and CPU 1, bounce numbered messages over pipes.
    const script = `
import os, threading
a_r, a_w = os.pipe(); b_r, b_w = os.pipe()
def side(cpu, rfd, wfd, first):
    os.sched_setaffinity(0, {cpu})
    for i in range(300):
        if first: os.write(wfd, b"ping-%d;" % i); os.read(rfd, 64)
        else: os.read(rfd, 64); os.write(wfd, b"pong-%d;" % i)
t = threading.Thread(target=side, args=(1, a_r, b_w, False)); t.start()
side(0, b_r, a_w, True); t.join()`;
    const run = await runInCgroup(l.cg.path, `exec ${PY} -c '${script}'`);
    expect(run.code).toBe(0);
    l.recorder.unwatch(l.id);
    const events = l.records.filter((r): r is EnterRecord | ExitRecord => r.kind !== 'lost');
    const cpus = new Set(
      events.filter((r) => r.kind === 'enter' && r.nr === NR_WRITE).map((r) => r.cpu),
    );
    expect([...cpus].sort()).toEqual([0, 1]);
    let checked = 0;
    for (const [i, r] of events.entries()) {
      if (r.kind !== 'exit' || r.nr !== NR_READ || r.ret <= 0n) continue;
      const msg = text(r);
      if (!/^(ping|pong)-\d+;$/.test(msg)) continue;
      const w = events.findIndex((e) => e.kind === 'enter' && e.nr === NR_WRITE && text(e) === msg);
      expect(w, `the write of ${msg}`).toBeGreaterThanOrEqual(0);
      expect(w, `the write of ${msg} precedes its read`).toBeLessThan(i);
      checked++;
    }
    expect(checked).toBe(600);
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.ts).toBeGreaterThanOrEqual(events[i - 1]!.ts);
    expectAccounted(l);
  });

  it('marks what a one-page ring loses under load on both CPUs, and the books balance', async () => {
    const l = live('busy', { ringPages: 1 });
    const load = 'dd if=/dev/zero of=/dev/null bs=1 count=50000 status=none';
    await Promise.all([runInCgroup(l.cg.path, load, 0), runInCgroup(l.cg.path, load, 1)]);
    l.recorder.unwatch(l.id);
    expect(l.records.some((r) => r.kind === 'lost')).toBe(true);
    for (const c of l.recorder.stats(l.id))
      expect(c.emitted, `cpu${c.cpu}`).toBe(c.delivered + c.lost);
    expectAccounted(l);
  });

  it('puts every missing write of a numbered sequence inside a lost marker', async () => {
    const l = live('counter', { ringPages: 1 });
    const script = `
import os
fd = os.open("/dev/null", os.O_WRONLY)
for i in range(300000): os.write(fd, b"c=%08d" % i)`;
    await runInCgroup(l.cg.path, `exec ${PY} -c '${script}'`, 1);
    l.recorder.unwatch(l.id);
    const seen = l.records
      .filter(
        (r): r is EnterRecord =>
          r.kind === 'enter' && r.nr === NR_WRITE && /^c=\d{8}$/.test(text(r)),
      )
      .map((r) => ({ n: Number(text(r).slice(2)), ts: r.ts }));
    const markers = l.records.filter((r): r is LostRecord => r.kind === 'lost' && r.cpu === 1);
    expect(seen.length).toBeGreaterThan(0);
    expect(markers.length).toBeGreaterThan(0);
    let gaps = 0;
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1]!, seen[i]!];
      expect(b.n, 'numbers only go up').toBeGreaterThan(a.n);
      if (b.n === a.n + 1) continue;
      gaps++;
      const covering = markers.find((m) => m.tsFrom <= b.ts && m.tsTo >= a.ts);
      expect(covering, `a marker between writes ${a.n} and ${b.n}`).toBeDefined();
    }
    // Several drain ticks ran during the writes, so there are gaps between what they saw.
    expect(gaps).toBeGreaterThan(1);
    expectAccounted(l);
  });

  it('says how many events it did not show when the consumer falls behind', async () => {
    const l = live('behind', { liveQueueBytes: 64 * 1024 });
    const work = runInCgroup(l.cg.path, 'for i in $(seq 1 4000); do echo $i > /dev/null; done');
    // Block the JS thread while the drain thread keeps producing.
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      /* busy */
    }
    await work;
    l.recorder.unwatch(l.id);
    const behind = l.records.filter(
      (r): r is LostRecord => r.kind === 'lost' && r.reason === TL_LOST_CONSUMER,
    );
    expect(behind.length).toBeGreaterThan(0);
    expect(l.recorder.notShown(l.id)).toBe(behind.reduce((s, r) => s + Number(r.count), 0));
    expectAccounted(l);
  });

  it('leaves the flight record whole: a snapshot after live watching holds the newest ring-full', async () => {
    const l = live('survives', { ringPages: 4 });
    await runInCgroup(l.cg.path, 'for i in $(seq 1 3000); do echo $i > /dev/null; done', 1);
    l.recorder.unwatch(l.id);
    const snap = l.recorder.snapshot(l.id);
    const kept = parseRecords(snap.records).filter(
      (r): r is EnterRecord | ExitRecord => r.kind !== 'lost' && r.cpu === 1,
    );
    const liveNewest = l.records
      .filter((r): r is EnterRecord | ExitRecord => r.kind !== 'lost' && r.cpu === 1)
      .at(-1);
    // Reading live never consumes the ring: the dump still ends where the stream ended...
    expect(kept.at(-1)?.seq).toBe(liveNewest?.seq);
    expect(kept.at(-1)?.ts).toBe(liveNewest?.ts);
    // ...and reaches back most of a ring (16 KiB; records average well under 100 bytes).
    expect(kept.length).toBeGreaterThan((16 * 1024 * 0.75) / 100);
  });

  it('ends the stream of a cgroup that vanishes with a clear marker', async () => {
    const l = live('vanish');
    await runInCgroup(l.cg.path, 'echo bye > /dev/null');
    await l.cg.remove('kill');
    const deadline = Date.now() + 3000;
    while (
      !l.records.some((r) => r.kind === 'lost' && r.reason === TL_LOST_GONE) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const last = l.records[l.records.length - 1];
    expect(last?.kind === 'lost' && last.reason).toBe(TL_LOST_GONE);
    expect(l.records.some((r) => r.kind === 'enter' && text(r) === 'bye\n')).toBe(true);
  });
});

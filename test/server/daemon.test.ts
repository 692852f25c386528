// The daemon's bookkeeping on a fake recorder: registration ids and names,
// vanished cgroups kept compressed, dropped after the retention time or
// beyond the memory cap (oldest first), streams told why they end.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import type { CpuRingStats } from '../../src/native.js';
import type { LiveListener, Read, RecordedCgroup, Recorder } from '../../src/recorder.js';
import { Daemon, type Subscriber } from '../../src/server/daemon.js';
import { statusOf } from '../helpers/http-errors.js';
import { scratchCgroup } from '../helpers/system.js';

/** Stands in for the BPF recorder: cgroups are "gone" when their directory is. */
class FakeRecorder {
  readonly added = new Map<bigint, string>();
  readonly watched = new Map<bigint, LiveListener>();
  records = new Map<bigint, Buffer>();
  add(p: string): RecordedCgroup {
    const id = fs.statSync(p, { bigint: true }).ino; // as the addon: the directory's inode
    this.added.set(id, p);
    return { id, path: p, name: p };
  }
  remove(id: bigint): void {
    if (!this.added.delete(id)) throw new Error(`cgroup id ${id} is not recorded`);
    this.watched.delete(id);
  }
  isGone(id: bigint): boolean {
    return !fs.existsSync(this.added.get(id) ?? '/nonexistent');
  }
  snapshot(id: bigint): Read {
    return { records: this.records.get(id) ?? Buffer.alloc(0), cpus: [stats(0)] };
  }
  stats(): CpuRingStats[] {
    return [stats(0)];
  }
  notShown(): number {
    return 0;
  }
  watch(id: bigint, l: LiveListener): void {
    this.watched.set(id, l);
  }
  unwatch(id: bigint): void {
    this.watched.delete(id);
  }
}

v8.setFlagsFromString('--expose-gc');

const stats = (cpu: number): CpuRingStats => ({
  cpu,
  emitted: 3,
  failed: 0,
  faults: 0,
  headBytes: 100,
  delivered: 3,
  lost: 0,
});

describe('Daemon', () => {
  const cgs: ScratchCgroup[] = [];
  const daemons: Daemon[] = [];
  afterEach(async () => {
    for (const d of daemons.splice(0)) d.stop();
    for (const c of cgs.splice(0)) await c.remove('kill');
  });
  const setup = (settings: { retentionMs?: number; retentionBytes?: number } = {}) => {
    const rec = new FakeRecorder();
    const d = new Daemon(rec as unknown as Recorder, {
      ringBytes: 4096,
      goneCheckMs: 3_600_000,
      ...settings,
    });
    daemons.push(d);
    return { rec, d };
  };
  const cg = (label: string): ScratchCgroup => {
    const c = scratchCgroup(label);
    cgs.push(c);
    return c;
  };
  const status = statusOf;

  it('numbers registrations from 0 and never reuses a number', () => {
    const { d } = setup();
    const [a, b] = [cg('ids-a'), cg('ids-b')];
    expect(d.add(a.path, 'a').id).toBe(0);
    d.close(d.byName('a'));
    expect(d.add(a.path, 'a').id).toBe(1);
    expect(d.add(b.path).id).toBe(2);
  });

  it('names a cgroup after its directory, made unique; refuses a taken name or path', () => {
    const { d } = setup();
    const a = cg('names');
    const e = d.add(a.path);
    expect(e.name).toBe(a.path.split('/').at(-1));
    expect(status(() => d.add(a.path, 'other'))).toBe(409);
    const b = cg('names2');
    expect(status(() => d.add(b.path, e.name))).toBe(409);
    expect(status(() => d.byId(99))).toBe(404);
    expect(status(() => d.byName('nobody'))).toBe(404);
    expect(status(() => d.add('/tmp'))).toBe(400);
  });

  it('keeps a vanished cgroup compressed, ends its streams, drops it after the retention time', async () => {
    const { rec, d } = setup({ retentionMs: 60_000 });
    const a = cg('gone');
    const e = d.add(a.path, 'svc');
    rec.records.set(e.cgroupId, Buffer.alloc(50_000, 7));
    const ended: string[] = [];
    const sub: Subscriber = { records: () => {}, end: (e) => ended.push(e.reason) };
    d.subscribe(e, sub);
    expect(rec.watched.has(e.cgroupId)).toBe(true);
    await a.remove('kill');
    d.sweep(1_000_000);
    expect(ended).toEqual(['gone']);
    expect(e.gone).toMatchObject({ at: 1_000_000, rawBytes: 50_000 });
    expect(e.gone!.records.length).toBeLessThan(1000); // zlib
    expect(rec.added.has(e.cgroupId)).toBe(false); // rings freed
    expect(d.snapshot(e).records.equals(Buffer.alloc(50_000, 7))).toBe(true);
    expect(status(() => d.subscribe(e, sub))).toBe(410);
    d.sweep(1_000_000 + 59_999);
    expect(d.list()).toHaveLength(1);
    d.sweep(1_000_000 + 60_000);
    expect(d.list()).toHaveLength(0);
  });

  it('drops the oldest kept records first beyond the memory cap', async () => {
    // Each costs its 1 KiB buffer and 1 KiB of bookkeeping: two fit in 5000 bytes, three do not.
    const { rec, d } = setup({ retentionBytes: 5000 });
    const entries = [];
    for (let i = 0; i < 4; i++) {
      const c = cg(`cap${i}`);
      const e = d.add(c.path, `cap${i}`);
      rec.records.set(e.cgroupId, randomBytes(1000)); // incompressible: about 1 KiB kept each
      await c.remove('kill');
      d.sweep(1000 + i); // one at a time: cap0 is the oldest
      entries.push(e);
    }
    const kept = d.list().map((e) => e.name);
    expect(d.retainedBytes()).toBeLessThanOrEqual(5000);
    expect(kept).toEqual(['cap2', 'cap3']); // the newest two
  });

  it('10,000 add/rmdir cycles: at most the count cap kept, and the memory they hold is what is accounted', async () => {
    const { d } = setup(); // the defaults: 3 h, 64 MiB, 1024 records
    const parent = cg('cycles');
    const dir = `${parent.path}/cycle`;
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    for (let i = 0; i < 10_000; i++) {
      fs.mkdirSync(dir);
      d.add(dir); // retires the previous registration at this path: its (empty) record is kept
      fs.rmdirSync(dir);
      if (i % 500 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    d.sweep();
    gc();
    await new Promise((r) => setTimeout(r, 10));
    gc();
    const after = process.memoryUsage();
    peakRss = Math.max(peakRss, after.rss);
    const kept = d.list().filter((e) => e.gone);
    expect(kept).toHaveLength(1024);
    expect(d.retainedBytes()).toBe(kept.reduce((s, e) => s + e.gone!.memoryBytes, 0));
    // Each holds a buffer of its own size: 1024 records of 8 bytes, not 1024 zlib chunks of 16 KiB.
    for (const e of kept) expect(e.gone!.records.buffer.byteLength).toBe(e.gone!.records.length);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(1 << 20);
    expect(peakRss - before.rss).toBeLessThan(64 << 20);
    expect(new Set(d.list().map((e) => e.name)).size).toBe(d.list().length);
  });

  it('a restarted service takes its name back; its previous record steps aside', async () => {
    const { d } = setup();
    const a = cg('restart');
    const old = d.add(a.path, 'web.service');
    await a.remove('kill');
    d.sweep();
    fs.mkdirSync(a.path, { recursive: true }); // the scratch parent may have gone with it
    const now = d.add(a.path, 'web.service');
    expect(d.byName('web.service')).toBe(now);
    expect(old.name).toBe(`web.service-gone-${old.id}`);
    expect(d.byCgroup(a.path)).toBe(now); // the live one wins
  });

  it('a service restarted before the sweep noticed: the new cgroup at the same path is recorded', async () => {
    const { rec, d } = setup();
    const a = cg('quick');
    const old = d.add(a.path, 'quick.service');
    await a.remove('kill');
    fs.mkdirSync(a.path, { recursive: true }); // no sweep in between
    const now = d.add(a.path, 'quick.service');
    expect(now.cgroupId).not.toBe(old.cgroupId);
    expect(old.gone).toBeDefined();
    expect(rec.added.has(old.cgroupId)).toBe(false);
    expect(d.byName('quick.service')).toBe(now);
  });

  it('stop() ends every stream with "stopping"', () => {
    const { d } = setup();
    const e = d.add(cg('stop').path, 'x');
    const ended: string[] = [];
    d.subscribe(e, { records: () => {}, end: (e) => ended.push(e.reason) });
    d.subscribe(e, { records: () => {}, end: (e) => ended.push(e.reason) });
    expect(d.streams()).toBe(2);
    d.stop();
    expect(ended).toEqual(['stopping', 'stopping']);
    expect(d.streams()).toBe(0);
  });
});

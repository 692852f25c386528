// The session's side of a daemon that stops and comes back (#14.1): no
// stream may look live once the recorder stopped answering, and what a new
// daemon records is matched by path, never by its (reused) ids.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cgroup2Mount } from '../../src/cgroup.js';
import { Session } from '../../src/ui/session.js';
import { FakeApi, lost, write } from './fake-api.js';
import { LAYOUT, parseRecords } from '../../src/wire.js';
import { readCapture } from '../../src/capture/reader.js';
import { replayText } from '../../src/capture/replay.js';

async function until(what: string, cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const open: Session[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

/** A session whose timer never fires: whatever happens, a stream's end set it off. */
async function started(api: FakeApi): Promise<Session> {
  const s = new Session(api, { capacity: 100 });
  open.push(s);
  await s.start(3_600_000);
  return s;
}

const A = '/sys/fs/cgroup/demo/a';
const B = '/sys/fs/cgroup/demo/b';
const byName = (s: Session, name: string) => s.cgroups.find((c) => c.name === name)!;

describe('Session and a daemon that stops', () => {
  it('notices at once when its streams end and the daemon does not answer', async () => {
    const api = new FakeApi(['a', 'b']);
    const s = await started(api);
    expect(s.cgroups.map((c) => c.streaming)).toEqual([true, true]);
    const before = s.version;
    api.stop();
    await until('the loss noticed', () => s.connection.lostAt !== undefined);
    expect(s.connection.why).toMatch(/no traceloop daemon answers on fake/);
    expect(s.cgroups.map((c) => c.detached)).toEqual(['disconnected', 'disconnected']);
    expect(s.cgroups.map((c) => c.streaming)).toEqual([false, false]);
    expect(s.version).toBeGreaterThan(before);
    // Its lines stay; a snapshot says why there is none.
    await expect(s.snapshot(byName(s, 'a').key)).rejects.toThrow(/no snapshot of a: no traceloop/);
    // Still down on the next round: nothing changes, nothing throws.
    await s.refresh();
    expect(s.connection.lostAt).toBeDefined();
  });

  it('resynchronises with what a new daemon records, by path: ids are numbered anew', async () => {
    const api = new FakeApi(['a', 'b']); // a is 1, b is 2
    const s = await started(api);
    api.emit([write('a-before\n')], 1n);
    api.stop();
    await until('the loss noticed', () => s.connection.lostAt !== undefined);
    api.start([B], 1n); // the new daemon records b only, as id 1 (a's old id)
    await s.refresh();
    expect(s.connection.lostAt).toBeUndefined();
    expect(s.connection.backAt).toBeDefined();
    const a = byName(s, 'a');
    const b = byName(s, 'b');
    expect(a.detached).toBe('not recorded');
    expect(a.streaming).toBe(false);
    expect(b).toMatchObject({ id: 1n, detached: undefined, streaming: true });
    expect(s.cgroups).toHaveLength(2); // b is not shown twice
    // b's stream resumed into the same row; id 1 is b's now, never a's.
    api.emit([write('b-after\n')], 1n);
    expect(b.store.total).toBe(2); // the gap's line, then b-after
    expect(b.store.textOf(b.store.at(0))).toMatch(/---- NOT SHOWN: \d+ s without the recorder/);
    expect(a.store.total).toBe(1); // a-before, kept: no gap until it streams again
    // Stats go to the rows the daemon answers for only.
    await s.refresh();
    expect(a.rate).toBe(0);
    // a, recorded again (traceloop add): the same row streams again.
    const again = api.register(A, 'a');
    await s.refresh();
    expect(a).toMatchObject({ id: again.id, detached: undefined, streaming: true });
    expect(s.cgroups).toHaveLength(2);
    api.emit([write('a-after\n')], again.id);
    expect(a.store.total).toBe(3); // a-before, the gap, a-after
    expect(a.store.textOf(a.store.at(1))).toMatch(/NOT SHOWN/);
  });

  it('the same daemon answering again (it hung) reopens the streams', async () => {
    const api = new FakeApi(['a']);
    const s = await started(api);
    api.stop();
    await until('the loss noticed', () => s.connection.lostAt !== undefined);
    api.start([A], 1n);
    await s.refresh();
    expect(byName(s, 'a')).toMatchObject({ id: 1n, detached: undefined, streaming: true });
  });

  it('a cgroup closed by another client is marked not recorded, and x only drops its row', async () => {
    const api = new FakeApi(['a', 'b']);
    const s = await started(api);
    api.closeElsewhere(2n);
    await until('b marked', () => byName(s, 'b').detached === 'not recorded');
    expect(s.connection.lostAt).toBeUndefined();
    await s.remove(byName(s, 'b').key);
    expect(s.cgroups.map((c) => c.name)).toEqual(['a']);
    expect(api.removed).toEqual([]); // nothing to stop in the daemon
  });

  it('a adds a cgroup the daemon lost back into its own row', async () => {
    const root = cgroup2Mount(); // a real directory for resolveTarget
    const api = new FakeApi([]);
    api.register(root, 'root');
    const s = await started(api);
    api.stop();
    await until('the loss noticed', () => s.connection.lostAt !== undefined);
    api.start([], 5n);
    await s.refresh();
    const row = s.cgroups[0]!;
    expect(row.detached).toBe('not recorded');
    const added = await s.add(root);
    expect(added).toBe(row);
    expect(row).toMatchObject({ id: 5n, detached: undefined, streaming: true });
    await expect(s.add(root)).rejects.toThrow(/already recorded/);
  });
});

describe('what a daemon goes on recording after the UI quits (#14.8)', () => {
  it('one line for each cgroup this UI added and still shows, with how to stop it', async () => {
    const api = new FakeApi(['elsewhere']); // another client's: not ours to mention
    const s = new Session(api, { capacity: 100 });
    open.push(s);
    s.noteAdded(await api.add(A, 'a')); // as `tui --cgroup A` does before start()
    s.noteAdded(await api.add(B, 'b'));
    await s.start(3_600_000);
    expect(s.leftRecording()).toEqual([
      `${A} stays recorded by the daemon on fake (traceloop close --socket fake a to stop)`,
      `${B} stays recorded by the daemon on fake (traceloop close --socket fake b to stop)`,
    ]);
    await s.remove(byName(s, 'b').key); // x stopped it: nothing stays
    expect(s.leftRecording()).toEqual([
      `${A} stays recorded by the daemon on fake (traceloop close --socket fake a to stop)`,
    ]);
  });

  it('in-process, nothing outlives the UI', async () => {
    const api = new FakeApi([]);
    Object.defineProperty(api, 'where', { value: 'in-process' });
    const s = new Session(api, { capacity: 100 });
    open.push(s);
    s.noteAdded(await api.add(A, 'a'));
    await s.start(3_600_000);
    expect(s.leftRecording()).toEqual([]);
  });
});

describe('a snapshot attached to a daemon', () => {
  it("names the kernel's cgroup id (the directory's inode), not the daemon's registration number", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-snapid-'));
    try {
      const api = new FakeApi([]);
      api.register(dir, 'svc'); // the daemon's id 1
      const s = new Session(api, { capacity: 100, snapshotDir: dir });
      open.push(s);
      await s.start(3_600_000);
      const { file } = await s.snapshot(byName(s, 'svc').key);
      const ino = fs.statSync(dir, { bigint: true }).ino;
      expect(fs.readFileSync(file, 'utf8').split('\n')[0]).toMatch(
        new RegExp(`^# traceloop snapshot of ${dir} \\(cgroup id ${ino}\\) at `),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a snapshot as a capture file (s, then c)', () => {
  it('holds the flight record as the rings held it: traceloop view prints the text snapshot of it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-snapcap-'));
    try {
      const api = new FakeApi(['svc']);
      const clock = { monotonicNowNs: 5_000_000_000n, wallNowMs: Date.UTC(2026, 11, 4, 12) };
      const s = new Session(api, { capacity: 100, snapshotDir: dir, clock });
      open.push(s);
      await s.start(3_600_000);
      api.emit([write('kept\n'), write('also\n')]);
      const cap = await s.snapshotCapture(byName(s, 'svc').key);
      expect(cap.file).toMatch(/\/traceloop-svc-\d{8}T\d{6}Z\.tlcap$/);
      const text = await s.snapshot(byName(s, 'svc').key);
      const c = readCapture(fs.readFileSync(cap.file));
      expect(c.damage).toBeUndefined();
      expect(c.header.source).toBe('ui snapshot');
      expect(c.header.cgroup.name).toBe('svc');
      expect(parseRecords(Buffer.concat(c.batches))).toHaveLength(cap.records);
      expect(cap.records).toBeGreaterThan(0);
      // The capture's lines are the text snapshot's (its header line aside).
      const body = (t: string): string[] =>
        t.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
      const fromCapture: string[] = [];
      expect(replayText(c, (lines) => fromCapture.push(...lines))).toBeUndefined();
      const lines = body(fromCapture.join('\n'));
      expect(lines).toEqual(body(fs.readFileSync(text.file, 'utf8')));
      expect(lines.join('\n')).toContain('"kept\\n"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says why not when the recorder is gone', async () => {
    const api = new FakeApi(['a']);
    const s = await started(api);
    api.stop();
    await until('the loss noticed', () => s.connection.lostAt !== undefined);
    await expect(s.snapshotCapture(byName(s, 'a').key)).rejects.toThrow(
      /no capture of a: no traceloop/,
    );
  });
});

describe('a snapshot of rings that wrapped', () => {
  it('says where its history is complete from, and that older history was not lost from the view', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-snapfrom-'));
    try {
      const api = new FakeApi(['svc']);
      const s = new Session(api, { capacity: 100, snapshotDir: dir });
      open.push(s);
      await s.start(3_600_000);
      expect((await s.snapshot(byName(s, 'svc').key)).completeFrom).toBeUndefined();
      // What a fresh read of a ring that wrapped begins with: the history before its oldest record.
      const older = lost(131_319n);
      older.writeBigUInt64LE(0n, LAYOUT['tl_lost.ts_from']);
      api.emit([older, write('kept\n')]);
      const snap = await s.snapshot(byName(s, 'svc').key);
      expect(snap.completeFrom).toMatch(/^\d\d:\d\d:\d\d\.\d{6}$/);
      const text = fs.readFileSync(snap.file, 'utf8');
      // (The file's clock and the message's are sampled apart: the same second.)
      const second = snap.completeFrom!.slice(0, 8);
      expect(text).toMatch(
        new RegExp(
          `LOST 131319 events \\(ring overwritten\\): the history before ${second}\\.\\d{6}, older than this ring holds \\(--ring-pages keeps more\\)`,
        ),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

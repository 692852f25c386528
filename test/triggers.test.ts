// Triggered dumps, the parts that need no kernel: the options, the counters' changes, where the
// trigger's record is, and the dump directory (names, no symlink followed, the budget).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../src/cgroup.js';
import { DumpDir, fileSafe, utcStamp } from '../src/triggers/dump-dir.js';
import { TriggerDumps } from '../src/triggers/dumps.js';
import { locateTrigger } from '../src/triggers/locate.js';
import { NoteTracker } from '../src/triggers/notes.js';
import { parseBytes, parseDumpOn, triggerSettings } from '../src/triggers/options.js';
import {
  LAYOUT,
  TL_NR_PROC_END,
  TL_REC_EXIT,
  TL_TRIG_CRASH,
  TL_TRIG_ERRNO,
  TL_TRIG_OOM,
  TL_FLAG_OOM,
} from '../src/wire.js';
import { event } from './helpers/records.js';

/** An exit record of cpu 0: `seq`, syscall `nr`, return value (or wait status) `ret`. */
function exitRec(seq: number, ts: bigint, nr: number, ret: bigint): Buffer {
  const b = event(TL_REC_EXIT, 0, ts);
  b.writeUInt32LE(seq, LAYOUT['tl_event.seq']);
  b.writeUInt32LE(nr, LAYOUT['tl_event.nr']);
  b.writeBigInt64LE(ret, LAYOUT['tl_exit.ret']);
  b.writeUInt32LE(4242, LAYOUT['tl_exit.pid']);
  return b;
}

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-trig-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('--dump-on and its fellows', () => {
  it('reads kinds and errno lists', () => {
    const r = parseDumpOn('crash,exit,errno=ECONNREFUSED,ETIMEDOUT,gone');
    expect([...r.kinds].sort()).toEqual(['crash', 'errno', 'exit', 'gone']);
    expect(r.errnos).toEqual([111, 110]);
    expect(parseDumpOn('errno=ENOENT').errnos).toEqual([2]);
  });

  it.each([
    ['crash,boom', /unknown trigger 'boom'/],
    ['errno=ENOPE', /unknown errno 'ENOPE'/],
    ['errno=ERESTARTSYS', /kernel-internal/],
    ['crash,ENOENT', /unknown trigger 'ENOENT'/],
    ['', /unknown trigger ''/],
  ])('refuses %j in one line', (text, why) => {
    expect(() => parseDumpOn(text)).toThrow(why);
    expect(() => parseDumpOn(text)).toThrow(UserError);
  });

  it('needs --dump-dir, and checks every value', () => {
    expect(triggerSettings({})).toBeUndefined();
    expect(() => triggerSettings({ dumpOn: 'crash' })).toThrow(/need --dump-dir/);
    const s = triggerSettings({ dumpDir: '/x' })!;
    expect([...s.kinds]).toEqual(['crash']);
    expect(s).toMatchObject({ tailMs: 200, perMinute: 4, dirMaxBytes: 256 << 20 });
    expect(() => triggerSettings({ dumpDir: '/x', dumpTail: 'soon' })).toThrow(/--dump-tail/);
    expect(() => triggerSettings({ dumpDir: '/x', dumpTail: '2m' })).toThrow(/at most 60s/);
    expect(() => triggerSettings({ dumpDir: '/x', dumpRate: 0 })).toThrow(/--dump-rate/);
    expect(() => triggerSettings({ dumpDir: '/x', dumpRate: 1.5 })).toThrow(/--dump-rate/);
    expect(() => triggerSettings({ dumpDir: '/x', dumpDirMax: '12 apples' })).toThrow(
      /--dump-dir-max/,
    );
  });

  it('reads byte sizes in powers of 1024', () => {
    expect(parseBytes('4096')).toBe(4096);
    expect(parseBytes('512K')).toBe(512 << 10);
    expect(parseBytes('64MiB')).toBe(64 << 20);
    expect(parseBytes('2g')).toBe(2 * 2 ** 30);
    expect(() => parseBytes('100')).toThrow(/at least 4K/);
  });
});

describe('the rings’ trigger notes', () => {
  const note = (cpu: number, counts: number[], last = 0, seq = 0) => ({ cpu, counts, last, seq });

  it('reports what changed since the last look, per CPU and kind', () => {
    const t = new NoteTracker();
    expect(t.changes([note(0, [0, 0, 0]), note(1, [0, 0, 0])])).toEqual([]);
    const c = t.changes([
      note(0, [1, 0, 0], TL_TRIG_CRASH | TL_TRIG_OOM, 77),
      note(1, [0, 0, 3], TL_TRIG_ERRNO, 9),
    ]);
    expect(c).toEqual([
      { kind: 'crash', cpu: 0, count: 1, seq: 77, oom: true },
      { kind: 'errno', cpu: 1, count: 3, seq: 9, oom: false },
    ]);
    expect(t.changes([note(0, [1, 0, 0], TL_TRIG_CRASH, 77), note(1, [0, 0, 3])])).toEqual([]);
  });

  it('gives a seq only to the kind that was last, and survives the 16-bit wrap', () => {
    const t = new NoteTracker();
    t.changes([note(0, [0, 0, 0xfffe])]);
    const c = t.changes([note(0, [1, 0, 1], TL_TRIG_ERRNO, 5)]);
    expect(c).toEqual([
      { kind: 'crash', cpu: 0, count: 1, oom: false },
      { kind: 'errno', cpu: 0, count: 3, seq: 5, oom: false },
    ]);
  });
});

describe('the trigger’s record', () => {
  const clock = { monotonicNowNs: 0n, wallNowMs: 0 };
  const records = Buffer.concat([
    exitRec(1, 11n, 1, 3n), // write = 3
    exitRec(2, 12n, TL_NR_PROC_END, 11n), // killed by SIGSEGV
    exitRec(3, 13n, TL_NR_PROC_END, 0x300n), // exited with 3
  ]);

  it('is the one the notes named, described', () => {
    const t = locateTrigger(
      records,
      { kind: 'crash', cpu: 0, count: 1, seq: 2, oom: false },
      new Set(),
      clock,
    );
    expect(t.record).toEqual({ cpu: 0, seq: 2 });
    expect(t.text).toMatch(/^process 4242 killed by SIGSEGV at 1970-01-01T00:00:00\.000000Z/);
    const e = locateTrigger(
      records,
      { kind: 'exit', cpu: 0, count: 2, oom: false },
      new Set(),
      clock,
    );
    expect(e.record).toEqual({ cpu: 0, seq: 3 });
    expect(e.text).toMatch(/exited with 3 .*\(2 of them since the last look\)$/);
  });

  it('says the OOM killer from the end record itself, when a newer trigger took the note', () => {
    const killed = exitRec(4, 14n, TL_NR_PROC_END, 9n); // killed by SIGKILL
    killed.writeUInt8(TL_FLAG_OOM, LAYOUT['tl_hdr.flags']);
    const withOom = Buffer.concat([records, killed, exitRec(5, 15n, TL_NR_PROC_END, 0x100n)]);
    // The notes: the newest trigger on that CPU was the exit that followed, so no oom flag.
    const fired = { kind: 'crash' as const, cpu: 0, count: 1, oom: false };
    const t = locateTrigger(withOom, fired, new Set(), clock);
    expect(t.record).toEqual({ cpu: 0, seq: 4 });
    expect(t.text).toMatch(/^process 4242 killed by SIGKILL by the OOM killer at /);
    const plain = locateTrigger(records, { ...fired, seq: 2 }, new Set(), clock);
    expect(plain.text).not.toMatch(/OOM/);
  });

  it('is said missing when the ring no longer holds it', () => {
    const t = locateTrigger(
      records,
      { kind: 'errno', cpu: 0, count: 1, seq: 1, oom: false },
      new Set([111]),
      clock,
    );
    expect(t.record).toBeUndefined();
    expect(t.text).toMatch(/no longer in the ring/);
  });
});

describe('the dump directory', () => {
  const at = Date.UTC(2026, 11, 4, 3, 12, 0, 5);

  it('names files <cgroup>-<trigger>-<UTC time>, 0600, with a safe name', () => {
    const d = DumpDir.open(tmp(), 1 << 20, () => {});
    const saved = d.save('nginx', 'crash', at, Buffer.from('cap'), 'text\n');
    expect(path.basename(saved.capture)).toBe('nginx-crash-20261204T031200.005Z.tlcap');
    expect(path.basename(saved.text)).toBe('nginx-crash-20261204T031200.005Z.txt');
    expect(fs.statSync(saved.capture).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(d.dir).sort()).toEqual([
      path.basename(saved.capture),
      path.basename(saved.text),
    ]);
    expect(fileSafe('../a b\u001b')).toBe('.._a_b_'.replace(/^\./, '_.').slice(0, 100));
    expect(utcStamp(at)).toBe('20261204T031200.005Z');
  });

  it('never follows a symlink planted at its names: it takes the next name', () => {
    const dir = tmp();
    const victim = path.join(tmp(), 'victim');
    fs.writeFileSync(victim, 'precious');
    fs.symlinkSync(victim, path.join(dir, 'web-crash-20261204T031200.005Z.tlcap'));
    fs.symlinkSync(victim, path.join(dir, 'web-crash-20261204T031200.005Z-1.txt'));
    const d = DumpDir.open(dir, 1 << 20, () => {});
    const saved = d.save('web', 'crash', at, Buffer.from('cap'), 'text\n');
    expect(path.basename(saved.capture)).toBe('web-crash-20261204T031200.005Z-2.tlcap');
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(fs.readFileSync(saved.capture, 'utf8')).toBe('cap');
    // No temporary file left behind.
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps our files within the budget, oldest first, each deletion said; never others’ nor a link', () => {
    const dir = tmp();
    const lines: string[] = [];
    const victim = path.join(tmp(), 'victim');
    fs.writeFileSync(victim, 'x'.repeat(10_000));
    const old = (name: string, bytes: number, ageS: number): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, 'o'.repeat(bytes));
      const t = new Date(Date.now() - ageS * 1000);
      fs.utimesSync(f, t, t);
      return f;
    };
    const a = old('svc-crash-20250101T000000.000Z.tlcap', 3000, 300);
    const b = old('svc-exit-20250101T000001.000Z.txt', 3000, 200);
    const c = old('svc-gone-20250101T000002.000Z.tlcap', 3000, 100);
    const foreign = old('notes.txt', 9000, 1000);
    fs.symlinkSync(victim, path.join(dir, 'svc-crash-20240101T000000.000Z.txt'));
    const d = DumpDir.open(dir, 7000, (l) => lines.push(l));
    const saved = d.save('svc', 'errno', at, Buffer.alloc(1000), 'y'.repeat(999) + '\n');
    expect(fs.existsSync(a)).toBe(false);
    expect(fs.existsSync(b)).toBe(false);
    expect(fs.existsSync(c)).toBe(true);
    expect(fs.existsSync(foreign)).toBe(true);
    expect(fs.readFileSync(victim, 'utf8')).toHaveLength(10_000);
    expect(fs.existsSync(saved.capture) && fs.existsSync(saved.text)).toBe(true);
    expect(lines).toEqual([
      expect.stringMatching(
        /--dump-dir-max 7000: deleted .*svc-crash-20250101T000000\.000Z\.tlcap \(3000 bytes/,
      ),
      expect.stringMatching(/deleted .*svc-exit-20250101T000001\.000Z\.txt/),
    ]);
  });

  it('refuses a DIR that is a file, in one line', () => {
    const f = path.join(tmp(), 'file');
    fs.writeFileSync(f, '');
    expect(() => DumpDir.open(f, 1 << 20, () => {})).toThrow(UserError);
  });
});

describe('TriggerDumps over a fake recorder', () => {
  const t0 = { key: 0, name: 'web', path: '/sys/fs/cgroup/web', cgroupId: 7n };
  const crashRecords = Buffer.concat([exitRec(4, 20n, TL_NR_PROC_END, 11n)]);
  const host = (counts: number[], seq = 4) => ({
    targets: () => [t0],
    notes: () => [{ cpu: 0, counts, last: 0, seq }],
    snapshot: () => ({
      records: crashRecords,
      cpus: [{ cpu: 0, emitted: 5, failed: 0, faults: 0, headBytes: 0, delivered: 1, lost: 0 }],
    }),
    captures: () => ({ leftOut: '', why: '' }),
  });
  const settings = (dir: string, over = {}) => ({
    dir,
    kinds: new Set(['crash', 'exit'] as const),
    errnos: [],
    tailMs: 60_000,
    perMinute: 1,
    dirMaxBytes: 1 << 20,
    ...over,
  });

  it('saves a dump waiting out its tail when stopped, and then no more', () => {
    const dir = tmp();
    const counts = [0, 0, 0];
    const lines: string[] = [];
    const d = new TriggerDumps(host(counts), settings(dir), (l) => lines.push(l));
    d.poll();
    counts[0] = 1; // a crash
    d.poll();
    expect(fs.readdirSync(dir)).toEqual([]); // still in its tail
    d.stop();
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual([
      expect.stringMatching(/^web-crash-\d{8}T\d{6}\.\d{3}Z\.tlcap$/),
      expect.stringMatching(/^web-crash-\d{8}T\d{6}\.\d{3}Z\.txt$/),
    ]);
    const text = fs.readFileSync(path.join(dir, files[1]!), 'utf8');
    expect(text.split('\n')[1]).toMatch(/^# trigger: crash: process 4242 killed by SIGSEGV at /);
    expect(text).toMatch(/\+\+\+ killed by SIGSEGV \+\+\+ {3}<<< trigger\n/);
    expect(d.list()).toHaveLength(1);
    counts[1] = 1;
    d.poll();
    expect(fs.readdirSync(dir)).toHaveLength(2);
  });

  it('--dump-rate: past it, a trigger is said once a minute and not saved', () => {
    const dir = tmp();
    const lines: string[] = [];
    let now = Date.UTC(2026, 11, 4, 3, 0, 0);
    const h = host([0, 0, 0]);
    const d = new TriggerDumps(
      h,
      settings(dir, { kinds: new Set(['gone']), perMinute: 2 }),
      (l) => lines.push(l),
      () => now,
    );
    for (let i = 0; i < 4; i++, now += 1000) d.gone(t0, h.snapshot());
    expect(d.list()).toHaveLength(2);
    const said = (): string[] => lines.filter((l) => l.includes('not saved, --dump-rate 2'));
    expect(said()).toHaveLength(1);
    now += 60_000; // a minute later: room again
    d.gone(t0, h.snapshot());
    expect(d.list()).toHaveLength(3);
    expect(fs.readdirSync(dir)).toHaveLength(6);
  });

  it('--dump-rate counts each kind apart: exits past it never keep a crash out', async () => {
    const dir = tmp();
    const lines: string[] = [];
    const counts = [0, 0, 0];
    const d = new TriggerDumps(host(counts), settings(dir, { tailMs: 0, perMinute: 1 }), (l) =>
      lines.push(l),
    );
    const tail = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
    d.poll();
    counts[1] = 1; // a process exits non-zero: saved
    d.poll();
    await tail();
    counts[1] = 2; // another one, within the minute: past the rate, said
    d.poll();
    await tail();
    counts[0] = 1; // then a crash: its own rate
    d.poll();
    await tail();
    d.stop();
    expect(d.list().map((x) => x.trigger)).toEqual(['exit', 'crash']);
    expect(lines.filter((l) => l.includes('not saved'))).toEqual([
      expect.stringMatching(
        /^exit in web: not saved, --dump-rate 1 per minute reached \(further exit triggers/,
      ),
    ]);
  });

  it('a dump the budget deleted leaves the list (/dumps, /list) too', () => {
    const dir = tmp();
    const lines: string[] = [];
    let now = Date.UTC(2026, 11, 4, 3, 0, 0);
    const h = host([0, 0, 0]);
    const d = new TriggerDumps(
      h,
      settings(dir, { kinds: new Set(['gone']), perMinute: 10, dirMaxBytes: 1000 }),
      (l) => lines.push(l),
      () => now,
    );
    d.gone(t0, h.snapshot());
    const first = d.list()[0]!;
    now += 1000;
    // Files written a second later: the older pair is the oldest by mtime too.
    fs.utimesSync(first.capture, new Date(now - 5000), new Date(now - 5000));
    fs.utimesSync(first.text, new Date(now - 5000), new Date(now - 5000));
    d.gone(t0, h.snapshot());
    expect(d.list().map((x) => x.capture)).not.toContain(first.capture);
    expect(d.list()).toHaveLength(1);
    expect(lines.filter((l) => l.includes('--dump-dir-max 1000: deleted'))).toHaveLength(2);
  });
});

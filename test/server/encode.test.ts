// jsonl records (src/server/encode.ts): the raw fields, and next to them what the text format
// shows: an ISO time, the errno name, and the text line each record completes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createIsoClock, createWallClock, type ClockSample } from '../../src/clock.js';
import { formatRecords } from '../../src/format/index.js';
import { createJsonlEncoder, errnoName } from '../../src/server/encode.js';
import { compileLineFilter } from '../../src/filter/lines.js';
import { syscallByName } from '../../src/syscalls/table.js';
import {
  TL_LOST_OVERWRITTEN,
  TL_NR_PROC_END,
  TL_PARAM_OK,
  type EnterRecord,
  type ExitRecord,
  type LostRecord,
  type WireRecord,
} from '../../src/wire.js';

// 12:00:00.000000 UTC on 2024-01-01 is CLOCK_MONOTONIC 1000 s in these tests.
const BASE = 1_000_000_000_000n;
const SAMPLE: ClockSample = { monotonicNowNs: BASE, wallNowMs: Date.UTC(2024, 0, 1, 12) };
const at = (us: number): bigint => BASE + BigInt(us) * 1000n;
const AT_FDCWD = BigInt.asUintN(64, -100n);

function nr(name: string): number {
  const def = syscallByName(name);
  if (!def) throw new Error(`no syscall ${name}`);
  return def.nr;
}

function enter(
  name: string,
  us: number,
  tid = 42,
  args: bigint[] = [3n, 0x1000n, 64n],
): EnterRecord {
  return {
    kind: 'enter',
    tid,
    pid: 40,
    seq: us,
    cpu: 0,
    nr: nr(name),
    ts: at(us),
    comm: 'cat',
    args,
    params: [],
    late: false,
  };
}

function exit(name: string | number, us: number, ret: bigint, tid = 42): ExitRecord {
  return {
    kind: 'exit',
    tid,
    pid: 40,
    seq: us,
    cpu: 0,
    nr: typeof name === 'number' ? name : nr(name),
    ts: at(us),
    ret,
    params: [],
    late: false,
  };
}

const lost = (us: number): LostRecord => ({
  kind: 'lost',
  cpu: 0,
  reason: TL_LOST_OVERWRITTEN,
  count: 7n,
  tsFrom: at(us),
  tsTo: at(us + 5),
});

/** All JSON objects for `batches`, pushed one after another, then the flush. */
function encode(batches: WireRecord[][]): Array<Record<string, unknown>> {
  const enc = createJsonlEncoder(SAMPLE);
  let out = '';
  for (const b of batches) out += enc.push(b);
  out += enc.flush();
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The text format's lines for the same records (same clock sample, local zone). */
const textLines = (records: WireRecord[]): string[] =>
  formatRecords(records, { time: createWallClock(SAMPLE) });

const texts = (objs: Array<Record<string, unknown>>): string[] =>
  objs.flatMap((o) => (typeof o.text === 'string' ? o.text.split('\n') : []));

function openatMissing(us: number): WireRecord[] {
  const e = enter('openat', us, 42, [AT_FDCWD, 0x7f00n, 0n, 0n]);
  e.params = [
    { arg: 1, status: TL_PARAM_OK, want: 0, bytes: Buffer.from('/nonexistent\0', 'latin1') },
  ];
  return [e, exit('openat', us + 3, -2n)];
}

describe('jsonl records', () => {
  it('a failed call: raw fields kept, time, errno and the line on its exit', () => {
    const records = openatMissing(1);
    const [en, ex] = encode([records]);
    expect(en).toMatchObject({
      kind: 'enter',
      ts: at(1).toString(),
      time: '2024-01-01T12:00:00.000001Z',
      syscall: 'openat',
      comm: 'cat',
      args: [AT_FDCWD.toString(), '32512', '0', '0'],
    });
    expect(en).not.toHaveProperty('text');
    expect(en).not.toHaveProperty('errno');
    expect(ex).toMatchObject({
      kind: 'exit',
      ts: at(4).toString(),
      time: '2024-01-01T12:00:00.000004Z',
      syscall: 'openat',
      ret: '-2',
      errno: 'ENOENT',
    });
    const [line] = textLines(records);
    expect(ex?.text).toBe(line);
    expect(line).toMatch(/openat\(AT_FDCWD, "\/nonexistent", O_RDONLY\) = -1 ENOENT /);
  });

  it('no errno on success or at a process end; unknown errnos by number', () => {
    expect(errnoName(exit('read', 1, 5n))).toBeUndefined();
    expect(errnoName(exit('read', 1, -4096n))).toBeUndefined();
    expect(errnoName(exit(TL_NR_PROC_END, 1, 9n))).toBeUndefined();
    expect(errnoName(exit('read', 1, -11n))).toBe('EAGAIN');
    expect(errnoName(exit('read', 1, -512n))).toBe('ERESTARTSYS');
    expect(errnoName(exit('read', 1, -4000n))).toBe('ERRNO_4000');
    expect(errnoName(enter('read', 1))).toBeUndefined();
  });

  it('interleaved calls: the unfinished half on its enter, the resumed half on its exit', () => {
    const records = [
      enter('read', 1, 1),
      enter('write', 2, 2),
      exit('read', 3, 5n, 1),
      exit('write', 4, -32n, 2),
    ];
    const objs = encode([records]);
    expect(objs.map((o) => [o.kind, o.tid])).toEqual([
      ['enter', 1],
      ['enter', 2],
      ['exit', 1],
      ['exit', 2],
    ]);
    const lines = textLines(records);
    expect(objs.map((o) => o.text)).toEqual(lines);
    expect(objs[0]?.text).toMatch(/read\(3, <unfinished \.\.\.>$/);
    expect(objs[3]).toMatchObject({ errno: 'EPIPE' });
  });

  it('an enter held across batches waits for its exit; the end shows it unfinished', () => {
    const records = [enter('read', 1), exit('read', 2, 0n), enter('read', 3)];
    const enc = createJsonlEncoder(SAMPLE);
    expect(enc.push([records[0] as WireRecord])).toBe('');
    const second = enc
      .push([records[1] as WireRecord])
      .trim()
      .split('\n');
    expect(second).toHaveLength(2);
    expect(enc.push([records[2] as WireRecord])).toBe('');
    const last = JSON.parse(enc.flush()) as Record<string, unknown>;
    expect(last.text).toMatch(/read\(3, <unfinished \.\.\.>$/);
    expect(last.seq).toBe(3);
  });

  it("a new child's first return does not decide the held enter, and order is kept", () => {
    const records = [
      enter('clone', 1, 1, [0n, 0n, 0n, 0n, 0n]),
      exit('clone', 2, 0n, 2),
      exit('clone', 3, 2n, 1),
    ];
    const objs = encode([records]);
    expect(objs.map((o) => o.seq)).toEqual([1, 2, 3]);
    expect(objs.map((o) => o.text)).toEqual([undefined, undefined, textLines(records)[0]]);
  });

  it('calls that never return, lost markers and process ends carry their lines', () => {
    const records = [enter('exit_group', 1, 42, [0n]), lost(2), exit(TL_NR_PROC_END, 10, 0n)];
    const objs = encode([records]);
    const lines = textLines(records);
    expect(objs.map((o) => o.text)).toEqual(lines);
    expect(lines[0]).toMatch(/exit_group\(0\) += \?$/);
    expect(objs[1]).toMatchObject({
      kind: 'lost',
      count: '7',
      time: '2024-01-01T12:00:00.000002Z',
    });
    expect(lines[2]).toMatch(/\+\+\+ exited with 0 \+\+\+$/);
  });

  it('the texts in order are the text format, however the records are cut in batches', () => {
    const names = ['read', 'write', 'close', 'openat', 'clone'];
    const rec = fc.oneof(
      fc.record({
        k: fc.constantFrom('enter' as const, 'exit' as const),
        tid: fc.integer({ min: 1, max: 3 }),
        name: fc.constantFrom(...names),
        ret: fc.constantFrom(0n, 3n, -2n, -11n),
      }),
      fc.constant({ k: 'lost' as const, tid: 0, name: '', ret: 0n }),
    );
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 40 }), fc.array(fc.nat(5)), (specs, cuts) => {
        const records: WireRecord[] = specs.map((s, i) =>
          s.k === 'lost'
            ? lost(i * 10)
            : s.k === 'enter'
              ? enter(s.name, i * 10, s.tid)
              : exit(s.name, i * 10, s.ret, s.tid),
        );
        const batches: WireRecord[][] = [];
        let i = 0;
        for (const c of cuts) {
          batches.push(records.slice(i, i + c));
          i += c;
        }
        batches.push(records.slice(i));
        const objs = encode(batches);
        expect(objs.map((o) => o.seq ?? o.tsFrom)).toEqual(
          records.map((r) => (r.kind === 'lost' ? r.tsFrom.toString() : r.seq)),
        );
        expect(texts(objs)).toEqual(textLines(records));
      }),
      { numRuns: 300 },
    );
  });
});

describe('jsonl under a filter', () => {
  /** [kind, seq] of what goes out for `batches` under `filter`. */
  function kept(filter: string, batches: WireRecord[][]): Array<[unknown, unknown]> {
    const enc = createJsonlEncoder(SAMPLE, compileLineFilter(filter));
    let out = '';
    for (const b of batches) out += enc.push(b);
    out += enc.flush();
    return out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .map((o) => [o.kind, o.seq ?? o.tsFrom]);
  }

  it("keeps the records of the lines the filter keeps, a call's enter and exit together", () => {
    const records = [...openatMissing(1), enter('read', 10), exit('read', 11, 4n)];
    expect(kept('errno:ENOENT', [records])).toEqual([
      ['enter', 1],
      ['exit', 4],
    ]);
    expect(kept('syscall:read', [records])).toEqual([
      ['enter', 10],
      ['exit', 11],
    ]);
    expect(kept('-syscall:read', [records])).toEqual([
      ['enter', 1],
      ['exit', 4],
    ]);
  });

  it('an enter shown unfinished waits for its exit, and goes with it (or not) by its resumed line', () => {
    // Thread 42's read is interrupted by thread 43's call; it fails later with EPIPE.
    const records = [enter('read', 1, 42), enter('getpid', 2, 43), exit('getpid', 3, 43n, 43)];
    const end = [exit('read', 9, -32n, 42)];
    expect(kept('errno:EPIPE', [records, end])).toEqual([
      ['enter', 1],
      ['exit', 9],
    ]);
    // Its unfinished line has no errno: the filter on it alone would have dropped the enter.
    expect(kept('errno:EPIPE', [records])).toEqual([]);
    expect(kept('syscall:getpid', [records, end])).toEqual([
      ['enter', 2],
      ['exit', 3],
    ]);
    expect(kept('dur>7us', [records, end])).toEqual([
      ['enter', 1],
      ['exit', 9],
    ]);
  });

  it('lost markers always go; an enter whose exit is lost is decided by its own line', () => {
    const records = [enter('read', 1, 42), enter('getpid', 2, 43), lost(5), exit('read', 9, 0n)];
    expect(kept('syscall:read', [records])).toEqual([
      ['enter', 1],
      ['lost', at(5).toString()],
      ['exit', 9],
    ]);
    expect(kept('syscall:write', [records])).toEqual([['lost', at(5).toString()]]);
  });
});

describe('createIsoClock', () => {
  it('maps a timestamp through the sample to UTC with microseconds', () => {
    const iso = createIsoClock(SAMPLE);
    expect(iso(BASE)).toBe('2024-01-01T12:00:00.000000Z');
    expect(iso(BASE + 1_234_567_891n)).toBe('2024-01-01T12:00:01.234567Z');
    expect(iso(BASE - 1000n)).toBe('2024-01-01T11:59:59.999999Z');
    const frac: ClockSample = { monotonicNowNs: 0n, wallNowMs: Date.UTC(2024, 0, 1) + 0.5 };
    expect(createIsoClock(frac)(0n)).toBe('2024-01-01T00:00:00.000500Z');
  });
});

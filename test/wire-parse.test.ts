// parseRecords and encodeRules against buffers built here by hand. The builders below write
// fields at offsets restated from bpf/traceloop.h, not taken from LAYOUT, so a wrong LAYOUT
// entry shows up here as well as in the addon comparison (test/wire.test.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call } from './ui/fake-api.js';
import {
  LAYOUT,
  TL_CAP_BUF_ARGLEN,
  TL_CAP_BUF_RETLEN,
  TL_CAP_STR,
  TL_CAP_STRUCT_EXIT,
  TL_LOST_OVERWRITTEN,
  TL_LOST_TORN,
  TL_MAX_SYSCALLS,
  TL_PARAM_FAULT,
  TL_PARAM_OK,
  TL_PARAM_TRUNCATED,
  TL_REC_ENTER,
  TL_REC_EXIT,
  TL_REC_LOST,
  TL_REC_PAD,
  TL_REC_PARAM,
  encodeRules,
  enterBytes,
  parseRecords,
  RecordWalk,
  type EnterRecord,
  type ExitRecord,
  type LostRecord,
  type Param,
  type Rule,
  type WireRecord,
} from '../src/wire.js';

const align8 = (n: number): number => (n + 7) & ~7;

function header(b: Buffer, size: number, type: number, flags: number, tid: number): void {
  b.writeUInt16LE(size, 0);
  b.writeUInt8(type, 2);
  b.writeUInt8(flags, 3);
  b.writeUInt32LE(tid, 4);
}

function event(b: Buffer, r: { seq: number; cpu: number; nr: number; ts: bigint }): void {
  b.writeUInt32LE(r.seq, 8);
  b.writeUInt16LE(r.cpu, 12);
  b.writeUInt16LE(r.nr, 14);
  b.writeBigUInt64LE(r.ts, 16);
}

function encParam(tid: number, p: Param): Buffer {
  const b = Buffer.alloc(16 + align8(p.bytes.length));
  header(b, b.length, TL_REC_PARAM, 0, tid);
  b.writeUInt8(p.arg, 8);
  b.writeUInt8(p.status, 9);
  b.writeUInt16LE(p.bytes.length, 10);
  b.writeUInt32LE(p.want, 12);
  p.bytes.copy(b, 16);
  return b;
}

function encEnter(r: EnterRecord): Buffer {
  const b = Buffer.alloc(48 + 8 * r.args.length);
  header(b, b.length, TL_REC_ENTER, 0, r.tid);
  event(b, r);
  b.writeUInt32LE(r.pid, 24);
  b.writeUInt8(r.args.length, 28);
  b.writeUInt8(r.params.length, 29);
  b.write(r.comm, 32, 16, 'utf8');
  r.args.forEach((a, i) => b.writeBigUInt64LE(a, 48 + 8 * i));
  return Buffer.concat([b, ...r.params.map((p) => encParam(r.tid, p))]);
}

function encExit(r: ExitRecord): Buffer {
  const b = Buffer.alloc(40);
  header(b, 40, TL_REC_EXIT, 0, r.tid);
  event(b, r);
  b.writeBigInt64LE(r.ret, 24);
  b.writeUInt32LE(r.pid, 32);
  b.writeUInt8(r.params.length, 36);
  return Buffer.concat([b, ...r.params.map((p) => encParam(r.tid, p))]);
}

function encLost(r: LostRecord): Buffer {
  const b = Buffer.alloc(40);
  header(b, 40, TL_REC_LOST, r.reason, 0);
  b.writeUInt32LE(r.cpu, 8);
  b.writeBigUInt64LE(r.count, 16);
  b.writeBigUInt64LE(r.tsFrom, 24);
  b.writeBigUInt64LE(r.tsTo, 32);
  return b;
}

function encPad(size: number): Buffer {
  const b = Buffer.alloc(size, 0xee); // filler content must not matter
  header(b, size, TL_REC_PAD, 0, 0);
  return b;
}

function encode(r: WireRecord): Buffer {
  if (r.kind === 'enter') return encEnter(r);
  if (r.kind === 'exit') return encExit(r);
  return encLost(r);
}

const enter = (over: Partial<EnterRecord> = {}): EnterRecord => ({
  kind: 'enter',
  tid: 101,
  pid: 100,
  seq: 7,
  cpu: 1,
  nr: 257,
  ts: 1_000_000_123n,
  comm: 'cat',
  args: [0xffffff9cn, 0x7ffd0000n, 0x80000n, 0n],
  params: [],
  late: false,
  ...over,
});

const exit = (over: Partial<ExitRecord> = {}): ExitRecord => ({
  kind: 'exit',
  tid: 101,
  pid: 100,
  seq: 8,
  cpu: 1,
  nr: 257,
  ts: 1_000_000_999n,
  ret: 3n,
  params: [],
  late: false,
  ...over,
});

const lost = (over: Partial<LostRecord> = {}): LostRecord => ({
  kind: 'lost',
  cpu: 1,
  reason: TL_LOST_OVERWRITTEN,
  count: 1234n,
  tsFrom: 5n,
  tsTo: 9n,
  ...over,
});

const param = (arg: number, text: string, over: Partial<Param> = {}): Param => ({
  arg,
  status: TL_PARAM_OK,
  want: 0,
  bytes: Buffer.from(text, 'latin1'),
  ...over,
});

describe('layout', () => {
  it.each([
    ['sizeof(struct tl_hdr)', 8],
    ['sizeof(struct tl_event)', 24],
    ['sizeof(struct tl_enter)', 96],
    ['sizeof(struct tl_exit)', 40],
    ['sizeof(struct tl_param)', 16],
    ['sizeof(struct tl_lost)', 40],
    ['sizeof(struct tl_ring_ctrl)', 2144], // 64 + the open call (32) + 64 comm slots (32 each)
    ['sizeof(struct tl_ring_enter)', 80],
    ['sizeof(struct tl_done)', 16],
    ['sizeof(struct tl_capture)', 8],
    ['sizeof(struct tl_rule)', 32],
    ['tl_enter.args', 48],
    ['tl_exit.ret', 24],
  ] as const)('%s = %d', (key, value) => {
    expect(LAYOUT[key]).toBe(value);
  });

  it('cuts enter records after their args (TL_ENTER_BYTES)', () => {
    expect([0, 1, 6].map(enterBytes)).toEqual([48, 56, 96]);
  });

  it('keeps every key of the form the addon reports', () => {
    for (const key of Object.keys(LAYOUT)) {
      expect(key).toMatch(/^(sizeof\(struct tl_\w+\)|tl_\w+\.\w+)$/);
    }
  });
});

describe('parseRecords', () => {
  const cases: Array<[string, WireRecord[]]> = [
    ['nothing', []],
    ['an enter without args', [enter({ nr: 39, args: [] })]],
    [
      'an enter with its params',
      [
        enter({
          params: [param(1, '/etc/passwd\0'), param(3, 'x', { status: TL_PARAM_TRUNCATED })],
        }),
      ],
    ],
    ['an exit with a negative return', [exit({ ret: -2n })]],
    [
      'an exit with a buffer param',
      [exit({ nr: 0, ret: 3n, params: [param(1, 'abc', { want: 3 })] })],
    ],
    ['a lost marker', [lost({ reason: TL_LOST_TORN, tsFrom: 0n })]],
    [
      'a faulted param with no bytes',
      [enter({ params: [param(1, '', { status: TL_PARAM_FAULT })] })],
    ],
    ['a 16-byte comm (no NUL)', [enter({ comm: 'abcdefghijklmnop' })]],
    ['u64 extremes', [enter({ args: [2n ** 64n - 1n], ts: 2n ** 64n - 1n, seq: 2 ** 32 - 1 })]],
    ['a sequence', [enter(), exit(), lost(), enter({ tid: 7, cpu: 0 }), exit({ tid: 7, cpu: 0 })]],
  ];
  it.each(cases)('decodes %s', (_name, records) => {
    expect(parseRecords(Buffer.concat(records.map(encode)))).toEqual(records);
  });

  it('skips PAD records, also between a record and its params', () => {
    const e = enter({ params: [param(1, '/tmp\0')] });
    const [head, tail] = [encEnter({ ...e, params: [] }), encParam(e.tid, param(1, '/tmp\0'))];
    const buf = Buffer.concat([encPad(8), head, encPad(64), tail, encPad(16), encode(exit())]);
    expect(parseRecords(buf)).toEqual([e, exit()]);
  });

  it('drops params that have no owner of their tid', () => {
    const orphan = encParam(101, param(1, 'lost\0'));
    const buf = Buffer.concat([
      orphan, // at the start
      encLost(lost()),
      orphan, // right after a lost marker
      encEnter(enter({ tid: 5 })),
      orphan, // after another thread's record
    ]);
    expect(parseRecords(buf)).toEqual([lost(), enter({ tid: 5 })]);
  });

  it('reads little-endian fields at the header offsets', () => {
    const [r] = parseRecords(encEnter(enter({ tid: 0x01020304, nr: 0x1c4, cpu: 0x0102 })));
    expect(r).toMatchObject({ kind: 'enter', tid: 0x01020304, nr: 0x1c4, cpu: 0x0102 });
  });

  const good = encEnter(enter());
  const withSize = (b: Buffer, size: number): Buffer => {
    const c = Buffer.from(b);
    c.writeUInt16LE(size, 0);
    return c;
  };
  const withByte = (b: Buffer, at: number, value: number): Buffer => {
    const c = Buffer.from(b);
    c.writeUInt8(value, at);
    return c;
  };
  const malformed: Array<[string, Buffer, RegExp]> = [
    ['size 0', Buffer.concat([good, withSize(encPad(8), 0)]), /offset 80: size 0/],
    ['size not a multiple of 8', withSize(good, 76), /offset 0: size 76 is not a multiple of 8/],
    ['size past the end', Buffer.concat([encPad(8), withSize(good, 88)]), /offset 8: size 88 runs/],
    ['a trailing partial header', Buffer.concat([good, Buffer.alloc(4)]), /offset 80: 4 trailing/],
    [
      'an unknown type',
      Buffer.concat([good, withByte(encPad(8), 2, 9)]),
      /offset 80: unknown .* 9/,
    ],
    ['nargs above 6', withByte(good, 28, 7), /offset 0: enter with nargs 7/],
    ['an enter shorter than its args', withByte(good, 28, 5), /offset 0: enter of 80 bytes/],
    ['a short exit', withSize(encExit(exit()), 32).subarray(0, 32), /offset 0: exit of only 32/],
    ['a short lost', withSize(encLost(lost()), 32).subarray(0, 32), /offset 0: lost of only 32/],
    [
      'a param longer than its record',
      Buffer.concat([good, withByte(encParam(101, param(0, 'abc')), 10, 9)]),
      /offset 80: param of 24 bytes cannot hold 9/,
    ],
  ];
  it.each(malformed)('throws on %s, naming the offset', (_name, buf, message) => {
    expect(() => parseRecords(buf)).toThrow(message);
  });

  const arbParam = fc.record({
    arg: fc.integer({ min: 0, max: 5 }),
    status: fc.constantFrom(TL_PARAM_OK, TL_PARAM_FAULT, TL_PARAM_TRUNCATED),
    want: fc.nat({ max: 2 ** 32 - 1 }),
    bytes: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  });
  const arbEvent = {
    tid: fc.nat({ max: 2 ** 32 - 1 }),
    pid: fc.nat({ max: 2 ** 32 - 1 }),
    seq: fc.nat({ max: 2 ** 32 - 1 }),
    cpu: fc.nat({ max: 0xffff }),
    nr: fc.nat({ max: 0xffff }),
    ts: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    params: fc.array(arbParam, { maxLength: 3 }),
    late: fc.constant(false),
  };
  const arbRecord: fc.Arbitrary<WireRecord> = fc.oneof(
    fc.record({
      kind: fc.constant('enter' as const),
      ...arbEvent,
      comm: fc.stringMatching(/^[a-z0-9/:-]{0,16}$/),
      args: fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { maxLength: 6 }),
    }),
    fc.record({
      kind: fc.constant('exit' as const),
      ...arbEvent,
      ret: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
    }),
    fc.record({
      kind: fc.constant('lost' as const),
      cpu: fc.nat({ max: 2 ** 32 - 1 }),
      reason: fc.integer({ min: 1, max: 5 }),
      count: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      tsFrom: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      tsTo: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    }),
  );
  it('round-trips any sequence of records', () => {
    fc.assert(
      fc.property(fc.array(arbRecord, { maxLength: 20 }), (records) => {
        expect(parseRecords(Buffer.concat(records.map(encode)))).toEqual(records);
      }),
    );
  });
});

describe('encodeRules', () => {
  const rule = (b: Buffer, nr: number): Buffer => b.subarray(nr * 32, nr * 32 + 32);

  it('packs TL_MAX_SYSCALLS struct tl_rule entries, zero where no rule is given', () => {
    const b = encodeRules(new Map());
    expect(b.length).toBe(TL_MAX_SYSCALLS * 32);
    expect(b.every((x) => x === 0)).toBe(true);
  });

  it('writes nargs and captures at the header offsets', () => {
    const rules = new Map<number, Rule>([
      [1, { nargs: 3, captures: [{ kind: TL_CAP_BUF_ARGLEN, arg: 1, lenArg: 2 }] }],
      [
        511,
        {
          nargs: 6,
          captures: [
            { kind: TL_CAP_STR, arg: 0 },
            { kind: TL_CAP_BUF_RETLEN, arg: 1 },
            { kind: TL_CAP_STRUCT_EXIT, arg: 4, size: 256 },
          ],
        },
      ],
    ]);
    const b = encodeRules(rules);
    expect([...rule(b, 1)]).toEqual([3, 0, 0, 0, 0, 0, 0, 0, 2, 1, 2, 0, 0, 0, 0, 0, ...zeros(16)]);
    expect([...rule(b, 511)]).toEqual([
      ...[6, 0, 0, 0, 0, 0, 0, 0],
      ...[1, 0, 0, 0, 0, 0, 0, 0],
      ...[3, 1, 0, 0, 0, 0, 0, 0],
      ...[5, 4, 0, 0, 0, 1, 0, 0],
    ]);
    expect(rule(b, 0).every((x) => x === 0)).toBe(true);
  });

  const bad: Array<[string, number, Rule, RegExp]> = [
    ['a number past the table', 512, { nargs: 0, captures: [] }, /outside 0..511/],
    ['a negative number', -1, { nargs: 0, captures: [] }, /outside/],
    ['nargs above 6', 0, { nargs: 7, captures: [] }, /nargs 7/],
    [
      'four captures',
      0,
      { nargs: 6, captures: [0, 1, 2, 3].map((arg) => ({ kind: TL_CAP_STR, arg })) },
      /more than 3 captures/,
    ],
    ['a capture of arg 6', 0, { nargs: 6, captures: [{ kind: TL_CAP_STR, arg: 6 }] }, /arg 6/],
    [
      'an arglen buffer without length',
      0,
      { nargs: 6, captures: [{ kind: TL_CAP_BUF_ARGLEN, arg: 1 }] },
      /needs another arg/,
    ],
    [
      'a struct without size',
      0,
      { nargs: 6, captures: [{ kind: TL_CAP_STRUCT_EXIT, arg: 1 }] },
      /needs 1..4096 bytes/,
    ],
  ];
  it.each(bad)('rejects %s', (_name, nr, r, message) => {
    expect(() => encodeRules(new Map([[nr, r]]))).toThrow(message);
  });
});

function zeros(n: number): number[] {
  return Array.from({ length: n }, () => 0);
}

describe('RecordWalk: the one walk over a batch', () => {
  const twoCalls = (): Buffer =>
    Buffer.concat([call({ name: 'getpid', ret: 1n }), call({ name: 'close', args: [3n] })]);

  it('steps record by record: offset, size, type, tid', () => {
    const buf = twoCalls();
    const walk = new RecordWalk(buf, true);
    const seen: [number, number, number, number][] = [];
    while (walk.next()) seen.push([walk.off, walk.size, walk.type, walk.tid]);
    expect(seen.map((s) => s[2])).toEqual([TL_REC_ENTER, TL_REC_EXIT, TL_REC_ENTER, TL_REC_EXIT]);
    expect(seen[1]![0]).toBe(seen[0]![1]); // the exit starts where the enter ends
    expect(seen.every((s) => s[3] === 100)).toBe(true);
  });

  it('strict throws at a bad header, naming its offset; lenient stops there, keeping what came before', () => {
    const buf = twoCalls();
    const exitAt = 48;
    buf.writeUInt16LE(12, exitAt + LAYOUT['tl_hdr.size']); // not a multiple of 8
    const strict = new RecordWalk(buf, true);
    expect(strict.next()).toBe(true);
    expect(() => strict.next()).toThrow(
      `malformed record at offset ${exitAt}: size 12 is not a multiple of 8`,
    );
    const lenient = new RecordWalk(buf, false);
    let n = 0;
    while (lenient.next()) n++;
    expect(n).toBe(1);
    const short = new RecordWalk(Buffer.alloc(4), false);
    expect(short.next()).toBe(false);
    expect(() => new RecordWalk(Buffer.alloc(4), true).next()).toThrow(/4 trailing bytes/);
  });
});

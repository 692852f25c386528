// Capture files (src/capture/, docs/capture-format.md): what is written reads back the same,
// the text of a capture is the recording's, and a file cut short, damaged or foreign gives a
// one-line error and whatever came before the damage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// Built like the addon's batches: seeded random records over every syscall.
// @ts-expect-error -- bench/ is plain JavaScript without declarations; it returns Buffer[].
import { fuzzBatches } from '../bench/decode-input.mjs';
import { crc32 } from '../src/capture/crc32.js';
import {
  CHUNK_END,
  CHUNK_HEADER,
  CHUNK_PROC,
  CHUNK_RECORDS,
  encodeChunk,
  encodeJsonChunk,
  encodeStart,
  MAGIC,
  WIRE_LAYOUT_ID,
  type CaptureEnd,
} from '../src/capture/format.js';
import { dumpCapture } from '../src/capture/from-dump.js';
import {
  checkAnswers,
  RecordingProc,
  ReplayProc,
  type ProcAnswer,
} from '../src/capture/proc-answers.js';
import type { ProcReader } from '../src/format/proc-fds.js';
import { CaptureError, readCapture, type Capture } from '../src/capture/reader.js';
import { RecordingText } from '../src/capture/recording-text.js';
import { replayText } from '../src/capture/replay.js';
import {
  CaptureWriter,
  captureHeader,
  piecesOf,
  type CaptureFacts,
} from '../src/capture/writer.js';
import type { ClockSample } from '../src/clock.js';
import { parseRecords } from '../src/wire.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-capture-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const CLOCK: ClockSample = { monotonicNowNs: 1_000_000_000n, wallNowMs: 1_796_000_000_123.25 };
const BATCHES: Buffer[] = fuzzBatches(7, 3000);
const END: CaptureEnd = {
  cpus: [
    { cpu: 0, emitted: 10, failed: 0, faults: 1, headBytes: 640, delivered: 9, lost: 1 },
    { cpu: 1, emitted: 5, failed: 0, faults: 0, headBytes: 320, delivered: 5, lost: 0 },
  ],
  exit: { code: 3, signal: null },
};

function facts(over: Partial<CaptureFacts> = {}): CaptureFacts {
  return {
    source: 'run',
    cgroup: { path: '/sys/fs/cgroup/traceloop/run-1', id: 4242n, name: 'run-1' },
    title: '# traceloop run: sh -c true (pid 77, cgroup /sys/fs/cgroup/traceloop/run-1)',
    captures: { leftOut: '', why: '' },
    settings: { maxString: 32, durations: false, ringPages: 512, maxArgBytes: 256 },
    clock: CLOCK,
    ...over,
  };
}

let n = 0;
/** A capture written by CaptureWriter to a file, and the file's bytes. */
function written(
  batches: Buffer[] = BATCHES,
  f = facts(),
  end: CaptureEnd | undefined = END,
): Buffer {
  const file = path.join(dir, `c${n++}.tlcap`);
  const w = CaptureWriter.open(file);
  w.start(f);
  for (const b of batches) w.records(b);
  if (end) w.finish(end);
  else w.abort();
  return fs.readFileSync(file);
}

const GOOD = written();

/** Where each chunk starts, from the file's own framing. */
function chunkStarts(bytes: Buffer): number[] {
  const starts: number[] = [];
  for (let at = MAGIC.length + 4; at < bytes.length; at += 12 + bytes.readUInt32LE(at + 4)) {
    starts.push(at);
  }
  return starts;
}

function textOf(c: Capture, opts = {}): string[] {
  const lines: string[] = [];
  replayText(c, (l) => lines.push(...l), opts);
  return lines;
}

/** What readCapture throws, as its message (fails the test if it returns). */
function refusal(bytes: Buffer): string {
  try {
    readCapture(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(CaptureError);
    return (err as Error).message;
  }
  throw new Error('read a file it should have refused');
}

/** A file with this header object (whatever it holds), framed and checksummed right. */
function withHeader(header: unknown): Buffer {
  return Buffer.concat([encodeStart(), encodeJsonChunk(CHUNK_HEADER, header)]);
}

describe('capture files: written and read back', () => {
  it('crc32 is the IEEE one (the check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('6789'), crc32(Buffer.from('12345')))).toBe(0xcbf43926);
  });

  it('holds the header, every batch as handed over, and the end', () => {
    const c = readCapture(GOOD);
    expect(c.damage).toBeUndefined();
    expect(c.goodBytes).toBe(GOOD.length);
    expect(c.header).toEqual(captureHeader(facts()));
    expect(c.header).toMatchObject({
      format: 1,
      source: 'run',
      wireLayout: WIRE_LAYOUT_ID,
      arch: 'x64',
      kernel: os.release(),
      host: os.hostname(),
      cgroup: { id: '4242' },
      clock: { monotonicNs: '1000000000', wallMs: 1_796_000_000_123.25 },
    });
    expect(c.header.traceloop).toMatch(/^\d+\.\d+\.\d+/);
    expect(c.batches.map((b) => b.toString('hex'))).toEqual(BATCHES.map((b) => b.toString('hex')));
    expect(c.end).toEqual(END);
  });

  it('prints what the recording printed: the same pipeline, clock and settings', () => {
    const f = facts({
      execPid: 3,
      settings: { maxString: 8, durations: true, filter: '-errno:ENOENT' },
    });
    const c = readCapture(written(BATCHES, f));
    const direct: string[] = [];
    const text = new RecordingText(
      { maxString: 8, durations: true, filter: '-errno:ENOENT' },
      (l) => direct.push(...l),
      CLOCK,
    );
    text.fromExecOf(3);
    text.header(f.title, f.captures);
    for (const b of BATCHES) text.batch(b);
    text.finish(END.cpus);
    expect(textOf(c)).toEqual(direct);
    expect(direct.length).toBeGreaterThan(1000);
    // The settings matter: another -s prints other lines.
    expect(textOf(readCapture(written(BATCHES, facts())))).not.toEqual(direct);
    expect(direct.some((l) => / ENOENT /.test(l))).toBe(false);
    expect(direct.at(-1)).toMatch(/^# cpu0: 10 recorded, 9 shown, 1 lost, 1 unreadable arguments/);
    // Times are the recording's wall clock (its sample), not now.
    expect(direct[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{6} cpu#/);
  });

  it('-c and an extra --filter on view', () => {
    const c = readCapture(GOOD);
    const table = textOf(c, { summary: true });
    expect(table.join('\n')).toMatch(/% time +seconds +usecs\/call +calls +errors +syscall/);
    const all = textOf(c);
    const opens = textOf(c, { filter: 'syscall:openat' });
    expect(opens.length).toBeLessThan(all.length);
    expect(
      opens
        .filter((l) => / cpu#\d+ /.test(l) && !l.includes('LOST'))
        .every((l) => l.includes('openat')),
    ).toBe(true);
  });
});

describe('capture files: damaged, cut short, foreign', () => {
  const starts = chunkStarts(GOOD);

  it('a file cut anywhere reads up to its last whole chunk, and says where it stops', () => {
    const headerEnd = starts[1]!;
    for (let cut = 0; cut < GOOD.length; cut += cut < 200 ? 1 : 997) {
      const part = GOOD.subarray(0, cut);
      if (cut < headerEnd) {
        expect(refusal(part)).toMatch(/not a traceloop capture|cut short|no readable header/);
        continue;
      }
      const c = readCapture(part);
      expect(c.damage).toMatch(/^cut short at byte \d+/);
      const whole = starts.filter((s, i) => i > 0 && (starts[i + 1] ?? GOOD.length) <= cut).length;
      expect(c.batches).toHaveLength(Math.min(whole, BATCHES.length));
      expect(c.goodBytes).toBeLessThanOrEqual(cut);
      // The text of what was read ends with the note and counts of the records read.
      const text = textOf(c);
      expect(text.at(-2)).toMatch(/^# the capture ends early: cut short at byte/);
      expect(text.at(-1)).toMatch(/^# (cpu|nothing recorded)/);
    }
  });

  it('a flipped bit in a records chunk stops the reading there; the chunks before it are kept', () => {
    const bytes = Buffer.from(GOOD);
    const third = starts[3]!;
    bytes[third + 40] = bytes[third + 40]! ^ 0x04;
    const c = readCapture(bytes);
    expect(c.damage).toBe(`damaged at byte ${third}: the chunk's checksum does not match`);
    expect(c.batches).toHaveLength(2);
    expect(c.end).toBeUndefined();
  });

  it('a length beyond reason, a chunk kind it does not know, a chunk after the end', () => {
    const big = Buffer.from(GOOD);
    big.writeUInt32LE(0xfffffff0, starts[2]! + 4);
    expect(readCapture(big).damage).toMatch(/damaged at byte \d+: a chunk of 4294967280 bytes/);
    const odd = Buffer.from(GOOD);
    odd[starts[2]!] = 0x5a;
    expect(readCapture(odd).damage).toMatch(/no chunk starts there/);
    const after = Buffer.concat([GOOD, encodeChunk(CHUNK_RECORDS, BATCHES[0]!)]);
    expect(readCapture(after).damage).toMatch(/a chunk after the end chunk/);
    const twice = Buffer.concat([
      GOOD.subarray(0, starts[1]),
      GOOD.subarray(starts[0]!, starts[1]),
    ]);
    expect(readCapture(twice).damage).toMatch(/a second header/);
  });

  it('records whose frames cannot be right, under a good checksum, are not passed on', () => {
    const bad = Buffer.from(BATCHES[0]!.subarray(0, 64));
    bad.writeUInt16LE(12, 0); // a record of 12 bytes: not a multiple of 8
    const bytes = Buffer.concat([
      GOOD.subarray(0, starts[2]),
      encodeChunk(CHUNK_RECORDS, bad),
      encodeJsonChunk(CHUNK_END, END),
    ]);
    const c = readCapture(bytes);
    expect(c.damage).toMatch(/damaged at byte \d+: records that cannot be right \(.*offset 0/);
    expect(c.batches).toHaveLength(1);
    expect(() => parseRecords(c.batches[0]!)).not.toThrow();
  });

  it('a file without its end chunk (the recording cut off) counts what it holds', () => {
    const c = readCapture(GOOD.subarray(0, starts.at(-1)));
    expect(c.damage).toBe(`cut short at byte ${starts.at(-1)} (no end chunk)`);
    expect(c.batches).toHaveLength(BATCHES.length);
    const last = textOf(c).at(-1)!;
    // recorded = shown + lost, from the batches alone.
    for (const m of last.matchAll(/cpu\d+: (\d+) recorded, (\d+) shown, (\d+) lost/g)) {
      expect(Number(m[1])).toBe(Number(m[2]) + Number(m[3]));
    }
    expect(last).toMatch(/^# cpu0: \d+ recorded/);
  });

  it('foreign files, other versions, other layouts and bad headers are refused in one line', () => {
    const header = captureHeader(facts());
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from('hello\n'), /^not a traceloop capture file \(no TLCAP magic at its start\)$/],
      [Buffer.alloc(0), /not a traceloop capture file/],
      [fs.readFileSync(process.execPath).subarray(0, 4096), /not a traceloop capture file/],
      [MAGIC, /cut short before its format version/],
      [
        Buffer.concat([MAGIC, Buffer.from([2, 0, 0, 0])]),
        /^capture format 2: this traceloop reads format 1/,
      ],
      [
        Buffer.concat([encodeStart(), encodeJsonChunk(CHUNK_RECORDS, {})]),
        /no header chunk at its start/,
      ],
      [
        Buffer.concat([encodeStart(), encodeChunk(CHUNK_HEADER, Buffer.from('{'))]),
        /its header is not JSON/,
      ],
      [withHeader([1, 2]), /its header has no valid fields/],
      [
        withHeader({ ...header, wireLayout: 'deadbeef' }),
        /another wire layout \(deadbeef, traceloop/,
      ],
      [
        withHeader({ ...header, arch: 'arm64' }),
        /recorded on arm64: this traceloop decodes x86_64/,
      ],
      [
        withHeader({ ...header, clock: { monotonicNs: '-5', wallMs: 1 } }),
        /no valid clock\.monotonicNs/,
      ],
      [
        withHeader({ ...header, settings: { maxString: -1, durations: false } }),
        /settings\.maxString/,
      ],
      [withHeader({ ...header, title: 7 }), /no valid title/],
      [withHeader({ ...header, format: 9 }), /no valid format/],
    ];
    for (const [bytes, message] of cases) expect(refusal(bytes)).toMatch(message);
  });

  it('an end chunk with a counter that is no count stops there', () => {
    const bytes = Buffer.concat([
      GOOD.subarray(0, starts.at(-1)),
      encodeJsonChunk(CHUNK_END, { cpus: [{ ...END.cpus[0], lost: -1 }] }),
    ]);
    expect(readCapture(bytes).damage).toMatch(/an end chunk with a bad counter lost/);
  });
});

describe('capture files from a daemon dump (dump --save)', () => {
  it('takes the raw dump head, its records and the stats; the title is the text dump s', () => {
    const cpus = END.cpus;
    const head = { id: 3, name: 'web', path: '/sys/fs/cgroup/web', gone: true, cpus };
    const body = Buffer.concat([Buffer.from(JSON.stringify(head) + '\n'), BATCHES[0]!]);
    const stats = JSON.stringify({
      daemon: {},
      capturesLeftOut: { families: 'iovec', why: 'too big' },
      cgroups: [{ cgroupId: '99', goneAt: '2026-12-04T10:00:00.000Z', ringBytes: 262144 }],
    });
    const d = dumpCapture(body, stats, CLOCK);
    expect(d.facts.title).toBe(
      '# traceloop dump of /sys/fs/cgroup/web (id 3, name web; gone since 2026-12-04T10:00:00.000Z)',
    );
    expect(d.facts.cgroup).toEqual({ path: '/sys/fs/cgroup/web', id: 99n, name: 'web' });
    expect(d.facts.captures).toEqual({ leftOut: 'iovec', why: 'too big' });
    expect(d.facts.settings).toEqual({
      maxString: 32,
      durations: false,
      decodeFds: true,
      ringPages: 64,
    });
    expect(d.records.equals(BATCHES[0]!)).toBe(true);
    expect(d.cpus).toEqual(cpus);
    const c = readCapture(written([d.records], d.facts, { cpus: d.cpus }));
    const text = textOf(c);
    expect(text[0]).toBe(d.facts.title);
    expect(text[1]).toMatch(/^# captures left out on this kernel: iovec \(verifier: too big\)/);
  });

  it('refuses an answer without the head line', () => {
    expect(() => dumpCapture(Buffer.from('no head'), '{}', CLOCK)).toThrow(/without its head line/);
  });
});

describe('what /proc told the recording (strace -y names), kept and given back', () => {
  const live: ProcReader = {
    snapshot: (pid) =>
      pid === 7
        ? { fds: new Map([[0, { text: '/dev/pts/1', cloexec: false }]]), cwd: '/home' }
        : undefined,
    fdLink: (pid, fd) => (fd === 3 ? `pipe:[${pid}]` : undefined),
    realpath: (p) => (p.startsWith('/lib/') ? `/usr${p}` : undefined),
  };

  it('the same questions in the same order get the same answers; others get none', () => {
    const rec = new RecordingProc(live);
    const ask = (p: ProcReader) => [
      p.snapshot(7),
      p.snapshot(8),
      p.fdLink(7, 3),
      p.fdLink(7, 4),
      p.realpath('/lib/libc.so.6'),
      p.realpath('/etc/x'),
    ];
    const asked = ask(rec);
    const answers = rec.take();
    expect(answers).toHaveLength(6);
    expect(rec.take()).toEqual([]);
    // Through JSON, as the capture holds them.
    const kept = checkAnswers(JSON.parse(JSON.stringify(answers)))!;
    const replay = new ReplayProc(kept);
    expect(ask(replay)).toEqual(asked);
    expect(replay.strayed).toBe(0);
    const other = new ReplayProc(kept);
    expect(other.realpath('/lib/libc.so.6')).toBeUndefined();
    expect(other.strayed).toBe(1);
  });

  it('answers that are not answers are refused', () => {
    for (const bad of [
      {},
      [{ q: 'realpath', path: 1, real: null }],
      [{ q: 'snapshot', pid: -1, fds: null, cwd: null }],
      [{ q: 'snapshot', pid: 1, fds: [[1, 'x']], cwd: null }],
      [{ q: 'other' }],
    ]) {
      expect(checkAnswers(bad)).toBeUndefined();
    }
  });

  it('a capture keeps the answers of every chunk in order; bad ones stop the reading', () => {
    const a: ProcAnswer[] = [{ q: 'realpath', path: '/lib/a', real: '/usr/lib/a' }];
    const b: ProcAnswer[] = [{ q: 'fdLink', pid: 1, fd: 3, link: null }];
    const bytes = Buffer.concat([
      GOOD.subarray(0, chunkStarts(GOOD)[1]),
      encodeChunk(CHUNK_RECORDS, BATCHES[0]!),
      encodeJsonChunk(CHUNK_PROC, a),
      encodeChunk(CHUNK_RECORDS, BATCHES[1]!),
      encodeJsonChunk(CHUNK_PROC, b),
      encodeJsonChunk(CHUNK_END, END),
    ]);
    const c = readCapture(bytes);
    expect(c.damage).toBeUndefined();
    expect(c.procAnswers).toEqual([...a, ...b]);
    const broken = Buffer.concat([
      bytes.subarray(0, chunkStarts(bytes)[3]),
      encodeJsonChunk(CHUNK_PROC, [{ q: 'nonsense' }]),
    ]);
    expect(readCapture(broken).damage).toMatch(/\/proc answers that are not answers/);
  });
});

describe('a hostile capture', () => {
  it('its strings never carry terminal escapes to the screen: control characters print as ?', () => {
    const evil = '\x1b]2;pwned\x07\x1b[2J';
    const c = readCapture(written(BATCHES, facts({ title: `# traceloop run: ${evil}` })));
    expect(c.header.title).toBe('# traceloop run: ?]2;pwned??[2J');
    expect(textOf(c)[0]).toBe(c.header.title);
    // eslint-disable-next-line no-control-regex
    expect(textOf(c).join('\n')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('a filter in its settings that is no filter is refused when read, not thrown when printed', () => {
    const bytes = written(
      BATCHES,
      facts({
        settings: {
          maxString: 32,
          durations: false,
          ringPages: 512,
          maxArgBytes: 256,
          filter: 'pid:x',
        },
      }),
    );
    expect(refusal(bytes)).toMatch(/its header has no valid settings\.filter/);
  });
});

describe('a flight record larger than a chunk', () => {
  it('is cut at event boundaries: every piece parses whole, together they are the record', () => {
    const batch = Buffer.concat(BATCHES.slice(0, 20));
    const whole = parseRecords(batch);
    for (const limit of [512, 4096, 65536]) {
      const pieces = piecesOf(batch, limit);
      expect(pieces.length).toBeGreaterThan(1);
      expect(Buffer.concat(pieces).equals(batch)).toBe(true);
      const parsed = pieces.flatMap((p) => parseRecords(p));
      // Params stay with their records: the same records, the same params on each.
      expect(parsed.length).toBe(whole.length);
      expect(parsed.map((r) => (r.kind === 'lost' ? 0 : r.params.length))).toEqual(
        whole.map((r) => (r.kind === 'lost' ? 0 : r.params.length)),
      );
    }
  });
});

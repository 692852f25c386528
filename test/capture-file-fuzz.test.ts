// The capture reader fuzzed: whatever a file holds (cut anywhere, bits flipped, bytes
// overwritten, garbage, well-framed chunks of garbage under good checksums), reading it throws
// nothing but a CaptureError, and what it returns prints without throwing. Every case runs in
// a bounded time: a reader that looped would fail the per-case budget.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- bench/ is plain JavaScript without declarations; it returns Buffer[].
import { fuzzBatches } from '../bench/decode-input.mjs';
import {
  CHUNK_END,
  CHUNK_HEADER,
  CHUNK_PROC,
  CHUNK_RECORDS,
  encodeChunk,
  encodeJsonChunk,
  encodeStart,
  MAGIC,
} from '../src/capture/format.js';
import { CaptureError, readCapture } from '../src/capture/reader.js';
import { replayText } from '../src/capture/replay.js';
import { CaptureWriter, captureHeader, type CaptureFacts } from '../src/capture/writer.js';
import { TL_LOST_OVERWRITTEN, TL_REC_ENTER } from '../src/wire.js';
import { event, lost } from './helpers/records.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-capture-fuzz-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BATCHES: Buffer[] = fuzzBatches(11, 1200);
const FACTS: CaptureFacts = {
  source: 'run',
  cgroup: { path: '/sys/fs/cgroup/x', id: 1n, name: 'x' },
  title: '# traceloop run: fuzz',
  captures: { leftOut: '', why: '' },
  settings: { maxString: 32, durations: true, decodeFds: true },
  clock: { monotonicNowNs: 5n, wallNowMs: 1_700_000_000_000 },
  execPid: 100,
};
const END = {
  cpus: [{ cpu: 0, emitted: 1, failed: 0, faults: 0, headBytes: 8, delivered: 1, lost: 0 }],
};

const GOOD = (() => {
  const file = path.join(dir, 'good.tlcap');
  const w = CaptureWriter.open(file);
  w.start(FACTS);
  for (const b of BATCHES) w.records(b);
  w.finish(END);
  return fs.readFileSync(file);
})();

/** Reads and prints `bytes`: only CaptureError may come out, and quickly. */
function survives(bytes: Buffer): boolean {
  const started = performance.now();
  try {
    const c = readCapture(bytes);
    let lines = 0;
    replayText(c, (l) => (lines += l.length));
    replayText(c, () => {}, { summary: true });
    expect(lines).toBeGreaterThan(0);
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    expect((err as Error).message).not.toContain('\n');
  }
  // The good file reads and prints in some 100 ms; ten times that is a reader gone astray.
  expect(performance.now() - started).toBeLessThan(2000);
  return true;
}

const RUNS = 250;

describe('capture reader fuzz', () => {
  it('the file as written survives (the baseline)', () => {
    expect(readCapture(GOOD).damage).toBeUndefined();
    expect(survives(GOOD)).toBe(true);
  });

  it('a capture cut short whose lost marker names CPU 2,516,582,402: read and printed at once', () => {
    // Found by this file's fuzzing (fast-check seed 2, 4,000 runs): counted in an array indexed
    // by CPU, a cut capture's counts took minutes to walk, and a loop no per-case budget stops.
    const bytes = Buffer.concat([
      encodeStart(),
      encodeJsonChunk(CHUNK_HEADER, captureHeader(FACTS)),
      encodeChunk(
        CHUNK_RECORDS,
        Buffer.concat([
          event(TL_REC_ENTER, 1, 1000n),
          lost(TL_LOST_OVERWRITTEN, 3n, 1000n, 2000n, 2_516_582_402),
        ]),
      ),
    ]);
    const started = performance.now();
    const lines: string[] = [];
    replayText(readCapture(bytes), (l) => lines.push(...l));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(lines.join('\n')).toContain('cpu2516582402: 3 recorded, 0 shown, 3 lost');
  });

  it('cut anywhere, with bits flipped and bytes overwritten', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: GOOD.length }),
        fc.array(fc.tuple(fc.nat({ max: GOOD.length - 1 }), fc.integer({ min: 0, max: 7 })), {
          maxLength: 6,
        }),
        fc.array(fc.tuple(fc.nat({ max: GOOD.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          maxLength: 4,
        }),
        (cut, flips, writes) => {
          const bytes = Buffer.from(GOOD.subarray(0, Math.max(cut, 1)));
          for (const [at, bit] of flips) if (at < bytes.length) bytes[at]! ^= 1 << bit;
          for (const [at, v] of writes) if (at < bytes.length) bytes[at] = v;
          return survives(bytes);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('garbage, with and without the magic and a good start', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 4096 }),
        fc.constantFrom('none', 'magic', 'start'),
        (garbage, prefix) => {
          const head = prefix === 'none' ? [] : prefix === 'magic' ? [MAGIC] : [encodeStart()];
          return survives(Buffer.concat([...head, garbage]));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('well-framed chunks of garbage under good checksums, after a good header', () => {
    const header = captureHeader(FACTS);
    const chunk = fc.oneof(
      // Records: a real batch with bytes overwritten, or random bytes.
      fc
        .tuple(
          fc.nat({ max: BATCHES.length - 1 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        )
        .map(([i, writes]) => {
          const b = Buffer.from(BATCHES[i]!);
          for (const [at, v] of writes) b[at % b.length] = v;
          return encodeChunk(CHUNK_RECORDS, b);
        }),
      fc.uint8Array({ maxLength: 512 }).map((u) => encodeChunk(CHUNK_RECORDS, u)),
      // JSON chunks of any shape: an end, a second header.
      fc.jsonValue().map((v) => encodeJsonChunk(CHUNK_END, v)),
      fc.jsonValue().map((v) => encodeJsonChunk(CHUNK_PROC, v)),
      // /proc answers of the right shape, to questions the formatter may or may not ask.
      fc
        .array(
          fc.oneof(
            fc.record({
              q: fc.constant('realpath'),
              path: fc.string(),
              real: fc.option(fc.string()),
            }),
            fc.record({
              q: fc.constant('fdLink'),
              pid: fc.nat(),
              fd: fc.nat(),
              link: fc.option(fc.string()),
            }),
            fc.record({
              q: fc.constant('snapshot'),
              pid: fc.nat(),
              fds: fc.option(fc.array(fc.tuple(fc.nat(), fc.string(), fc.boolean()))),
              cwd: fc.option(fc.string()),
            }),
          ),
          { maxLength: 8 },
        )
        .map((v) => encodeJsonChunk(CHUNK_PROC, v)),
      fc.jsonValue().map((v) => encodeJsonChunk(CHUNK_HEADER, v)),
      fc.uint8Array({ maxLength: 64 }).map((u) => encodeChunk(CHUNK_END, u)),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 6 }), (chunks) =>
        survives(Buffer.concat([encodeStart(), encodeJsonChunk(CHUNK_HEADER, header), ...chunks])),
      ),
      { numRuns: RUNS },
    );
  });

  it('headers of any shape, and the real header with any field changed', () => {
    const header = captureHeader(FACTS) as unknown as Record<string, unknown>;
    const keys = Object.keys(header);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc
            .tuple(fc.constantFrom(...keys), fc.jsonValue())
            .map(([k, v]) => ({ ...header, [k]: v })),
        ),
        (h) =>
          survives(
            Buffer.concat([
              encodeStart(),
              encodeJsonChunk(CHUNK_HEADER, h),
              encodeChunk(CHUNK_RECORDS, BATCHES[0]!),
            ]),
          ),
      ),
      { numRuns: RUNS },
    );
  });
});

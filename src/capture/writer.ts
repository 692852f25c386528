// Writing a capture file as a recording goes: the header, one records chunk per batch as the
// addon handed it over, the end chunk with the counters; put in place whole at the end (an
// AtomicFile), so the target never holds half a capture.
import os from 'node:os';
import type { CapturesLeftOut } from '../captures.js';
import type { ClockSample } from '../clock.js';
import { AtomicFile } from '../output.js';
import { RecordWalk, TL_REC_ENTER, TL_REC_EXIT, TL_REC_LOST } from '../wire.js';
import type { ProcAnswer } from './proc-answers.js';
import { traceloopVersion } from './version.js';
import {
  CHUNK_END,
  CHUNK_HEADER,
  CHUNK_PROC,
  CHUNK_RECORDS,
  encodeChunk,
  encodeJsonChunk,
  encodeStart,
  FORMAT_VERSION,
  MAX_RECORDS_BYTES,
  WIRE_LAYOUT_ID,
  type CaptureEnd,
  type CaptureHeader,
  type CaptureSettings,
  type CaptureTrigger,
} from './format.js';

/** What a writer knows of its recording; the machine's facts are added here. */
export interface CaptureFacts {
  source: string;
  cgroup: { path: string; id: bigint; name: string };
  title: string;
  captures: CapturesLeftOut;
  settings: CaptureSettings;
  clock: ClockSample;
  execPid?: number;
  trigger?: CaptureTrigger;
}

/** Characters of a recording's first line kept in a header. */
const MAX_TITLE = 64 << 10;

/** `batch` in pieces of at most `limit` bytes, cut only before an enter, exit or lost record. */
export function piecesOf(batch: Buffer, limit: number): Buffer[] {
  if (batch.length === 0) return [];
  if (batch.length <= limit) return [batch];
  const pieces: Buffer[] = [];
  const walk = new RecordWalk(batch, false);
  let start = 0;
  let lastCut = 0;
  while (walk.next()) {
    const group =
      walk.type === TL_REC_ENTER || walk.type === TL_REC_EXIT || walk.type === TL_REC_LOST;
    if (group) lastCut = walk.off;
    if (walk.off + walk.size - start > limit && lastCut > start) {
      pieces.push(batch.subarray(start, lastCut));
      start = lastCut;
    }
  }
  pieces.push(batch.subarray(start));
  return pieces;
}

export function captureHeader(facts: CaptureFacts): CaptureHeader {
  return {
    format: FORMAT_VERSION,
    traceloop: traceloopVersion(),
    source: facts.source,
    wireLayout: WIRE_LAYOUT_ID,
    host: os.hostname(),
    kernel: os.release(),
    arch: process.arch,
    cgroup: { ...facts.cgroup, id: `${facts.cgroup.id}` },
    // The header must stay within what a reader takes (MAX_JSON_BYTES): a command line can be
    // longer than that.
    title: facts.title.length > MAX_TITLE ? facts.title.slice(0, MAX_TITLE) + '…' : facts.title,
    captures: facts.captures,
    settings: facts.settings,
    clock: { monotonicNs: `${facts.clock.monotonicNowNs}`, wallMs: facts.clock.wallNowMs },
    ...(facts.execPid !== undefined ? { execPid: facts.execPid } : {}),
    ...(facts.trigger !== undefined ? { trigger: facts.trigger } : {}),
  };
}

/** A whole capture in memory, as CaptureWriter would write it: a trigger's flight record. */
export function encodeCapture(facts: CaptureFacts, records: Buffer, end: CaptureEnd): Buffer {
  return Buffer.concat([
    encodeStart(),
    encodeJsonChunk(CHUNK_HEADER, captureHeader(facts)),
    ...piecesOf(records, MAX_RECORDS_BYTES).map((p) => encodeChunk(CHUNK_RECORDS, p)),
    encodeJsonChunk(CHUNK_END, end),
  ]);
}

export class CaptureWriter {
  private started = false;

  private constructor(private readonly out: AtomicFile) {}

  /** Opens FILE (beside it until commit): fails now, before anything is recorded. */
  static open(file: string): CaptureWriter {
    return new CaptureWriter(AtomicFile.open(file));
  }

  /** A new file named base + ext (or base-2 + ext, ...) in dir: see AtomicFile.create. */
  static create(dir: string, base: string, ext: string): CaptureWriter {
    return new CaptureWriter(AtomicFile.create(dir, base, ext));
  }

  start(facts: CaptureFacts): void {
    if (this.started) throw new Error('capture header written twice');
    this.started = true;
    this.out.write(
      Buffer.concat([encodeStart(), encodeJsonChunk(CHUNK_HEADER, captureHeader(facts))]),
    );
  }

  /**
   * One batch of merged records, as handed over; a batch larger than a reader takes in one chunk
   * (a whole flight record from `dump --save`) is cut at event boundaries, never between a
   * record and its params.
   */
  records(batch: Buffer, limit = MAX_RECORDS_BYTES): void {
    if (!this.started) throw new Error('capture records before its header');
    for (const piece of piecesOf(batch, limit)) this.out.write(encodeChunk(CHUNK_RECORDS, piece));
  }

  /** What /proc told the formatter about the records written so far. */
  procAnswers(answers: ProcAnswer[]): void {
    if (!this.started) throw new Error('capture /proc answers before its header');
    if (answers.length > 0) this.out.write(encodeJsonChunk(CHUNK_PROC, answers));
  }

  /** The end chunk, then the file is put in place: where it is. */
  finish(end: CaptureEnd): string {
    this.out.write(encodeJsonChunk(CHUNK_END, end));
    this.out.commit();
    return this.out.committed!;
  }

  abort(): void {
    this.out.abort();
  }
}

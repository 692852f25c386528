// Writing a capture file as a recording goes: the header, one records chunk per batch as the
// addon handed it over, the end chunk with the counters; put in place whole at the end (an
// AtomicFile), so the target never holds half a capture.
import os from 'node:os';
import type { CapturesLeftOut } from '../captures.js';
import type { ClockSample } from '../clock.js';
import { AtomicFile } from '../output.js';
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
  WIRE_LAYOUT_ID,
  type CaptureEnd,
  type CaptureHeader,
  type CaptureSettings,
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
    title: facts.title,
    captures: facts.captures,
    settings: facts.settings,
    clock: { monotonicNs: `${facts.clock.monotonicNowNs}`, wallMs: facts.clock.wallNowMs },
    ...(facts.execPid !== undefined ? { execPid: facts.execPid } : {}),
  };
}

export class CaptureWriter {
  private started = false;

  private constructor(private readonly out: AtomicFile) {}

  /** Opens FILE (beside it until commit): fails now, before anything is recorded. */
  static open(file: string): CaptureWriter {
    return new CaptureWriter(AtomicFile.open(file));
  }

  start(facts: CaptureFacts): void {
    if (this.started) throw new Error('capture header written twice');
    this.started = true;
    this.out.write(
      Buffer.concat([encodeStart(), encodeJsonChunk(CHUNK_HEADER, captureHeader(facts))]),
    );
  }

  /** One batch of merged records, as handed over. */
  records(batch: Buffer): void {
    if (!this.started) throw new Error('capture records before its header');
    if (batch.length > 0) this.out.write(encodeChunk(CHUNK_RECORDS, batch));
  }

  /** What /proc told the formatter about the records written so far. */
  procAnswers(answers: ProcAnswer[]): void {
    if (!this.started) throw new Error('capture /proc answers before its header');
    if (answers.length > 0) this.out.write(encodeJsonChunk(CHUNK_PROC, answers));
  }

  /** The end chunk, then the file is put in place. */
  finish(end: CaptureEnd): void {
    this.out.write(encodeJsonChunk(CHUNK_END, end));
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}

// A capture's text: the recording's own pipeline (RecordingText) run again over the saved
// batches, with the recording's clock sample and settings, so the lines are the ones the
// recording printed, times included, wherever and whenever the file is opened.
import type { ClockSample } from '../clock.js';
import type { Capture } from './reader.js';
import { ReplayProc } from './proc-answers.js';
import { RecordingText } from './recording-text.js';

export interface ReplayOptions {
  /** strace -c: the table instead of the lines. */
  summary?: boolean;
  /** A filter on top of the recording's own (both must keep a line). */
  filter?: string;
}

/** The recording's wall clock: its CLOCK_MONOTONIC and wall-clock readings. */
export function captureClock(capture: Capture): ClockSample {
  return {
    monotonicNowNs: BigInt(capture.header.clock.monotonicNs),
    wallNowMs: capture.header.clock.wallMs,
  };
}

/**
 * Emits the capture's text, a few lines at a time. Returns why decoding stopped early, if a
 * batch could not be decoded (the reader checked every record's frame; this is the net under
 * the decoder itself), else undefined.
 */
export function replayText(
  capture: Capture,
  emit: (lines: string[]) => void,
  opts: ReplayOptions = {},
): string | undefined {
  const { header } = capture;
  const filters = [header.settings.filter, opts.filter].filter((f) => f !== undefined);
  const text = new RecordingText(
    {
      maxString: header.settings.maxString,
      durations: header.settings.durations,
      // The recording's /proc answers, given back: the same fds get the same names.
      decodeFds: header.settings.decodeFds ?? false,
      decodeSockets: header.settings.decodeSockets ?? false,
      procFds: new ReplayProc(capture.procAnswers),
      ...(filters.length > 0 ? { filter: filters.join(' ') } : {}),
      summary: opts.summary,
    },
    emit,
    captureClock(capture),
  );
  if (header.execPid !== undefined) text.fromExecOf(header.execPid);
  if (header.trigger !== undefined) text.markTrigger(header.trigger);
  text.header(header.title, header.captures);
  let failure: string | undefined;
  let decoded = 0;
  for (const batch of capture.batches) {
    try {
      text.batch(batch);
    } catch (err) {
      failure = `records chunk ${decoded + 1} cannot be decoded (${(err as Error).message})`;
      break;
    }
    decoded++;
  }
  const damage = failure ?? capture.damage;
  // A capture read whole has the recording's own counters; one cut short has what its
  // batches say, and the text says where it stops.
  const notes =
    damage === undefined
      ? []
      : [`# the capture ends early: ${damage}; the counts below are of the records before it`];
  const cpus = damage === undefined && capture.end ? capture.end.cpus : text.booksFromBatches();
  text.finish(cpus, notes);
  return failure;
}

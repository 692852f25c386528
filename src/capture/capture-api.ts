// A RecorderApi over a capture file, for the terminal UI (`traceloop view FILE` on a
// terminal): one cgroup, its records streamed once as they were recorded, the flight record
// the whole file, the counters the file's; read-only (adding and stopping are refused), and
// no BPF, no daemon, no native addon behind it.
import { UserError } from '../cgroup.js';
import type { CapturesLeftOut } from '../captures.js';
import type { CpuRingStats } from '../native.js';
import type { ListedCgroup, RecorderApi } from '../recorder-api.js';
import type { LiveListener, Read, RecordedCgroup } from '../recorder.js';
import type { Capture } from './reader.js';

/** Records handed to the UI at once: big captures arrive in slices, the screen stays live. */
const SLICE_BATCHES = 16;

export class CaptureRecorder implements RecorderApi {
  readonly where: string;
  private readonly id: bigint;
  private streamed = false;
  private stopped = false;

  constructor(
    private readonly capture: Capture,
    file: string,
  ) {
    this.where = `${file} (capture, read-only)`;
    let id = 1n;
    try {
      id = BigInt(capture.header.cgroup.id) || 1n;
    } catch {
      // an id that is no number: any id will do, there is one cgroup
    }
    this.id = id;
  }

  list(): Promise<ListedCgroup[]> {
    const { path, name } = this.capture.header.cgroup;
    return Promise.resolve([{ id: this.id, path, name, gone: false }]);
  }

  add(): Promise<RecordedCgroup> {
    return Promise.reject(new UserError('a capture file is read-only: nothing can be added'));
  }

  remove(): Promise<void> {
    return Promise.reject(new UserError('a capture file is read-only: nothing can be stopped'));
  }

  snapshot(id: bigint): Promise<Read> {
    this.known(id);
    return Promise.resolve({ records: Buffer.concat(this.capture.batches), cpus: this.cpus() });
  }

  stats(id: bigint): Promise<CpuRingStats[]> {
    this.known(id);
    return Promise.resolve(this.cpus());
  }

  notShown(): Promise<number> {
    return Promise.resolve(0);
  }

  isGone(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** The file's batches, once, in order (a second watch has nothing new to say). */
  watch(id: bigint, listener: LiveListener): Promise<void> {
    this.known(id);
    if (this.streamed) return Promise.resolve();
    this.streamed = true;
    this.stopped = false;
    const batches = this.capture.batches;
    const next = (from: number): void => {
      if (this.stopped) return;
      for (const b of batches.slice(from, from + SLICE_BATCHES)) listener(b);
      if (from + SLICE_BATCHES < batches.length) setImmediate(() => next(from + SLICE_BATCHES));
      // Nothing more will come: an empty batch says so, and a call still held shows unfinished.
      else listener(Buffer.alloc(0));
    };
    setImmediate(() => next(0));
    return Promise.resolve();
  }

  unwatch(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  captures(): Promise<CapturesLeftOut> {
    return Promise.resolve(this.capture.header.captures);
  }

  close(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  /** The recording's counters; a file cut before its end has none. */
  private cpus(): CpuRingStats[] {
    return this.capture.end?.cpus ?? [];
  }

  private known(id: bigint): void {
    if (id !== this.id) throw new UserError(`no cgroup ${id} in this capture`);
  }
}

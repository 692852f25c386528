// The one surface the UI (and any other front end) talks to, whether the
// recording happens in this process or in a `traceloop serve` daemon behind
// a unix socket. Methods are async so a remote implementation fits.
import type { CapturesLeftOut } from './captures.js';
import type { CpuRingStats } from './native.js';
import type { LiveListener, Read, RecordedCgroup, Recorder } from './recorder.js';

/** A dump a daemon's trigger saved (`serve --dump-dir`), as /list says it. */
export interface ListedDump {
  trigger: string;
  /** ISO-8601 UTC. */
  at: string;
  capture: string;
}

/** A cgroup as list() gives it: gone ones (their directory vanished) are marked. */
export interface ListedCgroup extends RecordedCgroup {
  gone: boolean;
  /** The dumps its triggers saved, oldest first (a daemon with --dump-dir). */
  dumps?: ListedDump[];
}

/** Why a watch ended without unwatch(): the recorder went away, or stopped that cgroup. */
export type StreamEndListener = () => void;

export interface RecorderApi {
  /** Where the recording happens, for the status bar: 'in-process' or the daemon's socket. */
  readonly where: string;
  /** Rejects when the recorder does not answer (a daemon stopped). */
  list(): Promise<ListedCgroup[]>;
  /** Starts recording a cgroup2 directory; rejects with a UserError saying why not. */
  add(cgroupPath: string, name?: string): Promise<RecordedCgroup>;
  remove(id: bigint): Promise<void>;
  /** The whole flight record of a cgroup as its rings hold it now. */
  snapshot(id: bigint): Promise<Read>;
  stats(id: bigint): Promise<CpuRingStats[]>;
  /** Live events dropped because the consumer was behind (each one marked in the stream). */
  notShown(id: bigint): Promise<number>;
  isGone(id: bigint): Promise<boolean>;
  /**
   * Streams merged live records (src/wire.ts) to `listener` until unwatch().
   * `onEnd` hears of a stream that ends otherwise (a daemon stopping or
   * gone, the cgroup closed by another client): the caller asks list() why.
   */
  watch(id: bigint, listener: LiveListener, onEnd?: StreamEndListener): Promise<void>;
  unwatch(id: bigint): Promise<void>;
  /** The capture families the recorder's kernel refused (`leftOut` "" when all loaded). */
  captures(): Promise<CapturesLeftOut>;
  close(): Promise<void>;
}

/** RecorderApi over an in-process Recorder. */
export class LocalRecorder implements RecorderApi {
  readonly where = 'in-process';
  private readonly names = new Map<bigint, string>();

  constructor(private readonly recorder: Recorder) {}

  list(): Promise<ListedCgroup[]> {
    return attempt(() =>
      this.recorder.list().map((c) => ({
        ...c,
        name: this.names.get(c.id) ?? c.name,
        gone: this.recorder.isGone(c.id),
      })),
    );
  }
  add(cgroupPath: string, name?: string): Promise<RecordedCgroup> {
    return attempt(() => {
      const cg = this.recorder.add(cgroupPath);
      if (name) this.names.set(cg.id, name);
      return { ...cg, name: name ?? cg.name };
    });
  }
  remove(id: bigint): Promise<void> {
    return attempt(() => {
      this.names.delete(id);
      this.recorder.remove(id);
    });
  }
  snapshot(id: bigint): Promise<Read> {
    return attempt(() => this.recorder.snapshot(id));
  }
  stats(id: bigint): Promise<CpuRingStats[]> {
    return attempt(() => this.recorder.stats(id));
  }
  notShown(id: bigint): Promise<number> {
    return attempt(() => this.recorder.notShown(id));
  }
  isGone(id: bigint): Promise<boolean> {
    return attempt(() => this.recorder.isGone(id));
  }
  /** In-process, a stream ends only with its cgroup (a gone marker says so): no onEnd. */
  watch(id: bigint, listener: LiveListener): Promise<void> {
    return attempt(() => this.recorder.watch(id, listener));
  }
  unwatch(id: bigint): Promise<void> {
    return attempt(() => this.recorder.unwatch(id));
  }
  captures(): Promise<CapturesLeftOut> {
    return attempt(() => this.recorder.captures());
  }
  close(): Promise<void> {
    return attempt(() => this.recorder.close());
  }
}

function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

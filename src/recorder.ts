// The in-process recorder: the native addon plus what it needs from
// TypeScript (capture rules, cgroup path checks). The UI and the CLI talk
// to this, so a daemon client can later stand in for it.
import { capturesOf, type CapturesLeftOut } from './captures.js';
import { cgroupExists, cgroupName, resolveCgroupDir, UserError } from './cgroup.js';
import {
  loadNative,
  type CpuRingStats,
  type LoadReport,
  type NativeRecorder,
  type TriggerNotes,
} from './native.js';
import { buildKeyedRules, buildRules } from './syscalls/rules.js';
import { TL_SKIP } from './wire.js';

export const DEFAULT_RING_PAGES = 64;
export const DEFAULT_MAX_ARG_BYTES = 256;
const PAGE = 4096;

export interface RecorderSettings {
  /** Pages of each per-CPU ring (power of two). */
  ringPages?: number;
  /** Bytes captured of one buffer or string argument. */
  maxArgBytes?: number;
  /** How often the drain thread reads watched rings, ms. */
  drainPeriodMs?: number;
  /** Live records that may wait for JS, bytes; beyond, they are dropped and marked. */
  liveQueueBytes?: number;
}

export interface RecordedCgroup {
  id: bigint;
  path: string;
  name: string;
}

export interface Read {
  /** Records and lost markers, merged by time (parse with src/wire.ts). */
  records: Buffer;
  cpus: CpuRingStats[];
}

/** Receives a cgroup's live records (parse with src/wire.ts), merged and in order. */
export type LiveListener = (records: Buffer) => void;

export const DRAIN_PERIOD_MS = 50;
/** How long a record may sit stamped but unpublished: the live stream's delay. */
export const DRAIN_SLACK_MS = 20;
/** Live records waiting for JS, at most; beyond, they are dropped and marked. */
export const DRAIN_QUEUE_BYTES = 64 << 20;

export class Recorder {
  private readonly native: NativeRecorder;
  private readonly cgroups = new Map<bigint, RecordedCgroup>();
  private readonly listeners = new Map<bigint, LiveListener>();
  private draining = false;
  private closed = false;

  private constructor(
    native: NativeRecorder,
    private readonly drainPeriodMs: number,
    private readonly liveQueueBytes: number,
  ) {
    this.native = native;
  }

  /** Loads and attaches the BPF programs. Throws UserError with one line on failure. */
  static open(settings: RecorderSettings = {}): Recorder {
    const pages = settings.ringPages ?? DEFAULT_RING_PAGES;
    if (!Number.isInteger(pages) || pages < 1 || (pages & (pages - 1)) !== 0) {
      throw new UserError(`--ring-pages must be a power of two (1, 2, 4, ... 4096), got ${pages}`);
    }
    const maxArg = settings.maxArgBytes ?? DEFAULT_MAX_ARG_BYTES;
    if (!Number.isInteger(maxArg) || maxArg < 16 || maxArg > 4096) {
      throw new UserError(`--max-arg-bytes must be between 16 and 4096, got ${maxArg}`);
    }
    const period = settings.drainPeriodMs ?? DRAIN_PERIOD_MS;
    if (!(period >= 1 && period <= 1000)) {
      throw new UserError(`--interval must be between 1 and 1000 ms, got ${period}`);
    }
    const native = loadNative();
    try {
      return new Recorder(
        new native.Recorder({
          ringBytes: pages * PAGE,
          maxCaptureBytes: maxArg,
          rules: buildRules(),
          keyedRules: buildKeyedRules(),
          // bench/run.sh's "floor" variant: the cost of being attached at all.
          floorOnly: process.env.TRACELOOP_BENCH_FLOOR === '1',
          // bench/cost-parts.mjs: what each part of the path costs, left out in turn.
          benchSkip: benchSkip(process.env.TRACELOOP_BENCH_SKIP),
        }),
        period,
        settings.liveQueueBytes ?? DRAIN_QUEUE_BYTES,
      );
    } catch (err) {
      throw new UserError((err as Error).message);
    }
  }

  add(cgroupPath: string): RecordedCgroup {
    const real = resolveCgroupDir(cgroupPath);
    const id = this.call(() => this.native.addCgroup(real));
    const cg = { id, path: real, name: cgroupName(real) };
    this.cgroups.set(id, cg);
    return cg;
  }

  remove(id: bigint): void {
    this.call(() => this.native.removeCgroup(id));
    this.cgroups.delete(id);
  }

  list(): RecordedCgroup[] {
    return [...this.cgroups.values()];
  }

  /** True once the cgroup's directory is gone (its service stopped). */
  isGone(id: bigint): boolean {
    const cg = this.cgroups.get(id);
    return !cg || !cgroupExists(cg.path);
  }

  /** What loading the BPF programs cost, and which capture families this kernel refused. */
  loadReport(): LoadReport {
    return this.call(() => this.native.loadReport());
  }

  /** The capture families this kernel refused ("" when all loaded): their arguments print as addresses. */
  captures(): CapturesLeftOut {
    return capturesOf(this.loadReport());
  }

  /** The whole flight record of a cgroup, as the rings hold it now. */
  snapshot(id: bigint): Read {
    return this.call(() => this.native.snapshot(id));
  }

  /** What arrived since the last poll, gaps marked. */
  poll(id: bigint): Read {
    return this.call(() => this.native.poll(id));
  }

  stats(id: bigint): CpuRingStats[] {
    return this.call(() => this.native.stats(id));
  }

  /** Trigger notes per CPU (src/triggers/): counters in the control blocks, no ring read. */
  triggers(id: bigint): TriggerNotes[] {
    return this.call(() => this.native.triggers(id));
  }

  /** Arms the errno triggers (1..255) for every cgroup; [] disarms them. */
  setTriggerErrnos(errnos: number[]): void {
    this.call(() => this.native.setTriggerErrnos(errnos));
  }

  /** Live events of this cgroup dropped because the consumer was behind (all marked). */
  notShown(id: bigint): number {
    return this.native.notShown(id);
  }

  /**
   * Streams the cgroup's records to `listener` as the drain thread reads
   * them. The stream ends with a TL_LOST_GONE marker if the cgroup vanishes.
   */
  watch(id: bigint, listener: LiveListener): void {
    if (!this.draining) {
      this.call(() =>
        this.native.startDrain(
          {
            periodMs: this.drainPeriodMs,
            slackMs: DRAIN_SLACK_MS,
            maxQueueBytes: this.liveQueueBytes,
          },
          (cg, records) => this.listeners.get(cg)?.(records),
        ),
      );
      this.draining = true;
    }
    this.listeners.set(id, listener);
    this.call(() => this.native.watch(id));
  }

  /** Stops the live stream; records the merger still held reach the listener first. */
  unwatch(id: bigint): void {
    this.call(() => this.native.unwatch(id));
  }

  /** Detaches everything. Safe to call twice, and from signal handlers. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.close();
    this.cgroups.clear();
    this.listeners.clear();
  }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new UserError((err as Error).message);
    }
  }
}

/** TRACELOOP_BENCH_SKIP=clock,lock,copy as TL_SKIP bits (benchmarks only; unset: 0). */
export function benchSkip(names: string | undefined): number {
  let bits = 0;
  for (const name of (names ?? '').split(',').filter(Boolean)) {
    const bit = Object.hasOwn(TL_SKIP, name) ? TL_SKIP[name as keyof typeof TL_SKIP] : undefined;
    if (bit === undefined)
      throw new UserError(`TRACELOOP_BENCH_SKIP: unknown part '${name}' (clock, lock, copy)`);
    bits |= bit;
  }
  return bits;
}

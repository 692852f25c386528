// The native addon's surface (native/addon.cc), typed. Everything below
// `build/Release/traceloop.node` is C++; this file is the only place that
// loads it, so a missing build gives one clear message.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Counters of one (cgroup, CPU) ring, read from its control block. */
export interface CpuRingStats {
  cpu: number;
  /** Records the BPF side gave a sequence number (written into the ring). */
  emitted: number;
  /** Records the BPF side could not write (ring busy). Always marked lost. */
  failed: number;
  /** Captures whose user memory could not be read. */
  faults: number;
  /** Bytes published into this ring since it was created. */
  headBytes: number;
  /** Records handed to userspace by this reader so far. */
  delivered: number;
  /** Records this reader marked lost so far (gaps, overwritten, torn, busy). */
  lost: number;
}

export interface ReadResult {
  /** Merged records in timestamp order: kernel records and TL_REC_LOST markers (src/wire.ts). */
  records: Buffer;
  cpus: CpuRingStats[];
}

export interface RecorderOptions {
  /** Data bytes of each per-CPU ring: a power of two, 4 KiB .. 16 MiB. */
  ringBytes: number;
  /** Largest captured argument (buffers and strings), bytes. */
  maxCaptureBytes: number;
  /** TL_MAX_SYSCALLS tl_rule structs, packed as in bpf/traceloop.h. */
  rules: Buffer;
  /** (struct tl_keyed_key, struct tl_capture) pairs for the keyed_rules map. */
  keyedRules?: Buffer;
  /** Benchmarks only: attach the programs but have them return at once. */
  floorOnly?: boolean;
  /** Benchmarks only: parts of the recording path left out (TL_SKIP_* of bpf/traceloop.h). */
  benchSkip?: number;
  /** Capture families to load (TL_FAM_* bits of bpf/traceloop.h); all by default. */
  families?: number;
}

/** What the verifier said about one program (its statistics, log level 4). */
export interface ProgramLoadStats {
  name: string;
  /** "processed N insns": the program with every function it calls; the limit is 1,000,000. */
  insns: number;
  /** "stack depth A+B+...": bytes per function, the program first. */
  stack: number[];
  verifyUs: number;
}

/** How loading went: what it cost and what this kernel refused. */
export interface LoadReport {
  programs: ProgramLoadStats[];
  /** Open to loaded, every attempt included. */
  loadMs: number;
  /** Loads tried: 1 unless the kernel refused something. */
  attempts: number;
  /** TL_FAM_* bits loaded. */
  families: number;
  /** TL_FAM_* bits asked for and refused by this kernel: their captures print as addresses. */
  leftOut: number;
  /** The same, named ("iovec, msghdr"), or "". */
  leftOutNames: string;
  /** The verifier's words for the first refusal, or "". */
  leftOutWhy: string;
}

/** One CPU's trigger notes, from its ring's control block (bpf/traceloop.h enum tl_trigger). */
export interface TriggerNotes {
  cpu: number;
  /** Triggers counted so far by kind (TL_TRIG_CRASH, _EXIT, _ERRNO), modulo 2^16. */
  counts: number[];
  /** The last one's kind, | TL_TRIG_OOM for the OOM killer's SIGKILL. */
  last: number;
  /** The wire seq (32 bits) of the last one's record. */
  seq: number;
}

export interface NativeRecorder {
  /** Starts recording the cgroup2 directory at `path`; returns its cgroup id. */
  addCgroup(path: string): bigint;
  removeCgroup(id: bigint): void;
  /** Everything the rings hold now (the flight record), independent of poll(). */
  snapshot(id: bigint): ReadResult;
  /** What arrived since the previous poll() of this cgroup, with gaps marked. */
  poll(id: bigint): ReadResult;
  stats(id: bigint): CpuRingStats[];
  /** Trigger notes per CPU, read from the control blocks alone (nothing drained). */
  triggers(id: bigint): TriggerNotes[];
  /** Which errnos (1..255) count as triggers, for every cgroup; [] disarms. */
  setTriggerErrnos(errnos: number[]): void;
  /** Detaches the programs and frees every ring. Idempotent. */
  close(): void;
  /**
   * Starts the C++ drain thread. Every `periodMs` it reads the rings of the
   * watched cgroups, merges CPUs behind a watermark (records stamped up to
   * `slackMs` before a read may still be unpublished) and calls `onBatch` on
   * the JS thread. At most `maxQueueBytes` wait for JS; beyond that batches
   * are dropped and owed in a LossLedger: their markers come before the
   * cgroup's next batch, or once JS has taken what was queued.
   */
  startDrain(options: DrainOptions, onBatch: (id: bigint, records: Buffer) => void): void;
  /** Streams this cgroup's records to the drain's onBatch from now on. */
  watch(id: bigint): void;
  /** Stops streaming it; what the merger still held is handed out first. */
  unwatch(id: bigint): void;
  /**
   * Events of this cgroup dropped because JS was behind (each one marked "consumer behind"; a
   * dropped batch's own markers keep their reasons and are counted by the reader's `lost`).
   */
  notShown(id: bigint): number;
  loadReport(): LoadReport;
}

export interface DrainOptions {
  periodMs: number;
  slackMs: number;
  maxQueueBytes: number;
}

/** The drain's watermark merger on its own, for tests. */
export interface NativeLiveMerger {
  /** One read of `cpu` (records as readRing returns them), begun at `readTimeNs`. */
  add(cpu: number, records: Buffer, readTimeNs: bigint): void;
  /** Everything no CPU can still precede, given `slackNs`, in timestamp order. */
  release(slackNs: bigint): Buffer;
  flush(): Buffer;
  watermark(): bigint;
}

/**
 * What a consumer owes its reader for batches it dropped (native/loss_ledger.h): the one
 * drop-and-mark piece, used by the addon's outbox and by every HTTP /stream.
 */
export interface NativeLossLedger {
  /** A batch the reader will never see: its records owed as "consumer behind", its markers as themselves. */
  drop(batch: Buffer): void;
  /** `count` events of `cpu` lost for `reason`, somewhere between `tsFrom` and `tsTo` (0n: unknown). */
  owe(cpu: number, reason: number, count: number, tsFrom: bigint, tsTo: bigint): void;
  /** True while markers are owed. */
  readonly pending: boolean;
  /** How many markers take() would give now. */
  readonly markers: number;
  /** The owed markers as wire records, oldest gap first, the end of the cgroup last; then forgets them. */
  take(): Buffer;
  /** Events owed for `reason` since the ledger was made, taken or not. */
  owedEver(reason: number): number;
}

/** The addon's outbox without a drain, for tests (native/outbox.h). */
export interface NativeOutbox {
  /** The drain's hand-off of one batch; true when JS would be woken. */
  push(id: bigint, records: Buffer): boolean;
  /** Everything queued, then the markers still owed, as [cgroup id, records]. */
  take(): Array<[bigint, Buffer]>;
  /** Events of `id` dropped as "consumer behind" so far. */
  dropped(id: bigint): number;
  /** `id` is no longer recorded: its ledger goes once it owes nothing. */
  forget(id: bigint): void;
  /** Ledgers kept. */
  ledgers(): number;
}

export interface WireLayout {
  [name: string]: number;
}

export interface NativeModule {
  Recorder: new (options: RecorderOptions) => NativeRecorder;
  LossLedger: new () => NativeLossLedger;
  LiveMerger: new (ncpus: number) => NativeLiveMerger;
  /** Tests only: the outbox with at most `maxBytes` queued. */
  Outbox: new (maxBytes: number) => NativeOutbox;
  versions(): { libbpf: string; kernel: string };
  /** Offsets and sizes from bpf/traceloop.h, for test/wire-layout.test.ts. */
  layout(): WireLayout;
  /** The values of bpf/traceloop.h's constants (TL_*), for test/wire-layout.test.ts. */
  constants(): Record<string, number>;
  /** Per capture kind 0-255: its family and the TL_KINDS_* sets it is in, for test/wire-layout.test.ts. */
  kindSets(): { kind: number; family: number; compound: boolean; withoutPointer: boolean }[];
  /**
   * Runs the ring reader on a synthetic ring element (control block + page
   * index + data, as the kernel lays it out) so unit tests can drive every
   * wrap case without BPF. `state` is carried between calls like poll().
   */
  readRing(
    element: Buffer,
    ringBytes: number,
    inflightBytes: number,
    cpu: number,
    state: RingReaderState | null,
  ): { records: Buffer; state: RingReaderState };
}

export interface RingReaderState {
  pos: bigint;
  nextSeq: bigint;
  lastTs: bigint;
  failedSeen: bigint;
  delivered: number;
  lost: number;
  /**
   * The enter delivered last while nothing followed it, which a TL_REC_DONE at openEnd completes
   * (native/ring_reader.h): what the exit it stands for copies from that enter.
   */
  openEnd: bigint;
  openSeq: bigint;
  openTs: bigint;
  openTid: number;
  openPid: number;
  openNr: number;
  /** Each thread's comm as the ring last named it: [tid, its 16 bytes]. */
  comms: Array<[number, Buffer]>;
}

let cached: NativeModule | undefined;

export function loadNative(): NativeModule {
  if (cached) return cached;
  const here = path.dirname(fileURLToPath(import.meta.url));
  const addon = path.resolve(here, '..', 'build', 'Release', 'traceloop.node');
  const require = createRequire(import.meta.url);
  try {
    cached = require(addon) as NativeModule;
  } catch (err) {
    throw new Error(
      `the native addon is not built (${addon}): run 'npm run setup' (${(err as Error).message})`,
    );
  }
  return cached;
}

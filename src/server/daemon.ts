// What `traceloop serve` keeps: the registered cgroups (small ids, as the
// original printed them), their live subscribers, and the final records of
// cgroups that disappeared, compressed, for a retention time within a memory
// cap. The HTTP layer (http.ts) only translates requests into calls here.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { CapturesLeftOut } from '../captures.js';
import { cgroup2Mount, resolveCgroupDir } from '../cgroup.js';
import type { CpuRingStats } from '../native.js';
import type { Read, Recorder } from '../recorder.js';
import type { SavedDump } from '../triggers/dumps.js';
import { freeName } from './names.js';
import { HttpError } from './params.js';
import { PerCpu, streamWindow } from './tally.js';

export type EndReason = 'closed' | 'gone' | 'stopping';

/** How a stream ends, and its books: what it should have had, and what never reached it. */
export interface StreamEnd {
  reason: EndReason;
  /** Events of the stream's window per CPU: emitted (and failed) by the end, less those before it joined. */
  window?: PerCpu;
  /** Events of that window no batch brought it (held by the merger, or not read yet): lost to it. */
  unseen?: PerCpu;
}

/** One live listener of a cgroup's records (an HTTP stream). */
export interface Subscriber {
  /** Merged wire records, as the drain hands them out. */
  records(buf: Buffer): void;
  /** The stream is over: the cgroup was closed, went away, or the daemon stops. */
  end(e: StreamEnd): void;
}

export interface Gone {
  /** When the daemon saw the directory vanish, ms since the epoch. */
  at: number;
  /** The final records (wire format), deflated, in a buffer of their own size. */
  records: Buffer;
  rawBytes: number;
  /** What keeping it costs: the memory its buffer holds, and the bookkeeping around it. */
  memoryBytes: number;
  cpus: CpuRingStats[];
  notShown: number;
}

export interface Entry {
  id: number;
  name: string;
  /** Canonical path inside the cgroup2 mount. */
  path: string;
  cgroupId: bigint;
  addedAt: number;
  gone?: Gone;
  /** Live listeners, each with `handed` as it was when it joined (where its window starts). */
  subscribers: Map<Subscriber, PerCpu>;
  /** Events the drain handed out for this cgroup so far, per CPU: records and marked losses. */
  handed: PerCpu;
}

export interface DaemonSettings {
  /** How long the record of a vanished cgroup is kept, ms (default 3 h). */
  retentionMs?: number;
  /** Memory the kept records of vanished cgroups may take, bytes; oldest dropped first. */
  retentionBytes?: number;
  /** Kept records at most, whatever their size; oldest dropped first. */
  retentionCount?: number;
  /** How often registered cgroups are checked for having vanished, ms. */
  goneCheckMs?: number;
  /** Bytes of one per-CPU ring (for /stats). */
  ringBytes: number;
  /** Where diagnostics go (one line each). */
  log?: (line: string) => void;
  /** Told of a cgroup that vanished, with its final record, before its rings are freed. */
  onGone?: (e: Entry, final: Read) => void;
}

/** The dumps triggers saved (src/triggers/dumps.ts), as /list and /dumps show them. */
export interface SavedDumps {
  list(key?: number): SavedDump[];
}

export const DEFAULT_RETENTION_MS = 3 * 3600_000;
export const DEFAULT_RETENTION_BYTES = 64 << 20;
/** As many kept records as live registrations (the BPF side's limit). */
export const DEFAULT_RETENTION_COUNT = 1024;
export const DEFAULT_GONE_CHECK_MS = 1000;
const PAGE = 4096;
/**
 * What a kept record costs besides its buffer: the entry, its path and name, its per-CPU
 * counters. Counted so that thousands of empty records are not "free" (issue #13: 10,000
 * add/rmdir cycles kept "80 KB" that cost 159 MiB).
 */
const KEPT_OVERHEAD = 1024;

export class Daemon {
  private readonly entries = new Map<number, Entry>();
  private nextId = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly mount = cgroup2Mount();
  private stopped = false;
  /** Set by `serve --dump-dir`: the dumps its triggers saved. */
  savedDumps: SavedDumps | undefined;
  readonly retentionMs: number;
  readonly retentionBytes: number;
  readonly retentionCount: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly recorder: Recorder,
    private readonly settings: DaemonSettings,
  ) {
    this.retentionMs = settings.retentionMs ?? DEFAULT_RETENTION_MS;
    this.retentionBytes = settings.retentionBytes ?? DEFAULT_RETENTION_BYTES;
    this.retentionCount = settings.retentionCount ?? DEFAULT_RETENTION_COUNT;
    this.log = settings.log ?? (() => {});
    this.timer = setInterval(() => this.sweep(), settings.goneCheckMs ?? DEFAULT_GONE_CHECK_MS);
    this.timer.unref();
  }

  list(): Entry[] {
    return [...this.entries.values()];
  }

  /** Starts recording `cgroupPath`, named `name` (default: its last component, made unique). */
  add(cgroupPath: string, name?: string): Entry {
    let real: string;
    try {
      real = resolveCgroupDir(cgroupPath, this.mount);
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
    if (path.relative(this.mount, real) === '') {
      throw new HttpError(400, `${cgroupPath}: the cgroup2 root itself cannot be recorded`);
    }
    // A service that stopped and started again before the sweep noticed: its
    // old cgroup is gone even though a new one stands at the same path.
    for (const e of this.entries.values()) {
      if (!e.gone && e.path === real && this.isStale(e)) this.retire(e, Date.now());
    }
    for (const e of this.entries.values()) {
      if (!e.gone && e.path === real)
        throw new HttpError(409, `${real} is already recorded as id ${e.id}`);
      if (!e.gone && name !== undefined && e.name === name)
        throw new HttpError(409, `name '${name}' is taken by id ${e.id}`);
    }
    // A service that restarts registers under its old name: the kept record
    // of its previous run steps aside (still there by id and its new name).
    const wanted = name ?? freeName(path.basename(real), this.nextId, () => false);
    for (const e of this.entries.values()) {
      if (e.gone && e.name === wanted) {
        e.name = freeName(wanted, e.id, (n) => this.nameTaken(n), `-gone-${e.id}`);
        this.log(`the kept record of id ${e.id} is now named ${e.name}`);
      }
    }
    let cg;
    try {
      cg = this.recorder.add(real);
    } catch (err) {
      const msg = (err as Error).message;
      if (/not a cgroup2 directory|no such|not inside/i.test(msg)) throw new HttpError(400, msg);
      if (/cannot record more than/.test(msg)) throw new HttpError(503, msg);
      throw new HttpError(500, msg);
    }
    const id = this.nextId++;
    const entry: Entry = {
      id,
      name: name ?? freeName(path.basename(real), id, (n) => this.nameTaken(n)),
      path: real,
      cgroupId: cg.id,
      addedAt: Date.now(),
      subscribers: new Map(),
      handed: new PerCpu(),
    };
    this.entries.set(id, entry);
    this.log(`added ${real} as id ${id} [${entry.name}]`);
    return entry;
  }

  /** Names are unique among all entries, kept records included: by-name requests act on one. */
  private nameTaken(name: string): boolean {
    for (const e of this.entries.values()) if (e.name === name) return true;
    return false;
  }

  byId(id: number): Entry {
    const e = this.entries.get(id);
    if (!e) throw new HttpError(404, `no cgroup with id ${id} (see /list)`);
    return e;
  }

  byName(name: string): Entry {
    for (const e of this.entries.values()) if (e.name === name) return e;
    throw new HttpError(404, `no cgroup named '${name}' (see /list)`);
  }

  byCgroup(cgroupPath: string): Entry {
    const want = [path.resolve(cgroupPath)];
    try {
      want.push(fs.realpathSync(cgroupPath));
    } catch {
      // gone already: only its recorded path can match
    }
    const match = (e: Entry): boolean => want.includes(e.path);
    // A live registration wins over the kept record of an earlier one.
    const found = this.list().find((e) => !e.gone && match(e)) ?? this.list().find(match);
    if (!found) throw new HttpError(404, `${cgroupPath} is not recorded (see /list)`);
    return found;
  }

  /** Stops recording (or forgets the kept record of a vanished cgroup). */
  close(entry: Entry): void {
    this.endSubscribers(entry, 'closed');
    if (!entry.gone) this.recorder.remove(entry.cgroupId);
    this.entries.delete(entry.id);
    this.log(`closed id ${entry.id} [${entry.name}] ${entry.path}`);
  }

  /** The whole flight record now (or the kept final one). */
  snapshot(entry: Entry): Read {
    if (entry.gone) {
      return { records: zlib.inflateSync(entry.gone.records), cpus: entry.gone.cpus };
    }
    return this.recorder.snapshot(entry.cgroupId);
  }

  stats(entry: Entry): { cpus: CpuRingStats[]; notShown: number } {
    if (entry.gone) return { cpus: entry.gone.cpus, notShown: entry.gone.notShown };
    return {
      cpus: this.recorder.stats(entry.cgroupId),
      notShown: this.recorder.notShown(entry.cgroupId),
    };
  }

  /** Kernel memory of one cgroup's rings: control block, page index and data, per CPU. */
  ringMemory(ncpus: number): number {
    const ring = this.settings.ringBytes;
    const ctrl = Math.ceil((64 + 8 * (ring / PAGE)) / PAGE) * PAGE;
    return ncpus * (ctrl + ring);
  }

  /** The capture families the kernel refused when the daemon loaded BPF ("" when none). */
  captures(): CapturesLeftOut {
    return this.recorder.captures();
  }

  get ringBytes(): number {
    return this.settings.ringBytes;
  }

  /** Memory the kept records of vanished cgroups take. */
  retainedBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.gone?.memoryBytes ?? 0;
    return n;
  }

  subscribe(entry: Entry, sub: Subscriber): void {
    if (entry.gone)
      throw new HttpError(410, `id ${entry.id} [${entry.name}] is gone: dump it instead`);
    const first = entry.subscribers.size === 0;
    // Its window starts here: what the drain hands out from now on, and what it holds back.
    entry.subscribers.set(sub, entry.handed.copy());
    if (!first) return;
    try {
      this.recorder.watch(entry.cgroupId, (buf) => {
        entry.handed.addRecords(buf);
        for (const s of [...entry.subscribers.keys()]) s.records(buf);
      });
    } catch (err) {
      entry.subscribers.delete(sub);
      throw new HttpError(500, (err as Error).message);
    }
  }

  unsubscribe(entry: Entry, sub: Subscriber): void {
    if (!entry.subscribers.delete(sub)) return;
    if (entry.subscribers.size === 0 && !entry.gone && this.entries.has(entry.id)) {
      try {
        this.recorder.unwatch(entry.cgroupId);
      } catch (err) {
        this.log(`unwatch of id ${entry.id}: ${(err as Error).message}`);
      }
    }
  }

  streams(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.subscribers.size;
    return n;
  }

  /**
   * Ends the streams of `entry` with their books. What the drain still holds, or has not read,
   * would reach them after their end: each is told how many of its events that is, per CPU,
   * from the rings' own counters, so that shown + marked lost = emitted holds for it.
   */
  private endSubscribers(entry: Entry, reason: EndReason): void {
    if (entry.subscribers.size === 0) return;
    let final: PerCpu | undefined;
    if (!entry.gone) {
      try {
        this.recorder.unwatch(entry.cgroupId);
      } catch {
        // already ended by the drain (gone)
      }
      try {
        final = new PerCpu();
        for (const c of this.recorder.stats(entry.cgroupId)) final.add(c.cpu, c.emitted + c.failed);
      } catch (err) {
        final = undefined;
        this.log(`the counters of id ${entry.id}: ${(err as Error).message}`);
      }
    }
    const subs = [...entry.subscribers];
    entry.subscribers.clear();
    for (const [s, baseline] of subs) {
      s.end(final ? { reason, ...streamWindow(final, entry.handed, baseline) } : { reason });
    }
  }

  /** Retires vanished cgroups and drops kept records past retention or the memory cap. */
  sweep(now = Date.now()): void {
    if (this.stopped) return;
    for (const e of this.entries.values()) {
      if (e.gone) continue;
      try {
        if (this.isStale(e)) this.retire(e, now);
      } catch (err) {
        this.log(`checking id ${e.id}: ${(err as Error).message}`);
      }
    }
    this.trimKept(now);
  }

  /** Drops kept records past the retention time, then the oldest beyond the memory or count cap. */
  private trimKept(now: number): void {
    const kept = this.list()
      .filter((e) => e.gone)
      .sort((a, b) => a.gone!.at - b.gone!.at || a.id - b.id);
    let bytes = kept.reduce((s, e) => s + e.gone!.memoryBytes, 0);
    let count = kept.length;
    for (const e of kept) {
      const expired = now - e.gone!.at >= this.retentionMs;
      const why = expired
        ? 'retention time'
        : bytes > this.retentionBytes
          ? 'memory cap'
          : count > this.retentionCount
            ? 'count cap'
            : undefined;
      if (!why) continue;
      bytes -= e.gone!.memoryBytes;
      count--;
      this.entries.delete(e.id);
      this.log(`dropped the kept record of id ${e.id} [${e.name}] (${why})`);
    }
  }

  /** True once the registered cgroup is gone: its directory removed, or replaced by another (inode). */
  private isStale(e: Entry): boolean {
    try {
      return fs.statSync(e.path, { bigint: true }).ino !== e.cgroupId;
    } catch {
      return true;
    }
  }

  private retire(e: Entry, now: number): void {
    this.endSubscribers(e, 'gone');
    const read = this.recorder.snapshot(e.cgroupId);
    const notShown = this.recorder.notShown(e.cgroupId);
    this.recorder.remove(e.cgroupId);
    try {
      this.settings.onGone?.(e, read);
    } catch (err) {
      this.log(`id ${e.id} [${e.name}] is gone: ${(err as Error).message}`);
    }
    // zlib hands back a slice of its 16 KiB output chunk even for a few bytes: kept as is,
    // every small record would hold 16 KiB. A buffer of its own, exactly its size, outside
    // Node's shared pool.
    const deflated = zlib.deflateSync(read.records);
    const records = Buffer.allocUnsafeSlow(deflated.length);
    deflated.copy(records);
    e.gone = {
      at: now,
      records,
      rawBytes: read.records.length,
      memoryBytes: records.buffer.byteLength + KEPT_OVERHEAD,
      cpus: read.cpus,
      notShown,
    };
    this.log(
      `id ${e.id} [${e.name}] ${e.path} is gone: its record is kept ` +
        `(${e.gone.records.length} bytes compressed from ${e.gone.rawBytes})`,
    );
    // At once, not at the next sweep: registrations that come and go quickly (a service
    // restarting in a loop) must not pile up kept records in between.
    this.trimKept(now);
  }

  /** Ends every stream; the recorder itself is closed by the caller. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    for (const e of this.entries.values()) this.endSubscribers(e, 'stopping');
  }
}

// Everything the UI shows that is not UI state: the recorded cgroups, one
// StreamStore each, their counters, and the operations keys trigger (add,
// stop, snapshot). Plain objects with version counters, outside React: the
// drain hands over batches many times a second and none of that may cause a
// React commit by itself; the redraw tick looks at the versions instead.
import fs from 'node:fs';
import path from 'node:path';
import { ALL_LOADED, type CapturesLeftOut } from '../captures.js';
import { UserError } from '../cgroup.js';
import { createWallClock, sampleClocks, type ClockSample } from '../clock.js';
import { CaptureWriter } from '../capture/writer.js';
import { dumpText } from '../dump.js';
import { DEFAULT_MAX_STRING } from '../format/index.js';
import { AtomicFile } from '../output.js';
import { parseRecords, TL_LOST_OVERWRITTEN } from '../wire.js';
import { escapeControls } from '../format/print.js';
import type { CaptureTrigger } from '../capture/format.js';
import { triggerLine } from '../capture/recording-text.js';
import type { ListedCgroup, RecorderApi } from '../recorder-api.js';
import { StreamStore } from './store.js';
import { CallSummary } from '../summary.js';
import { viewSnapshotText, type ViewSnapshot } from './view-snapshot.js';
import type { RecordedCgroup } from '../recorder.js';
import { DEFAULT_SOCKET } from '../server/socket.js';
import { resolveTarget, selfRecording, type SelfPaths, type SelfRecording } from '../targets.js';

/**
 * Why a cgroup shows no live stream although it is not gone: the recorder
 * stopped answering (a daemon stopped: what is on screen is from before),
 * or the daemon that answers again does not record it (it restarted without
 * it, or another client closed it).
 */
export type Detached = 'disconnected' | 'not recorded';

export interface CgroupView {
  /** This UI's own number for the row: a daemon restarted numbers its cgroups anew. */
  readonly key: number;
  /** The recorder's id (a daemon's registration id); valid only while not detached. */
  id: bigint;
  name: string;
  path: string;
  store: StreamStore;
  /** Events the BPF side recorded (all CPUs), lost ones included. */
  recorded: number;
  /** Events marked lost: overwritten, busy, torn, or dropped because we were behind. */
  lost: number;
  /** Recorded per second, over the last stats interval. */
  rate: number;
  gone: boolean;
  detached: Detached | undefined;
  /** A watch is open (its end, unasked, sends the session to ask the recorder why). */
  streaming: boolean;
  /** Counts watches: the end of an older one must not touch the newer. */
  watchGen: number;
  lastSample: { at: number; recorded: number } | undefined;
  /** Since when its stream stopped reaching this UI (the recorder was lost): a gap to mark when it resumes. */
  cutAt?: Date;
}

/** Whether the recorder answers; a daemon can stop under the UI. */
export interface Connection {
  /** When it stopped answering; undefined while it answers. */
  lostAt: Date | undefined;
  /** What the last failed question got back. */
  why: string;
  /** When it answered again after having stopped (undefined: never lost). */
  backAt: Date | undefined;
}

export interface SessionOptions {
  maxString?: number;
  /** strace -y's fd names in the streams (default on; `tui --no-decode-fds` turns them off). */
  decodeFds?: boolean;
  /** Lines each stream keeps for scrolling back. */
  capacity?: number;
  /** Where snapshots go (default: the current directory). */
  snapshotDir?: string;
  /** Clock for snapshot names and rates; tests pass their own. */
  now?: () => Date;
  /** The root cgroup and traceloop's own (default: this process's); tests pass their own. */
  self?: SelfPaths;
  /** The wall clock of the records: a capture file's own sample (default: read now). */
  clock?: ClockSample;
  /** A triggered capture's trigger (`traceloop view`): said in the header, its line marked. */
  trigger?: CaptureTrigger;
}

export class Session {
  version = 0;
  readonly cgroups: CgroupView[] = [];
  /** The capture families the recorder's kernel refused, for the header and snapshots. */
  captures: CapturesLeftOut = ALL_LOADED;
  readonly connection: Connection = { lostAt: undefined, why: '', backAt: undefined };
  /** The newest dump a daemon's trigger saved since the UI started: `crash in nginx: saved to ...`. */
  notice: string | undefined;
  /** Dumps already seen (their capture paths); undefined until the first list. */
  private dumpsSeen: Set<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;
  /** A refresh was asked for while one ran: run one more after it. */
  private again = false;
  /** Stopped here: a list() answer from before must not bring them back. */
  private readonly removed = new Set<bigint>();
  private closed = false;
  private nextKey = 1;
  /** Paths this UI registered: a daemon keeps recording them after we quit. */
  private readonly addedHere = new Set<string>();
  // Date's time zone lookup costs more than the rest of a line's time: ask once a minute.
  private readonly time: (ts: bigint) => string;

  constructor(
    readonly api: RecorderApi,
    private readonly opts: SessionOptions = {},
  ) {
    this.time = createWallClock(opts.clock ?? sampleClocks(), {
      utcOffsetMinutes: offsetEveryMinute(),
    });
    if (opts.trigger) this.notice = triggerLine(opts.trigger).replace(/^# /, '');
  }

  /** Picks up what the recorder already records and starts the counters. */
  async start(statsPeriodMs = 1000): Promise<void> {
    this.captures = await this.api.captures();
    await this.refresh(); // tracks what the recorder already records
    this.timer = setInterval(() => void this.refresh(), statsPeriodMs);
    this.timer.unref();
  }

  /** Adds a cgroup given as a path, a pid or a systemd unit. Rejects with a UserError. */
  async add(target: string): Promise<CgroupView> {
    const { path: dir, name } = resolveTarget(target);
    const existing = this.cgroups.find((c) => c.path === dir);
    if (existing && !existing.detached) {
      throw new UserError(`${dir} is already recorded (as ${existing.name})`);
    }
    const cg = await this.api.add(dir, name);
    this.noteAdded(cg);
    if (!existing) return this.track({ ...cg, gone: false });
    // Recorded again (a daemon that came back without it): the same row, its past kept.
    await this.reattach(existing, cg.id);
    return existing;
  }

  /** Whether recording a target (as `add` takes it) records traceloop too: ask first. */
  selfRecording(target: string): SelfRecording | undefined {
    return selfRecording(resolveTarget(target).path, this.opts.self);
  }

  /** A cgroup this UI registered with the recorder (`tui --cgroup` too), for leftRecording(). */
  noteAdded(cg: RecordedCgroup): void {
    this.addedHere.add(cg.path);
  }

  /**
   * What this UI added that a daemon goes on recording after it quits (the
   * daemon is the always-on recorder: quitting the UI does not stop it),
   * one line each, with how to stop it. In-process, nothing outlives us.
   */
  leftRecording(): string[] {
    if (this.api.where === 'in-process') return [];
    const socket = this.api.where === DEFAULT_SOCKET ? '' : ` --socket ${this.api.where}`;
    return this.cgroups
      .filter((c) => !c.detached && !c.gone && this.addedHere.has(c.path))
      .map(
        (c) =>
          `${c.path} stays recorded by the daemon on ${this.api.where} ` +
          `(traceloop close${socket} ${c.name} to stop)`,
      );
  }

  /** Stops recording a cgroup (its row's key, or the recorder's id); its stream goes with it. */
  async remove(which: number | bigint): Promise<void> {
    const cg = this.find(which);
    if (!cg) return;
    // Not recorded any more: only this UI still shows it.
    if (cg.detached !== 'not recorded') {
      this.removed.add(cg.id);
      await this.stopWatching(cg);
      await this.api.remove(cg.id);
    }
    this.cgroups.splice(this.cgroups.indexOf(cg), 1);
    this.addedHere.delete(cg.path);
    this.version++;
  }

  /**
   * Writes the cgroup's whole flight record (what its rings hold now, not
   * just what the screen kept) to traceloop-<name>-<UTC time>.txt.
   */
  async snapshot(
    which: number | bigint,
  ): Promise<{ file: string; lines: number; completeFrom: string | undefined }> {
    const cg = this.recorded(which, 'snapshot');
    const read = await this.api.snapshot(cg.id);
    const now = this.opts.now?.() ?? new Date();
    const text = dumpText(this.snapshotHeader(cg, now), read, {
      maxString: this.opts.maxString,
      captures: this.captures,
      // strace -y's names, from the record alone (a flight record is the past: no /proc).
      decodeFds: this.opts.decodeFds ?? true,
      ...(this.opts.clock ? { clock: this.opts.clock } : {}),
    });
    const file = this.writeSnapshot(cg, now, text);
    const from = completeFrom(read.records);
    return {
      file,
      lines: text.split('\n').length - 1,
      completeFrom: from === undefined ? undefined : this.time(from),
    };
  }

  /** The cgroup, if the recorder still holds its flight record; why not otherwise. */
  private recorded(which: number | bigint, what: string): CgroupView {
    const cg = this.find(which);
    if (!cg) throw new UserError('no such cgroup');
    if (cg.detached === 'disconnected') {
      throw new UserError(`no ${what} of ${cg.name}: ${this.connection.why}`);
    }
    if (cg.detached === 'not recorded') {
      throw new UserError(
        `no ${what} of ${cg.name}: the daemon on ${this.api.where} does not record it (a adds it again)`,
      );
    }
    return cg;
  }

  /**
   * The same flight record as a capture file, traceloop-<name>-<UTC time>.tlcap: the records as
   * the rings held them, for `traceloop view` (filters, summary, details) anywhere later.
   */
  async snapshotCapture(which: number | bigint): Promise<{ file: string; records: number }> {
    const cg = this.recorded(which, 'capture');
    const read = await this.api.snapshot(cg.id);
    const now = this.opts.now?.() ?? new Date();
    const writer = CaptureWriter.create(this.snapshotDir(), this.snapshotBase(cg, now), '.tlcap');
    let file: string;
    try {
      writer.start({
        source: 'ui snapshot',
        cgroup: { path: cg.path, id: cgroupIdOf(cg.path), name: cg.name },
        title: this.snapshotHeader(cg, now),
        captures: this.captures,
        settings: { maxString: this.opts.maxString ?? DEFAULT_MAX_STRING, durations: false },
        clock: this.opts.clock ?? sampleClocks(),
      });
      writer.records(read.records);
      file = writer.finish({ cpus: read.cpus });
    } catch (err) {
      writer.abort();
      throw err;
    }
    return { file, records: parseRecords(read.records).length };
  }

  /**
   * The cgroup's whole flight record, counted as strace -c counts (the summary view's f), kept
   * for the view to show: `version` tells it when it is there.
   */
  recordSummary: { key: number; summary: CallSummary; records: number; at: Date } | undefined;

  async summarizeRecord(which: number | bigint): Promise<void> {
    const cg = this.find(which);
    if (!cg) throw new UserError('no such cgroup');
    if (cg.detached)
      throw new UserError(
        `no flight record of ${cg.name}: ${this.connection.why || 'not recorded'}`,
      );
    const read = await this.api.snapshot(cg.id);
    const records = parseRecords(read.records);
    const summary = new CallSummary();
    summary.add(records);
    this.recordSummary = {
      key: cg.key,
      summary,
      records: records.length,
      at: this.opts.now?.() ?? new Date(),
    };
    this.version++;
  }

  /**
   * Writes the lines the view holds (all of them, or those the filter shows) to the same kind
   * of file: what the screen has kept, even with the recorder gone (its lines are still here).
   */
  snapshotView(which: number | bigint, view: ViewSnapshot): { file: string; lines: number } {
    const cg = this.find(which);
    if (!cg) throw new UserError('no such cgroup');
    const now = this.opts.now?.() ?? new Date();
    const text = viewSnapshotText(this.snapshotHeader(cg, now), cg.store, view);
    return { file: this.writeSnapshot(cg, now, text), lines: view.entries.length };
  }

  private snapshotHeader(cg: CgroupView, now: Date): string {
    return `# traceloop snapshot of ${cg.path}${cgroupIdText(cg.path)} at ${now.toISOString()}`;
  }

  /**
   * traceloop-<name>-<UTC time>.txt in the snapshot directory, never over anything there (a
   * file, or a link someone planted at the name: AtomicFile.create).
   */
  private writeSnapshot(cg: CgroupView, now: Date, text: string): string {
    const out = AtomicFile.create(this.snapshotDir(), this.snapshotBase(cg, now), '.txt');
    try {
      out.write(text);
      out.commit();
    } catch (err) {
      out.abort();
      throw err;
    }
    return out.committed!;
  }

  private snapshotDir(): string {
    return path.resolve(this.opts.snapshotDir ?? '.');
  }

  private snapshotBase(cg: CgroupView, now: Date): string {
    return `traceloop-${safeName(cg.name)}-${utcStamp(now)}`;
  }

  /**
   * Asks the recorder what it records (on a timer, and at once when a
   * stream ends unasked): a recorder that does not answer is lost; one that
   * answers again is resynchronised (streams resume for the cgroups it
   * records); then the counters.
   */
  async refresh(): Promise<void> {
    if (this.closed) return;
    if (this.refreshing) {
      this.again = true;
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.again = false;
        await this.refreshOnce();
      } while (this.again && !this.closed);
    } finally {
      this.refreshing = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.api.close();
  }

  /** A row by its key (number), or by the recorder's id (bigint: rows it answers for only). */
  private find(which: number | bigint): CgroupView | undefined {
    return typeof which === 'number'
      ? this.cgroups.find((c) => c.key === which)
      : this.cgroups.find((c) => !c.detached && c.id === which);
  }

  private async refreshOnce(): Promise<void> {
    let listed: ListedCgroup[];
    try {
      listed = await this.api.list();
    } catch (err) {
      await this.lose(err);
      return;
    }
    if (this.connection.lostAt) await this.regain();
    this.noteDumps(listed);
    await this.resync(listed);
    await this.counters();
  }

  /** A dump saved since the last list becomes the notice (those from before the UI, not). */
  private noteDumps(listed: readonly ListedCgroup[]): void {
    const first = this.dumpsSeen === undefined;
    const seen = (this.dumpsSeen ??= new Set());
    for (const c of listed) {
      for (const d of c.dumps ?? []) {
        if (seen.has(d.capture)) continue;
        seen.add(d.capture);
        if (first) continue;
        this.notice = escapeControls(`${d.trigger} in ${c.name}: saved to ${d.capture}`);
        this.version++;
      }
    }
  }

  /** The recorder stopped answering: every stream is stale from now on. */
  private async lose(err: unknown): Promise<void> {
    if (!this.connection.lostAt) {
      this.connection.lostAt = this.opts.now?.() ?? new Date();
      this.version++;
    }
    const why = err instanceof Error ? err.message : String(err);
    if (why !== this.connection.why) {
      this.connection.why = why;
      this.version++;
    }
    for (const cg of this.cgroups) {
      if (cg.streaming) await this.stopWatching(cg); // a hung daemon's stream, left open
      if (!cg.gone && cg.detached !== 'disconnected') {
        cg.cutAt ??= this.connection.lostAt;
        cg.detached = 'disconnected';
        cg.rate = 0;
        cg.lastSample = undefined;
        this.version++;
      }
    }
  }

  /** It answers again: maybe another daemon, numbering its cgroups anew. */
  private async regain(): Promise<void> {
    this.connection.lostAt = undefined;
    this.connection.backAt = this.opts.now?.() ?? new Date();
    this.version++;
    // Ids removed here meant the old daemon's cgroups; a new one may give them to others.
    this.removed.clear();
    try {
      this.captures = await this.api.captures();
    } catch {
      // asked again on the next answer
    }
  }

  /**
   * Matches the shown cgroups with what the recorder lists. A registration
   * still listed (same id, same path) is kept, its stream reopened if it
   * ended; else the same path listed under another id (a restarted daemon,
   * the cgroup added again) takes its place; else it is not recorded any
   * more. What is listed and not shown (other clients' cgroups) is shown.
   */
  private async resync(listed: ListedCgroup[]): Promise<void> {
    const claimed = new Set<bigint>();
    const same = (cg: CgroupView, l: ListedCgroup): boolean => l.id === cg.id && l.path === cg.path;
    for (const cg of [...this.cgroups]) {
      const kept = cg.detached === 'not recorded' ? undefined : listed.find((l) => same(cg, l));
      if (kept) {
        claimed.add(kept.id);
        if (kept.gone && !cg.gone) {
          cg.store.flushPending();
          cg.gone = true;
          this.version++;
        }
        if (cg.detached) {
          cg.detached = undefined;
          this.version++;
        }
        if (!cg.streaming && !cg.gone) await this.watchQuietly(cg);
        continue;
      }
      if (cg.streaming) await this.stopWatching(cg);
      const again = listed.find(
        (l) =>
          l.path === cg.path &&
          !l.gone &&
          !claimed.has(l.id) &&
          !this.removed.has(l.id) &&
          !this.cgroups.some((c) => c !== cg && !c.detached && same(c, l)),
      );
      if (again) {
        claimed.add(again.id);
        await this.reattach(cg, again.id);
      } else if (!cg.gone && cg.detached !== 'not recorded') {
        cg.cutAt ??= this.opts.now?.() ?? new Date();
        cg.detached = 'not recorded';
        cg.rate = 0;
        this.version++;
      }
    }
    // A daemon's cgroups can come from other clients (`traceloop add`): show them too.
    for (const l of listed) {
      if (claimed.has(l.id) || this.removed.has(l.id)) continue;
      if (this.cgroups.some((c) => !c.detached && same(c, l))) continue;
      try {
        await this.track(l);
      } catch {
        // stopped meanwhile: the next round tells
      }
    }
  }

  /** Counters of the cgroups the recorder answers for; called on a timer. */
  private async counters(): Promise<void> {
    for (const cg of [...this.cgroups]) {
      if (cg.detached) continue;
      try {
        const [stats, notShown] = await Promise.all([
          this.api.stats(cg.id),
          this.api.notShown(cg.id),
        ]);
        const recorded = stats.reduce((s, c) => s + c.emitted, 0);
        const lost = stats.reduce((s, c) => s + c.lost, 0) + notShown;
        const at = (this.opts.now?.() ?? new Date()).getTime();
        if (cg.lastSample && at > cg.lastSample.at) {
          cg.rate = ((recorded - cg.lastSample.recorded) * 1000) / (at - cg.lastSample.at);
        }
        cg.lastSample = { at, recorded };
        if (recorded !== cg.recorded || lost !== cg.lost) this.version++;
        cg.recorded = recorded;
        cg.lost = lost;
      } catch {
        // removed meanwhile, or the daemon went away: the next round tells
      }
    }
  }

  /** Starts showing a cgroup; one already shown is left as it is. */
  private async track(cg: ListedCgroup): Promise<CgroupView> {
    const known = this.cgroups.find((c) => !c.detached && c.id === cg.id && c.path === cg.path);
    if (known) return known;
    if (this.removed.has(cg.id)) throw new UserError(`${cg.path}: no longer recorded`);
    const store = new StreamStore({
      time: this.time,
      ...(this.opts.capacity !== undefined ? { capacity: this.opts.capacity } : {}),
      ...(this.opts.maxString !== undefined ? { maxString: this.opts.maxString } : {}),
      decodeFds: this.opts.decodeFds ?? true,
      ...(this.opts.trigger?.record ? { mark: this.opts.trigger.record } : {}),
    });
    const view: CgroupView = {
      key: this.nextKey++,
      id: cg.id,
      name: cg.name,
      path: cg.path,
      store,
      recorded: 0,
      lost: 0,
      rate: 0,
      gone: cg.gone,
      detached: undefined,
      streaming: false,
      watchGen: 0,
      lastSample: undefined,
    };
    this.cgroups.push(view);
    this.version++;
    // Every recorded cgroup streams, not just the selected one: switching
    // shows its recent past at once.
    await this.watch(view);
    return view;
  }

  /** The row of a cgroup shows it again, as `id` of a recorder that answers again. */
  private async reattach(cg: CgroupView, id: bigint): Promise<void> {
    cg.id = id;
    cg.detached = undefined;
    cg.gone = false;
    cg.rate = 0;
    cg.lastSample = undefined; // a new daemon counts from 0
    this.version++;
    await this.watchQuietly(cg);
  }

  private async watch(cg: CgroupView): Promise<void> {
    const gen = ++cg.watchGen;
    cg.streaming = true;
    const ended = (): void => {
      if (cg.watchGen !== gen || this.closed) return;
      cg.streaming = false;
      cg.store.flushPending();
      this.version++;
      // Why did it end: the daemon stopping, the cgroup closed elsewhere? list() tells.
      void this.refresh();
    };
    try {
      await this.api.watch(cg.id, (records) => cg.store.ingest(records), ended);
    } catch (err) {
      if (cg.watchGen === gen) cg.streaming = false;
      throw err;
    }
  }

  /** watch() from a refresh: a failure is for the next round to find. */
  /**
   * The stream resumes after a cut: a line says what this UI did not see, and since when (the
   * recorder's own markers cannot: a restarted daemon never recorded that time, and the one
   * that only stopped answering kept it in its rings, where a snapshot finds it).
   */
  private markGap(cg: CgroupView): void {
    const at = cg.cutAt;
    if (!at) return;
    cg.cutAt = undefined;
    const now = this.opts.now?.() ?? new Date();
    const clocks = sampleClocks();
    const ts =
      clocks.monotonicNowNs - BigInt(Math.round(clocks.wallNowMs - at.getTime())) * 1_000_000n;
    const secs = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
    // Short: a 100-column row keeps 58 for it (Enter shows the details).
    cg.store.gap(ts, `NOT SHOWN: ${secs} s without the recorder`);
    this.version++;
  }

  private async watchQuietly(cg: CgroupView): Promise<void> {
    this.markGap(cg);
    try {
      await this.watch(cg);
    } catch {
      // the recorder went away again, or the cgroup did
    }
  }

  private async stopWatching(cg: CgroupView): Promise<void> {
    cg.watchGen++; // its end, if it comes, is no news
    cg.streaming = false;
    cg.store.flushPending();
    try {
      await this.api.unwatch(cg.id);
    } catch {
      // a gone cgroup's stream has already ended
    }
  }
}

function offsetEveryMinute(): (wallMs: number) => number {
  let at = -Infinity;
  let offset = 0;
  return (wallMs) => {
    if (Math.abs(wallMs - at) > 60_000) {
      at = wallMs;
      offset = -new Date(wallMs).getTimezoneOffset();
    }
    return offset;
  };
}

/** 2026-11-28T05:52:44.123Z → 20261128T055244Z: sortable, no colons for other filesystems. */
export function utcStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._@-]+/g, '_') || 'cgroup';
}

/**
 * ` (cgroup id N)`: the kernel's id of the cgroup (its directory's inode, what
 * bpf_get_current_cgroup_id() returns), read here rather than taken from the
 * recorder, whose ids are the daemon's own registration numbers when the UI is
 * attached to one. Nothing when the directory is gone.
 */
function cgroupIdText(dir: string): string {
  const id = cgroupIdOf(dir);
  return id === 0n ? '' : ` (cgroup id ${id})`;
}

/** The kernel's id of the cgroup at dir (see cgroupIdText); 0 when the directory is gone. */
function cgroupIdOf(dir: string): bigint {
  try {
    return fs.statSync(dir, { bigint: true }).ino;
  } catch {
    return 0n;
  }
}

/**
 * Where a snapshot's history is complete from: the newest of the CPUs' oldest records, when a
 * ring had wrapped (its read begins with an overwritten marker that follows nothing); undefined
 * when every ring still held everything since recording began.
 */
function completeFrom(records: Buffer): bigint | undefined {
  let from: bigint | undefined;
  for (const r of parseRecords(records)) {
    if (r.kind !== 'lost' || r.reason !== TL_LOST_OVERWRITTEN || r.tsFrom !== 0n) continue;
    if (from === undefined || r.tsTo > from) from = r.tsTo;
  }
  return from;
}

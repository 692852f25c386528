// Triggered dumps (`--dump-dir DIR --dump-on ...`): every 50 ms the rings' trigger notes are
// read (counters in their control blocks, src/triggers/notes.ts; no ring is read or drained);
// a trigger waits out the tail, then the cgroup's whole flight record is saved into DIR as a
// capture file and its text (the same text `traceloop view` prints of it), the trigger's line
// marked. Bounded: --dump-rate dumps per cgroup and trigger kind per minute (so that a storm of
// harmless exits never keeps a crash out), DIR within --dump-dir-max.
import type { CapturesLeftOut } from '../captures.js';
import { readCapture } from '../capture/reader.js';
import { replayText } from '../capture/replay.js';
import { encodeCapture } from '../capture/writer.js';
import type { CaptureTrigger } from '../capture/format.js';
import { sampleClocks, type ClockSample } from '../clock.js';
import { DEFAULT_MAX_STRING } from '../format/index.js';
import type { TriggerNotes } from '../native.js';
import type { Read } from '../recorder.js';
import { DumpDir } from './dump-dir.js';
import { goneTrigger, locateTrigger } from './locate.js';
import { NoteTracker, type Fired } from './notes.js';
import type { TriggerKind, TriggerSettings } from './options.js';

/** A recorded cgroup, as the one who registered it knows it. */
export interface TriggerTarget {
  /** Unique among the host's cgroups while it lives (the daemon's id). */
  key: number;
  name: string;
  path: string;
  cgroupId: bigint;
}

/** What the dumps need from whoever records: the daemon, or `traceloop cgroups`. */
export interface TriggerHost {
  /** The cgroups recorded now (not those gone). */
  targets(): TriggerTarget[];
  notes(t: TriggerTarget): TriggerNotes[];
  /** The whole flight record now, or the one kept when it vanished. */
  snapshot(t: TriggerTarget): Read;
  captures(): CapturesLeftOut;
  ringPages?: number;
}

/** One saved dump, as /dumps and /list show it. */
export interface SavedDump {
  key: number;
  name: string;
  trigger: TriggerKind;
  /** The `# trigger:` line's words after the kind. */
  detail: string;
  /** When it was saved, ms since the epoch. */
  at: number;
  capture: string;
  text: string;
  bytes: number;
}

export const POLL_MS = 50;
const MINUTE = 60_000;

export class TriggerDumps {
  readonly dir: DumpDir;
  private readonly trackers = new Map<number, NoteTracker>();
  private readonly pending = new Set<number>();
  /** A trigger that came while its cgroup's dump waited: saved next, on its own. */
  private readonly queued = new Map<number, Fired>();
  /** Per cgroup and trigger kind (`key:kind`): when its dumps of the last minute were admitted. */
  private readonly recent = new Map<string, number[]>();
  /** Per cgroup and trigger kind: when the rate limit was last said. */
  private readonly quiet = new Map<string, number>();
  private readonly saved: SavedDump[] = [];
  private readonly errnos: ReadonlySet<number>;
  private timer: NodeJS.Timeout | undefined;
  /** Dumps waiting out their tail: the timer, and what saves the dump. */
  private readonly tails = new Map<NodeJS.Timeout, () => void>();
  private stopped = false;

  constructor(
    private readonly host: TriggerHost,
    readonly settings: TriggerSettings,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.dir = DumpDir.open(settings.dir, settings.dirMaxBytes, log);
    this.errnos = new Set(settings.errnos);
  }

  start(): void {
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
  }

  /** Stops polling; a dump still waiting out its tail is saved now (the recorder still runs). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const [timer, save] of [...this.tails]) {
      clearTimeout(timer);
      save();
    }
    this.tails.clear();
  }

  /** Reads every cgroup's notes; a new trigger of an armed kind schedules its dump. */
  poll(): void {
    const live = new Set<number>();
    for (const t of this.host.targets()) {
      live.add(t.key);
      let tracker = this.trackers.get(t.key);
      if (!tracker) this.trackers.set(t.key, (tracker = new NoteTracker()));
      let fired: Fired[];
      try {
        fired = tracker.changes(this.host.notes(t));
      } catch {
        continue; // closed or gone between the list and the read
      }
      // The most telling first: a crash over an exit over a failed call.
      const armed = fired
        .filter((f) => this.settings.kinds.has(f.kind))
        .sort((a, b) => RANK[a.kind] - RANK[b.kind]);
      if (armed.length > 0) this.fire(t, armed[0]!);
    }
    for (const key of this.trackers.keys()) {
      if (live.has(key)) continue;
      this.trackers.delete(key);
      // A long-lived daemon sees many short-lived cgroups: their rate entries go with them.
      for (const m of [this.recent, this.quiet])
        for (const k of m.keys()) if (k.startsWith(`${key}:`)) m.delete(k);
    }
  }

  /** The cgroup vanished: its kept record (`read`) is saved at once, if `gone` is armed. */
  gone(t: TriggerTarget, read: Read): void {
    if (!this.settings.kinds.has('gone') || !this.admit(t, 'gone')) return;
    this.save(t, 'gone', read, goneTrigger(t.path), sampleClocks());
  }

  /** Dumps saved so far (those deleted for the budget left out), oldest first. */
  list(key?: number): SavedDump[] {
    return this.saved.filter((d) => key === undefined || d.key === key);
  }

  private fire(t: TriggerTarget, fired: Fired): void {
    // One dump at a time per cgroup: a trigger while one waits out its tail is saved after
    // it (the most telling one, if several came).
    if (this.pending.has(t.key)) {
      const q = this.queued.get(t.key);
      if (!q || RANK[fired.kind] < RANK[q.kind]) this.queued.set(t.key, fired);
      return;
    }
    if (this.stopped || !this.admit(t, fired.kind)) return;
    this.pending.add(t.key);
    const save = (): void => {
      this.tails.delete(timer);
      this.pending.delete(t.key);
      this.takeAndSave(t, fired);
      const next = this.queued.get(t.key);
      this.queued.delete(t.key);
      if (next) this.fire(t, next);
    };
    const timer = setTimeout(save, this.settings.tailMs);
    this.tails.set(timer, save);
  }

  private takeAndSave(t: TriggerTarget, fired: Fired): void {
    let read: Read;
    try {
      read = this.host.snapshot(t);
    } catch (err) {
      this.log(`${fired.kind} in ${t.name}: cannot read its record: ${(err as Error).message}`);
      return;
    }
    // One clock sample for the trigger's line and the capture: the same times in both.
    const clock = sampleClocks();
    this.save(t, fired.kind, read, locateTrigger(read.records, fired, this.errnos, clock), clock);
  }

  /**
   * Within --dump-rate for this cgroup and kind? Says so (once a minute per cgroup and kind) when
   * not. Counted per kind: a service whose children exit non-zero by the hundred still gets its
   * crash saved.
   */
  private admit(t: TriggerTarget, kind: TriggerKind): boolean {
    const now = this.now();
    const key = `${t.key}:${kind}`;
    const times = (this.recent.get(key) ?? []).filter((at) => now - at < MINUTE);
    this.recent.set(key, times);
    if (times.length < this.settings.perMinute) {
      times.push(now);
      return true;
    }
    if (now - (this.quiet.get(key) ?? -Infinity) >= MINUTE) {
      this.quiet.set(key, now);
      this.log(
        `${kind} in ${t.name}: not saved, --dump-rate ${this.settings.perMinute} per minute reached ` +
          `(further ${kind} triggers this minute are not said)`,
      );
    }
    return false;
  }

  private save(
    t: TriggerTarget,
    kind: TriggerKind,
    read: Read,
    trigger: CaptureTrigger,
    clock: ClockSample,
  ): void {
    const at = this.now();
    try {
      const bytes = encodeCapture(
        {
          source: 'trigger',
          cgroup: { path: t.path, id: t.cgroupId, name: t.name },
          title: `# traceloop dump of ${t.path} (id ${t.key}, name ${t.name}), saved on ${kind}`,
          captures: this.host.captures(),
          settings: {
            maxString: DEFAULT_MAX_STRING,
            durations: false,
            ...(this.host.ringPages !== undefined ? { ringPages: this.host.ringPages } : {}),
          },
          clock,
          trigger,
        },
        read.records,
        { cpus: read.cpus },
      );
      // The text is what `traceloop view` prints of the capture, made from the capture itself.
      const lines: string[] = [];
      replayText(readCapture(bytes), (l) => lines.push(...l));
      const files = this.dir.save(t.name, kind, at, bytes, lines.join('\n') + '\n');
      this.saved.push({
        key: t.key,
        name: t.name,
        trigger: kind,
        detail: trigger.text,
        at,
        ...files,
      });
      this.forgetDeleted();
      this.log(`${kind} in ${t.name}: saved to ${files.capture} and ${files.text}`);
    } catch (err) {
      // A full disk, a directory gone: said, and recording goes on.
      this.log(
        `${kind} in ${t.name}: cannot save its record in ${this.dir.dir}: ${(err as Error).message}`,
      );
    }
  }

  /** Drops from the list the dumps whose files the budget deleted. */
  private forgetDeleted(): void {
    const present = new Set(this.dir.ours().map((f) => f.file));
    for (let i = this.saved.length - 1; i >= 0; i--) {
      if (!present.has(this.saved[i]!.capture)) this.saved.splice(i, 1);
    }
  }
}

const RANK: Record<TriggerKind, number> = { crash: 0, exit: 1, errno: 2, gone: 3 };

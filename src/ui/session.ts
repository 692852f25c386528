// Everything the UI shows that is not UI state: the recorded cgroups, one
// StreamStore each, their counters, and the operations keys trigger (add,
// stop, snapshot). Plain objects with version counters, outside React: the
// drain hands over batches many times a second and none of that may cause a
// React commit by itself; the redraw tick looks at the versions instead.
import fs from 'node:fs';
import path from 'node:path';
import { ALL_LOADED, type CapturesLeftOut } from '../captures.js';
import { UserError } from '../cgroup.js';
import { createWallClock, sampleClocks } from '../clock.js';
import { dumpText } from '../dump.js';
import { writeFileAtomic } from '../output.js';
import type { RecorderApi } from '../recorder-api.js';
import type { RecordedCgroup } from '../recorder.js';
import { StreamStore } from './store.js';
import { resolveTarget } from '../targets.js';

export type CgroupState = 'recording' | 'gone';

export interface CgroupView {
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
  lastSample: { at: number; recorded: number } | undefined;
}

export interface SessionOptions {
  maxString?: number;
  /** Lines each stream keeps for scrolling back. */
  capacity?: number;
  /** Where snapshots go (default: the current directory). */
  snapshotDir?: string;
  /** Clock for snapshot names and rates; tests pass their own. */
  now?: () => Date;
}

export class Session {
  version = 0;
  readonly cgroups: CgroupView[] = [];
  /** The capture families the recorder's kernel refused, for the header and snapshots. */
  captures: CapturesLeftOut = ALL_LOADED;
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;
  /** Stopped here: a list() answer from before must not bring them back. */
  private readonly removed = new Set<bigint>();
  private closed = false;
  // Date's time zone lookup costs more than the rest of a line's time: ask once a minute.
  private readonly time = createWallClock(sampleClocks(), {
    utcOffsetMinutes: offsetEveryMinute(),
  });

  constructor(
    readonly api: RecorderApi,
    private readonly opts: SessionOptions = {},
  ) {}

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
    if (existing) throw new UserError(`${dir} is already recorded (as ${existing.name})`);
    return this.track(await this.api.add(dir, name));
  }

  /** Stops recording a cgroup; its stream goes with it. */
  async remove(id: bigint): Promise<void> {
    const i = this.cgroups.findIndex((c) => c.id === id);
    if (i < 0) return;
    this.removed.add(id);
    try {
      await this.api.unwatch(id);
    } catch {
      // a gone cgroup's stream has already ended
    }
    await this.api.remove(id);
    this.cgroups.splice(i, 1);
    this.version++;
  }

  /**
   * Writes the cgroup's whole flight record (what its rings hold now, not
   * just what the screen kept) to traceloop-<name>-<UTC time>.txt.
   */
  async snapshot(id: bigint): Promise<{ file: string; lines: number }> {
    const cg = this.cgroups.find((c) => c.id === id);
    if (!cg) throw new UserError('no such cgroup');
    const read = await this.api.snapshot(id);
    const now = this.opts.now?.() ?? new Date();
    const text = dumpText(
      `# traceloop snapshot of ${cg.path} (cgroup id ${cg.id}) at ${now.toISOString()}`,
      read,
      { maxString: this.opts.maxString, captures: this.captures },
    );
    const dir = path.resolve(this.opts.snapshotDir ?? '.');
    const file = uniqueFile(dir, `traceloop-${safeName(cg.name)}-${utcStamp(now)}`, '.txt');
    writeFileAtomic(file, text);
    return { file, lines: text.split('\n').length - 1 };
  }

  /** Counters and gone-ness of every cgroup; called on a timer. */
  async refresh(): Promise<void> {
    if (this.refreshing || this.closed) return;
    this.refreshing = true;
    try {
      // A daemon's cgroups can come from other clients (`traceloop add`): show them too.
      try {
        for (const cg of await this.api.list()) {
          if (!this.removed.has(cg.id)) await this.track(cg);
        }
      } catch {
        // the daemon went away: the counters below say so by not moving
      }
      for (const cg of [...this.cgroups]) {
        try {
          const [stats, notShown, gone] = await Promise.all([
            this.api.stats(cg.id),
            this.api.notShown(cg.id),
            this.api.isGone(cg.id),
          ]);
          const recorded = stats.reduce((s, c) => s + c.emitted, 0);
          const lost = stats.reduce((s, c) => s + c.lost, 0) + notShown;
          const at = (this.opts.now?.() ?? new Date()).getTime();
          if (cg.lastSample && at > cg.lastSample.at) {
            cg.rate = ((recorded - cg.lastSample.recorded) * 1000) / (at - cg.lastSample.at);
          }
          cg.lastSample = { at, recorded };
          if (recorded !== cg.recorded || lost !== cg.lost || gone !== cg.gone) this.version++;
          cg.recorded = recorded;
          cg.lost = lost;
          if (gone && !cg.gone) cg.store.flushPending();
          cg.gone = gone;
        } catch {
          // removed meanwhile, or the daemon went away: the next round tells
        }
      }
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

  /** Starts showing a cgroup; one already shown is left as it is. */
  private async track(cg: RecordedCgroup): Promise<CgroupView> {
    const known = this.cgroups.find((c) => c.id === cg.id);
    if (known) return known;
    if (this.removed.has(cg.id)) throw new UserError(`${cg.path}: no longer recorded`);
    const store = new StreamStore({
      time: this.time,
      ...(this.opts.capacity !== undefined ? { capacity: this.opts.capacity } : {}),
      ...(this.opts.maxString !== undefined ? { maxString: this.opts.maxString } : {}),
    });
    const view: CgroupView = {
      id: cg.id,
      name: cg.name,
      path: cg.path,
      store,
      recorded: 0,
      lost: 0,
      rate: 0,
      gone: false,
      lastSample: undefined,
    };
    this.cgroups.push(view);
    this.version++;
    // Every recorded cgroup streams, not just the selected one: switching
    // shows its recent past at once.
    await this.api.watch(cg.id, (records) => store.ingest(records));
    return view;
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

function uniqueFile(dir: string, base: string, ext: string): string {
  let file = path.join(dir, base + ext);
  for (let n = 2; fs.existsSync(file); n++) file = path.join(dir, `${base}-${n}${ext}`);
  return file;
}

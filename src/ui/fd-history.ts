// strace -y's fd names for the UI's stream, whose lines are decoded one at a time, long after
// they arrived (they are decoded when shown: a paused view, scrolling back). The tables are
// fd-table.ts's FdTables, fed at ingest with the calls that change them, from the records
// alone (no /proc: the UI may be attached to a daemon, and what it shows is past). What a line
// is named from is what the table said at that line, never later: every change is kept with
// the position where it happened, so `read(3</etc/hostname>)` keeps its name after the close.
//
// Positions: line `seq`'s arguments are named before its call's effect, at 2*seq; its return
// after it, at 2*seq+1 (pipe's array too: fd-table.ts's effectFirst). A change made by line S's
// call holds from 2S+1.
//
// Per table (a map of fd-table.ts's, by identity: shared by CLONE_FILES processes, replaced
// by an execve or an unsharing close_range), each fd's names in order of change; per process,
// which table it had from when to when, and its cwd (for `AT_FDCWD</tmp>`). A LOST marker ends every process's table (fd-table
// forgets them), so lines after it name only what was opened since; lines before keep theirs.
// Kept for the lines the store still holds: older history is dropped, and a line older than
// what is kept is bare, never named from a later state.
import type { FdSource } from '../format/records.js';
import { changesFdTable, FdTables, makesProcess, type FdNamer } from '../format/fd-table.js';
import type { EnterRecord, ExitRecord, Param } from '../wire.js';

/** One fd's name from `from` on (undefined: none, the fd is closed or its name unknown). */
interface Named {
  from: number;
  /** `</etc/hostname>`, as the line prints it. */
  text: string | undefined;
  /** The name without brackets, as the filter's `fd:` term reads it. */
  plain: string | undefined;
  /** The table's entry it was read from: an fd whose entry is the same object is unchanged. */
  entry: unknown;
}

/** What one fd table said, fd by fd, over time. */
class TableLog {
  readonly byFd = new Map<number, Named[]>();

  last(fd: number): Named | undefined {
    const names = this.byFd.get(fd);
    return names?.[names.length - 1];
  }

  at(fd: number, pos: number): Named | undefined {
    const names = this.byFd.get(fd);
    if (!names) return undefined;
    for (let i = names.length - 1; i >= 0; i--) {
      const n = names[i]!;
      if (n.from <= pos) return n;
    }
    return undefined;
  }

  /** Drops what no position from `oldest` on can need (the newest before it is kept). */
  prune(oldest: number): void {
    for (const [fd, names] of this.byFd) {
      let keep = 0;
      while (keep + 1 < names.length && names[keep + 1]!.from <= oldest) keep++;
      if (keep > 0) names.splice(0, keep);
      if (names.length === 1 && names[0]!.text === undefined && names[0]!.from <= oldest) {
        this.byFd.delete(fd);
      }
    }
  }
}

/** A process had this table from `from` until `until` (exclusive). */
interface Tenancy {
  log: TableLog;
  table: ReadonlyMap<number, unknown>;
  from: number;
  until: number;
}

/** The fd numbers a call may have changed: its return, its arguments, a filled int pair. */
function candidates(
  enter: EnterRecord | undefined,
  exit: ExitRecord,
  params: ReadonlyMap<number, Param>,
): number[] {
  const fds: number[] = [];
  const add = (v: number): void => {
    if (v >= 0 && v < 1 << 30 && !fds.includes(v)) fds.push(v);
  };
  if (exit.ret >= 0n && exit.ret < 1n << 30n) add(Number(exit.ret));
  for (const a of enter?.args ?? []) add(Number(BigInt.asIntN(32, a)));
  // pipe's and socketpair's fds are in the array they fill.
  for (const p of params.values()) {
    if (p.bytes.length === 8) {
      add(p.bytes.readInt32LE(0));
      add(p.bytes.readInt32LE(4));
    }
  }
  return fds;
}

export class FdHistory {
  /** The model: fd-table.ts's, without /proc. */
  readonly tables = new FdTables();
  private readonly logs = new WeakMap<ReadonlyMap<number, unknown>, TableLog>();
  private readonly tenancies = new Map<number, Tenancy[]>();
  /** Each process's cwd (`AT_FDCWD</tmp>`) over time: a process's, not its table's. */
  private readonly cwds = new TableLog();

  /**
   * Whether the store must feed this call to the tables: one that can change them, unless it
   * failed (a failed call changes nothing, but a failed clone ends the clone in flight).
   */
  static wants(nr: number, failed = false): boolean {
    return changesFdTable(nr) && (!failed || makesProcess(nr));
  }

  /** A clone's enter (its flags, for the child's table). */
  enter(e: EnterRecord): void {
    this.tables.enter(e);
  }

  /**
   * A record of a call that is no line (a child's first `= 0`): where a clone's child is
   * first seen, its table starting from its parent's.
   */
  seen(exit: ExitRecord, pos: number): void {
    this.tables.namerFor(exit);
    this.follow(exit.pid, pos);
  }

  /**
   * A call that changes fd tables returned, its line's changes holding from `pos` (2*seq+1;
   * a call shown by no line: the next line's 2*seq).
   */
  exit(
    pos: number,
    enter: EnterRecord | undefined,
    exit: ExitRecord,
    params: ReadonlyMap<number, Param>,
  ): void {
    const pid = exit.pid;
    this.tables.namerFor(exit); // first seen: a clone's child starts from its parent's table
    this.follow(pid, pos);
    const before = this.tables.tableOf(pid);
    const fds = candidates(enter, exit, params);
    let had = 0;
    if (before) for (const fd of fds) if (before.fds.has(fd)) had++;
    const size = before?.fds.size ?? 0;
    this.tables.exit(enter, exit, params);
    // A clone's parent side made a process: the child's table.
    const child = exit.ret > 0n && makesProcess(exit.nr) ? Number(exit.ret) : -1;
    if (child >= 0) this.follow(child, pos);
    this.recordCwd(pid, pos);
    if (this.follow(pid, pos) || !before) return;
    const now = this.tables.tableOf(pid)!;
    // Each fd it may have changed; anything else changed (close_range, a lost enter's clear):
    // every fd the table held or holds.
    let has = 0;
    for (const fd of fds) if (now.fds.has(fd)) has++;
    const log = this.logs.get(now.fds)!;
    if (now.fds.size - size !== has - had) {
      this.record(log, now, [...new Set([...log.byFd.keys(), ...now.fds.keys()])], pos);
    } else {
      this.record(log, now, fds, pos);
    }
  }

  /** Events were lost: every table is forgotten from `pos` on. */
  lost(pos: number): void {
    this.tables.lost();
    for (const pid of this.cwds.byFd.keys()) this.recordCwd(pid, pos);
    for (const list of this.tenancies.values()) {
      const t = list[list.length - 1];
      if (t && t.until > pos) t.until = pos;
    }
  }

  /** A process ended (its `+++` line); its pid may come back as another process. */
  ended(pid: number, tid: number, pos: number): void {
    this.tables.ended(pid, tid);
    if (pid !== tid) return;
    this.recordCwd(pid, pos);
    const t = this.tenancies.get(pid)?.at(-1);
    if (t && t.until > pos) t.until = pos;
  }

  /** The name of `pid`'s fd at `pos`, or undefined: bare. */
  at(pid: number, fd: number, pos: number): Named | undefined {
    const list = this.tenancies.get(pid);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      const t = list[i]!;
      if (t.from > pos) continue;
      return t.until > pos ? t.log.at(fd, pos) : undefined;
    }
    return undefined;
  }

  /** Drops what no line from `seq` on needs. */
  prune(seq: number): void {
    const oldest = 2 * seq;
    for (const [pid, list] of this.tenancies) {
      let drop = 0;
      while (drop < list.length && list[drop]!.until <= oldest) drop++;
      if (drop > 0) list.splice(0, drop);
      if (list.length === 0) this.tenancies.delete(pid);
      else for (const t of list) t.log.prune(oldest);
    }
    this.cwds.prune(oldest);
  }

  /** `AT_FDCWD`'s directory for `pid` at `pos`, `</tmp>`, or undefined: bare. */
  cwdAt(pid: number, pos: number): Named | undefined {
    return this.cwds.at(pid, pos);
  }

  /** A namer for `pid`'s fds at `pos` (the details view's). */
  namer(pid: number, pos: number): FdNamer {
    return { fd: (fd) => this.at(pid, fd, pos)?.text, cwd: () => this.cwdAt(pid, pos)?.text };
  }

  /**
   * The FdSource for decoding line `seq`: names as they were before its call's effect, and
   * after it once the formatter applies it (exit()), as the formatter's own tables would.
   */
  sourceFor(seq: number): FdSource {
    return new LineSource(this, seq);
  }

  /**
   * Whether `pid`'s table changed identity (execve, an unsharing close_range, its first table,
   * a new process on its pid): it is then recorded whole, from `pos`. True when it did.
   */
  private follow(pid: number, pos: number): boolean {
    const now = this.tables.tableOf(pid);
    let list = this.tenancies.get(pid);
    const cur = list?.at(-1);
    if (!now) {
      if (cur && cur.until > pos) cur.until = pos;
      return false;
    }
    if (cur && cur.table === now.fds && cur.until === Infinity) return false;
    if (cur && cur.until > pos) cur.until = pos;
    let log = this.logs.get(now.fds);
    const fresh = !log;
    if (!log) this.logs.set(now.fds, (log = new TableLog()));
    if (!list) this.tenancies.set(pid, (list = []));
    list.push({ log, table: now.fds, from: pos, until: Infinity });
    // A table seen before (shared with a CLONE_FILES process) already has its names.
    if (fresh) this.record(log, now, [...now.fds.keys()], pos);
    this.recordCwd(pid, pos);
    return true;
  }

  /** `pid`'s cwd now, where it differs from what the log has last (keyed by pid). */
  private recordCwd(pid: number, pos: number): void {
    const cwd = this.tables.tableOf(pid)?.cwd;
    const last = this.cwds.last(pid);
    if (last ? last.entry === cwd : cwd === undefined) return;
    const text = cwd === undefined ? undefined : this.tables.tableOf(pid)!.namer.cwd();
    let names = this.cwds.byFd.get(pid);
    if (!names) this.cwds.byFd.set(pid, (names = []));
    if (names.length > 0 && names[names.length - 1]!.from === pos) names.pop();
    names.push({ from: pos, text, plain: undefined, entry: cwd });
  }

  /** The names of these fds now, where the table's entries differ from the log's last. */
  private record(
    log: TableLog,
    table: { fds: ReadonlyMap<number, unknown>; namer: FdNamer },
    fds: readonly number[],
    pos: number,
  ): void {
    const tables = this.tables;
    for (const fd of fds) {
      // Entries are replaced, never changed in place (fd-table.ts): the same one, the same name.
      const entry = table.fds.get(fd);
      const last = log.last(fd);
      if (last ? last.entry === entry : entry === undefined) continue;
      tables.noteShown = true;
      const text = table.namer.fd(fd);
      const plain = tables.takeShown()?.[0];
      tables.noteShown = false;
      if (last ? last.text === text : text === undefined) {
        if (last) last.entry = entry;
        continue;
      }
      let names = log.byFd.get(fd);
      if (!names) log.byFd.set(fd, (names = []));
      if (names.length > 0 && names[names.length - 1]!.from === pos) names.pop();
      names.push({ from: pos, text, plain, entry });
    }
  }
}

/** One line's view of the history: the formatter's FdSource while it decodes that line. */
class LineSource implements FdSource {
  noteShown = false;
  private shown: string[] = [];
  private pos: number;
  private pid = 0;
  private readonly namer: FdNamer;

  constructor(
    private readonly history: FdHistory,
    seq: number,
  ) {
    this.pos = 2 * seq;
    const at = (fd: number): string | undefined => {
      const n = this.history.at(this.pid, fd, this.pos);
      if (n?.text === undefined) return undefined;
      if (this.noteShown && n.plain !== undefined) this.shown.push(n.plain);
      return n.text;
    };
    this.namer = { fd: at, cwd: () => this.history.cwdAt(this.pid, this.pos)?.text };
  }

  namerFor(r: EnterRecord | ExitRecord): FdNamer {
    this.pid = r.pid;
    return this.namer;
  }

  enter(): void {}

  /** The call's effect: from now on, names as they were after it. */
  exit(): void {
    this.pos |= 1;
  }

  lost(): void {}
  ended(): void {}

  returnsFd(nr: number, args: readonly bigint[] | undefined): boolean {
    return this.history.tables.returnsFd(nr, args);
  }

  effectFirst(nr: number): boolean {
    return this.history.tables.effectFirst(nr);
  }

  takeShown(): readonly string[] | undefined {
    if (this.shown.length === 0) return undefined;
    const names = this.shown;
    this.shown = [];
    return names;
  }
}

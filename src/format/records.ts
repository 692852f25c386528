// Turns parsed records into strace -f style lines, pairing each thread's enter with its exit.
//
// A call whose exit comes right after its enter, with no other line in between, is one line:
//   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
// otherwise strace's pair of half lines:
//   read(3, <unfinished ...>
//   <... read resumed>"abc", 131072) = 3
// Which exit ends which enter, and when, is src/format/pairing.ts: the UI's store asks it too.
import {
  NR_SPACE,
  TL_NR_SIGNAL,
  TL_PARAM_OK,
  type EnterRecord,
  type Param,
  type ExitRecord,
  type LostRecord,
  type WireRecord,
} from '../wire.js';
import { describeLine, exitParamsInto, mergeParamsInto, type CallLine } from './call.js';
import { ParamSlots } from './param-slots.js';
import { SYSCALLS, syscallByName } from '../syscalls/table.js';
import { descriptorOf } from '../syscalls/descriptors/index.js';
import { argIndex } from '../syscalls/signatures.js';
import { signalName } from './xlat/signal.js';
import { signalText } from './signal-line.js';
import { CallPairing, DROPPED, ENDED, HELD, JOINED } from './pairing.js';
import { formatLost } from './lost.js';
import { formatReturn } from './retval.js';
import { DEFAULT_MAX_STRING } from './strings.js';
import { escapeControls } from './print.js';
import { FdTables, type FdNamer } from './fd-table.js';
import { liveProc, type ProcReader } from './proc-fds.js';

export interface FormatOptions {
  /** Renders a record timestamp (CLOCK_MONOTONIC ns), e.g. src/clock.ts. */
  time: (ts: bigint) => string;
  /** Bytes of a string or buffer shown before `...` (strace -s); default 32. */
  maxString?: number;
  /** Append the time spent in the call, ` <0.000123>` (strace -T). */
  durations?: boolean;
  /**
   * The name of a thread whose enters this formatter has not seen (exit records carry none):
   * the UI's store decodes a line alone and looks back in what it kept.
   */
  commOf?: (tid: number) => string | undefined;
  /**
   * strace -y: each fd argument and fd return followed by what it refers to, `3</etc/hostname>`,
   * from the calls this formatter sees (fd-table.ts). Off by default: a formatter that sees only
   * part of a stream could not say much, and what it cannot know it shows bare.
   */
  decodeFds?: boolean;
  /**
   * strace -yy, with decodeFds and procFds: sockets with their addresses
   * (`3<TCP:[127.0.0.1:41234->127.0.0.1:5432]>`) and devices with their numbers
   * (`</dev/null<char 1:3>>`), from /proc as the calls happen (sock-names.ts).
   */
  decodeSockets?: boolean;
  /**
   * With decodeFds, keep each line's fd names (LineFormatter.fdNames) for a filter's `fd:`
   * term; off, fdNames reads undefined for every line (noting them costs ~10% of decoding).
   */
  fdNamesPerLine?: boolean;
  /**
   * With decodeFds, also ask /proc (fds opened before the window, pipe and socket inodes,
   * canonical paths): only for lines formatted as the calls happen, never for a past record.
   * `true` reads the real /proc; tests hand a stub.
   */
  procFds?: boolean | ProcReader;
  /**
   * Names fds from a table kept elsewhere instead of one of this formatter's own (with or
   * without decodeFds): the UI's store, which decodes a line alone, hands each line the table
   * as it was at that line (src/ui/fd-history.ts).
   */
  fdSource?: FdSource;
}

/** What the formatter asks of an fd table (FdTables is one). */
export interface FdSource {
  namerFor(r: EnterRecord | ExitRecord): FdNamer;
  /** A call entered (a clone's flags). */
  enter(e: EnterRecord): void;
  /** A call returned: its effect on the table (what names its return, and what follows). */
  exit(enter: EnterRecord | undefined, exit: ExitRecord, params: ReadonlyMap<number, Param>): void;
  lost(): void;
  ended(pid: number, tid: number): void;
  returnsFd(nr: number, args: readonly bigint[] | undefined): boolean;
  effectFirst(nr: number): boolean;
  /** Note the names namers give, for takeShown. */
  noteShown: boolean;
  takeShown(): readonly string[] | undefined;
}

/** A formatter that keeps its pairing state across batches of a live stream. */
export interface LineFormatter {
  /** Lines completed by these records. The last enter may be held back for its exit. */
  push(records: readonly WireRecord[]): string[];
  /** Lines still held back, printed as unfinished (the end of a dump). */
  flush(): string[];
  /**
   * For each line the last push() or flush() returned, the record it is about: the enter of an
   * `<unfinished ...>` or `= ?` line, the exit of a call's line or of a `+++` line, the marker of
   * a LOST line (src/server/encode.ts puts each line next to its record).
   */
  readonly owners: readonly WireRecord[];
  /** For each of those lines, the enter of its call when it is known (the owner's, or its pair's). */
  readonly enters: readonly (EnterRecord | undefined)[];
  /**
   * For each of those lines, the fd names it shows (strace -y's, without brackets), undefined
   * for a line that names none or a formatter that names no fds: the filter's `fd:` term.
   */
  readonly fdNames: readonly (readonly string[] | undefined)[];
  /** The enter held back for its exit, if any: its line is not decided yet. */
  readonly held: EnterRecord | undefined;
}

/** For calls with no params at one end. */
const NO_PARAMS: readonly Param[] = [];

/**
 * By nr: the argument holding the wait status of a call that reaps children (the descriptors'
 * `reaps` quirk: wait4), or -1.
 */
const REAP_STATUS_ARG = new Int8Array(NR_SPACE).fill(-1);
for (const def of SYSCALLS) {
  const quirk = descriptorOf(def.name).pairing;
  if (quirk?.kind === 'reaps') REAP_STATUS_ARG[def.nr] = argIndex(def, quirk.status);
}
const ENDS_KEPT = 1024;

/** `+++ exited with 1 +++` or `+++ killed by SIGKILL (core dumped) +++` for a wait status. */
function endText(status: number): string {
  const sig = status & 0x7f;
  if (sig === 0) return `+++ exited with ${(status >> 8) & 0xff} +++`;
  return `+++ killed by ${signalName(sig)}${status & 0x80 ? ' (core dumped)' : ''} +++`;
}

/** What `[...a, ...b].join(', ')` gives for a call's enter and exit argument texts. */
function allArgs(call: CallLine): string {
  if (call.exitCount === 0) return call.enter;
  if (call.enterCount === 0) return call.exit;
  return call.enter + ', ' + call.exit;
}

/** 0 → '000000': the microseconds of a duration. */
const pad6 = (n: number): string => {
  const s = String(n);
  return s.length >= 6 ? s : '000000'.slice(s.length) + s;
};

function duration(enter: EnterRecord, exit: ExitRecord): string {
  const ns = exit.ts - enter.ts;
  // In numbers while exact (always, for a call shorter than 104 days); BigInt otherwise.
  if (ns >= 0n && ns <= 0x1fffffffffffffn) {
    const n = Number(ns);
    const us = (n - (n % 1000)) / 1000;
    const frac = us % 1_000_000;
    return ` <${(us - frac) / 1_000_000}.${pad6(frac)}>`;
  }
  const us = ns / 1000n;
  return ` <${us / 1_000_000n}.${(us % 1_000_000n).toString().padStart(6, '0')}>`;
}

/**
 * ` cpu#1 100 [worker] `: the part of a line's prefix after its time, the same for line after
 * line of one thread. Kept for a few threads at once (slots by tid), so memory stays bounded
 * however many threads come and go.
 */
interface Who {
  tid: number;
  cpu: number;
  comm: string;
  text: string;
}
const WHO_SLOTS = 64;

// A thread names itself (prctl PR_SET_NAME): a hostile one could put terminal escapes in the
// name of every line printed to the on-call engineer's terminal: escaped (print.ts).

const CLOSE_NR = syscallByName('close')?.nr ?? -1;
const DUP2_NR = syscallByName('dup2')?.nr ?? -1;
const DUP3_NR = syscallByName('dup3')?.nr ?? -1;

/**
 * For a batch: the last record that closes an fd, dups onto it or returns it, per (process,
 * fd). A /proc read made while formatting record `at` describes the fd as it is after the
 * whole batch (and later): it is this call's fd only if nothing in the batch changes it after.
 */
class FdChanges {
  at = 0;
  private readonly last = new Map<number, number>();
  private any = false;

  private static key(pid: number, fd: number): number {
    return pid * 0x200000 + (fd & 0x1fffff);
  }

  scan(records: readonly WireRecord[], tables: FdTables): void {
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as WireRecord;
      if (r.kind === 'lost') continue;
      let fd = -1;
      if (r.kind === 'enter') {
        if (r.nr === CLOSE_NR) fd = Number(BigInt.asIntN(32, r.args[0] ?? -1n));
        else if (r.nr === DUP2_NR || r.nr === DUP3_NR)
          fd = Number(BigInt.asIntN(32, r.args[1] ?? -1n));
      } else if (r.kind === 'exit' && r.ret >= 0n && tables.returnsFd(r.nr, undefined)) {
        fd = Number(r.ret);
      }
      if (fd < 0) continue;
      this.last.set(FdChanges.key(r.pid, fd), i);
      this.any = true;
    }
  }

  later(pid: number, fd: number): boolean {
    return this.any && (this.last.get(FdChanges.key(pid, fd)) ?? -1) > this.at;
  }

  clear(): void {
    if (!this.any) return;
    this.last.clear();
    this.any = false;
  }
}

export function createLineFormatter(opts: FormatOptions): LineFormatter {
  const maxString = opts.maxString ?? DEFAULT_MAX_STRING;
  const time = opts.time;
  const durations = Boolean(opts.durations);
  const ownTables =
    opts.decodeFds && !opts.fdSource
      ? new FdTables(
          opts.procFds === true ? liveProc : opts.procFds || undefined,
          opts.decodeSockets ?? false,
        )
      : undefined;
  const fdTables: FdSource | undefined = opts.fdSource ?? ownTables;
  if (fdTables) fdTables.noteShown = opts.fdNamesPerLine ?? false;
  /** Where in the batch each (process, fd) changes last: /proc describes the batch's end. */
  const fdChanges = new FdChanges();
  const asksProc = ownTables?.asksProc ?? false;
  if (ownTables && asksProc) ownTables.changesLater = (pid, fd) => fdChanges.later(pid, fd);
  /** The fd names of each line are noted (fdNames). */
  const noting = fdTables !== undefined && fdTables.noteShown;
  /** Processes whose death by a signal the kernel reported, for the parent's wait4 to skip. */
  const endsShown = new Set<number>();
  /** Which exit ends which enter, and when an enter's line is unfinished (pairing.ts). */
  const pairing = new CallPairing<EnterRecord>(emitUnfinished);
  /** Last comm seen per tid, for exits whose enter is gone: exit records carry none. */
  const comms = new Map<number, string>();
  const commOf = (tid: number): string => comms.get(tid) ?? opts.commOf?.(tid) ?? '?';
  let out: string[] = [];
  let owners: WireRecord[] = [];
  let lastOwners: WireRecord[] = [];
  let enters: (EnterRecord | undefined)[] = [];
  let lastEnters: (EnterRecord | undefined)[] = [];
  let names: (readonly string[] | undefined)[] = [];
  let lastNames: (readonly string[] | undefined)[] = [];
  let held: EnterRecord | undefined;
  const emit = (line: string, owner: WireRecord, enter?: EnterRecord): void => {
    out.push(line);
    owners.push(owner);
    enters.push(enter ?? (owner.kind === 'enter' ? owner : undefined));
    // Without noted fd names the array stays empty: every line's entry reads undefined.
    if (noting) names.push(undefined);
  };
  /** emit() for a call's line: the fd names its description gave go with it. */
  const emitCall = (line: string, owner: WireRecord, enter?: EnterRecord): void => {
    emit(line, owner, enter);
    if (noting) names[names.length - 1] = fdTables.takeShown();
  };
  /** Before a call is described: names given for anything else are not its line's. */
  const clearShown = (): void => {
    if (noting) fdTables.takeShown();
  };
  // Reused for every line: the texts of the call being formatted and its params by argument.
  const call: CallLine = {
    name: '',
    open: '',
    resumed: '',
    enter: '',
    enterCount: 0,
    exit: '',
    exitCount: 0,
    returns: 'dec',
    retDetail: '',
  };
  const paramSlots = new ParamSlots();
  const exitSlots = new ParamSlots();
  const who: Who[] = [];
  for (let i = 0; i < WHO_SLOTS; i++) who.push({ tid: -1, cpu: -1, comm: '', text: '' });

  const prefix = (ts: bigint, cpu: number, tid: number, comm: string): string => {
    const w = who[tid & (WHO_SLOTS - 1)] as Who;
    if (w.tid !== tid || w.cpu !== cpu || w.comm !== comm) {
      w.tid = tid;
      w.cpu = cpu;
      w.comm = comm;
      w.text = ` cpu#${cpu} ${tid} [${escapeControls(comm)}] `;
    }
    return time(ts) + w.text;
  };
  /**
   * An enter whose comm the ring no longer held when it was read (EnterRecord.commLater) shows
   * the name its thread had at its next named record, marked: `[~name]` (`[~]` if none was read).
   * Honest for history, where today's /proc/<tid>/comm would not be.
   */
  const commText = (e: EnterRecord): string => (e.commLater ? '~' + e.comm : e.comm);
  const enterPrefix = (e: EnterRecord): string => prefix(e.ts, e.cpu, e.tid, commText(e));

  function emitUnfinished(enter: EnterRecord): void {
    const params = mergeParamsInto(paramSlots, enter.params, NO_PARAMS);
    const fds = fdTables?.namerFor(enter);
    clearShown();
    describeLine(call, enter.nr, enter.args, params, maxString, undefined, undefined, fds);
    const shown = call.enter;
    const sep = shown === '' ? '' : call.exitCount > 0 ? ', ' : ' ';
    if (held === enter) held = undefined;
    emitCall(enterPrefix(enter) + call.open + shown + sep + '<unfinished ...>', enter);
  }

  function onEnter(enter: EnterRecord): void {
    if (!enter.commLater) comms.set(enter.tid, enter.comm);
    fdTables?.enter(enter);
    if (pairing.enter(enter.tid, enter.nr, enter) === HELD) {
      held = enter;
      return;
    }
    const params = mergeParamsInto(paramSlots, enter.params, NO_PARAMS);
    const fds = fdTables?.namerFor(enter);
    clearShown();
    describeLine(call, enter.nr, enter.args, params, maxString, undefined, undefined, fds);
    // (The process's `+++ exited with N +++` comes from the kernel: its TL_NR_PROC_END exit.)
    emitCall(enterPrefix(enter) + call.open + allArgs(call) + ') = ?', enter);
  }

  /** `) = 3`, and what follows the value: the part of a line after its arguments. */
  function tail(exit: ExitRecord, enter: EnterRecord | undefined, fds?: FdNamer): string {
    let ret = ') = ' + formatReturn(exit.ret, call.returns, enter?.args);
    if (fds && exit.ret >= 0n && fdTables?.returnsFd(exit.nr, enter?.args)) {
      ret += fds.fd(Number(exit.ret)) ?? '';
    }
    ret += call.retDetail;
    // Across a loss the pair may be two calls: no duration rather than a wrong one.
    return durations && enter && !pairing.lossBetween ? ret + duration(enter, exit) : ret;
  }

  function onExit(exit: ExitRecord): void {
    const exitParams = exitParamsInto(exitSlots, exit.params);
    // Before pairing may drop it: a child's side of its clone is where its table starts.
    fdTables?.namerFor(exit);
    const kind = pairing.exit(exit.tid, exit.nr, exit.ret === 0n);
    // Again after: pairing may have printed another thread's call, naming its process's fds.
    const fds = fdTables?.namerFor(exit);
    if (kind === DROPPED) return;
    if (kind === ENDED) {
      if (exit.nr === TL_NR_SIGNAL) {
        const comm = commOf(exit.tid);
        emit(prefix(exit.ts, exit.cpu, exit.tid, comm) + signalText(exit), exit);
        return;
      }
      fdTables?.ended(exit.pid, exit.tid);
      processEnded(exit);
      return;
    }
    const enter = pairing.matched;
    if (kind === JOINED) held = undefined;
    const joined = kind === JOINED && enter !== undefined;
    const params = mergeParamsInto(paramSlots, enter ? enter.params : NO_PARAMS, exit.params);
    // What the call did to its fds: after its arguments are named (close(3</x>)), before its
    // return is (= 3</x>); pipe's and socketpair's fds are in an argument they fill.
    const effectFirst = fdTables?.effectFirst(exit.nr) ?? false;
    if (effectFirst) fdTables?.exit(enter, exit, params);
    clearShown();
    describeLine(
      call,
      enter?.nr ?? exit.nr,
      enter?.args,
      params,
      maxString,
      exitParams,
      exit.ret,
      fds,
    );
    if (fdTables && !effectFirst) fdTables.exit(enter, exit, params);
    if (joined) {
      emitCall(
        enterPrefix(enter) + call.open + allArgs(call) + tail(exit, enter, fds),
        exit,
        enter,
      );
      reapedBySignal(exit);
      return;
    }
    const comm = enter?.comm ?? commOf(exit.tid);
    emitCall(
      prefix(exit.ts, exit.cpu, exit.tid, comm) + call.resumed + call.exit + tail(exit, enter, fds),
      exit,
      enter,
    );
    reapedBySignal(exit);
  }

  /**
   * The end of a process, as the kernel reported it (its TL_NR_PROC_END exit, `ret` the wait
   * status): `+++ exited with 0 +++`, or `+++ killed by SIGKILL +++` for a process killed in
   * the middle of anything (cgroup.kill, the OOM killer), as strace prints them.
   */
  function processEnded(exit: ExitRecord): void {
    const status = Number(BigInt.asUintN(32, exit.ret));
    const comm = commOf(exit.tid);
    emit(prefix(exit.ts, exit.cpu, exit.tid, comm) + endText(status), exit);
    if (status & 0x7f) {
      endsShown.add(exit.pid);
      // Bounded: a pid's end is looked for by its parent's wait4 soon after, if at all.
      if (endsShown.size > ENDS_KEPT) endsShown.delete(endsShown.values().next().value as number);
    }
  }

  /**
   * A process killed by a signal makes no call that says so; its parent's wait4 does. Then,
   * as strace would at its death, `+++ killed by SIGKILL +++` on the dead process's behalf,
   * at the time the parent learned it, unless the kernel's own word came first.
   */
  function reapedBySignal(exit: ExitRecord): void {
    const statusArg = REAP_STATUS_ARG[exit.nr & (NR_SPACE - 1)] as number;
    if (statusArg < 0 || exit.ret <= 0n) return;
    const status = exit.params.find((p) => p.arg === statusArg);
    if (!status || status.status !== TL_PARAM_OK || status.bytes.length < 4) return;
    const s = status.bytes.readInt32LE(0);
    const sig = s & 0x7f;
    if (sig === 0 || sig === 0x7f) return;
    const pid = Number(exit.ret);
    if (endsShown.delete(pid)) return;
    emit(`${prefix(exit.ts, exit.cpu, pid, commOf(pid))}${endText(s)}`, exit);
  }

  function onLost(lost: LostRecord): void {
    pairing.interrupt();
    fdTables?.lost();
    emit(formatLost(lost, time), lost);
  }

  function take(): string[] {
    const lines = out;
    out = [];
    lastOwners = owners;
    owners = [];
    lastEnters = enters;
    enters = [];
    lastNames = names;
    names = [];
    return lines;
  }

  return {
    push(records) {
      if (ownTables && asksProc) fdChanges.scan(records, ownTables);
      for (let i = 0; i < records.length; i++) {
        const r = records[i] as WireRecord;
        fdChanges.at = i;
        if (r.kind === 'enter') onEnter(r);
        else if (r.kind === 'exit') onExit(r);
        else onLost(r);
      }
      fdChanges.clear();
      return take();
    },
    flush() {
      pairing.flush();
      return take();
    },
    get owners() {
      return lastOwners;
    },
    get enters() {
      return lastEnters;
    },
    get fdNames() {
      return lastNames;
    },
    get held() {
      return held;
    },
  };
}

/** All lines of a finished record stream (a dump): calls still in flight end unfinished. */
export function formatRecords(records: readonly WireRecord[], opts: FormatOptions): string[] {
  const formatter = createLineFormatter(opts);
  return [...formatter.push(records), ...formatter.flush()];
}

// The one model of how a thread's enters and exits make strace -f's lines, shared by the
// formatter (src/format/records.ts: dumps, run, the daemon) and the UI's store
// (src/ui/store.ts), which keep their own representation of a call (parsed records, spans
// of a batch) and ask this machine what each record means.
//
// A thread has at most one call in flight. An enter is held back until the next record
// shows what follows it: its own exit right after (one line, `= 3`), or anything else (the
// enter is shown `<unfinished ...>` and its exit later `<... read resumed>`). Three quirks,
// which the syscall descriptors name (src/syscalls/descriptor.ts's PairingQuirk, `returns`):
//   - rt_sigreturn's exit carries whatever syscall number the signal frame restored (-1, read
//     as 0xffff, when the signal interrupted no call): it pairs with the enter before it;
//   - a new process's or thread's first return (0 from clone/fork/vfork) has no enter in it,
//     and strace -f shows none: the parent's line says it all;
//   - calls that never return (exit, exit_group, execve's success is not one) are complete at
//     their enter (`= ?`).
import { SYSCALLS } from '../syscalls/table.js';
import { descriptorOf } from '../syscalls/descriptors/index.js';
import { NR_SPACE, TL_NR_PROC_END, TL_NR_SIGNAL } from '../wire.js';

// The quirks by call number (below NR_SPACE: ia32 calls have their own numbers, with no
// quirk), from the syscall descriptors' `pairing` and `returns`: a load, not a Set lookup, on
// every record.
const NR_MASK = NR_SPACE - 1;
const FORKS = new Uint8Array(NR_SPACE);
const SIGNAL_RETURNS = new Uint8Array(NR_SPACE);
const NEVER_RETURNS = new Uint8Array(NR_SPACE);
for (const def of SYSCALLS) {
  const d = descriptorOf(def.name);
  if (d.pairing?.kind === 'fork') FORKS[def.nr] = 1;
  if (d.pairing?.kind === 'signal_return') SIGNAL_RETURNS[def.nr] = 1;
  if (d.returns === 'none') NEVER_RETURNS[def.nr] = 1;
}

/** Whether an exit of syscall `exitNr` ends the call entered as `enterNr`. */
export function sameCall(enterNr: number, exitNr: number): boolean {
  return enterNr === exitNr || SIGNAL_RETURNS[enterNr & NR_MASK] === 1;
}

/** Whether a call's line is complete at its enter (`= ?`): it never returns. */
export function neverReturns(nr: number): boolean {
  return NEVER_RETURNS[nr & NR_MASK] === 1;
}

/** What an enter is: held back for its exit, or a call complete now. */
export const HELD = 0;
export const COMPLETE = 1;
/**
 * What an exit is: the held enter's own (one line), a resumed half, nothing to show, or the
 * end of the thread's process (an exit record numbered TL_NR_PROC_END: a `+++` line).
 */
export const JOINED = 0;
export const RESUMED = 1;
export const DROPPED = 2;
export const ENDED = 3;

/**
 * The pairing state of one stream. `T` is whatever the caller keeps of an enter. When a held
 * enter turns out not to be followed by its exit, `onUnfinished` is called with it, at the
 * point in the stream where its `<unfinished ...>` line belongs.
 */
export class CallPairing<T> {
  private held: T | undefined;
  private heldTid = 0;
  private heldNr = 0;
  /**
   * Enters shown unfinished, by tid, waiting for their exit; `lossBetween`: a loss (or a gap in
   * what reached us) came after the enter, so the exit that resumes it may be a later call's.
   */
  private readonly open = new Map<number, { nr: number; enter: T; lossBetween: boolean }>();
  /** The enter an exit matched (JOINED or RESUMED), or undefined: read after exit(). */
  matched: T | undefined;
  /**
   * The matched enter and its exit have lost events between them: the line may pair one call's
   * start with a later call's end (a thread's calls of one syscall look alike), so their time
   * apart is no duration. Read after exit().
   */
  lossBetween = false;

  constructor(private readonly onUnfinished: (enter: T) => void) {}

  /** An enter of syscall `nr` by thread `tid`: HELD, or COMPLETE for calls that never return. */
  enter(tid: number, nr: number, enter: T): typeof HELD | typeof COMPLETE {
    this.flush();
    // A new call of this thread: whatever was in flight ended unseen (its exit was lost).
    if (this.open.size !== 0) this.open.delete(tid);
    if (neverReturns(nr)) return COMPLETE;
    this.held = enter;
    this.heldTid = tid;
    this.heldNr = nr;
    return HELD;
  }

  /**
   * An exit of syscall `nr` by thread `tid` (`retIsZero`: it returned 0). JOINED: the held enter's own
   * (one line); RESUMED: the half line after an unfinished one, or an exit whose enter is gone
   * (`matched` undefined); DROPPED: a new child's first return, shown by no line; ENDED: the
   * thread's process ended (TL_NR_PROC_END), or a signal was delivered to it (TL_NR_SIGNAL): a
   * line of its own that is no call.
   */
  exit(
    tid: number,
    nr: number,
    retIsZero: boolean,
  ): typeof JOINED | typeof RESUMED | typeof DROPPED | typeof ENDED {
    this.lossBetween = false;
    if (nr === TL_NR_SIGNAL) {
      // A line of its own between calls: the kernel delivers a signal on the way back to user
      // space, after the thread's call (if any) has exited. Another thread's held enter is
      // shown unfinished, as for any line in between.
      this.flush();
      this.matched = undefined;
      return ENDED;
    }
    if (nr === TL_NR_PROC_END) {
      // The process is gone: a call it was in (killed mid-read) stays unfinished, unresumed.
      this.flush();
      if (this.open.size !== 0) this.open.delete(tid);
      this.matched = undefined;
      return ENDED;
    }
    if (this.held !== undefined && this.heldTid === tid && sameCall(this.heldNr, nr)) {
      this.matched = this.held;
      this.held = undefined;
      return JOINED;
    }
    let open = this.open.size !== 0 ? this.open.get(tid) : undefined;
    if (open && !sameCall(open.nr, nr)) open = undefined; // both halves lost their partners
    if (!open && retIsZero && FORKS[nr & NR_MASK] === 1) {
      this.matched = undefined;
      return DROPPED;
    }
    this.flush();
    if (this.open.size !== 0) this.open.delete(tid);
    this.matched = open?.enter;
    this.lossBetween = open?.lossBetween ?? false;
    return RESUMED;
  }

  /**
   * Something that is no call (a lost marker, a gap) comes next: a held enter is unfinished, and
   * every call in flight may see its exit among what was lost.
   */
  interrupt(): void {
    this.flush();
    for (const o of this.open.values()) o.lossBetween = true;
  }

  /** Shows the held enter as unfinished (the stream paused or ended, or something came between). */
  flush(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    this.open.set(this.heldTid, { nr: this.heldNr, enter: held, lossBetween: false });
    this.onUnfinished(held);
  }

  /** Whether an enter is held back. */
  get holding(): boolean {
    return this.held !== undefined;
  }
}

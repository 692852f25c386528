// What one syscall is, beyond its generated signature (src/syscalls/generated/): the one place
// a syscall's decoding is described. The descriptors are grouped by family, as strace's
// syscall table rows are (src/syscalls/descriptors/), and read by the rule builder (what the
// kernel copies: rules.ts), the formatter (how arguments and the return value print:
// src/format/call.ts) and the pairing of enters and exits (src/format/pairing.ts, records.ts).
// Every argument is named as the generated table names it; a name that does not exist fails
// when the descriptors are resolved (test/syscalls.test.ts resolves them all).
import type { ArgTypes } from './arg-types.js';
import type { CaptureSpec } from './capture-specs.js';
import type { KeyedCapture } from './keyed/capture.js';

/**
 * dec: signed decimal; hex: an address; octal: a mode (umask); none: the call never returns
 * (`= ?`); fcntl: the flags F_GETFD/F_GETFL return, `0x8002 (flags O_RDWR|O_LARGEFILE)`;
 * prctl: what some options return, named (`= 1 (SUID_DUMP_USER)`).
 */
export type ReturnKind = 'dec' | 'hex' | 'none' | 'octal' | 'fcntl' | 'prctl';

/**
 * What strace appends to a successful return value, and from which arguments:
 * poll's revents (` (Timeout)`, ` ([{fd=3, revents=POLLIN}])`) from the array and its length;
 * select's ready sets (` (in [3], left {tv_sec=0, tv_usec=0})`) from the captured sets;
 * the signal a call returns (rt_sigtimedwait's ` (SIGUSR1)`).
 */
export type ReturnDetail =
  | { readonly kind: 'poll_revents'; readonly fds: string; readonly nfds: string }
  | {
      readonly kind: 'select_ready';
      readonly sets: string;
      readonly timeout: 'timeval' | 'timespec';
    }
  | { readonly kind: 'signal' };

/**
 * How the pairing of a thread's enters and exits treats the call:
 * fork: a new child's first return (0) has no enter, and strace -f shows none;
 * signal_return: the exit carries the number the signal frame restored, and pairs with the
 * enter before it whatever that number is (rt_sigreturn);
 * reaps: a child killed by a signal is announced (`+++ killed by SIGKILL +++`) when this call
 * reaps it, from the wait status in the argument `status` (wait4).
 */
export type PairingQuirk =
  | { readonly kind: 'fork' }
  | { readonly kind: 'signal_return' }
  | { readonly kind: 'reaps'; readonly status: string };

export interface SyscallDescriptor {
  /** Decoders of arguments whose C type is not enough, by argument name. */
  readonly args?: ArgTypes;
  /** What the kernel side copies of the call's memory, in this order. */
  readonly captures?: readonly CaptureSpec[];
  /** Captures chosen by the value of the argument `selector` (ioctl's request). */
  readonly keyed?: { readonly selector: string; readonly table: readonly KeyedCapture[] };
  /** Default: dec. */
  readonly returns?: ReturnKind;
  readonly returnDetail?: ReturnDetail;
  /** The arguments in the order strace prints them, where that is not the kernel's. */
  readonly order?: readonly string[];
  readonly pairing?: PairingQuirk;
}

/** One family's descriptors, by syscall name. */
export type Descriptors = Readonly<Record<string, SyscallDescriptor>>;

// What a keyed capture is: for ioctl, prctl and fcntl, what the pointer argument points to
// depends on a selector argument (ioctl's request, prctl's option, fcntl's command), so the
// kernel side looks the selector's value up in keyed_rules to know what to copy. The tables
// (ioctl.ts, prctl.ts, fcntl.ts here) are data that feed the kernel: they name constants from
// ../uapi/ and depend on nothing of the formatter, which reads them to decode what was copied.

/**
 * str: a NUL-ended string at enter (size 0); in: `size` bytes at enter; out: at exit, if the
 * call succeeded; inout: both (struct ifreq: strace shows the name given even when the call
 * fails, and what the kernel filled in when it succeeds).
 */
export type KeyedKind = 'str' | 'in' | 'out' | 'inout';

/** What a TL_CAP_KEYED slot captures for one value of its selector argument. */
export interface KeyedCapture {
  /** ioctl's request, prctl's option, fcntl's command. */
  readonly selector: number;
  /** The pointer argument, by its name in the syscall table ('arg', 'arg2'). */
  readonly arg: string;
  readonly kind: KeyedKind;
  readonly size: number;
}

// Signals (strace %signal).
// One descriptor per syscall (src/syscalls/descriptor.ts says what each field means).
import {
  inStruct,
  outStruct,
  TIMESPEC,
  SIGSET,
  SIGACTION,
  SIGINFO_HEAD,
} from '../capture-specs.js';
import type { Descriptors } from '../descriptor.js';

export const SIGNALS: Descriptors = {
  rt_sigaction: { captures: [inStruct('act', SIGACTION), outStruct('oact', SIGACTION)] },
  rt_sigprocmask: {
    args: { how: 'sigprocmask_how' },
    captures: [inStruct('nset', SIGSET), outStruct('oset', SIGSET)],
  },
  rt_sigpending: { captures: [outStruct('uset', SIGSET)] },
  rt_sigsuspend: { captures: [inStruct('unewset', SIGSET)] },
  rt_sigtimedwait: {
    captures: [
      inStruct('uthese', SIGSET),
      outStruct('uinfo', SIGINFO_HEAD),
      inStruct('uts', TIMESPEC),
    ],
    returnDetail: { kind: 'signal' },
  },
  rt_sigreturn: { pairing: { kind: 'signal_return' } },
};

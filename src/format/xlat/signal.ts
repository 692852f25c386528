// Signals (x86_64 numbering), sigprocmask's `how`, and sigaction flags in strace's order.
import { xlat } from '../flags.js';

export const SIGNAL_NAMES: readonly string[] = [
  '',
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGKILL',
  'SIGUSR1',
  'SIGSEGV',
  'SIGUSR2',
  'SIGPIPE',
  'SIGALRM',
  'SIGTERM',
  'SIGSTKFLT',
  'SIGCHLD',
  'SIGCONT',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGWINCH',
  'SIGIO',
  'SIGPWR',
  'SIGSYS',
];

/** The kernel's SIGRTMIN, from which strace counts SIGRT_n (glibc's 34 is SIGRT_2 there). */
const SIGRTMIN = 32;

/** `SIGTERM`, `SIGRTMIN`, `SIGRT_3`, or the number. */
export function signalName(n: number): string {
  if (n > 0 && n < SIGNAL_NAMES.length) return SIGNAL_NAMES[n] as string;
  if (n === SIGRTMIN) return 'SIGRTMIN';
  if (n > SIGRTMIN && n <= 64) return `SIGRT_${n - SIGRTMIN}`;
  return `${n}`;
}

export const SIGPROCMASK_HOW = xlat([
  ['SIG_BLOCK', 0],
  ['SIG_UNBLOCK', 1],
  ['SIG_SETMASK', 2],
]);

export const SA_RESTORER = 0x04000000n;

export const SIGACTION_FLAGS = xlat([
  ['SA_RESTORER', SA_RESTORER],
  ['SA_ONSTACK', 0x08000000],
  ['SA_RESTART', 0x10000000],
  ['SA_NODEFER', 0x40000000],
  ['SA_RESETHAND', 0x80000000],
  ['SA_SIGINFO', 0x00000004],
  ['SA_NOCLDSTOP', 0x00000001],
  ['SA_NOCLDWAIT', 0x00000002],
  ['SA_UNSUPPORTED', 0x00000400],
  ['SA_EXPOSE_TAGBITS', 0x00000800],
]);

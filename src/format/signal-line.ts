// The line of a signal delivered to a thread (an exit record numbered TL_NR_SIGNAL, its param
// the siginfo the kernel handed the thread), as strace prints it:
// `--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---`.
import type { ExitRecord } from '../wire.js';
import { address } from './print.js';
import { formatSiginfo } from './structs.js';
import { signalName } from './xlat/signal.js';

const SIGILL = 4;
const SIGTRAP = 5;
const SIGBUS = 7;
const SIGFPE = 8;
const SIGSEGV = 11;
const SIGCHLD = 17;

/** si_code names of the kernel's own codes (> 0), per signal (include/uapi/asm-generic/siginfo.h). */
const CODES: Readonly<Record<number, readonly string[]>> = {
  [SIGILL]: [
    '',
    'ILL_ILLOPC',
    'ILL_ILLOPN',
    'ILL_ILLADR',
    'ILL_ILLTRP',
    'ILL_PRVOPC',
    'ILL_PRVREG',
    'ILL_COPROC',
    'ILL_BADSTK',
    'ILL_BADIADDR',
  ],
  [SIGFPE]: [
    '',
    'FPE_INTDIV',
    'FPE_INTOVF',
    'FPE_FLTDIV',
    'FPE_FLTOVF',
    'FPE_FLTUND',
    'FPE_FLTRES',
    'FPE_FLTINV',
    'FPE_FLTSUB',
    'FPE_FLTUNK',
    'FPE_CONDTRAP',
  ],
  [SIGSEGV]: [
    '',
    'SEGV_MAPERR',
    'SEGV_ACCERR',
    'SEGV_BNDERR',
    'SEGV_PKUERR',
    'SEGV_ACCADI',
    'SEGV_ADIDERR',
    'SEGV_ADIPERR',
    'SEGV_MTEAERR',
    'SEGV_MTESERR',
    'SEGV_CPERR',
  ],
  [SIGBUS]: ['', 'BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR', 'BUS_MCEERR_AR', 'BUS_MCEERR_AO'],
  [SIGTRAP]: [
    '',
    'TRAP_BRKPT',
    'TRAP_TRACE',
    'TRAP_BRANCH',
    'TRAP_HWBKPT',
    'TRAP_UNK',
    'TRAP_PERF',
  ],
  [SIGCHLD]: [
    '',
    'CLD_EXITED',
    'CLD_KILLED',
    'CLD_DUMPED',
    'CLD_TRAPPED',
    'CLD_STOPPED',
    'CLD_CONTINUED',
  ],
};
const SI_KERNEL = 0x80;
/** Signals of a fault: their siginfo says where (si_addr). */
const FAULTS = new Set([SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV]);

/** `--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---` */
export function signalText(exit: ExitRecord): string {
  const sig = Number(exit.ret);
  const info = exit.params[0]?.bytes;
  return `--- ${signalName(sig)} ${info && info.length >= 24 ? siginfoText(info) : '{...}'} ---`;
}

function siginfoText(b: Buffer): string {
  const signo = b.readInt32LE(0);
  const code = b.readInt32LE(8);
  const name = CODES[signo]?.[code];
  // A signal another process sent (kill, tgkill, sigqueue): as rt_sigqueueinfo's is printed.
  if (!name && code !== SI_KERNEL) return formatSiginfo(b) ?? '{...}';
  const head = `si_signo=${signalName(signo)}, si_code=${name ?? 'SI_KERNEL'}`;
  if (signo === SIGCHLD && name && b.length >= 48) {
    const status = b.readInt32LE(24);
    const st = code === 1 ? `${status}` : signalName(status);
    return (
      `{${head}, si_pid=${b.readInt32LE(16)}, si_uid=${b.readUInt32LE(20)}, si_status=${st}, ` +
      `si_utime=${b.readBigInt64LE(32)}, si_stime=${b.readBigInt64LE(40)}}`
    );
  }
  if (!FAULTS.has(signo)) return `{${head}}`;
  return `{${head}, si_addr=${address(b.readBigUInt64LE(16))}}`;
}

// What to capture per prctl option (strace's prctl.c shows these): names, the values the
// PR_GET_* options write back, seccomp's filter program header, a VMA's name.
import { PRCTL_OPTION as PR } from '../uapi/prctl.js';
import type { KeyedCapture } from './capture.js';

export const TASK_COMM_LEN = 16;
/** struct sock_fprog: unsigned short len, then the filter pointer. */
export const SOCK_FPROG_BYTES = 16;

export const PRCTL_CAPTURES: readonly KeyedCapture[] = [
  { selector: PR.PR_SET_NAME, arg: 'arg2', kind: 'str', size: 0 },
  { selector: PR.PR_GET_NAME, arg: 'arg2', kind: 'out', size: TASK_COMM_LEN },
  { selector: PR.PR_GET_PDEATHSIG, arg: 'arg2', kind: 'out', size: 4 },
  { selector: PR.PR_GET_CHILD_SUBREAPER, arg: 'arg2', kind: 'out', size: 4 },
  { selector: PR.PR_GET_ENDIAN, arg: 'arg2', kind: 'out', size: 4 },
  { selector: PR.PR_GET_FPEMU, arg: 'arg2', kind: 'out', size: 4 },
  { selector: PR.PR_GET_FPEXC, arg: 'arg2', kind: 'out', size: 4 },
  { selector: PR.PR_GET_TSC, arg: 'arg2', kind: 'out', size: 4 },
  { selector: PR.PR_GET_UNALIGN, arg: 'arg2', kind: 'out', size: 4 },
  { selector: PR.PR_GET_TID_ADDRESS, arg: 'arg2', kind: 'out', size: 8 },
  // struct sock_fprog, shown for SECCOMP_MODE_FILTER only
  { selector: PR.PR_SET_SECCOMP, arg: 'arg3', kind: 'in', size: SOCK_FPROG_BYTES },
  // PR_SET_VMA_ANON_NAME's name
  { selector: PR.PR_SET_VMA, arg: 'arg5', kind: 'str', size: 0 },
  // PR_SCHED_CORE_GET's cookie
  { selector: PR.PR_SCHED_CORE, arg: 'arg5', kind: 'out', size: 8 },
];

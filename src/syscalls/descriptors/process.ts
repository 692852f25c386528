// Processes and threads: creation, exec, exit, waiting, credentials, limits, scheduling
// (strace %process and kin).
// One descriptor per syscall (src/syscalls/descriptor.ts says what each field means).
import {
  str,
  strv,
  bufArgLen,
  bufRetLen,
  inStruct,
  outStruct,
  TIMESPEC,
  RLIMIT,
  GID,
} from '../capture-specs.js';
import type { Descriptors, PairingQuirk } from '../descriptor.js';
import { PRCTL_CAPTURES } from '../keyed/prctl.js';

/** A new process's first return has no enter (strace -f shows the parent's line only). */
const FORK: PairingQuirk = { kind: 'fork' };

export const PROCESS: Descriptors = {
  // argv: the strings (strace shows as many as -s); envp: only how many.
  execve: {
    args: { argv: 'argv', envp: 'envp' },
    captures: [str('filename'), strv('argv', 32), strv('envp', 0)],
  },
  execveat: {
    args: { fd: 'dirfd', flags: 'at_flags', argv: 'argv', envp: 'envp' },
    captures: [str('filename'), strv('argv', 32), strv('envp', 0)],
  },
  clone: {
    args: {
      clone_flags: 'clone_flags',
      newsp: 'clone_stack',
      parent_tidptr: 'clone_parent_tid',
      child_tidptr: 'clone_child_tid',
      tls: 'clone_tls',
    },
    order: ['newsp', 'clone_flags', 'parent_tidptr', 'tls', 'child_tidptr'],
    pairing: FORK,
  },
  clone3: { args: { uargs: 'clone_args' }, captures: [inStruct('uargs', 64)], pairing: FORK },
  fork: { pairing: FORK },
  vfork: { pairing: FORK },
  exit: { returns: 'none' },
  exit_group: { returns: 'none' },
  wait4: {
    args: { stat_addr: 'wait_status', options: 'wait_options' },
    captures: [outStruct('stat_addr', 4)],
    pairing: { kind: 'reaps', status: 'stat_addr' },
  },
  waitid: { args: { options: 'wait_options' } },
  unshare: { args: { unshare_flags: 'unshare_flags' } },
  prctl: {
    args: {
      option: 'prctl_arg',
      arg2: 'prctl_arg',
      arg3: 'prctl_arg',
      arg4: 'prctl_arg',
      arg5: 'prctl_arg',
    },
    keyed: { selector: 'option', table: PRCTL_CAPTURES },
    returns: 'prctl',
  },
  arch_prctl: { args: { option: 'arch_prctl_code', arg2: 'address' } },
  set_tid_address: { args: { tidptr: 'address' } },
  set_robust_list: { args: { head: 'address' } },
  rseq: { args: { rseq: 'address', rseq_len: 'hex32', sig: 'hex32' } },
  futex: {
    args: {
      uaddr: 'address',
      op: 'futex_op',
      utime: 'futex_timeout',
      uaddr2: 'futex_uaddr2',
      val3: 'futex_val3',
    },
    captures: [inStruct('utime', TIMESPEC)],
  },
  getgroups: { args: { grouplist: 'gid_list' }, captures: [bufRetLen('grouplist', GID)] },
  setgroups: {
    args: { grouplist: 'gid_list' },
    captures: [bufArgLen('grouplist', 'gidsetsize', GID)],
  },
  getrlimit: {
    args: { resource: 'rlimit_resource', rlim: 'rlimit' },
    captures: [outStruct('rlim', RLIMIT)],
  },
  setrlimit: {
    args: { resource: 'rlimit_resource', rlim: 'rlimit' },
    captures: [inStruct('rlim', RLIMIT)],
  },
  prlimit64: {
    args: { resource: 'rlimit_resource' },
    captures: [inStruct('new_rlim', RLIMIT), outStruct('old_rlim', RLIMIT)],
  },
  getrusage: { args: { who: 'rusage_who' } },
  getpriority: { args: { which: 'prio_which' } },
  setpriority: { args: { which: 'prio_which' } },
  sched_setscheduler: { args: { policy: 'sched_policy' } },
  sched_get_priority_max: { args: { policy: 'sched_policy' } },
  sched_get_priority_min: { args: { policy: 'sched_policy' } },
  sched_getaffinity: {
    args: { user_mask_ptr: 'cpu_mask' },
    captures: [bufRetLen('user_mask_ptr')],
  },
  sched_setaffinity: { args: { user_mask_ptr: 'cpu_mask' } },
};

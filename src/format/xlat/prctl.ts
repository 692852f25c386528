// prctl tables as strace 6.1 names them (xlat/prctl_options.in, cap.in, pr_*.in, secbits.in,
// seccomp_mode.in). PRCTL_OPTIONS is strace 6.1's own list (src/syscalls/uapi/prctl.ts).
import { PRCTL_OPTION } from '../../syscalls/uapi/prctl.js';
import { xlat, xlatOf, xlatPick } from '../flags.js';

export const PRCTL_OPTIONS = xlatOf(PRCTL_OPTION);

/** Capabilities, CAP_CHOWN = 0 onwards. */
export const CAPABILITIES = xlat(
  [
    'CAP_CHOWN',
    'CAP_DAC_OVERRIDE',
    'CAP_DAC_READ_SEARCH',
    'CAP_FOWNER',
    'CAP_FSETID',
    'CAP_KILL',
    'CAP_SETGID',
    'CAP_SETUID',
    'CAP_SETPCAP',
    'CAP_LINUX_IMMUTABLE',
    'CAP_NET_BIND_SERVICE',
    'CAP_NET_BROADCAST',
    'CAP_NET_ADMIN',
    'CAP_NET_RAW',
    'CAP_IPC_LOCK',
    'CAP_IPC_OWNER',
    'CAP_SYS_MODULE',
    'CAP_SYS_RAWIO',
    'CAP_SYS_CHROOT',
    'CAP_SYS_PTRACE',
    'CAP_SYS_PACCT',
    'CAP_SYS_ADMIN',
    'CAP_SYS_BOOT',
    'CAP_SYS_NICE',
    'CAP_SYS_RESOURCE',
    'CAP_SYS_TIME',
    'CAP_SYS_TTY_CONFIG',
    'CAP_MKNOD',
    'CAP_LEASE',
    'CAP_AUDIT_WRITE',
    'CAP_AUDIT_CONTROL',
    'CAP_SETFCAP',
    'CAP_MAC_OVERRIDE',
    'CAP_MAC_ADMIN',
    'CAP_SYSLOG',
    'CAP_WAKE_ALARM',
    'CAP_BLOCK_SUSPEND',
    'CAP_AUDIT_READ',
    'CAP_PERFMON',
    'CAP_BPF',
    'CAP_CHECKPOINT_RESTORE',
  ].map((name, i) => [name, i] as const),
);

export const PR_DUMPABLE = xlat([
  ['SUID_DUMP_DISABLE', 0],
  ['SUID_DUMP_USER', 1],
  ['SUID_DUMP_ROOT', 2],
]);

export const PR_SET_MM_OPS = xlat([
  ['PR_SET_MM_START_CODE', 1],
  ['PR_SET_MM_END_CODE', 2],
  ['PR_SET_MM_START_DATA', 3],
  ['PR_SET_MM_END_DATA', 4],
  ['PR_SET_MM_START_STACK', 5],
  ['PR_SET_MM_START_BRK', 6],
  ['PR_SET_MM_BRK', 7],
  ['PR_SET_MM_ARG_START', 8],
  ['PR_SET_MM_ARG_END', 9],
  ['PR_SET_MM_ENV_START', 10],
  ['PR_SET_MM_ENV_END', 11],
  ['PR_SET_MM_AUXV', 12],
  ['PR_SET_MM_EXE_FILE', 13],
  ['PR_SET_MM_MAP', 14],
  ['PR_SET_MM_MAP_SIZE', 15],
]);

/** PR_CAP_AMBIENT's operations. */
export const PR_CAP_AMBIENT_OP = {
  PR_CAP_AMBIENT_IS_SET: 1,
  PR_CAP_AMBIENT_RAISE: 2,
  PR_CAP_AMBIENT_LOWER: 3,
  PR_CAP_AMBIENT_CLEAR_ALL: 4,
} as const;
export const PR_CAP_AMBIENT_OPS = xlatOf(PR_CAP_AMBIENT_OP);

export const PR_SET_VMA_OP = { PR_SET_VMA_ANON_NAME: 0 } as const;
export const PR_SET_VMA_OPS = xlatOf(PR_SET_VMA_OP);

/** PR_SET_SECCOMP's modes. */
export const SECCOMP_MODE = {
  SECCOMP_MODE_DISABLED: 0,
  SECCOMP_MODE_STRICT: 1,
  SECCOMP_MODE_FILTER: 2,
} as const;
export const SECCOMP_MODES = xlatOf(SECCOMP_MODE);

export const SECBITS = xlat([
  ['SECBIT_NOROOT', 1 << 0],
  ['SECBIT_NOROOT_LOCKED', 1 << 1],
  ['SECBIT_NO_SETUID_FIXUP', 1 << 2],
  ['SECBIT_NO_SETUID_FIXUP_LOCKED', 1 << 3],
  ['SECBIT_KEEP_CAPS', 1 << 4],
  ['SECBIT_KEEP_CAPS_LOCKED', 1 << 5],
  ['SECBIT_NO_CAP_AMBIENT_RAISE', 1 << 6],
  ['SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED', 1 << 7],
]);

export const PR_TSC = xlat([
  ['PR_TSC_ENABLE', 1],
  ['PR_TSC_SIGSEGV', 2],
]);

/** PR_MCE_KILL's operations. */
export const PR_MCE_KILL_OP = {
  PR_MCE_KILL_CLEAR: 0,
  PR_MCE_KILL_SET: 1,
} as const;
export const PR_MCE_KILL_OPS = xlatOf(PR_MCE_KILL_OP);

export const PR_MCE_KILL_POLICIES = xlat([
  ['PR_MCE_KILL_LATE', 0],
  ['PR_MCE_KILL_EARLY', 1],
  ['PR_MCE_KILL_DEFAULT', 2],
]);

export const PR_UNALIGN_FLAGS = xlat([
  ['PR_UNALIGN_NOPRINT', 1],
  ['PR_UNALIGN_SIGBUS', 2],
]);

export const PR_FP_MODES = xlat([
  ['PR_FP_MODE_FR', 1 << 0],
  ['PR_FP_MODE_FRE', 1 << 1],
]);

export const PR_SPEC_CMDS = xlat([
  ['PR_SPEC_STORE_BYPASS', 0],
  ['PR_SPEC_INDIRECT_BRANCH', 1],
  ['PR_SPEC_L1D_FLUSH', 2],
]);

/** PR_{GET,SET}_SPECULATION_CTRL's flags by name. */
export const PR_SPEC_FLAG = {
  PR_SPEC_NOT_AFFECTED: 0,
  PR_SPEC_PRCTL: 1 << 0,
  PR_SPEC_ENABLE: 1 << 1,
  PR_SPEC_DISABLE: 1 << 2,
  PR_SPEC_FORCE_DISABLE: 1 << 3,
  PR_SPEC_DISABLE_NOEXEC: 1 << 4,
} as const;

/** What PR_GET_SPECULATION_CTRL returns. */
export const PR_SPEC_GET_FLAGS = xlatOf(PR_SPEC_FLAG);

/** What PR_SET_SPECULATION_CTRL sets (one value). */
export const PR_SPEC_SET_FLAGS = xlatPick(PR_SPEC_FLAG, [
  'PR_SPEC_ENABLE',
  'PR_SPEC_DISABLE',
  'PR_SPEC_FORCE_DISABLE',
  'PR_SPEC_DISABLE_NOEXEC',
]);

export const PR_SUD_CMDS = xlat([
  ['PR_SYS_DISPATCH_OFF', 0],
  ['PR_SYS_DISPATCH_ON', 1],
]);

/** PR_SCHED_CORE's commands. */
export const PR_SCHED_CORE_CMD = {
  PR_SCHED_CORE_GET: 0,
  PR_SCHED_CORE_CREATE: 1,
  PR_SCHED_CORE_SHARE_TO: 2,
  PR_SCHED_CORE_SHARE_FROM: 3,
} as const;
export const PR_SCHED_CORE_CMDS = xlatOf(PR_SCHED_CORE_CMD);

export const PR_SCHED_CORE_PIDTYPES = xlat([
  ['PIDTYPE_PID', 0],
  ['PIDTYPE_TGID', 1],
  ['PIDTYPE_PGID', 2],
  ['PIDTYPE_SID', 3],
]);

/** PR_SVE_SET_VL's flags (above PR_SVE_VL_LEN_MASK); PR_SME_* has the same layout. */
export const PR_SVE_VL_FLAGS = xlat([
  ['PR_SVE_SET_VL_ONEXEC', 1 << 18],
  ['PR_SVE_VL_INHERIT', 1 << 17],
]);
export const PR_SME_VL_FLAGS = xlat([
  ['PR_SME_SET_VL_ONEXEC', 1 << 18],
  ['PR_SME_VL_INHERIT', 1 << 17],
]);
export const PR_VL_LEN_MASK = 0xffffn;

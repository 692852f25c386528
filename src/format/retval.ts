// The `= ...` part of a line: what a syscall returned, strace-style.
import type { ReturnKind } from '../syscalls/signatures.js';
import { formatFlagSet } from './flags.js';
import { ERRNOS, RESTART_ERRNOS } from './xlat/errno.js';
import { FD_FLAGS } from './xlat/misc.js';
import { formatOpenFlags } from './args.js';
import { formatPrctlReturn } from './prctl.js';
import { int64Text } from './ints.js';
import { FCNTL_CMD } from '../syscalls/uapi/fcntl.js';
import { argIndex } from '../syscalls/signatures.js';
import { syscallByName } from '../syscalls/table.js';

/** The kernel reports errors as -1..-4095; anything else is a value, even if negative. */
const MAX_ERRNO = 4095n;
/** -MAX_ERRNO, made once: written in the test, it would be a new BigInt per line. */
const MIN_ERROR = -MAX_ERRNO;

/** `-1 ENOENT (No such file or directory)` by errno, built once per errno. */
const errorTexts: (string | undefined)[] = [];
function errorText(errno: number): string {
  let text = errorTexts[errno];
  if (text === undefined) {
    const info = ERRNOS.get(errno);
    if (!info) text = `-1 ERRNO_${errno} (Unknown error ${errno})`;
    else text = `${RESTART_ERRNOS.has(errno) ? '?' : '-1'} ${info.name} (${info.message})`;
    errorTexts[errno] = text;
  }
  return text;
}

/** What a 64-bit register holds, signed: int64Text prints these as toString does. */
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const F_GETFD = BigInt(FCNTL_CMD.F_GETFD);
const F_GETFL = BigInt(FCNTL_CMD.F_GETFL);
/** Where fcntl's command is, for the 'fcntl' return kind (what F_GETFD/F_GETFL return). */
const FCNTL_CMD_AT = argPosition('fcntl', 'cmd');

function argPosition(syscall: string, arg: string): number {
  const def = syscallByName(syscall);
  if (!def) throw new Error(`no syscall ${syscall}`);
  return argIndex(def, arg);
}

/**
 * What follows `= `: `3`, `0x7f0a1c000000`, `-1 ENOENT (No such file or directory)`,
 * `? ERESTARTSYS (To be restarted if SA_RESTART is set)`, or `?` for calls that never return.
 * Unknown error numbers print as strace does: `-1 ERRNO_600 (Unknown error 600)`. `args` are
 * the call's raw arguments, for returns whose meaning depends on them (fcntl).
 */
export function formatReturn(ret: bigint, kind: ReturnKind, args?: readonly bigint[]): string {
  if (kind === 'none') return '?';
  // The common case first: a count or an fd (what the last line below gives it).
  if (kind === 'dec' && ret >= 0n && ret <= INT64_MAX) return int64Text(ret);
  if (ret < 0n && ret >= MIN_ERROR) return errorText(-Number(ret));
  if (kind === 'hex') return `0x${BigInt.asUintN(64, ret).toString(16)}`;
  if (kind === 'octal') return ret === 0n ? '000' : `0${ret.toString(8)}`.padStart(3, '0');
  if (kind === 'fcntl' && args) {
    const cmd = BigInt.asUintN(32, args[FCNTL_CMD_AT] ?? -1n);
    if (cmd === F_GETFD && ret !== 0n) {
      return `0x${ret.toString(16)} (flags ${formatFlagSet(ret, FD_FLAGS) ?? '0'})`;
    }
    if (cmd === F_GETFL) return `0x${ret.toString(16)} (flags ${formatOpenFlags(ret)})`;
  }
  if (kind === 'prctl' && args) {
    const text = formatPrctlReturn(args, ret);
    if (text !== undefined) return text;
  }
  return ret >= INT64_MIN && ret <= INT64_MAX ? int64Text(ret) : ret.toString();
}

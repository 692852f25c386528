// prctl as strace 6.1 prints it (src/prctl.c): which arguments it shows for each option, how,
// and what it adds to the return value. What each option captures is
// src/syscalls/keyed/prctl.ts.
import type { Param } from '../wire.js';
import { SOCK_FPROG_BYTES, TASK_COMM_LEN } from '../syscalls/keyed/prctl.js';
import { PRCTL_OPTION as PR } from '../syscalls/uapi/prctl.js';
import { address, flagsText, hexValue, pointedText, xvalText } from './print.js';
import { boundedString } from './strings.js';
import { lookupXlat, xlat } from './flags.js';
import { signalName } from './xlat/signal.js';
import * as X from './xlat/prctl.js';

const SECCOMP_MODE_STRICT = BigInt(X.SECCOMP_MODE.SECCOMP_MODE_STRICT);
const SECCOMP_MODE_FILTER = BigInt(X.SECCOMP_MODE.SECCOMP_MODE_FILTER);
const PR_SCHED_CORE_GET = BigInt(X.PR_SCHED_CORE_CMD.PR_SCHED_CORE_GET);
/** The PR_CAP_AMBIENT operations that take a capability (IS_SET, RAISE, LOWER). */
const CAP_AMBIENT_WITH_CAP = new Set<bigint>(
  [
    X.PR_CAP_AMBIENT_OP.PR_CAP_AMBIENT_IS_SET,
    X.PR_CAP_AMBIENT_OP.PR_CAP_AMBIENT_RAISE,
    X.PR_CAP_AMBIENT_OP.PR_CAP_AMBIENT_LOWER,
  ].map(BigInt),
);
const PR_MCE_KILL_SET = BigInt(X.PR_MCE_KILL_OP.PR_MCE_KILL_SET);
const PR_SET_VMA_ANON_NAME = BigInt(X.PR_SET_VMA_OP.PR_SET_VMA_ANON_NAME);

const PAC_ENABLED_KEYS = xlat([
  ['PR_PAC_APIAKEY', 1 << 0],
  ['PR_PAC_APIBKEY', 1 << 1],
  ['PR_PAC_APDAKEY', 1 << 2],
  ['PR_PAC_APDBKEY', 1 << 3],
]);
const PAC_KEYS = [...PAC_ENABLED_KEYS, ...xlat([['PR_PAC_APGAKEY', 1 << 4]])];

const u64 = (v: bigint): string => BigInt.asUintN(64, v).toString();
const s64 = (v: bigint): string => BigInt.asIntN(64, v).toString();
const i32 = (v: bigint): string => BigInt.asIntN(32, v).toString();

/** PR_SVE_SET_VL's argument (and what PR_SVE_GET_VL returns): FLAGS|0x<length>. */
function vlText(v: bigint, flags: readonly ReturnType<typeof xlat>[number][]): string {
  const rest = BigInt.asUintN(64, v) & ~X.PR_VL_LEN_MASK;
  const names = rest === 0n ? '' : flagsText(rest, flags);
  const len = hexValue(v & X.PR_VL_LEN_MASK);
  return names ? `${names}|${len}` : len;
}

/**
 * The texts of prctl's arguments as strace prints them, the option first: only those strace
 * shows for that option. `param(i)` is the capture of argument i (src/syscalls/keyed/prctl.ts), absent for
 * an exit capture of a call that failed; `ret` what the call returned, if it has; `maxString`
 * is -s.
 */
export function prctlArgTexts(
  args: readonly bigint[],
  param: (argIndex: number) => Param | undefined,
  ret: bigint | undefined,
  maxString: number,
): string[] {
  const a = (i: number): bigint => BigInt.asUintN(64, args[i] ?? 0n);
  const option = Number(BigInt.asUintN(32, a(0)));
  const out = [xvalText(BigInt(option), X.PRCTL_OPTIONS, 'PR_???')];
  const failed = ret !== undefined && ret < 0n && ret >= -4095n;
  /** An exit capture of argument i: the address when the call failed. */
  const exitValue = (i: number, show: (b: Buffer) => string | undefined): string =>
    pointedText(a(i), failed ? undefined : param(i), show);
  const rest = (from: number): string[] => {
    const texts: string[] = [];
    for (let i = from; i < 5; i++) texts.push(hexValue(a(i)));
    return texts;
  };
  const int = (b: Buffer): number | undefined => (b.length >= 4 ? b.readUInt32LE(0) : undefined);
  const bracket = (b: Buffer, show: (n: number) => string): string | undefined => {
    const n = int(b);
    return n === undefined ? undefined : `[${show(n)}]`;
  };

  switch (option) {
    case PR.PR_GET_KEEPCAPS:
    case PR.PR_GET_SECCOMP:
    case PR.PR_GET_TIMERSLACK:
    case PR.PR_GET_TIMING:
    case PR.PR_GET_DUMPABLE:
    case PR.PR_GET_SECUREBITS:
    case PR.PR_GET_FP_MODE:
    case PR.PR_SVE_GET_VL:
    case PR.PR_SME_GET_VL:
    case PR.PR_TASK_PERF_EVENTS_DISABLE:
    case PR.PR_TASK_PERF_EVENTS_ENABLE:
      return out;

    case PR.PR_GET_CHILD_SUBREAPER:
    case PR.PR_GET_ENDIAN:
    case PR.PR_GET_FPEMU:
    case PR.PR_GET_FPEXC:
      out.push(exitValue(1, (b) => bracket(b, (n) => `${n}`)));
      return out;

    case PR.PR_GET_NAME:
      out.push(
        exitValue(1, (b) =>
          boundedString(
            { arg: 1, status: 0, want: TASK_COMM_LEN, bytes: b },
            TASK_COMM_LEN,
            maxString,
          ),
        ),
      );
      return out;

    case PR.PR_GET_PDEATHSIG:
      out.push(exitValue(1, (b) => bracket(b, (n) => signalName(n | 0))));
      return out;

    case PR.PR_GET_TID_ADDRESS:
      out.push(
        exitValue(1, (b) => (b.length >= 8 ? `[${address(b.readBigUInt64LE(0))}]` : undefined)),
      );
      return out;

    case PR.PR_GET_TSC:
      out.push(exitValue(1, (b) => bracket(b, (n) => xvalText(BigInt(n), X.PR_TSC, 'PR_TSC_???'))));
      return out;

    case PR.PR_GET_UNALIGN:
      out.push(
        exitValue(1, (b) =>
          bracket(b, (n) => flagsText(BigInt(n), X.PR_UNALIGN_FLAGS, 'PR_UNALIGN_???')),
        ),
      );
      return out;

    case PR.PR_SVE_SET_VL:
      out.push(vlText(a(1), X.PR_SVE_VL_FLAGS));
      return out;
    case PR.PR_SME_SET_VL:
      out.push(vlText(a(1), X.PR_SME_VL_FLAGS));
      return out;

    case PR.PR_GET_SPECULATION_CTRL:
      out.push(xvalText(a(1), X.PR_SPEC_CMDS, 'PR_SPEC_???'));
      return out;

    case PR.PR_SET_TAGGED_ADDR_CTRL:
      // strace spells out PR_TAGGED_ADDR_ENABLE and the MTE fields (arm64); this is the raw value.
      out.push(hexValue(a(1)), ...rest(2));
      return out;

    case PR.PR_SET_CHILD_SUBREAPER:
    case PR.PR_SET_ENDIAN:
    case PR.PR_SET_FPEMU:
    case PR.PR_SET_FPEXC:
    case PR.PR_SET_KEEPCAPS:
    case PR.PR_SET_TIMING:
      out.push(u64(a(1)));
      return out;

    case PR.PR_SET_DUMPABLE:
      out.push(xvalText(a(1), X.PR_DUMPABLE, 'SUID_DUMP_???'));
      return out;

    case PR.PR_CAPBSET_DROP:
    case PR.PR_CAPBSET_READ:
      out.push(xvalText(a(1), X.CAPABILITIES, 'CAP_???'));
      return out;

    case PR.PR_CAP_AMBIENT: {
      const op = a(1);
      out.push(xvalText(op, X.PR_CAP_AMBIENT_OPS, 'PR_CAP_AMBIENT_???'));
      if (CAP_AMBIENT_WITH_CAP.has(op))
        out.push(xvalText(a(2), X.CAPABILITIES, 'CAP_???'), ...rest(3));
      else out.push(...rest(2));
      return out;
    }

    case PR.PR_MCE_KILL:
      out.push(
        xvalText(a(1), X.PR_MCE_KILL_OPS, 'PR_MCE_KILL_???'),
        a(1) === PR_MCE_KILL_SET
          ? xvalText(a(2), X.PR_MCE_KILL_POLICIES, 'PR_MCE_KILL_???')
          : hexValue(a(2)),
        ...rest(3),
      );
      return out;

    case PR.PR_SET_NAME: {
      const p = param(1);
      if (a(1) === 0n) out.push('NULL');
      else out.push(p ? boundedString(p, TASK_COMM_LEN - 1, maxString) : address(a(1)));
      return out;
    }

    case PR.PR_SET_VMA:
      out.push(xvalText(a(1), X.PR_SET_VMA_OPS, 'PR_SET_VMA_???'));
      if (a(1) === PR_SET_VMA_ANON_NAME) {
        const p = param(4);
        const name =
          a(4) === 0n ? 'NULL' : p ? boundedString(p, Infinity, maxString) : address(a(4));
        out.push(address(a(2)), u64(a(3)), name);
      } else {
        out.push(...rest(2));
      }
      return out;

    case PR.PR_SET_MM:
      out.push(xvalText(a(1), X.PR_SET_MM_OPS, 'PR_SET_MM_???'), ...rest(2));
      return out;

    case PR.PR_SET_PDEATHSIG:
      out.push(a(1) > 128n ? u64(a(1)) : signalName(Number(a(1))));
      return out;

    case PR.PR_SET_PTRACER:
      out.push(BigInt.asIntN(32, a(1)) === -1n ? 'PR_SET_PTRACER_ANY' : i32(a(1)));
      return out;

    case PR.PR_SET_SECCOMP: {
      const mode = a(1);
      out.push(xvalText(mode, X.SECCOMP_MODES, 'SECCOMP_MODE_???'));
      if (mode === SECCOMP_MODE_STRICT) return out;
      if (mode === SECCOMP_MODE_FILTER) {
        out.push(
          pointedText(a(2), param(2), (b) =>
            b.length >= SOCK_FPROG_BYTES
              ? `{len=${b.readUInt16LE(0)}, filter=${address(b.readBigUInt64LE(8))}}`
              : undefined,
          ),
        );
        return out;
      }
      out.push(...rest(2));
      return out;
    }

    case PR.PR_SET_SECUREBITS:
      out.push(flagsText(a(1), X.SECBITS, 'SECBIT_???'));
      return out;

    case PR.PR_SET_TIMERSLACK:
      out.push(s64(a(1)));
      return out;

    case PR.PR_SET_TSC:
      out.push(xvalText(a(1), X.PR_TSC, 'PR_TSC_???'));
      return out;

    case PR.PR_SET_UNALIGN:
      out.push(flagsText(a(1), X.PR_UNALIGN_FLAGS, 'PR_UNALIGN_???'));
      return out;

    case PR.PR_SET_NO_NEW_PRIVS:
    case PR.PR_SET_THP_DISABLE:
    case PR.PR_SET_IO_FLUSHER:
      out.push(u64(a(1)), ...rest(2));
      return out;

    case PR.PR_SET_FP_MODE:
      out.push(flagsText(a(1), X.PR_FP_MODES, 'PR_FP_MODE_???'));
      return out;

    case PR.PR_SET_SPECULATION_CTRL:
      out.push(
        xvalText(a(1), X.PR_SPEC_CMDS, 'PR_SPEC_???'),
        a(1) <= 2n ? xvalText(a(2), X.PR_SPEC_SET_FLAGS, 'PR_SPEC_???') : hexValue(a(2)),
      );
      return out;

    case PR.PR_PAC_RESET_KEYS:
      out.push(flagsText(a(1), PAC_KEYS, 'PR_PAC_???'), ...rest(2));
      return out;

    case PR.PR_PAC_SET_ENABLED_KEYS:
      out.push(
        flagsText(a(1), PAC_ENABLED_KEYS, 'PR_PAC_???'),
        flagsText(a(2), PAC_ENABLED_KEYS, 'PR_PAC_???'),
        ...rest(3),
      );
      return out;

    case PR.PR_SET_SYSCALL_USER_DISPATCH:
      out.push(
        xvalText(a(1), X.PR_SUD_CMDS, 'PR_SYS_DISPATCH_???'),
        hexValue(a(2)),
        hexValue(a(3)),
        address(a(4)),
      );
      return out;

    case PR.PR_SCHED_CORE: {
      const cmd = BigInt.asUintN(32, a(1));
      const pidtype = BigInt.asUintN(32, a(3));
      out.push(
        xvalText(cmd, X.PR_SCHED_CORE_CMDS, 'PR_SCHED_CORE_???'),
        i32(a(2)),
        `${hexValue(pidtype)} /* ${lookupXlat(pidtype, X.PR_SCHED_CORE_PIDTYPES) ?? 'PIDTYPE_???'} */`,
        cmd === PR_SCHED_CORE_GET
          ? exitValue(4, (b) => (b.length >= 8 ? `[${hexValue(b.readBigUInt64LE(0))}]` : undefined))
          : address(a(4)),
      );
      return out;
    }

    case PR.PR_MCE_KILL_GET:
    case PR.PR_GET_TAGGED_ADDR_CTRL:
    case PR.PR_PAC_GET_ENABLED_KEYS:
    default:
      out.push(...rest(1));
      return out;
  }
}

/**
 * What strace prints after `= ` for a prctl that succeeded, where it differs from the plain
 * decimal value: `1 (SUID_DUMP_USER)`, `0x10 (SECBIT_KEEP_CAPS)`, `0x2 (PR_SPEC_ENABLE)`.
 * Undefined: print the return value as usual (errors included).
 */
export function formatPrctlReturn(args: readonly bigint[], ret: bigint): string | undefined {
  if (ret < 0n && ret >= -4095n) return undefined;
  const option = Number(BigInt.asUintN(32, args[0] ?? 0n));
  const hex = hexValue(ret);
  /** sprintflags_ex in strace's auxstr mode: nothing when no bit has a name. */
  const auxFlags = (table: ReturnType<typeof xlat>): string | undefined => {
    if (ret === 0n) {
      const first = table[0];
      return first && first.value === 0n ? first.name : undefined;
    }
    const text = flagsText(ret, table);
    return text.startsWith('0x') ? undefined : text;
  };
  switch (option) {
    case PR.PR_GET_DUMPABLE: {
      const name = lookupXlat(ret, X.PR_DUMPABLE);
      return name ? `${ret} (${name})` : undefined;
    }
    case PR.PR_MCE_KILL_GET: {
      const name = lookupXlat(ret, X.PR_MCE_KILL_POLICIES);
      return name ? `${ret} (${name})` : undefined;
    }
    case PR.PR_GET_SECUREBITS:
    case PR.PR_GET_FP_MODE:
    case PR.PR_PAC_GET_ENABLED_KEYS: {
      if (ret === 0n) return undefined;
      const table =
        option === PR.PR_GET_SECUREBITS
          ? X.SECBITS
          : option === PR.PR_GET_FP_MODE
            ? X.PR_FP_MODES
            : PAC_ENABLED_KEYS;
      const aux = auxFlags(table);
      return aux ? `${hex} (${aux})` : hex;
    }
    case PR.PR_SVE_SET_VL:
    case PR.PR_SVE_GET_VL:
    case PR.PR_SME_SET_VL:
    case PR.PR_SME_GET_VL: {
      if (ret === 0n) return undefined;
      const sve = option === PR.PR_SVE_SET_VL || option === PR.PR_SVE_GET_VL;
      const flags = ret & ~X.PR_VL_LEN_MASK;
      if (flags === 0n) return hex;
      return `${hex} (${vlText(ret, sve ? X.PR_SVE_VL_FLAGS : X.PR_SME_VL_FLAGS)})`;
    }
    case PR.PR_GET_SPECULATION_CTRL: {
      const which = BigInt.asUintN(64, args[1] ?? 0n);
      if (which > 2n) return undefined;
      const aux = auxFlags(X.PR_SPEC_GET_FLAGS);
      return aux ? `${hex} (${aux})` : hex;
    }
    case PR.PR_GET_TAGGED_ADDR_CTRL:
      return hex;
    default:
      return undefined;
  }
}

// The argument texts of one syscall, split where strace splits a call that is interrupted by
// other output: arguments the call reads are shown at enter, arguments it fills (captured at
// exit, like read's buffer) only once it returned.
import { ARG_ORDER, argTypes, returnKind, type ReturnKind } from '../syscalls/signatures.js';
import { capturesFor, isExitCapture } from '../syscalls/rules.js';
import { TL_CAP_MSG_EXIT } from '../wire.js';
import { selectReturnDetail } from './fdset.js';
import { syscallByNr, unknownSyscallName } from '../syscalls/table.js';
import { TL_PARAM_FAULT, type Param } from '../wire.js';
import { decoderFor, genericArg, pollReturnDetail, type ArgDecoder } from './args.js';

export interface CallText {
  name: string;
  /** Shown at enter: `read(3, `. */
  enterArgs: string[];
  /** Shown at exit, from the first argument the call fills: `"abc", 131072) = 3`. */
  exitArgs: string[];
  returns: ReturnKind;
  /** Appended to a successful return value: poll's revents. */
  retDetail: string;
}

const NO_PARAMS: ReadonlyMap<number, Param> = new Map();

/**
 * One param per argument, the enter's first; an exit param replaces one that is missing or
 * faulted (a string not yet paged in at enter is read again at exit).
 */
export function mergeParams(
  ...groups: ReadonlyArray<readonly Param[]>
): ReadonlyMap<number, Param> {
  // Most calls capture nothing: one shared empty map instead of a new one per call.
  if (groups.every((g) => g.length === 0)) return NO_PARAMS;
  const byArg = new Map<number, Param>();
  for (const group of groups) {
    for (const p of group) {
      const had = byArg.get(p.arg);
      if (!had || (had.status === TL_PARAM_FAULT && p.status !== TL_PARAM_FAULT)) {
        byArg.set(p.arg, p);
      }
    }
  }
  return byArg;
}

/** Stands for an argument whose register value is lost but whose memory was captured. */
const UNKNOWN_POINTER = 0xffffffffffffffffn;

/** The exit's params by argument. */
export function exitParamMap(exitParams: readonly Param[] | undefined): ReadonlyMap<number, Param> {
  if (!exitParams || exitParams.length === 0) return NO_PARAMS;
  const byArg = new Map<number, Param>();
  for (const p of exitParams) byArg.set(p.arg, p);
  return byArg;
}

/** What describing a call of one syscall number needs, computed once per number. */
interface CallInfo {
  name: string;
  /** null: the signature is unknown, every argument prints in hex. */
  decoders: ArgDecoder[] | null;
  /** Arguments from this index on are shown at exit. */
  split: number;
  order: readonly number[] | undefined;
  returns: ReturnKind;
  /** What strace appends to a return value: poll's revents, select's ready sets. */
  retDetail: RetDetail | undefined;
}

type RetDetail = (
  ret: bigint,
  args: readonly bigint[],
  exitParams: ReadonlyMap<number, Param>,
) => string;

const RET_DETAILS: Readonly<Record<string, RetDetail>> = {
  poll: (ret, args, exit) => pollReturnDetail(ret, exit.get(0), args[1] ?? 0n),
  ppoll: (ret, args, exit) => pollReturnDetail(ret, exit.get(0), args[1] ?? 0n),
  select: (ret, _args, exit) => selectReturnDetail(ret, exit.get(1), 'timeval'),
  pselect6: (ret, _args, exit) => selectReturnDetail(ret, exit.get(1), 'timespec'),
};

function exitSplit(nr: number, nargs: number): number {
  let split = nargs;
  const captures = capturesFor(nr);
  for (const c of captures) {
    // An argument the call fills is shown once it returned, unless it is read at enter too
    // (poll's fds); recvmsg's msghdr is read at enter only for its msg_namelen.
    const alsoAtEnter = captures.some((e) => e.arg === c.arg && !isExitCapture(e.kind));
    if (isExitCapture(c.kind) && (!alsoAtEnter || c.kind === TL_CAP_MSG_EXIT)) {
      split = Math.min(split, c.arg);
    }
  }
  return split;
}

const infoCache = new Map<number, CallInfo>();
function callInfo(nr: number): CallInfo {
  let info = infoCache.get(nr);
  if (info) return info;
  const def = syscallByNr(nr);
  const decoders = def?.args != null ? argTypes(def).map(decoderFor) : null;
  info = {
    name: def?.name ?? unknownSyscallName(nr),
    decoders,
    split: decoders ? exitSplit(nr, decoders.length) : Infinity,
    order: def ? ARG_ORDER[def.name] : undefined,
    returns: returnKind(def?.name ?? ''),
    retDetail: def ? RET_DETAILS[def.name] : undefined,
  };
  infoCache.set(nr, info);
  return info;
}

/** The ArgContext handed to decoders, reused from one argument to the next. */
interface MutableContext {
  args: readonly bigint[];
  index: number;
  param: Param | undefined;
  exitParam: Param | undefined;
  ret: bigint | undefined;
  params: ReadonlyMap<number, Param>;
  exitParams: ReadonlyMap<number, Param>;
  maxString: number;
}

/**
 * Decodes a call's arguments. `args` is undefined when the enter record is missing (its exit
 * alone survived): then only captured arguments are known and the rest print as `?`.
 * `exitParams` are the exit record's captures by argument, `ret` the return value once known.
 */
export function describeCall(
  nr: number,
  args: readonly bigint[] | undefined,
  params: ReadonlyMap<number, Param>,
  maxString: number,
  exitParams: ReadonlyMap<number, Param> = NO_PARAMS,
  ret?: bigint,
): CallText {
  const info = callInfo(nr);
  const argv = args ?? [];
  const n = info.decoders ? info.decoders.length : argv.length;
  const ctx: MutableContext = {
    args: argv,
    index: 0,
    param: undefined,
    exitParam: undefined,
    ret,
    params,
    exitParams,
    maxString,
  };
  const texts: (string | null)[] = new Array<string | null>(n);
  for (let index = 0; index < n; index++) {
    const value = args?.[index];
    const param = params.size ? params.get(index) : undefined;
    if (value === undefined && !param) {
      texts[index] = '?';
      continue;
    }
    ctx.index = index;
    ctx.param = param;
    ctx.exitParam = exitParams.size ? exitParams.get(index) : undefined;
    const decode = info.decoders ? (info.decoders[index] as ArgDecoder) : genericArg;
    texts[index] = decode(value ?? UNKNOWN_POINTER, ctx);
  }
  const enterArgs: string[] = [];
  const exitArgs: string[] = [];
  if (info.order) {
    for (const i of info.order) {
      const t = texts[i];
      if (t != null) enterArgs.push(t);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const t = texts[i];
      if (t != null) (i < info.split ? enterArgs : exitArgs).push(t);
    }
  }
  return {
    retDetail: info.retDetail && ret !== undefined ? info.retDetail(ret, argv, exitParams) : '',
    name: info.name,
    enterArgs,
    exitArgs,
    returns: info.returns,
  };
}

// The argument texts of one syscall, split where strace splits a call that is interrupted by
// other output: arguments the call reads are shown at enter, arguments it fills (captured at
// exit, like read's buffer) only once it returned.
import { ARG_ORDER, argTypes, returnKind, type ReturnKind } from '../syscalls/signatures.js';
import { capturesFor, isExitCapture } from '../syscalls/rules.js';
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

/**
 * One param per argument, the enter's first; an exit param replaces one that is missing or
 * faulted (a string not yet paged in at enter is read again at exit).
 */
export function mergeParams(...groups: ReadonlyArray<readonly Param[]>): Map<number, Param> {
  const byArg = new Map<number, Param>();
  if (groups.every((g) => g.length === 0)) return byArg;
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

const NO_PARAMS: ReadonlyMap<number, Param> = new Map();
/** Stands for an argument whose register value is lost but whose memory was captured. */
const UNKNOWN_POINTER = 0xffffffffffffffffn;

/** The exit's params by argument. */
export function exitParamMap(exitParams: readonly Param[] | undefined): ReadonlyMap<number, Param> {
  if (!exitParams || exitParams.length === 0) return NO_PARAMS;
  return new Map(exitParams.map((p) => [p.arg, p]));
}

const splitCache = new Map<number, number>();
function exitSplit(nr: number, nargs: number): number {
  const key = nr * 8 + nargs;
  const known = splitCache.get(key);
  if (known !== undefined) return known;
  let split = nargs;
  for (const c of capturesFor(nr)) {
    if (
      isExitCapture(c.kind) &&
      !capturesFor(nr).some((e) => e.arg === c.arg && !isExitCapture(e.kind))
    ) {
      split = Math.min(split, c.arg);
    }
  }
  splitCache.set(key, split);
  return split;
}

const decoderCache = new Map<number, ArgDecoder[]>();
function decodersOf(nr: number, nargs: number): ArgDecoder[] {
  const def = syscallByNr(nr);
  if (def?.args == null) return Array.from({ length: nargs }, () => genericArg);
  let d = decoderCache.get(nr);
  if (!d) {
    d = argTypes(def).map(decoderFor);
    decoderCache.set(nr, d);
  }
  return d;
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
  const def = syscallByNr(nr);
  const decoders = decodersOf(nr, args?.length ?? 0);
  const split = exitSplit(nr, decoders.length);
  const argv = args ?? [];
  const texts: (string | null)[] = decoders.map((decode, index) => {
    const value = args?.[index];
    const param = params.get(index);
    if (value === undefined && !param) return '?';
    return decode(value ?? UNKNOWN_POINTER, {
      args: argv,
      index,
      param,
      exitParam: exitParams.get(index),
      ret,
      params,
      exitParams,
      maxString,
    });
  });
  const order = def ? ARG_ORDER[def.name] : undefined;
  const keep = (t: string | null | undefined): t is string => t !== null && t !== undefined;
  const enterArgs = texts.slice(0, split);
  const exitArgs = texts.slice(split);
  const pollish = def?.name === 'poll' || def?.name === 'ppoll';
  return {
    retDetail:
      pollish && ret !== undefined ? pollReturnDetail(ret, exitParams.get(0), argv[1] ?? 0n) : '',
    name: def?.name ?? unknownSyscallName(nr),
    enterArgs: order ? order.map((i) => texts[i]).filter(keep) : enterArgs.filter(keep),
    exitArgs: order ? [] : exitArgs.filter(keep),
    returns: returnKind(def?.name ?? ''),
  };
}

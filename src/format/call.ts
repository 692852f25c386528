// The argument texts of one syscall, split where strace splits a call that is interrupted by
// other output: arguments the call reads are shown at enter, arguments it fills (captured at
// exit, like read's buffer) only once it returned.
import { argTypes, returnKind, type ReturnKind } from '../syscalls/signatures.js';
import { capturesFor, isExitCapture } from '../syscalls/rules.js';
import { syscallByNr, unknownSyscallName } from '../syscalls/table.js';
import { TL_PARAM_FAULT, type Param } from '../wire.js';
import { decoderFor, genericArg, type ArgDecoder } from './args.js';

export interface CallText {
  name: string;
  /** Shown at enter: `read(3, `. */
  enterArgs: string[];
  /** Shown at exit, from the first argument the call fills: `"abc", 131072) = 3`. */
  exitArgs: string[];
  returns: ReturnKind;
}

/**
 * One param per argument, the enter's first; an exit param replaces one that is missing or
 * faulted (a string not yet paged in at enter is read again at exit).
 */
export function mergeParams(...groups: ReadonlyArray<readonly Param[]>): Map<number, Param> {
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

function exitSplit(nr: number, nargs: number): number {
  let split = nargs;
  for (const c of capturesFor(nr)) if (isExitCapture(c.kind)) split = Math.min(split, c.arg);
  return split;
}

/**
 * Decodes a call's arguments. `args` is undefined when the enter record is missing (its exit
 * alone survived): then only captured arguments are known and the rest print as `?`.
 */
export function describeCall(
  nr: number,
  args: readonly bigint[] | undefined,
  params: ReadonlyMap<number, Param>,
  maxString: number,
): CallText {
  const def = syscallByNr(nr);
  const decoders: ArgDecoder[] =
    def?.args != null
      ? argTypes(def).map(decoderFor)
      : Array.from({ length: args?.length ?? 0 }, () => genericArg);
  const split = exitSplit(nr, decoders.length);
  const texts: (string | null)[] = decoders.map((decode, index) => {
    const value = args?.[index];
    const param = params.get(index);
    if (value === undefined && !param) return '?';
    return decode(value ?? 0n, { args: args ?? [], index, param, maxString });
  });
  const keep = (t: string | null): t is string => t !== null;
  return {
    name: def?.name ?? unknownSyscallName(nr),
    enterArgs: texts.slice(0, split).filter(keep),
    exitArgs: texts.slice(split).filter(keep),
    returns: returnKind(def?.name ?? ''),
  };
}

// The argument texts of one syscall, split where strace splits a call that is interrupted by
// other output: arguments the call reads are shown at enter, arguments it fills (captured at
// exit, like read's buffer) only once it returned.
import { argIndex, argOrder, argTypes, returnKind } from '../syscalls/signatures.js';
import type { ReturnKind } from '../syscalls/descriptor.js';
import { descriptorOf } from '../syscalls/descriptors/index.js';
import type { SyscallDef } from '../syscalls/types.js';
import { capturesFor, isExitCapture, keyedCaptureFor } from '../syscalls/rules.js';
import { TL_CAP_KEYED, TL_CAP_MSG_EXIT } from '../wire.js';
import { selectReturnDetail } from './fdset.js';
import { signalName } from './xlat/signal.js';
import { syscallByNr, unknownSyscallName } from '../syscalls/table.js';
import { TL_MAX_SYSCALLS, TL_PARAM_FAULT, TL_PARAM_OK, type Param } from '../wire.js';
import { decoderFor, genericArg, pollReturnDetail, type ArgDecoder } from './args.js';
import { ParamSlots } from './param-slots.js';
import type { FdNamer } from './fd-table.js';

const NO_PARAMS: ReadonlyMap<number, Param> = new Map();

/** Stands for an argument whose register value is lost but whose memory was captured. */
const UNKNOWN_POINTER = 0xffffffffffffffffn;

/** What describing a call of one syscall number needs, computed once per number. */
interface CallInfo {
  name: string;
  /** `name(` and `<... name resumed>`: line pieces made once per number. */
  open: string;
  resumed: string;
  /** null: the signature is unknown, every argument prints in hex. */
  decoders: ArgDecoder[] | null;
  /** Arguments from this index on are shown at exit. */
  split: number;
  /** The selector argument of a keyed capture (ioctl's request), whose value may move the split. */
  keyedSelector: number | undefined;
  order: readonly number[] | undefined;
  returns: ReturnKind;
  /** What strace appends to a return value: poll's revents, select's ready sets. */
  retDetail: RetDetail | undefined;
  /** The arguments that are fds (AT_FDCWD too), an array of two fds, named under -y. */
  fdArgs: readonly number[];
  dirfdArgs: readonly number[];
  fdPairArgs: readonly number[];
  /** poll's array: each `{fd=3, ...}` named as strace -y does (its revents are not). */
  pollArgs: readonly number[];
}

/** The arguments of a signature whose type is `type`. */
function argsOfType(types: readonly string[] | undefined, type: string): number[] {
  const found: number[] = [];
  types?.forEach((t, i) => {
    if (t === type) found.push(i);
  });
  return found;
}

type RetDetail = (
  ret: bigint,
  args: readonly bigint[],
  exitParams: ReadonlyMap<number, Param>,
) => string;

const signalReturned: RetDetail = (ret) => (ret > 0n ? ` (${signalName(Number(ret))})` : '');

/** The return detail a syscall's descriptor asks for, its arguments resolved to positions. */
function retDetailOf(def: SyscallDef): RetDetail | undefined {
  const detail = descriptorOf(def.name).returnDetail;
  if (!detail) return undefined;
  switch (detail.kind) {
    case 'poll_revents': {
      const fds = argIndex(def, detail.fds);
      const nfds = argIndex(def, detail.nfds);
      return (ret, args, exit) => pollReturnDetail(ret, exit.get(fds), args[nfds] ?? 0n);
    }
    case 'select_ready': {
      const sets = argIndex(def, detail.sets);
      const timeout = detail.timeout;
      return (ret, _args, exit) => selectReturnDetail(ret, exit.get(sets), timeout);
    }
    case 'signal':
      return signalReturned;
    default: {
      // A new kind of detail in descriptor.ts fails to compile here until it has a printer.
      const unknown: never = detail;
      return unknown;
    }
  }
}

/**
 * Where this call's arguments split: a keyed capture the call fills (ioctl TCGETS's termios)
 * is shown at exit like any other exit capture.
 */
function splitOf(info: CallInfo, args: readonly bigint[] | undefined): number {
  if (info.keyedSelector === undefined || !args) return info.split;
  const selector = args[info.keyedSelector];
  const k = selector === undefined ? undefined : keyedCaptureFor(info.name, selector);
  return k?.kind === 'out' ? Math.min(info.split, k.arg) : info.split;
}

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

// Numbers the rules cover, in an array made at its full size (a Map lookup per line showed in
// profiles, and an array grown by far-apart numbers can turn into a dictionary); any other
// number a record may carry (nr is a u16), in a Map.
const infoCache: (CallInfo | undefined)[] = new Array<CallInfo | undefined>(TL_MAX_SYSCALLS).fill(
  undefined,
);
const otherInfo = new Map<number, CallInfo>();
function callInfo(nr: number): CallInfo {
  let info = nr >= 0 && nr < TL_MAX_SYSCALLS ? infoCache[nr] : otherInfo.get(nr);
  if (info) return info;
  const def = syscallByNr(nr);
  const decoders =
    def?.args != null ? argTypes(def).map((t) => decoderFor(t, (a) => argIndex(def, a))) : null;
  const name = def?.name ?? unknownSyscallName(nr);
  const types = def?.args != null ? argTypes(def) : undefined;
  info = {
    name,
    open: `${name}(`,
    resumed: `<... ${name} resumed>`,
    decoders,
    split: decoders ? exitSplit(nr, decoders.length) : Infinity,
    keyedSelector: capturesFor(nr).find((c) => c.kind === TL_CAP_KEYED)?.lenArg,
    order: def ? argOrder(def) : undefined,
    returns: returnKind(def?.name ?? ''),
    retDetail: def ? retDetailOf(def) : undefined,
    fdArgs: argsOfType(types, 'fd'),
    dirfdArgs: argsOfType(types, 'dirfd'),
    fdPairArgs: argsOfType(types, 'pipe_fds'),
    pollArgs: argsOfType(types, 'poll_fds'),
  };
  if (nr >= 0 && nr < TL_MAX_SYSCALLS) infoCache[nr] = info;
  else otherInfo.set(nr, info);
  return info;
}

/** The ArgContext handed to decoders, reused from one argument (and call) to the next. */
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

const NO_ARGS: readonly bigint[] = [];

// Decoding is synchronous and never nested (a decoder does not describe calls), so one
// context and one array of texts serve every call: no allocation per call for either.
const ctx: MutableContext = {
  args: NO_ARGS,
  index: 0,
  param: undefined,
  exitParam: undefined,
  ret: undefined,
  params: NO_PARAMS,
  exitParams: NO_PARAMS,
  maxString: 0,
};
const texts: (string | null)[] = [];

/** Fills `texts` with the text of each argument (null: left out); returns how many. */
function decodeArgs(
  info: CallInfo,
  args: readonly bigint[] | undefined,
  params: ReadonlyMap<number, Param>,
  maxString: number,
  exitParams: ReadonlyMap<number, Param>,
  ret: bigint | undefined,
): number {
  const argv = args ?? NO_ARGS;
  const decoders = info.decoders;
  const n = decoders ? decoders.length : argv.length;
  ctx.args = argv;
  ctx.ret = ret;
  ctx.params = params;
  ctx.exitParams = exitParams;
  ctx.maxString = maxString;
  const anyParams = params.size > 0;
  const anyExitParams = exitParams.size > 0;
  for (let index = 0; index < n; index++) {
    const value = argv[index];
    const param = anyParams ? params.get(index) : undefined;
    if (value === undefined && !param) {
      texts[index] = '?';
      continue;
    }
    ctx.index = index;
    ctx.param = param;
    ctx.exitParam = anyExitParams ? exitParams.get(index) : undefined;
    const decode = decoders ? (decoders[index] as ArgDecoder) : genericArg;
    texts[index] = decode(value ?? UNKNOWN_POINTER, ctx);
  }
  // Let go of what this call's context points to (params view the batch's buffer).
  ctx.args = NO_ARGS;
  ctx.param = ctx.exitParam = undefined;
  ctx.params = ctx.exitParams = NO_PARAMS;
  return n;
}

function retDetail(
  info: CallInfo,
  args: readonly bigint[] | undefined,
  exitParams: ReadonlyMap<number, Param>,
  ret: bigint | undefined,
): string {
  return info.retDetail && ret !== undefined
    ? info.retDetail(ret, args ?? NO_ARGS, exitParams)
    : '';
}

/** One call described argument by argument, for a view that lists them (the UI's details). */
export interface CallArgs {
  name: string;
  /** The text of each argument by its index; null where strace leaves it out. */
  texts: (string | null)[];
  returns: ReturnKind;
  /** Appended to a successful return value: poll's revents. */
  retDetail: string;
  /** The captures by argument, the enter's first (see mergeParamsInto). */
  params: ReadonlyMap<number, Param>;
}

/**
 * Decodes a call's arguments. `args` is undefined when the enter record is missing (its exit
 * alone survived): then only captured arguments are known and the rest print as `?`. The
 * params come from the enter and exit records as recorded (see mergeParamsInto).
 */
export function describeArgs(
  nr: number,
  args: readonly bigint[] | undefined,
  enterParams: readonly Param[],
  exitParams: readonly Param[],
  maxString: number,
  ret?: bigint,
  /** strace -y: each fd argument named (the UI's details view). */
  fds?: FdNamer,
): CallArgs {
  const info = callInfo(nr);
  const params = mergeParamsInto(new ParamSlots(), enterParams, exitParams);
  const byArg = exitParamsInto(new ParamSlots(), exitParams);
  const n = decodeArgs(info, args, params, maxString, byArg, ret);
  if (fds) nameFds(info, args, params, fds);
  return {
    name: info.name,
    texts: texts.slice(0, n),
    returns: info.returns,
    retDetail: retDetail(info, args, byArg, ret),
    params,
  };
}

/**
 * A call's argument texts already joined as a line shows them, for the line formatter. The
 * formatter passes one object it reuses.
 */
export interface CallLine {
  name: string;
  /** `name(` */
  open: string;
  /** `<... name resumed>` */
  resumed: string;
  /** The enter arguments, joined by `, `. */
  enter: string;
  /** How many there are (a text may be empty, so `enter === ''` does not say). */
  enterCount: number;
  /** The exit arguments, joined by `, `. */
  exit: string;
  exitCount: number;
  returns: ReturnKind;
  retDetail: string;
}

/** A call's arguments joined into `out`, split where strace splits an interrupted call. */
export function describeLine(
  out: CallLine,
  nr: number,
  args: readonly bigint[] | undefined,
  params: ReadonlyMap<number, Param>,
  maxString: number,
  exitParams: ReadonlyMap<number, Param> = NO_PARAMS,
  ret?: bigint,
  fds?: FdNamer,
): CallLine {
  const info = callInfo(nr);
  const n = decodeArgs(info, args, params, maxString, exitParams, ret);
  if (fds) nameFds(info, args, params, fds);
  let enter = '';
  let enterCount = 0;
  let exit = '';
  let exitCount = 0;
  if (info.order) {
    for (const i of info.order) {
      const t = texts[i];
      if (t != null) enter = enterCount++ === 0 ? t : enter + ', ' + t;
    }
  } else {
    const split = splitOf(info, args);
    for (let i = 0; i < n; i++) {
      const t = texts[i];
      if (t == null) continue;
      if (i < split) enter = enterCount++ === 0 ? t : enter + ', ' + t;
      else exit = exitCount++ === 0 ? t : exit + ', ' + t;
    }
  }
  out.name = info.name;
  out.open = info.open;
  out.resumed = info.resumed;
  out.enter = enter;
  out.enterCount = enterCount;
  out.exit = exit;
  out.exitCount = exitCount;
  out.returns = info.returns;
  out.retDetail = retDetail(info, args, exitParams, ret);
  return out;
}

const AT_FDCWD = -100;

/** strace -y: `3</etc/hostname>`, `AT_FDCWD</tmp>`, `[3<pipe:[1]>, 4<pipe:[1]>]`. */
function nameFds(
  info: CallInfo,
  args: readonly bigint[] | undefined,
  params: ReadonlyMap<number, Param>,
  fds: FdNamer,
): void {
  if (args) {
    for (const i of info.fdArgs) {
      const v = args[i];
      const name = v === undefined ? undefined : fds.fd(Number(BigInt.asIntN(32, v)));
      if (name !== undefined && texts[i] != null) texts[i] += name;
    }
    for (const i of info.dirfdArgs) {
      const v = args[i];
      if (v === undefined || texts[i] == null) continue;
      const fd = Number(BigInt.asIntN(32, v));
      const name = fd === AT_FDCWD ? fds.cwd() : fds.fd(fd);
      if (name !== undefined) texts[i] += name;
    }
  }
  for (const i of info.fdPairArgs) {
    const p = params.get(i);
    if (!p || p.status !== TL_PARAM_OK || p.bytes.length < 8 || texts[i] == null) continue;
    const a = p.bytes.readInt32LE(0);
    const b = p.bytes.readInt32LE(4);
    texts[i] = `[${a}${fds.fd(a) ?? ''}, ${b}${fds.fd(b) ?? ''}]`;
  }
  for (const i of info.pollArgs) {
    const text = texts[i];
    if (text == null) continue;
    texts[i] = text.replace(POLL_FD, (all, fd: string) => all + (fds.fd(Number(fd)) ?? ''));
  }
}

/** An fd in poll's array as args.ts prints it: `{fd=3`. */
const POLL_FD = /(?<=\{fd=)(\d+)/g;

/**
 * One param per argument into `slots` (reused by the line formatter): the enter's first; an
 * exit param replaces one that is missing or faulted (a string not yet paged in at enter is
 * read again at exit).
 */
export function mergeParamsInto(
  slots: ParamSlots,
  a: readonly Param[],
  b: readonly Param[],
): ReadonlyMap<number, Param> {
  if (a.length === 0 && b.length === 0) return NO_PARAMS;
  slots.clear();
  for (let g = 0; g < 2; g++) {
    const group = g === 0 ? a : b;
    for (let i = 0; i < group.length; i++) {
      const p = group[i] as Param;
      const had = slots.get(p.arg);
      if (!had || (had.status === TL_PARAM_FAULT && p.status !== TL_PARAM_FAULT)) {
        slots.set(p.arg, p);
      }
    }
  }
  return slots;
}

/** The exit's params by argument, into `slots`. */
export function exitParamsInto(
  slots: ParamSlots,
  exitParams: readonly Param[],
): ReadonlyMap<number, Param> {
  if (exitParams.length === 0) return NO_PARAMS;
  slots.clear();
  for (let i = 0; i < exitParams.length; i++) {
    const p = exitParams[i] as Param;
    slots.set(p.arg, p);
  }
  return slots;
}

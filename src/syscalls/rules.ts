// What the kernel side records for each syscall: how many raw arguments go into the enter
// record and which arguments' memory is captured. Data, not code: the BPF `rules` map is
// filled from buildRules(), and the formatter asks capturesFor() which arguments arrive at exit.
//
// Captures name arguments by their kernel names (from the generated table), so a rule cannot
// silently point at the wrong position; resolving a name that does not exist throws.
import {
  TL_CAP_BUF_ARGLEN,
  TL_CAP_BUF_RETLEN,
  TL_CAP_STR,
  TL_CAP_STRUCT_EXIT,
  TL_MAX_ARGS,
  TL_MAX_SYSCALLS,
  encodeRules,
  type Capture,
  type CaptureKind,
  type Rule,
} from '../wire.js';
import { SYSCALLS, syscallByNr } from './table.js';
import type { SyscallDef } from './types.js';

/** One capture, with arguments named as in the syscall table. */
export interface CaptureSpec {
  kind: CaptureKind;
  arg: string;
  /** TL_CAP_BUF_ARGLEN: the argument holding the length. */
  lenArg?: string;
  /** TL_CAP_STRUCT_*: bytes to copy. */
  size?: number;
}

const str = (arg: string): CaptureSpec => ({ kind: TL_CAP_STR, arg });
const bufArgLen = (arg: string, lenArg: string): CaptureSpec => ({
  kind: TL_CAP_BUF_ARGLEN,
  arg,
  lenArg,
});
const bufRetLen = (arg: string): CaptureSpec => ({ kind: TL_CAP_BUF_RETLEN, arg });

/** Captured arguments per syscall name. Paths are read at enter, read buffers at exit. */
export const CAPTURE_SPECS: Readonly<Record<string, readonly CaptureSpec[]>> = {
  open: [str('filename')],
  openat: [str('filename')],
  execve: [str('filename')],
  execveat: [str('filename')],
  stat: [str('filename')],
  lstat: [str('filename')],
  newfstatat: [str('filename')],
  access: [str('filename')],
  faccessat: [str('filename')],
  faccessat2: [str('filename')],
  mkdir: [str('pathname')],
  mkdirat: [str('pathname')],
  unlink: [str('pathname')],
  unlinkat: [str('pathname')],
  chdir: [str('filename')],
  readlink: [str('path')],
  readlinkat: [str('pathname')],
  statfs: [str('pathname')],
  statx: [str('filename')],
  write: [bufArgLen('buf', 'count')],
  pwrite64: [bufArgLen('buf', 'count')],
  read: [bufRetLen('buf')],
  pread64: [bufRetLen('buf')],
};

function argIndex(def: SyscallDef, name: string): number {
  const i = def.args?.findIndex((a) => a.name === name) ?? -1;
  if (i < 0) throw new Error(`capture rule for ${def.name}: it has no argument '${name}'`);
  return i;
}

/** Resolves a syscall's capture specs to argument indices. */
export function resolveCaptures(def: SyscallDef): Capture[] {
  return (CAPTURE_SPECS[def.name] ?? []).map((spec) => {
    const capture: Capture = { kind: spec.kind, arg: argIndex(def, spec.arg) };
    if (spec.lenArg !== undefined) capture.lenArg = argIndex(def, spec.lenArg);
    if (spec.size !== undefined) capture.size = spec.size;
    return capture;
  });
}

/** The rule for one syscall: all its arguments (6 when its signature is unknown). */
export function ruleFor(def: SyscallDef | undefined): Rule {
  if (!def) return { nargs: TL_MAX_ARGS, captures: [] };
  return { nargs: def.args?.length ?? TL_MAX_ARGS, captures: resolveCaptures(def) };
}

/** A rule for every number the BPF map holds, known syscall or not. */
export function buildRuleMap(): Map<number, Rule> {
  const rules = new Map<number, Rule>();
  for (let nr = 0; nr < TL_MAX_SYSCALLS; nr++) rules.set(nr, ruleFor(syscallByNr(nr)));
  return rules;
}

/** The packed struct tl_rule array for RecorderOptions.rules. */
export function buildRules(): Buffer {
  return encodeRules(buildRuleMap());
}

const capturesByNr = new Map<number, readonly Capture[]>(
  SYSCALLS.map((def) => [def.nr, resolveCaptures(def)]),
);

/** The resolved captures of a syscall number (none for unknown numbers). */
export function capturesFor(nr: number): readonly Capture[] {
  return capturesByNr.get(nr) ?? [];
}

/** Captures whose bytes arrive with the exit record: the call fills that memory. */
export function isExitCapture(kind: CaptureKind): boolean {
  return kind === TL_CAP_BUF_RETLEN || kind === TL_CAP_STRUCT_EXIT;
}

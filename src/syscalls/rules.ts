// What the kernel side records for each syscall: how many raw arguments go into the enter
// record and which arguments' memory is captured, from the syscall descriptors
// (src/syscalls/descriptors/). The BPF `rules` map is filled from buildRules(), keyed_rules from
// buildKeyedRules(), and the formatter asks capturesFor() which arguments arrive at exit.
//
// Captures name arguments by their kernel names (from the generated table), so a rule cannot
// silently point at the wrong position; resolving a name that does not exist throws.
import {
  TL_CAP_BUF_ARGLEN_EXIT,
  TL_CAP_BUF_RETLEN,
  TL_CAP_DIRENTS,
  TL_CAP_FDSETS_EXIT,
  TL_CAP_IOV_EXIT,
  TL_CAP_MMSG_EXIT,
  TL_CAP_MSG_EXIT,
  TL_CAP_NEW_FDS,
  TL_CAP_STR,
  TL_CAP_STRUCT_ENTER,
  TL_CAP_STRUCT_EXIT,
  TL_CAP_STRUCT_INOUT,
  TL_ARG_NEW_FDS,
  TL_MAX_ARGS,
  TL_MAX_SYSCALLS,
  encodeKeyedRules,
  encodeRules,
  type Capture,
  type KeyedRule,
  type CaptureKind,
  type Rule,
} from '../wire.js';
import { SYSCALLS, syscallByName, syscallByNr } from './table.js';
import { keyed, NEW_FDS, type CaptureSpec } from './capture-specs.js';
import { descriptorOf } from './descriptors/index.js';
import type { KeyedKind } from './keyed/capture.js';
import { argIndex } from './signatures.js';
import type { SyscallDef } from './types.js';

/** A syscall's capture specs: its descriptor's captures, then its keyed slot if it has one. */
export function captureSpecs(name: string): readonly CaptureSpec[] {
  const d = descriptorOf(name);
  if (!d.keyed) return d.captures ?? [];
  return [...(d.captures ?? []), keyed(d.keyed.selector)];
}

/** Resolves a syscall's capture specs to argument indices. */
export function resolveCaptures(def: SyscallDef): Capture[] {
  return captureSpecs(def.name).map((spec) => {
    const arg = spec.arg === NEW_FDS ? TL_ARG_NEW_FDS : argIndex(def, spec.arg);
    const capture: Capture = { kind: spec.kind, arg };
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
  return (
    kind === TL_CAP_BUF_RETLEN ||
    kind === TL_CAP_STRUCT_EXIT ||
    kind === TL_CAP_BUF_ARGLEN_EXIT ||
    kind === TL_CAP_IOV_EXIT ||
    kind === TL_CAP_MSG_EXIT ||
    kind === TL_CAP_FDSETS_EXIT ||
    kind === TL_CAP_DIRENTS ||
    kind === TL_CAP_MMSG_EXIT ||
    kind === TL_CAP_NEW_FDS
  );
}

/** A keyed capture with its argument resolved to a position (0-based). */
export interface ResolvedKeyedCapture {
  readonly selector: number;
  readonly arg: number;
  readonly kind: KeyedKind;
  readonly size: number;
}

/**
 * The syscalls with keyed captures, in the order keyed_rules has always been encoded in (the
 * kernel side looks entries up by key and does not care; test/syscalls-rules-pin.test.ts
 * pins the bytes). What each captures is its descriptor's `keyed`.
 */
const KEYED_ORDER = ['ioctl', 'prctl', 'fcntl'] as const;

const KEYED_KIND = {
  str: TL_CAP_STR,
  in: TL_CAP_STRUCT_ENTER,
  out: TL_CAP_STRUCT_EXIT,
  inout: TL_CAP_STRUCT_INOUT,
} as const;

/** A syscall's keyed captures with their arguments resolved against its signature. */
export function resolvedKeyedCaptures(name: string): readonly ResolvedKeyedCapture[] {
  const def = syscallByName(name);
  if (!def) throw new Error(`keyed captures for ${name}: no such syscall`);
  const table = descriptorOf(name).keyed?.table ?? [];
  return table.map((k) => ({ ...k, arg: argIndex(def, k.arg) }));
}

/** Every keyed capture as a keyed_rules entry. */
export function keyedRules(): KeyedRule[] {
  const out: KeyedRule[] = [];
  for (const name of KEYED_ORDER) {
    const nr = syscallByName(name)?.nr as number;
    for (const k of resolvedKeyedCaptures(name)) {
      const capture: Capture = { kind: KEYED_KIND[k.kind], arg: k.arg };
      if (k.kind !== 'str') capture.size = k.size;
      out.push({ nr, selector: k.selector, capture });
    }
  }
  return out;
}

/** The packed keyed_rules entries for RecorderOptions.keyedRules. */
export function buildKeyedRules(): Buffer {
  return encodeKeyedRules(keyedRules());
}

const keyedBySelector = new Map<string, ReadonlyMap<number, ResolvedKeyedCapture>>(
  KEYED_ORDER.map((name) => [
    name,
    new Map(resolvedKeyedCaptures(name).map((k) => [k.selector >>> 0, k])),
  ]),
);

/** The keyed capture of a call, given its selector's value, if any. */
export function keyedCaptureFor(name: string, selector: bigint): ResolvedKeyedCapture | undefined {
  return keyedBySelector.get(name)?.get(Number(BigInt.asUintN(32, selector)));
}

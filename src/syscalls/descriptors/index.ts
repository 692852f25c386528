// Every syscall descriptor, from the family files beside this one. Checked when the module
// loads: a syscall is described in one family only, and every argument a descriptor names
// exists in the syscall's signature (a misspelt name throws here, not silently decodes nothing).
import type { Descriptors, SyscallDescriptor } from '../descriptor.js';
import { NEW_FDS } from '../capture-specs.js';
import { syscallByName } from '../table.js';
import { FILES } from './files.js';
import { IO } from './io.js';
import { MEMORY } from './memory.js';
import { NETWORK } from './network.js';
import { POLLING } from './polling.js';
import { PROCESS } from './process.js';
import { SIGNALS } from './signals.js';
import { SYSTEM } from './system.js';
import { TIME } from './time.js';

const FAMILIES: readonly Descriptors[] = [
  FILES,
  IO,
  NETWORK,
  PROCESS,
  SIGNALS,
  MEMORY,
  TIME,
  POLLING,
  SYSTEM,
];

/** Every argument name a descriptor uses, in any of its fields. */
function namedArguments(d: SyscallDescriptor): string[] {
  const detail = d.returnDetail;
  return [
    ...Object.keys(d.args ?? {}),
    ...(d.captures ?? [])
      .flatMap((c) => (c.lenArg === undefined ? [c.arg] : [c.arg, c.lenArg]))
      .filter((a) => a !== NEW_FDS),
    ...(d.keyed ? [d.keyed.selector, ...d.keyed.table.map((k) => k.arg)] : []),
    ...(d.order ?? []),
    ...(detail?.kind === 'poll_revents' ? [detail.fds, detail.nfds] : []),
    ...(detail?.kind === 'select_ready' ? [detail.sets] : []),
    ...(d.pairing?.kind === 'reaps' ? [d.pairing.status] : []),
  ];
}

/** Throws unless `name` is a syscall whose signature has every argument `d` names. */
export function checkDescriptor(name: string, d: SyscallDescriptor): void {
  const def = syscallByName(name);
  if (!def) throw new Error(`descriptor of ${name}: no such syscall`);
  const args = new Set((def.args ?? []).map((a) => a.name));
  for (const arg of namedArguments(d)) {
    if (!args.has(arg)) throw new Error(`descriptor of ${name}: it has no argument '${arg}'`);
  }
}

function merge(families: readonly Descriptors[]): ReadonlyMap<string, SyscallDescriptor> {
  const all = new Map<string, SyscallDescriptor>();
  for (const family of families) {
    for (const [name, descriptor] of Object.entries(family)) {
      if (all.has(name)) throw new Error(`syscall ${name} is described in two families`);
      checkDescriptor(name, descriptor);
      all.set(name, descriptor);
    }
  }
  return all;
}

/** The descriptors by syscall name. */
export const DESCRIPTORS: ReadonlyMap<string, SyscallDescriptor> = merge(FAMILIES);

const NONE: SyscallDescriptor = {};

/** A syscall's descriptor; a syscall with none is decoded from its C types alone. */
export function descriptorOf(name: string): SyscallDescriptor {
  return DESCRIPTORS.get(name) ?? NONE;
}

// Every syscall descriptor, from the family files beside this one. A syscall is described in
// one family only: a name in two families throws here, when the module loads.
import type { Descriptors, SyscallDescriptor } from '../descriptor.js';
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

function merge(families: readonly Descriptors[]): ReadonlyMap<string, SyscallDescriptor> {
  const all = new Map<string, SyscallDescriptor>();
  for (const family of families) {
    for (const [name, descriptor] of Object.entries(family)) {
      if (all.has(name)) throw new Error(`syscall ${name} is described in two families`);
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

// Lookup over the generated syscall table of the architecture we run on. Only x86_64 exists
// today (the BPF side records x86_64 numbers); another arch adds its generated file here.
import { SYSCALLS_X86_64 } from './generated/x86_64.js';
import type { SyscallDef } from './types.js';
import { NR_IA32_BASE } from '../wire.js';

export type { SyscallArg, SyscallDef } from './types.js';

/** Every syscall of the architecture, in number order. */
export const SYSCALLS: readonly SyscallDef[] = SYSCALLS_X86_64;

const byNr = new Map<number, SyscallDef>(SYSCALLS.map((s) => [s.nr, s]));
const byName = new Map<string, SyscallDef>(SYSCALLS.map((s) => [s.name, s]));

export function syscallByNr(nr: number): SyscallDef | undefined {
  return byNr.get(nr);
}

export function syscallByName(name: string): SyscallDef | undefined {
  return byName.get(name);
}

/** The i386 number of a parsed record's call number that is an ia32 call's (wire.ts's
 * NR_IA32_BASE), else undefined. */
export function ia32Number(nr: number): number | undefined {
  return nr >= NR_IA32_BASE ? nr - NR_IA32_BASE : undefined;
}

/**
 * What strace calls a number it does not know: syscall_0x1c4. An ia32 call is named by its i386
 * number, `[ia32] syscall_20`: there is no i386 table here, and a raw number is what is known.
 */
export function unknownSyscallName(nr: number): string {
  const ia32 = ia32Number(nr);
  if (ia32 !== undefined) return `[ia32] syscall_${ia32}`;
  return `syscall_0x${nr.toString(16)}`;
}

/** The name to print for a number, known or not. */
export function syscallName(nr: number): string {
  return byNr.get(nr)?.name ?? unknownSyscallName(nr);
}

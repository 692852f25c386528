// How each argument and return value should be read, beyond what its C type says. The
// generated table gives C types ('int', 'const char *'); a decoder keyed by type name turns a
// raw value into text (src/format/args.ts). Where the C type is not enough — an int that is a
// flag set, an fd that may be AT_FDCWD — this file names a semantic type instead. Adding a
// syscall's decoding is adding rows here (and, for a new type, one decoder).
import type { SyscallDef } from './types.js';

/** Semantic types by argument name, for every syscall: the kernel names these consistently. */
export const ARG_TYPE_BY_NAME: Readonly<Record<string, string>> = {
  fd: 'fd',
  oldfd: 'fd',
  newfd: 'fd',
  epfd: 'fd',
  ufd: 'fd',
  pidfd: 'fd',
  fd_in: 'fd',
  fd_out: 'fd',
  in_fd: 'fd',
  out_fd: 'fd',
  dfd: 'dirfd',
  olddfd: 'dirfd',
  newdfd: 'dirfd',
  from_dfd: 'dirfd',
  to_dfd: 'dirfd',
};

/** Semantic types of particular syscalls' arguments, by syscall name, then argument name. */
export const ARG_TYPE_OVERRIDES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  open: { flags: 'open_flags', mode: 'open_mode' },
  openat: { flags: 'open_flags', mode: 'open_mode' },
  execveat: { fd: 'dirfd' },
  // Addresses the kernel declares as unsigned long.
  mmap: { addr: 'pointer' },
  munmap: { addr: 'pointer' },
  mprotect: { start: 'pointer' },
  mremap: { addr: 'pointer', new_addr: 'pointer' },
  brk: { brk: 'pointer' },
};

/** dec: signed decimal; hex: an address; none: the call never returns (`= ?`). */
export type ReturnKind = 'dec' | 'hex' | 'none';

export const RETURN_KINDS: Readonly<Record<string, ReturnKind>> = {
  exit: 'none',
  exit_group: 'none',
  mmap: 'hex',
  mremap: 'hex',
  brk: 'hex',
  shmat: 'hex',
};

/** 'const int' → 'int': a const scalar decodes as the scalar. Pointers keep their const. */
export function normalizeCType(type: string): string {
  return type.includes('*') ? type : type.replace(/^const\s+/, '');
}

/** The decoder type name of each argument of a syscall with a known signature. */
export function argTypes(def: SyscallDef): string[] {
  const overrides = ARG_TYPE_OVERRIDES[def.name];
  return (def.args ?? []).map(
    (a) => overrides?.[a.name] ?? ARG_TYPE_BY_NAME[a.name] ?? normalizeCType(a.type),
  );
}

export function returnKind(name: string): ReturnKind {
  return RETURN_KINDS[name] ?? 'dec';
}

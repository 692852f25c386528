// How each argument and return value should be read, beyond what its C type says. The
// generated table gives C types ('int', 'const char *'); a decoder keyed by type name turns a
// raw value into text (src/format/args.ts). Where the C type is not enough — an int that is a
// flag set, an fd that may be AT_FDCWD — a semantic type (arg-types.ts) is named instead: by
// argument name for every syscall here, per syscall in its descriptor (descriptors/).
import type { ArgTypes } from './arg-types.js';
import type { ReturnKind } from './descriptor.js';
import { descriptorOf } from './descriptors/index.js';
import type { SyscallDef } from './types.js';

export type { ReturnKind } from './descriptor.js';

/** Semantic types by argument name, for every syscall: the kernel names these consistently. */
export const ARG_TYPE_BY_NAME: ArgTypes = {
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
  fildes: 'fd',
  dfd: 'dirfd',
  olddfd: 'dirfd',
  newdfd: 'dirfd',
  from_dfd: 'dirfd',
  to_dfd: 'dirfd',
  sig: 'signal',
  filename: 'path',
  pathname: 'path',
  path: 'path',
  oldname: 'path',
  newname: 'path',
  new_root: 'path',
  put_old: 'path',
  specialfile: 'path',
  dir_name: 'path',
  dev_name: 'path',
  which_clock: 'clockid',
  clockid: 'clockid',
};

/** 'const int' → 'int': a const scalar decodes as the scalar. Pointers keep their const. */
export function normalizeCType(type: string): string {
  return type.includes('*') ? type : type.replace(/^const\s+/, '');
}

/** The position of a syscall's argument, by its name in the generated table; throws if none. */
export function argIndex(def: SyscallDef, name: string): number {
  const i = def.args?.findIndex((a) => a.name === name) ?? -1;
  if (i < 0) throw new Error(`${def.name} has no argument '${name}'`);
  return i;
}

/** The decoder type name of each argument of a syscall with a known signature. */
export function argTypes(def: SyscallDef): string[] {
  const overrides = descriptorOf(def.name).args;
  return (def.args ?? []).map(
    (a) => overrides?.[a.name] ?? ARG_TYPE_BY_NAME[a.name] ?? normalizeCType(a.type),
  );
}

export function returnKind(name: string): ReturnKind {
  return descriptorOf(name).returns ?? 'dec';
}

/** The positions of a syscall's arguments in the order strace prints them, if not the kernel's. */
export function argOrder(def: SyscallDef): readonly number[] | undefined {
  return descriptorOf(def.name).order?.map((name) => argIndex(def, name));
}

// The shape of one row of a generated syscall table (src/syscalls/generated/<arch>.ts).

/** One SYSCALL_DEFINE parameter, as the kernel's tracefs format file declares it. */
export interface SyscallArg {
  name: string;
  /** The C type, whitespace normalised: 'int', 'const char *', 'struct stat *', 'umode_t'. */
  type: string;
}

export interface SyscallDef {
  nr: number;
  /** The userspace (strace) name: 'fstat', not the kernel's 'newfstat'. */
  name: string;
  /** null: the generating kernel had no tracefs event for it, so the signature is unknown. */
  args: readonly SyscallArg[] | null;
}

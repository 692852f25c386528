// fcntl's commands (include/uapi/asm-generic/fcntl.h, linux/fcntl.h; x86_64 values), in the
// order strace's xlat/fcntlcmds.in lists them. Defined once: the capture table
// (src/syscalls/keyed/fcntl.ts), the decoders (`case FCNTL_CMD.F_SETLK:`) and the name table
// the formatter prints from (src/format/xlat/misc.ts's FCNTL_CMDS) all use these.
export const FCNTL_CMD = {
  F_DUPFD: 0,
  F_GETFD: 1,
  F_SETFD: 2,
  F_GETFL: 3,
  F_SETFL: 4,
  F_GETLK: 5,
  F_SETLK: 6,
  F_SETLKW: 7,
  F_SETOWN: 8,
  F_GETOWN: 9,
  F_SETSIG: 10,
  F_GETSIG: 11,
  F_SETOWN_EX: 15,
  F_GETOWN_EX: 16,
  F_GETOWNER_UIDS: 17,
  F_OFD_GETLK: 36,
  F_OFD_SETLK: 37,
  F_OFD_SETLKW: 38,
  F_SETLEASE: 1024,
  F_GETLEASE: 1025,
  F_NOTIFY: 1026,
  F_DUPFD_QUERY: 1027,
  F_DUPFD_CLOEXEC: 1030,
  F_SETPIPE_SZ: 1031,
  F_GETPIPE_SZ: 1032,
  F_ADD_SEALS: 1033,
  F_GET_SEALS: 1034,
} as const;

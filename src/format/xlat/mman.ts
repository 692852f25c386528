// Memory mapping constants (include/uapi/asm-generic/mman-common.h, x86_64), in strace's
// xlat order: what it prints first comes first.
import { xlat } from '../flags.js';

export const PROT_FLAGS = xlat([
  ['PROT_READ', 0x1],
  ['PROT_WRITE', 0x2],
  ['PROT_EXEC', 0x4],
  ['PROT_SEM', 0x8],
  ['PROT_GROWSDOWN', 0x01000000],
  ['PROT_GROWSUP', 0x02000000],
]);

/** The MAP_TYPE part (low 4 bits) of mmap flags. */
export const MAP_TYPES = xlat([
  ['MAP_FILE', 0],
  ['MAP_SHARED', 0x01],
  ['MAP_PRIVATE', 0x02],
  ['MAP_SHARED_VALIDATE', 0x03],
]);
export const MAP_TYPE_MASK = 0xfn;

export const MAP_FLAGS = xlat([
  ['MAP_FIXED', 0x10],
  ['MAP_ANONYMOUS', 0x20],
  ['MAP_32BIT', 0x40],
  ['MAP_GROWSDOWN', 0x100],
  ['MAP_DENYWRITE', 0x800],
  ['MAP_EXECUTABLE', 0x1000],
  ['MAP_LOCKED', 0x2000],
  ['MAP_NORESERVE', 0x4000],
  ['MAP_POPULATE', 0x8000],
  ['MAP_NONBLOCK', 0x10000],
  ['MAP_STACK', 0x20000],
  ['MAP_HUGETLB', 0x40000],
  ['MAP_SYNC', 0x80000],
  ['MAP_FIXED_NOREPLACE', 0x100000],
  ['MAP_UNINITIALIZED', 0x4000000],
]);

export const MADV_ADVICE = xlat([
  ['MADV_NORMAL', 0],
  ['MADV_RANDOM', 1],
  ['MADV_SEQUENTIAL', 2],
  ['MADV_WILLNEED', 3],
  ['MADV_DONTNEED', 4],
  ['MADV_FREE', 8],
  ['MADV_REMOVE', 9],
  ['MADV_DONTFORK', 10],
  ['MADV_DOFORK', 11],
  ['MADV_MERGEABLE', 12],
  ['MADV_UNMERGEABLE', 13],
  ['MADV_HUGEPAGE', 14],
  ['MADV_NOHUGEPAGE', 15],
  ['MADV_DONTDUMP', 16],
  ['MADV_DODUMP', 17],
  ['MADV_WIPEONFORK', 18],
  ['MADV_KEEPONFORK', 19],
  ['MADV_COLD', 20],
  ['MADV_PAGEOUT', 21],
  ['MADV_POPULATE_READ', 22],
  ['MADV_POPULATE_WRITE', 23],
  ['MADV_DONTNEED_LOCKED', 24],
  ['MADV_COLLAPSE', 25],
  ['MADV_HWPOISON', 100],
  ['MADV_SOFT_OFFLINE', 101],
]);

export const MREMAP_FLAGS = xlat([
  ['MREMAP_MAYMOVE', 1],
  ['MREMAP_FIXED', 2],
  ['MREMAP_DONTUNMAP', 4],
]);

export const MSYNC_FLAGS = xlat([
  ['MS_ASYNC', 1],
  ['MS_INVALIDATE', 2],
  ['MS_SYNC', 4],
]);

export const MLOCKALL_FLAGS = xlat([
  ['MCL_CURRENT', 1],
  ['MCL_FUTURE', 2],
  ['MCL_ONFAULT', 4],
]);

// Memory mappings and their advice (strace %memory).
// One descriptor per syscall (src/syscalls/descriptor.ts says what each field means).
import type { Descriptors } from '../descriptor.js';

export const MEMORY: Descriptors = {
  // Addresses the kernel declares as unsigned long print as addresses.
  mmap: {
    args: { addr: 'address', prot: 'mmap_prot', flags: 'mmap_flags', fd: 'fd', off: 'hex' },
    returns: 'hex',
  },
  munmap: { args: { addr: 'address' } },
  mprotect: { args: { start: 'address', prot: 'mmap_prot' } },
  pkey_mprotect: { args: { start: 'address', prot: 'mmap_prot' } },
  mremap: { args: { addr: 'address', new_addr: 'address', flags: 'mremap_flags' }, returns: 'hex' },
  msync: { args: { start: 'address', flags: 'msync_flags' } },
  madvise: { args: { start: 'address', behavior: 'madvise_advice' } },
  mlock: { args: { start: 'address' } },
  munlock: { args: { start: 'address' } },
  mlockall: { args: { flags: 'mlockall_flags' } },
  mincore: { args: { start: 'address' } },
  brk: { args: { brk: 'address' }, returns: 'hex' },
  shmat: { args: { shmaddr: 'address' }, returns: 'hex' },
  shmdt: { args: { shmaddr: 'address' } },
  membarrier: { args: { cmd: 'membarrier_cmd' } },
};

// I/O on descriptors: reads and writes, offsets, pipes, and the per-fd controls (strace %desc).
// One descriptor per syscall (src/syscalls/descriptor.ts says what each field means).
import { bufArgLen, bufRetLen, iov, iovOut, newFdPair, outStruct } from '../capture-specs.js';
import type { ArgTypes } from '../arg-types.js';
import type { Descriptors, SyscallDescriptor } from '../descriptor.js';
import { IOCTL_CAPTURES } from '../keyed/ioctl.js';
import { FCNTL_CAPTURES } from '../keyed/fcntl.js';

/** readv's iovecs, filled by the call (captured at exit); writev's, read at enter. */
const READ_VECTOR: SyscallDescriptor = {
  args: { vec: 'iovec_out' },
  captures: [iovOut('vec', 'vlen')],
};
const WRITE_VECTOR: SyscallDescriptor = {
  args: { vec: 'iovec_in' },
  captures: [iov('vec', 'vlen')],
};

/**
 * preadv/pwritev (and their v2): readv/writev with an offset the kernel takes split in two
 * registers, which strace shows once, as one number.
 */
function positioned(vector: SyscallDescriptor, more: ArgTypes = {}): SyscallDescriptor {
  return { ...vector, args: { ...vector.args, pos_l: 'loff_t', pos_h: 'omitted', ...more } };
}

export const IO: Descriptors = {
  read: { args: { buf: 'buf_out' }, captures: [bufRetLen('buf')] },
  write: { captures: [bufArgLen('buf', 'count')] },
  pread64: { args: { buf: 'buf_out' }, captures: [bufRetLen('buf')] },
  pwrite64: { captures: [bufArgLen('buf', 'count')] },
  readv: READ_VECTOR,
  writev: WRITE_VECTOR,
  preadv: positioned(READ_VECTOR),
  preadv2: positioned(READ_VECTOR, { flags: 'rwf_flags' }),
  pwritev: positioned(WRITE_VECTOR),
  pwritev2: positioned(WRITE_VECTOR, { flags: 'rwf_flags' }),
  lseek: { args: { whence: 'seek_whence' } },
  fadvise64: { args: { advice: 'fadvise_advice' } },
  fallocate: { args: { mode: 'falloc_flags' } },
  fcntl: {
    args: { cmd: 'fcntl_cmd', arg: 'fcntl_arg' },
    keyed: { selector: 'cmd', table: FCNTL_CAPTURES },
    returns: 'fcntl',
  },
  flock: { args: { cmd: 'flock_op' } },
  ioctl: {
    args: { cmd: 'ioctl_request', arg: 'ioctl_arg' },
    keyed: { selector: 'cmd', table: IOCTL_CAPTURES },
  },
  dup3: { args: { flags: 'fd_flags' } },
  pipe: { args: { fildes: 'pipe_fds' }, captures: [outStruct('fildes', 8), newFdPair('fildes')] },
  pipe2: {
    args: { fildes: 'pipe_fds', flags: 'fd_flags' },
    captures: [outStruct('fildes', 8), newFdPair('fildes')],
  },
  getrandom: { args: { ubuf: 'random_bytes', flags: 'grnd_flags' }, captures: [bufRetLen('ubuf')] },
};

// Files: paths, metadata, directories, links, extended attributes (strace %file).
// One descriptor per syscall (src/syscalls/descriptor.ts says what each field means).
import type { ArgTypes } from '../arg-types.js';
import {
  str,
  bufArgLen,
  bufRetLen,
  direntCount,
  inStruct,
  outStruct,
  STAT,
  STATX,
  STATFS,
  TIMESPEC,
  path1,
  twoPaths,
} from '../capture-specs.js';
import type { Descriptors } from '../descriptor.js';

const PATH_STAT: ArgTypes = { statbuf: 'stat' };
const XATTR_SET: ArgTypes = { value: 'pointer', flags: 'xattr_flags' };

export const FILES: Descriptors = {
  open: { args: { flags: 'open_flags', mode: 'open_mode' }, captures: path1('filename') },
  openat: { args: { flags: 'open_flags', mode: 'open_mode' }, captures: path1('filename') },
  creat: { args: { mode: 'umode_t' }, captures: path1('pathname') },
  stat: { args: PATH_STAT, captures: [str('filename'), outStruct('statbuf', STAT)] },
  lstat: { args: PATH_STAT, captures: [str('filename'), outStruct('statbuf', STAT)] },
  fstat: { args: PATH_STAT, captures: [outStruct('statbuf', STAT)] },
  newfstatat: {
    args: { ...PATH_STAT, flag: 'at_flags' },
    captures: [str('filename'), outStruct('statbuf', STAT)],
  },
  statx: {
    args: { flags: 'statx_flags', mask: 'statx_mask', buffer: 'statx' },
    captures: [str('filename'), outStruct('buffer', STATX)],
  },
  statfs: { args: { buf: 'statfs' }, captures: [str('pathname'), outStruct('buf', STATFS)] },
  fstatfs: { args: { buf: 'statfs' }, captures: [outStruct('buf', STATFS)] },
  access: { args: { mode: 'access_mode' }, captures: path1('filename') },
  faccessat: { args: { mode: 'access_mode' }, captures: path1('filename') },
  faccessat2: {
    args: { mode: 'access_mode', flags: 'faccessat_flags' },
    captures: path1('filename'),
  },
  mkdir: { captures: path1('pathname') },
  mkdirat: { captures: path1('pathname') },
  rmdir: { captures: path1('pathname') },
  unlink: { captures: path1('pathname') },
  unlinkat: { args: { flag: 'at_flags' }, captures: path1('pathname') },
  rename: { captures: twoPaths('oldname', 'newname') },
  renameat: { captures: twoPaths('oldname', 'newname') },
  renameat2: { args: { flags: 'rename_flags' }, captures: twoPaths('oldname', 'newname') },
  link: { captures: twoPaths('oldname', 'newname') },
  linkat: { args: { flags: 'at_flags' }, captures: twoPaths('oldname', 'newname') },
  symlink: { captures: twoPaths('oldname', 'newname') },
  symlinkat: { captures: twoPaths('oldname', 'newname') },
  chdir: { captures: path1('filename') },
  chroot: { captures: path1('filename') },
  readlink: { args: { buf: 'buf_out' }, captures: [str('path'), bufRetLen('buf')] },
  readlinkat: { args: { buf: 'buf_out' }, captures: [str('pathname'), bufRetLen('buf')] },
  getcwd: { args: { buf: 'cstring_out' }, captures: [bufRetLen('buf')] },
  chmod: { captures: path1('filename') },
  fchmodat: { captures: path1('filename') },
  chown: { captures: path1('filename') },
  lchown: { captures: path1('filename') },
  fchownat: { args: { flag: 'at_flags' }, captures: path1('filename') },
  truncate: { captures: path1('path') },
  utimensat: {
    args: { flags: 'at_flags' },
    captures: [str('filename'), inStruct('utimes', 2 * TIMESPEC)],
  },
  mknod: { captures: path1('filename') },
  mknodat: { captures: path1('filename') },
  umask: { args: { mask: 'umask_mode' }, returns: 'octal' },
  inotify_add_watch: { captures: path1('pathname') },
  memfd_create: { args: { flags: 'memfd_flags' }, captures: path1('uname') },
  getdents: { args: { dirent: 'dirents' }, captures: [direntCount('dirent')] },
  getdents64: { args: { dirent: 'dirents' }, captures: [direntCount('dirent')] },
  // extended attributes
  setxattr: {
    args: XATTR_SET,
    captures: [str('pathname'), str('name'), bufArgLen('value', 'size')],
  },
  lsetxattr: {
    args: XATTR_SET,
    captures: [str('pathname'), str('name'), bufArgLen('value', 'size')],
  },
  fsetxattr: { args: XATTR_SET, captures: [str('name'), bufArgLen('value', 'size')] },
  getxattr: {
    args: { value: 'buf_out' },
    captures: [str('pathname'), str('name'), bufRetLen('value')],
  },
  lgetxattr: {
    args: { value: 'buf_out' },
    captures: [str('pathname'), str('name'), bufRetLen('value')],
  },
  fgetxattr: { args: { value: 'buf_out' }, captures: [str('name'), bufRetLen('value')] },
  listxattr: { captures: [str('pathname'), bufRetLen('list')] },
  llistxattr: { captures: [str('pathname'), bufRetLen('list')] },
  flistxattr: { captures: [bufRetLen('list')] },
  removexattr: { captures: twoPaths('pathname', 'name') },
  lremovexattr: { captures: twoPaths('pathname', 'name') },
  fremovexattr: { captures: path1('name') },
};

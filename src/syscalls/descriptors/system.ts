// The system as a whole: names, information, mounts, swap, accounting.
// One descriptor per syscall (src/syscalls/descriptor.ts says what each field means).
import { str, bufArgLen, outStruct, UTSNAME, SYSINFO, path1, twoPaths } from '../capture-specs.js';
import type { Descriptors } from '../descriptor.js';

export const SYSTEM: Descriptors = {
  uname: { captures: [outStruct('name', UTSNAME)] },
  sysinfo: { args: { info: 'sysinfo' }, captures: [outStruct('info', SYSINFO)] },
  sethostname: { captures: [bufArgLen('name', 'len')] },
  setdomainname: { captures: [bufArgLen('name', 'len')] },
  mount: {
    args: { flags: 'mount_flags', data: 'pointer' },
    captures: [str('dev_name'), str('dir_name'), str('type')],
  },
  umount2: { args: { flags: 'umount_flags' }, captures: path1('name') },
  pivot_root: { captures: twoPaths('new_root', 'put_old') },
  swapon: { captures: path1('specialfile') },
  swapoff: { captures: path1('specialfile') },
  acct: { captures: path1('name') },
};

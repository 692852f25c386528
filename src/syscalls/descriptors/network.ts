// Sockets (strace %network).
// One descriptor per syscall (src/syscalls/descriptor.ts says what each field means).
import type { ArgTypes } from '../arg-types.js';
import {
  bufArgLen,
  bufRetLen,
  msg,
  msgOut,
  mmsgOut,
  inStruct,
  inOutStruct,
  newFd,
  newFdPair,
  outStruct,
  TIMESPEC,
  SOCKADDR,
  SOCKLEN,
  MSGHDR_HEAD,
} from '../capture-specs.js';
import type { CaptureSpec } from '../capture-specs.js';
import type { Descriptors } from '../descriptor.js';

const ACCEPT_OUT: ArgTypes = { upeer_sockaddr: 'sockaddr_out', upeer_addrlen: 'socklen_ptr' };
const NAME_OUT: ArgTypes = { usockaddr: 'sockaddr_out', usockaddr_len: 'socklen_ptr' };
// addrlen in and out in one slot (the same params as two would give), for the new fd's.
const sockOut: CaptureSpec[] = [
  outStruct('upeer_sockaddr', SOCKADDR),
  inOutStruct('upeer_addrlen', SOCKLEN),
  newFd(),
];
const nameOut: CaptureSpec[] = [
  outStruct('usockaddr', SOCKADDR),
  inStruct('usockaddr_len', SOCKLEN),
  outStruct('usockaddr_len', SOCKLEN),
];

export const NETWORK: Descriptors = {
  socket: {
    args: { family: 'socket_family', type: 'socket_type', protocol: 'socket_protocol' },
    captures: [newFd()],
  },
  socketpair: {
    args: {
      family: 'socket_family',
      type: 'socket_type',
      protocol: 'socket_protocol',
      usockvec: 'pipe_fds',
    },
    captures: [outStruct('usockvec', 8), newFdPair('usockvec')],
  },
  connect: { args: { uservaddr: 'sockaddr_in' }, captures: [bufArgLen('uservaddr', 'addrlen')] },
  bind: { args: { umyaddr: 'sockaddr_in' }, captures: [bufArgLen('umyaddr', 'addrlen')] },
  accept: { args: ACCEPT_OUT, captures: sockOut },
  accept4: { args: { ...ACCEPT_OUT, flags: 'sock_flags' }, captures: sockOut },
  getsockname: { args: NAME_OUT, captures: nameOut },
  getpeername: { args: NAME_OUT, captures: nameOut },
  sendto: {
    args: { buff: 'pointer', flags: 'msg_flags', addr: 'sockaddr_in' },
    captures: [bufArgLen('buff', 'len'), bufArgLen('addr', 'addr_len')],
  },
  recvfrom: {
    args: { ubuf: 'buf_out', flags: 'msg_flags', addr: 'sockaddr_out', addr_len: 'socklen_ptr' },
    captures: [bufRetLen('ubuf'), outStruct('addr', SOCKADDR), outStruct('addr_len', SOCKLEN)],
  },
  sendmsg: { args: { msg: 'msghdr_in', flags: 'msg_flags' }, captures: [msg('msg')] },
  // At enter too, the head alone of recvmsg's msghdr: msg_namelen before the call (strace's
  // `128 => 16`).
  recvmsg: {
    args: { msg: 'msghdr_out', flags: 'msg_flags' },
    captures: [msgOut('msg'), inStruct('msg', MSGHDR_HEAD)],
  },
  sendmmsg: { args: { mmsg: 'mmsg_vec', flags: 'msg_flags' }, captures: [mmsgOut('mmsg')] },
  recvmmsg: {
    args: { mmsg: 'mmsg_vec', flags: 'msg_flags' },
    captures: [mmsgOut('mmsg'), inStruct('timeout', TIMESPEC)],
  },
  shutdown: { args: { how: 'shutdown_how' } },
  setsockopt: {
    args: { level: 'sockopt_level', optname: 'sockopt_name', optval: 'sockopt_in' },
    captures: [bufArgLen('optval', 'optlen')],
  },
  // Most options are ints; a larger value shows its first four bytes' worth (the length says).
  getsockopt: {
    args: {
      level: 'sockopt_level',
      optname: 'sockopt_name',
      optval: 'sockopt_out',
      optlen: 'socklen_ptr',
    },
    captures: [outStruct('optval', 4), inStruct('optlen', SOCKLEN), outStruct('optlen', SOCKLEN)],
  },
};

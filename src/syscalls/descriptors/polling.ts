// Waiting on descriptors, and descriptors that are events: poll, select, epoll, eventfd,
// signalfd, inotify.
// One descriptor per syscall (src/syscalls/descriptor.ts says what each field means).
import {
  bufArgLen,
  bufRetLen,
  bufArgLenExit,
  fdSets,
  inStruct,
  TIMESPEC,
  SIGSET,
  POLLFD,
  EPOLL_EVENT,
  PSELECT_SIG,
} from '../capture-specs.js';
import type { Descriptors } from '../descriptor.js';

export const POLLING: Descriptors = {
  poll: {
    args: { ufds: 'poll_fds' },
    captures: [bufArgLen('ufds', 'nfds', POLLFD), bufArgLenExit('ufds', 'nfds', POLLFD)],
    returnDetail: { kind: 'poll_revents', fds: 'ufds', nfds: 'nfds' },
  },
  ppoll: {
    args: { ufds: 'poll_fds' },
    captures: [
      bufArgLen('ufds', 'nfds', POLLFD),
      bufArgLenExit('ufds', 'nfds', POLLFD),
      inStruct('tsp', TIMESPEC),
    ],
    returnDetail: { kind: 'poll_revents', fds: 'ufds', nfds: 'nfds' },
  },
  select: {
    args: { inp: 'fd_set', outp: 'fd_set', exp: 'fd_set', tvp: 'select_timeval' },
    captures: fdSets('inp', 'n'),
    returnDetail: { kind: 'select_ready', sets: 'inp', timeout: 'timeval' },
  },
  pselect6: {
    args: {
      inp: 'fd_set',
      outp: 'fd_set',
      exp: 'fd_set',
      tsp: 'select_timespec',
      sig: 'pselect_sig',
    },
    captures: [...fdSets('inp', 'n'), inStruct('sig', PSELECT_SIG)],
    returnDetail: { kind: 'select_ready', sets: 'inp', timeout: 'timespec' },
  },
  epoll_create1: { args: { flags: 'epoll_create_flags' } },
  epoll_ctl: {
    args: { op: 'epoll_op', event: 'epoll_event' },
    captures: [inStruct('event', EPOLL_EVENT)],
  },
  epoll_wait: { args: { events: 'epoll_events' }, captures: [bufRetLen('events', EPOLL_EVENT)] },
  epoll_pwait: {
    args: { events: 'epoll_events' },
    captures: [bufRetLen('events', EPOLL_EVENT), inStruct('sigmask', SIGSET)],
  },
  eventfd2: { args: { flags: 'eventfd_flags' } },
  signalfd4: { args: { flags: 'signalfd_flags' } },
  inotify_init1: { args: { flags: 'inotify_flags' } },
};

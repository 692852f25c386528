// Clocks, sleeps and timers (strace %clock and kin).
// One descriptor per syscall (src/syscalls/descriptor.ts says what each field means).
import { inStruct, outStruct, TIMESPEC, ITIMERSPEC } from '../capture-specs.js';
import type { Descriptors } from '../descriptor.js';

export const TIME: Descriptors = {
  nanosleep: { captures: [inStruct('rqtp', TIMESPEC)] },
  clock_nanosleep: { args: { flags: 'timer_flags' }, captures: [inStruct('rqtp', TIMESPEC)] },
  clock_gettime: { captures: [outStruct('tp', TIMESPEC)] },
  clock_getres: { captures: [outStruct('tp', TIMESPEC)] },
  clock_settime: { captures: [inStruct('tp', TIMESPEC)] },
  timerfd_create: { args: { flags: 'timerfd_flags' } },
  timerfd_settime: {
    args: { flags: 'timerfd_flags' },
    captures: [inStruct('utmr', ITIMERSPEC), outStruct('otmr', ITIMERSPEC)],
  },
  timerfd_gettime: { captures: [outStruct('otmr', ITIMERSPEC)] },
  getitimer: { args: { which: 'itimer_which' } },
  setitimer: { args: { which: 'itimer_which' } },
};

// The usual harmless failures: what errors-only mode is full of on any machine, and what `n`
// hides. A program's dynamic loader and locale lookups try paths that are not there (ENOENT),
// libc asks whether stdout is a terminal (ENOTTY), a shell reaps children it does not have
// (ECHILD), non-blocking reads and accepts find nothing yet (EAGAIN), a non-blocking connect
// has begun (EINPROGRESS). Each is a pair (errno, calls) so that an ENOENT from connect (a
// missing unix socket) or an EAGAIN from write (a full pipe) still shows.
import { syscallByName } from '../syscalls/table.js';
import { ERRNOS } from '../format/xlat/errno.js';

export const NOISE: ReadonlyArray<{ errno: string; calls: readonly string[] }> = [
  {
    errno: 'ENOENT',
    calls: [
      'open',
      'openat',
      'access',
      'faccessat',
      'faccessat2',
      'stat',
      'lstat',
      'newfstatat',
      'statx',
      'readlink',
      'readlinkat',
    ],
  },
  { errno: 'ENOTTY', calls: ['ioctl'] },
  { errno: 'ECHILD', calls: ['wait4', 'waitid'] },
  { errno: 'EAGAIN', calls: ['read', 'readv', 'recvfrom', 'recvmsg', 'accept', 'accept4'] },
  { errno: 'EINPROGRESS', calls: ['connect'] },
];

const byName = new Map([...ERRNOS].map(([n, info]) => [info.name, n]));
/** `${nr}:${errno}` of every noisy pair. */
const NOISY = new Set(
  NOISE.flatMap(({ errno, calls }) =>
    calls.flatMap((c) => {
      const nr = syscallByName(c)?.nr;
      const e = byName.get(errno);
      return nr === undefined || e === undefined ? [] : [`${nr}:${e}`];
    }),
  ),
);

/** Whether syscall `nr` failing with `errno` is one of the usual harmless failures. */
export function isNoise(nr: number, errno: number | undefined): boolean {
  return errno !== undefined && NOISY.has(`${nr}:${errno}`);
}

/** The help's words: `ENOENT: open openat ...; ENOTTY: ioctl; ...`. */
export function noiseText(): string {
  return NOISE.map(({ errno, calls }) => `${errno}: ${calls.join(' ')}`).join('; ');
}

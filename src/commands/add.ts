// `traceloop add PATH [--name NAME]`: registers a cgroup with the daemon.
import { UserError } from '../cgroup.js';
import { ask, query } from '../client/request.js';
import { DEFAULT_SOCKET } from '../server/socket.js';

export interface ClientOptions {
  socket?: string;
}

export async function addCommand(
  args: string[],
  opts: ClientOptions & { name?: string },
): Promise<number> {
  const [cgroupPath, more] = args;
  if (!cgroupPath || more !== undefined) {
    throw new UserError('traceloop add: give one cgroup2 directory (and --name NAME if you like)');
  }
  // The daemon wants an absolute path; a relative one means the caller's directory.
  const abs = cgroupPath.startsWith('/') ? cgroupPath : `${process.cwd()}/${cgroupPath}`;
  const a = await ask(
    opts.socket ?? DEFAULT_SOCKET,
    '/add' + query({ cgrouppath: abs, name: opts.name }),
  );
  process.stdout.write(a.body.toString('utf8'));
  return 0;
}

/** `17` is an id, `/sys/fs/cgroup/...` a cgroup path, anything else a name. */
export function target(t: string | undefined, what: string): Record<string, string> {
  if (!t)
    throw new UserError(
      `traceloop ${what}: give an id, a name${what === 'dump' ? ' or a cgroup path' : ''}`,
    );
  if (/^\d+$/.test(t)) return { id: t };
  if (t.startsWith('/')) return { cgroup: t };
  return { name: t };
}

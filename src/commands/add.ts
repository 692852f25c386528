// `traceloop add PATH|PID|UNIT [--name NAME]`: registers a cgroup with the
// daemon. The target is resolved here with the UI's rules (src/targets.ts),
// so `add 8703` and `add ssh.service` work as the UI's `a` does; the daemon
// then checks the directory again and names it (unique) unless --name.
import { UserError } from '../cgroup.js';
import { query } from '../client/request.js';
import { resolveTarget } from '../targets.js';
import { askDaemon, type ClientOptions } from './client.js';

export async function addCommand(
  args: string[],
  opts: ClientOptions & { name?: string },
): Promise<number> {
  const [what, more] = args;
  if (!what || more !== undefined) {
    throw new UserError(
      'traceloop add: give one cgroup2 directory, pid or systemd unit (and --name NAME if you like)',
    );
  }
  const { path } = resolveTarget(what);
  const a = await askDaemon(opts, '/add' + query({ cgrouppath: path, name: opts.name }));
  process.stdout.write(a.body.toString('utf8'));
  return 0;
}

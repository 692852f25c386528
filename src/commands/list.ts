// `traceloop list`: the daemon's cgroups, `N: [name] path` as the original
// printed them; when there are none, a line on stderr says so (stdout stays
// empty for scripts).
import { DEFAULT_SOCKET } from '../server/socket.js';
import { askDaemon, type ClientOptions } from './client.js';

export async function listCommand(opts: ClientOptions): Promise<number> {
  const a = await askDaemon(opts, '/list');
  const text = a.body.toString('utf8');
  if (text.trim() === '') {
    process.stderr.write(
      `traceloop: the daemon on ${opts.socket ?? DEFAULT_SOCKET} records no cgroup: ` +
        "add one with 'traceloop add PATH|PID|UNIT'\n",
    );
    return 0;
  }
  process.stdout.write(text);
  return 0;
}

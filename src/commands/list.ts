// `traceloop list`: the daemon's cgroups, `N: [name] path` as the original printed them.
import { ask } from '../client/request.js';
import { DEFAULT_SOCKET } from '../server/socket.js';
import type { ClientOptions } from './add.js';

export async function listCommand(opts: ClientOptions): Promise<number> {
  const a = await ask(opts.socket ?? DEFAULT_SOCKET, '/list');
  process.stdout.write(a.body.toString('utf8'));
  return 0;
}

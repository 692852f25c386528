// What the daemon's client subcommands (add, list, dump, close) share: how
// a cgroup is named on their command line, and the daemon's answers put in
// the CLI's words. The daemon speaks to any HTTP client and points at its
// /list endpoint; someone at a shell wants the command that lists.
import { UserError } from '../cgroup.js';
import { ask, type Answer } from '../client/request.js';
import { DEFAULT_SOCKET } from '../server/socket.js';

export interface ClientOptions {
  socket?: string;
}

/** `(see /list)` and `(try /list)` in a daemon's message, as the CLI says it. */
export function inCliWords(message: string): string {
  return message.replace(/\((?:see|try) \/list\)/g, "(see 'traceloop list')");
}

/** One request to the daemon; its refusals come back in the CLI's words. */
export async function askDaemon(opts: ClientOptions, target: string): Promise<Answer> {
  try {
    return await ask(opts.socket ?? DEFAULT_SOCKET, target);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(inCliWords(err.message));
    throw err;
  }
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

// `traceloop close ID|NAME`: stops recording a cgroup (or forgets its kept record).
import { UserError } from '../cgroup.js';
import { query } from '../client/request.js';
import { askDaemon, target, type ClientOptions } from './client.js';

export async function closeCommand(args: string[], opts: ClientOptions): Promise<number> {
  if (args.length !== 1) throw new UserError('traceloop close: give one id or name');
  const t = target(args[0], 'close');
  if (t.cgroup) throw new UserError("traceloop close: give an id or a name (see 'traceloop list')");
  const endpoint = t.id !== undefined ? '/close' : '/close-by-name';
  const a = await askDaemon(opts, endpoint + query(t));
  process.stdout.write(a.body.toString('utf8'));
  return 0;
}

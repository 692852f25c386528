// `traceloop dump ID|NAME|CGROUP [--format jsonl] [-o FILE]`: a daemon's
// flight record of one cgroup, to stdout or (atomically) to FILE.
import { UserError } from '../cgroup.js';
import { query } from '../client/request.js';
import { queryError } from '../filter/query.js';
import { writeFileAtomic, writeInterruptible } from '../output.js';
import { askDaemon, target, type ClientOptions } from './client.js';

export interface DumpOptions extends ClientOptions {
  format?: string;
  output?: string;
  /** Only the lines this filter keeps (the UI's `/` language). */
  filter?: string;
  /** strace -c of the record instead of its lines. */
  summary?: boolean;
}

export async function dumpCommand(args: string[], opts: DumpOptions): Promise<number> {
  if (args.length !== 1) throw new UserError('traceloop dump: give one id, name or cgroup path');
  const format = opts.format ?? 'text';
  if (format !== 'text' && format !== 'jsonl') {
    throw new UserError(`--format must be text or jsonl, got '${format}'`);
  }
  if (opts.filter !== undefined) {
    const why = queryError(opts.filter);
    if (why) throw new UserError(`--filter: ${why}`);
  }
  const t = target(args[0], 'dump');
  const endpoint =
    t.id !== undefined ? '/dump' : t.cgroup !== undefined ? '/dump-by-cgroup' : '/dump-by-name';
  const view = {
    ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
    ...(opts.summary ? { summary: '1' } : {}),
  };
  const a = await askDaemon(opts, endpoint + query({ ...t, format, ...view }));
  const text = a.body.toString('utf8');
  if (opts.output) {
    writeFileAtomic(opts.output, text);
    process.stderr.write(`traceloop: dump written to ${opts.output}\n`);
  } else {
    await writeInterruptible(1, text);
  }
  return 0;
}

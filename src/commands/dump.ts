// `traceloop dump ID|NAME|CGROUP [--format jsonl] [-o FILE]`: a daemon's
// flight record of one cgroup, to stdout or (atomically) to FILE; with
// --save FILE, as a capture file (docs/capture-format.md) instead.
import { readCapture } from '../capture/reader.js';
import { UserError } from '../cgroup.js';
import { query } from '../client/request.js';
import { queryError } from '../filter/query.js';
import { AtomicFile, writeFileAtomic, writeInterruptible } from '../output.js';
import { askDaemon, target, type ClientOptions } from './client.js';

export interface DumpOptions extends ClientOptions {
  format?: string;
  output?: string;
  /** Only the lines this filter keeps (the UI's `/` language). */
  filter?: string;
  /** strace -c of the record instead of its lines. */
  summary?: boolean;
  /** strace -y's names (the default), from the record alone; false: fds bare. */
  decodeFds?: boolean;
  /** -yy: refused, with why (a flight record is the past). */
  decodeSockets?: boolean;
  /** Save the record as a capture file here instead of printing it. */
  save?: string;
}

export async function dumpCommand(args: string[], opts: DumpOptions): Promise<number> {
  if (args.length !== 1) throw new UserError('traceloop dump: give one id, name or cgroup path');
  const format = opts.format ?? 'text';
  if (opts.save !== undefined) return saveCapture(opts, target(args[0], 'dump'), opts.save);
  if (format !== 'text' && format !== 'jsonl') {
    throw new UserError(`--format must be text or jsonl, got '${format}'`);
  }
  if (opts.decodeSockets) {
    throw new UserError(
      "-yy: a socket's address is known only while it is open, and a dump is the past: it names fds as -y does; for addresses, record live (traceloop cgroups -yy, run -yy, /stream?fds=yy)",
    );
  }
  if (opts.filter !== undefined) {
    const why = queryError(opts.filter);
    if (why) throw new UserError(`--filter: ${why}`);
  }
  const t = target(args[0], 'dump');
  const endpoint = endpointOf(t);
  const view = {
    ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
    ...(opts.summary ? { summary: '1' } : {}),
    // -yy is -y here: addresses are known only while the calls happen (/stream?fds=yy).
    ...(opts.decodeFds === false ? { fds: '0' } : {}),
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

/** The daemon's capture of the cgroup (format=capture), checked, then written whole. */
async function saveCapture(
  opts: DumpOptions,
  t: Record<string, string>,
  file: string,
): Promise<number> {
  const other = [
    opts.format !== undefined && '--format',
    opts.output !== undefined && '-o',
    opts.filter !== undefined && '--filter',
    opts.summary && '-c',
  ].find((f) => f);
  if (other) {
    throw new UserError(
      `--save writes the whole record as a capture, ${other} is for the text: give it to traceloop view FILE`,
    );
  }
  const out = AtomicFile.open(file);
  try {
    const answer = await askDaemon(opts, endpointOf(t) + query({ ...t, format: 'capture' }));
    let damage: string | undefined;
    try {
      damage = readCapture(answer.body).damage;
    } catch (err) {
      damage = (err as Error).message;
    }
    if (damage !== undefined) {
      throw new UserError(`the daemon's answer is not a whole capture (${damage}): nothing saved`);
    }
    out.write(answer.body);
    out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
  process.stderr.write(`traceloop: capture saved to ${file} (traceloop view ${file})\n`);
  return 0;
}

function endpointOf(t: Record<string, string>): string {
  return t.id !== undefined
    ? '/dump'
    : t.cgroup !== undefined
      ? '/dump-by-cgroup'
      : '/dump-by-name';
}

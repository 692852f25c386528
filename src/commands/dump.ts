// `traceloop dump ID|NAME|CGROUP [--format jsonl] [-o FILE]`: a daemon's
// flight record of one cgroup, to stdout or (atomically) to FILE; with
// --save FILE, as a capture file (docs/capture-format.md) instead.
import { dumpCapture, splitRawDump } from '../capture/from-dump.js';
import { CaptureWriter } from '../capture/writer.js';
import { UserError } from '../cgroup.js';
import { query } from '../client/request.js';
import { sampleClocks } from '../clock.js';
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

/** The daemon's raw dump and its stats of the cgroup, written as a capture file. */
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
  const writer = CaptureWriter.open(file);
  try {
    const raw = await askDaemon(opts, endpointOf(t) + query({ ...t, format: 'raw' }));
    // The daemon reads the same CLOCK_MONOTONIC (one machine, one socket): this sample maps
    // its records' times to the wall clock as its own text dump would.
    const clock = sampleClocks();
    const { head } = splitRawDump(raw.body);
    const stats = await askDaemon(opts, '/stats' + query({ id: head.id, format: 'json' }));
    const c = dumpCapture(raw.body, stats.body.toString('utf8'), clock);
    writer.start(c.facts);
    writer.records(c.records);
    writer.finish({ cpus: c.cpus });
  } catch (err) {
    writer.abort();
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

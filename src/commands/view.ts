// `traceloop view FILE [-c] [--filter EXPR]`: a capture file (run --save, dump --save) opened
// later, anywhere: no root, no BPF, no daemon (the native addon is never loaded). On a
// terminal, the UI over the file, read-only; otherwise (or with -c or --filter) the text the
// recording printed, after one line saying what the file is. A file cut short or damaged shows
// what could be read, then says on stderr where it stops, and exits 1.
import fs from 'node:fs';
import { UserError } from '../cgroup.js';
import { readCapture, type Capture } from '../capture/reader.js';
import { CaptureRecorder } from '../capture/capture-api.js';
import { captureClock, replayText } from '../capture/replay.js';
import { queryError } from '../filter/query.js';
import { writeAllSync } from '../output.js';
import { haveTerminal } from '../ui/terminal.js';

export interface ViewOptions {
  summary?: boolean;
  /** Only the lines this filter keeps, besides the recording's own filter. */
  filter?: string;
}

export async function viewCommand(args: string[], opts: ViewOptions): Promise<number> {
  if (args.length !== 1) throw new UserError('traceloop view: give one capture file');
  const file = args[0]!;
  if (opts.summary && opts.filter !== undefined) {
    throw new UserError('traceloop view: -c counts every call: give -c or --filter, not both');
  }
  if (opts.filter !== undefined) {
    const why = queryError(opts.filter);
    if (why) throw new UserError(`--filter: ${why}`);
  }
  const capture = readCaptureFile(file);
  if (haveTerminal() && !opts.summary && opts.filter === undefined) {
    await viewInUi(file, capture);
    return said(file, capture, undefined);
  }
  writeAllSync(1, aboutLine(file, capture) + '\n');
  const failure = replayText(capture, (lines) => writeAllSync(1, lines.join('\n') + '\n'), opts);
  return said(file, capture, failure);
}

/** Exit status 0, or 1 with a line saying where the file stops. */
function said(file: string, capture: Capture, failure: string | undefined): number {
  const damage = failure ?? capture.damage;
  if (damage === undefined) return 0;
  process.stderr.write(`traceloop: ${file}: ${damage}; ${howMuch(capture)}\n`);
  return 1;
}

/** The terminal UI over the file: its one cgroup, its records streamed once, read-only. */
async function viewInUi(file: string, capture: Capture): Promise<void> {
  // As tuiCommand: Ink prints only its last frame when it believes it runs in CI.
  delete process.env['CI'];
  delete process.env['CONTINUOUS_INTEGRATION'];
  const { runTui } = await import('../ui/run.js');
  const { Session } = await import('../ui/session.js');
  const { colourWanted } = await import('../ui/theme.js');
  const session = new Session(new CaptureRecorder(capture, file), {
    maxString: capture.header.settings.maxString,
    clock: captureClock(capture),
    ...(capture.header.trigger ? { trigger: capture.header.trigger } : {}),
  });
  await session.start();
  // runTui closes the session.
  await runTui(session, { colour: colourWanted(), select: capture.header.cgroup.path });
}

/** Reads FILE whole and checks it; a file that is no capture fails in one line. */
export function readCaptureFile(file: string): Capture {
  let bytes: Buffer;
  try {
    // A regular file only: a FIFO would hang the read, /dev/zero fill the memory.
    const st = fs.statSync(file);
    if (!st.isFile()) {
      const what = st.isDirectory() ? 'a directory' : 'not a regular file';
      throw new UserError(`cannot read ${file}: ${what}`);
    }
    bytes = fs.readFileSync(file);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT'
        ? 'no such file'
        : e.code === 'EISDIR'
          ? 'a directory'
          : e.code === 'EACCES'
            ? 'permission denied'
            : e.message;
    throw new UserError(`cannot read ${file}: ${why}`);
  }
  try {
    return readCapture(bytes);
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message}`);
  }
}

/** `# traceloop view of FILE: saved by traceloop 0.1.0 (run) on HOST, kernel K, at ISO`. */
function aboutLine(file: string, c: Capture): string {
  const h = c.header;
  const at = new Date(h.clock.wallMs);
  const when = Number.isNaN(at.getTime()) ? '' : `, at ${at.toISOString()}`;
  return `# traceloop view of ${file}: saved by traceloop ${h.traceloop} (${h.source}) on ${h.host}, kernel ${h.kernel}${when}`;
}

/** `shown: 12,345 of 20,000 bytes (57 records chunks)`. */
function howMuch(c: Capture): string {
  const chunks = c.batches.length;
  return `showing what came before it: ${c.goodBytes} of ${c.fileBytes} bytes, ${chunks} records chunk${chunks === 1 ? '' : 's'}`;
}

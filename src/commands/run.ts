// `traceloop run [-o FILE] -- CMD ARGS...`: strace's everyday use, but
// recorded by BPF. CMD runs in a fresh cgroup, recorded from before its
// exec; its calls are drained live into the output while it runs (as
// strace -o writes them), so a command busier than a ring-full loses only
// what the drain could not keep up with, marked; its exit status is passed on.
import { escapeControls } from '../format/print.js';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScratchCgroup, UserError } from '../cgroup.js';
import { fromExec, RecordingText } from '../capture/recording-text.js';
import { StartedProc } from '../format/proc-fds.js';
import { RecordingProc } from '../capture/proc-answers.js';
import { CaptureWriter } from '../capture/writer.js';
import { sampleClocks } from '../clock.js';
import { DEFAULT_MAX_STRING } from '../format/index.js';
import { AtomicFile, writeAllSync } from '../output.js';
import { onStopSignal } from '../stop.js';
import { DEFAULT_MAX_ARG_BYTES, Recorder, type RecorderSettings } from '../recorder.js';
import { queryError } from '../filter/query.js';

export interface RunOptions extends RecorderSettings {
  command: string[];
  output?: string;
  maxString?: number;
  durations?: boolean;
  /** strace -y (default on): fds named, from the calls and, as they happen, /proc. */
  decodeFds?: boolean;
  /** strace -yy: sockets with their addresses, devices with their numbers. */
  decodeSockets?: boolean;
  /** strace -c: a table of calls, errors and time per syscall instead of the calls. */
  summary?: boolean;
  /** Only the lines this filter keeps (the UI's `/` language). */
  filter?: string;
  /** Also save the records as a capture file here (docs/capture-format.md). */
  save?: string;
}

// The launcher joins the cgroup, then becomes CMD with the argv[0] the user typed (bash's
// exec -a: dash has none; bash is essential on Debian): everything from its execve on is CMD's.
// Where there is no bash (a busybox initramfs, a slim container), sh execs CMD by its path:
// argv[0] is then the path, as before.
const BASH = '/bin/bash';
const LAUNCHER = 'echo $$ > "$0/cgroup.procs" && exec -a "$1" "$2" "${@:3}"';
const SH_LAUNCHER = 'echo $$ > "$0/cgroup.procs" && shift && exec "$@"';

/** Where the lines go as they come: FILE (put in place whole at the end), or stderr. */
interface Sink {
  write(text: string): void;
  commit(): void;
  abort(): void;
}

function stderrSink(): Sink {
  return { write: (text) => writeAllSync(2, text), commit: () => {}, abort: () => {} };
}

/**
 * A run's own defaults, larger and faster than a long-lived recorder's: a command's bursts (a
 * tight loop of 20,000 stat calls is 40,000 events in some 50 ms) must fit in the ring between
 * two drains. 512 pages are 2 MiB per CPU, for the command's lifetime only.
 */
export const RUN_RING_PAGES = 512;
export const RUN_DRAIN_MS = 10;

export async function runCommand(opts: RunOptions): Promise<number> {
  const [file, ...args] = opts.command;
  if (!file) throw new UserError('traceloop run: give a command to run after --');
  const executable = findExecutable(file);
  if (!executable) throw new UserError(`${file}: command not found`);
  if (opts.output) checkWritableDir(opts.output);
  if (opts.save) checkWritableDir(opts.save);
  if (opts.output && opts.save && path.resolve(opts.output) === path.resolve(opts.save)) {
    throw new UserError('traceloop run: -o and --save name the same file: give each its own');
  }
  if (opts.summary && opts.filter !== undefined) {
    throw new UserError('traceloop run: -c counts every call: give -c or --filter, not both');
  }
  if (opts.filter !== undefined) {
    const why = queryError(opts.filter);
    if (why) throw new UserError(`--filter: ${why}`);
  }

  const settings = {
    ...opts,
    ringPages: opts.ringPages ?? RUN_RING_PAGES,
    drainPeriodMs: opts.drainPeriodMs ?? RUN_DRAIN_MS,
  };
  const recorder = Recorder.open(settings);
  let scratch: ScratchCgroup | undefined;
  let sink: Sink | undefined;
  let capture: CaptureWriter | undefined;
  try {
    scratch = new ScratchCgroup('run');
    const cg = recorder.add(scratch.path);
    sink = opts.output ? AtomicFile.open(opts.output) : stderrSink();
    capture = opts.save ? CaptureWriter.open(opts.save) : undefined;
    const out = sink;
    // The wall clock of the lines, and of the capture's: `view` prints the same times.
    const clock = sampleClocks();
    // A write that failed (a full disk) ends that output, not the other; CMD runs on, and is
    // told after.
    let failed: Error | undefined;
    let captureFailed: Error | undefined;
    // /proc for the fd names, knowing what CMD starts with (its first record is its execve).
    const proc = new StartedProc();
    // With --save, what /proc answered is kept: a capture is viewed when /proc has moved on.
    const asked = capture ? new RecordingProc(proc) : undefined;
    const decodeFds = opts.decodeFds ?? true;
    const decodeSockets = decodeFds && (opts.decodeSockets ?? false);
    const text = new RecordingText(
      {
        maxString: opts.maxString,
        durations: opts.durations,
        ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
        summary: opts.summary,
        // Formatted as CMD runs: /proc describes its processes as they are (fd-table.ts).
        decodeFds,
        decodeSockets,
        procFds: asked ?? proc,
      },
      (lines) => {
        if (failed) return;
        try {
          out.write(lines.join('\n') + '\n');
        } catch (err) {
          failed = err instanceof Error ? err : new Error(String(err));
        }
      },
      clock,
    );
    const saved = (write: () => void): void => {
      if (!captureFailed) {
        try {
          write();
        } catch (err) {
          captureFailed = err instanceof Error ? err : new Error(String(err));
        }
      }
    };
    // Batches come on the event loop, so after the child's pid is known below.
    recorder.watch(cg.id, (records) => {
      if (capture) saved(() => capture!.records(records));
      text.batch(records);
      if (capture && asked) saved(() => capture!.procAnswers(asked.take()));
    });
    const child = runIn(scratch.path, file, executable, args);
    text.fromExecOf(child.pid);
    proc.inheritsOurs(child.pid);
    // Escaped here, not only when printed: the capture keeps the line the text showed.
    const title = escapeControls(
      `# traceloop run: ${opts.command.join(' ')} (pid ${child.pid}, cgroup ${scratch.path})`,
    );
    const captures = recorder.captures();
    text.header(title, captures);
    if (capture) {
      const writer = capture;
      saved(() =>
        writer.start({
          source: 'run',
          cgroup: { path: cg.path, id: cg.id, name: cg.name },
          title,
          captures,
          settings: {
            maxString: opts.maxString ?? DEFAULT_MAX_STRING,
            durations: opts.durations ?? false,
            decodeFds,
            ...(decodeSockets ? { decodeSockets } : {}),
            ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
            ringPages: settings.ringPages,
            maxArgBytes: settings.maxArgBytes ?? DEFAULT_MAX_ARG_BYTES,
            drainPeriodMs: settings.drainPeriodMs,
          },
          clock,
          execPid: child.pid,
        }),
      );
    }
    const { code, signal } = await child.ended;
    recorder.unwatch(cg.id); // hands out what the merger still held
    const cpus = text.books(recorder.stats(cg.id));
    text.finish(cpus);
    if (capture) {
      const writer = capture;
      if (asked) saved(() => writer.procAnswers(asked.take()));
      saved(() => writer.finish({ cpus, exit: { code, signal } }));
    }
    // Each output kept whole, or not at all: one that failed leaves the other in place.
    if (failed) sink.abort();
    else {
      try {
        sink.commit();
      } catch (err) {
        failed = err instanceof Error ? err : new Error(String(err));
      }
    }
    if (capture && captureFailed) capture.abort();
    if (opts.save && !captureFailed) {
      process.stderr.write(`traceloop: capture saved to ${opts.save}\n`);
    }
    if (captureFailed && opts.output && !failed) {
      process.stderr.write(`traceloop: the text was written to ${opts.output}\n`);
    }
    if (failed) throw failed;
    if (captureFailed) throw captureFailed;
    return exitStatus(code, signal);
  } catch (err) {
    sink?.abort();
    capture?.abort();
    throw err;
  } finally {
    recorder.close();
    await scratch?.remove();
  }
}

/** CMD's status as a shell gives it: its exit code, or 128 + the signal that killed it. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal) return 128 + os.constants.signals[signal];
  return code ?? 1;
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Starts the launcher in `cgroupPath` (CMD as `typed`, from `file`); Ctrl-C goes to CMD (as
 * with strace), not to us.
 */
function runIn(
  cgroupPath: string,
  typed: string,
  file: string,
  args: string[],
): { pid: number; ended: Promise<Ended> } {
  const child = fs.existsSync(BASH)
    ? spawn(BASH, ['-c', LAUNCHER, cgroupPath, typed, file, ...args], { stdio: 'inherit' })
    : spawn('/bin/sh', ['-c', SH_LAUNCHER, cgroupPath, typed, file, ...args], { stdio: 'inherit' });
  const ended = new Promise<Ended>((resolve, reject) => {
    const unsubscribe = onStopSignal((sig) => child.kill(sig));
    child.on('error', (err) => {
      unsubscribe();
      reject(new UserError(`cannot start ${file}: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      unsubscribe();
      resolve({ code, signal });
    });
  });
  return { pid: child.pid ?? 0, ended };
}

/** Drops the launcher's own calls before it became CMD (the capture's view does the same). */
export { fromExec };

/** CMD's path as execvp would find it, so the record starts with one execve. */
function findExecutable(file: string): string | undefined {
  const candidates = file.includes('/')
    ? [file]
    : (process.env.PATH ?? '/usr/bin:/bin').split(':').map((d) => path.join(d, file));
  return candidates.find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}

function checkWritableDir(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UserError(`cannot write ${file}: ${dir} is not a writable directory`);
  }
}

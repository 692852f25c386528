// `traceloop run [-o FILE] -- CMD ARGS...`: strace's everyday use, but
// recorded by BPF. CMD runs in a fresh cgroup, recorded from before its
// exec; its calls are drained live into the output while it runs (as
// strace -o writes them), so a command busier than a ring-full loses only
// what the drain could not keep up with, marked; its exit status is passed on.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScratchCgroup, UserError } from '../cgroup.js';
import { accountingLine, dumpFormatter, headerLines, LineTally } from '../dump.js';
import { AtomicFile, writeAllSync } from '../output.js';
import { onStopSignal } from '../stop.js';
import { Recorder, type RecorderSettings } from '../recorder.js';
import { PerCpu, visitRecords } from '../server/tally.js';
import { CallSummary, summaryText } from '../summary.js';
import { compileLineFilter, keepLines } from '../filter/lines.js';
import { queryError } from '../filter/query.js';
import { syscallByName } from '../syscalls/table.js';
import { parseRecords, type WireRecord } from '../wire.js';

export interface RunOptions extends RecorderSettings {
  command: string[];
  output?: string;
  maxString?: number;
  durations?: boolean;
  /** strace -c: a table of calls, errors and time per syscall instead of the calls. */
  summary?: boolean;
  /** Only the lines this filter keeps (the UI's `/` language). */
  filter?: string;
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
  if (opts.filter !== undefined) {
    const why = queryError(opts.filter);
    if (why) throw new UserError(`--filter: ${why}`);
  }
  const lineFilter = opts.filter !== undefined ? compileLineFilter(opts.filter) : undefined;

  const recorder = Recorder.open({
    ...opts,
    ringPages: opts.ringPages ?? RUN_RING_PAGES,
    drainPeriodMs: opts.drainPeriodMs ?? RUN_DRAIN_MS,
  });
  let scratch: ScratchCgroup | undefined;
  let sink: Sink | undefined;
  try {
    scratch = new ScratchCgroup('run');
    const cg = recorder.add(scratch.path);
    sink = opts.output ? AtomicFile.open(opts.output) : stderrSink();
    const out = sink;
    const formatter = dumpFormatter({ maxString: opts.maxString, durations: opts.durations });
    const summary = opts.summary ? new CallSummary() : undefined;
    const tally = new LineTally();
    // The books: events handed over per CPU, and those marked lost (recorded = shown + lost).
    const shown = new PerCpu();
    const lost = new PerCpu();
    // CMD's pid, known once it is started (before any batch is handed over).
    const only: { keep?: (r: WireRecord) => boolean } = {};
    // A write that failed (a full disk) ends the output; CMD runs on, and is told after.
    let failed: Error | undefined;
    const emit = (lines: string[]): void => {
      if (lines.length === 0 || failed) return;
      tally.count(lines);
      try {
        out.write(lines.join('\n') + '\n');
      } catch (err) {
        failed = err instanceof Error ? err : new Error(String(err));
      }
    };
    recorder.watch(cg.id, (records) => {
      visitRecords(records, {
        event: (cpu) => shown.add(cpu, 1),
        lost: (cpu, _reason, count) => lost.add(cpu, count),
      });
      const parsed = parseRecords(records);
      const kept = only.keep ? parsed.filter(only.keep) : parsed;
      if (summary) summary.add(kept);
      else emit(keepLines(formatter.push(kept), formatter, lineFilter));
    });
    const child = runIn(scratch.path, file, executable, args);
    only.keep = fromExec(child.pid);
    if (!summary) {
      emit(
        headerLines(
          `# traceloop run: ${opts.command.join(' ')} (pid ${child.pid}, cgroup ${scratch.path})`,
          recorder.captures(),
        ),
      );
    }
    const { code, signal } = await child.ended;
    recorder.unwatch(cg.id); // hands out what the merger still held
    if (summary) {
      // strace -c prints the table alone.
      emit(summaryText(summary).trimEnd().split('\n'));
      if (failed) throw failed;
      sink.commit();
      return exitStatus(code, signal);
    }
    emit(keepLines(formatter.flush(), formatter, lineFilter));
    const cpus = recorder.stats(cg.id).map((c) => ({
      ...c,
      delivered: shown.get(c.cpu),
      lost: lost.get(c.cpu),
    }));
    emit([accountingLine(cpus, tally)]);
    if (failed) throw failed;
    sink.commit();
    return exitStatus(code, signal);
  } catch (err) {
    sink?.abort();
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

/** Drops the launcher's own calls before it became CMD. */
export function fromExec(pid: number): (r: WireRecord) => boolean {
  const execve = syscallByName('execve')?.nr;
  let execd = false;
  return (r) => {
    if (execd) return true;
    // Records lost before the exec was seen: the exec may be among them (a busy command
    // overwrites the ring's oldest records, the launcher's first). Show everything from here
    // rather than hide all of CMD's calls waiting for an exec that will not come.
    if (r.kind === 'lost') {
      execd = true;
      return true;
    }
    if (r.tid !== pid) return true;
    if (r.kind === 'enter' && r.nr === execve) execd = true;
    return execd;
  };
}

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

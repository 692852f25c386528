// `traceloop run [-o FILE] -- CMD ARGS...`: strace's everyday use, but
// recorded by BPF. CMD runs in a fresh cgroup, recorded from before its
// exec; when it exits, its flight record is dumped and its exit status
// passed on.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScratchCgroup, UserError } from '../cgroup.js';
import { dumpText } from '../dump.js';
import { writeFileAtomic, writeInterruptible } from '../output.js';
import { onStopSignal, stopSignalsReceived } from '../stop.js';
import { Recorder, type RecorderSettings } from '../recorder.js';
import { syscallByName } from '../syscalls/table.js';
import type { WireRecord } from '../wire.js';

export interface RunOptions extends RecorderSettings {
  command: string[];
  output?: string;
  maxString?: number;
}

// The launcher joins the cgroup, then becomes CMD: everything from its
// execve on is CMD's.
const LAUNCHER = 'echo $$ > "$0/cgroup.procs" && exec "$@"';

export async function runCommand(opts: RunOptions): Promise<number> {
  const [file, ...args] = opts.command;
  if (!file) throw new UserError('traceloop run: give a command to run after --');
  const executable = findExecutable(file);
  if (!executable) throw new UserError(`${file}: command not found`);
  if (opts.output) checkWritableDir(opts.output);

  const recorder = Recorder.open(opts);
  let scratch: ScratchCgroup | undefined;
  try {
    scratch = new ScratchCgroup('run');
    const cg = recorder.add(scratch.path);
    const { code, signal, pid } = await runIn(scratch.path, executable, args);
    const signalsBefore = stopSignalsReceived(); // those went to CMD
    const text = dumpText(
      `# traceloop run: ${opts.command.join(' ')} (pid ${pid}, cgroup ${scratch.path})`,
      recorder.snapshot(cg.id),
      { maxString: opts.maxString, filter: fromExec(pid), captures: recorder.captures() },
    );
    if (opts.output) writeFileAtomic(opts.output, text);
    else await writeInterruptible(2, text, signalsBefore);
    if (signal) return 128 + os.constants.signals[signal];
    return code ?? 1;
  } finally {
    recorder.close();
    await scratch?.remove();
  }
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  pid: number;
}

/** Runs the launcher in `cgroupPath`; Ctrl-C goes to CMD (as with strace), not to us. */
function runIn(cgroupPath: string, file: string, args: string[]): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', LAUNCHER, cgroupPath, file, ...args], {
      stdio: 'inherit',
    });
    const unsubscribe = onStopSignal((sig) => child.kill(sig));
    child.on('error', (err) => reject(new UserError(`cannot start ${file}: ${err.message}`)));
    child.on('exit', (code, signal) => {
      unsubscribe();
      resolve({ code, signal, pid: child.pid ?? 0 });
    });
  });
}

/** Drops the launcher's own calls before it became CMD. */
function fromExec(pid: number): (r: WireRecord) => boolean {
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

// `traceloop` / `traceloop tui [--cgroup PATH]... [--pid PID]... [--unit NAME]...`:
// the terminal UI. Everything it is given is resolved before BPF is loaded,
// so a typo fails in one line, at once.
import fs from 'node:fs';
import { UserError } from '../cgroup.js';
import { openRecorderApi, type SelectOptions } from '../recorder-select.js';
import { haveTerminal } from '../ui/terminal.js';
import {
  resolvePath,
  resolvePid,
  resolveUnit,
  selfPaths,
  selfRecording,
  type Target,
} from '../targets.js';

/** SelectOptions: a running daemon serves the UI unless --standalone. */
export interface TuiOptions extends SelectOptions {
  cgroups: string[];
  pids: number[];
  units: string[];
  snapshotDir?: string;
  maxString?: number;
  /** Record the root cgroup or traceloop's own when named (the UI's `a` asks instead). */
  yes?: boolean;
  /** strace -y's fd names in the stream (default on). */
  decodeFds?: boolean;
}

export const NO_TERMINAL =
  "the terminal UI needs a terminal: use 'ssh -t HOST traceloop', or print the stream " +
  "without one: 'traceloop cgroups PATH'";

export async function tuiCommand(opts: TuiOptions): Promise<number> {
  // Checked before anything else: over `ssh host traceloop` there is no TTY.
  if (!haveTerminal()) throw new UserError(NO_TERMINAL);
  const targets: Target[] = [
    ...opts.cgroups.map(resolvePath),
    ...opts.pids.map(resolvePid),
    ...opts.units.map((u) => resolveUnit(u)),
  ];
  if (opts.snapshotDir !== undefined) checkDir(opts.snapshotDir);
  if (!opts.yes) checkNotSelf(targets);

  // Ink prints only its last frame when it believes it runs in CI (it reads
  // CI once, when loaded). Both ends are a terminal here: someone is watching.
  delete process.env['CI'];
  delete process.env['CONTINUOUS_INTEGRATION'];
  const { runTui } = await import('../ui/run.js');
  const { Session } = await import('../ui/session.js');
  const { colourWanted } = await import('../ui/theme.js');

  const api = await openRecorderApi(opts);
  const session = new Session(api, {
    maxString: opts.maxString,
    decodeFds: opts.decodeFds ?? true,
    ...(opts.snapshotDir !== undefined ? { snapshotDir: opts.snapshotDir } : {}),
  });
  try {
    // One a daemon records already is shown, not added again (it would refuse).
    const seen = new Set((await api.list()).map((c) => c.path));
    for (const t of targets) {
      if (seen.has(t.path)) continue;
      seen.add(t.path);
      session.noteAdded(await api.add(t.path, t.name));
    }
    await session.start();
  } catch (err) {
    await session.close();
    throw err;
  }
  // The cgroup named first is shown first, not whatever the daemon listed first.
  const select = targets[0]?.path;
  // runTui closes the session.
  await runTui(session, { colour: colourWanted(), ...(select !== undefined ? { select } : {}) });
  // Said on the normal screen, after the UI: quitting did not stop the daemon's recording.
  for (const line of session.leftRecording()) process.stderr.write(`traceloop: ${line}\n`);
  return 0;
}

/** Flags cannot be asked about: the root cgroup or our own needs --yes. */
function checkNotSelf(targets: Target[]): void {
  const self = selfPaths();
  for (const t of targets) {
    const what = selfRecording(t.path, self);
    if (what === 'root') {
      throw new UserError(
        `${t.path} is the root cgroup: every process on the machine, this UI included (--yes records it)`,
      );
    }
    if (what === 'own') {
      throw new UserError(
        `${t.path} is traceloop's own cgroup: the UI would record itself (--yes records it)`,
      );
    }
  }
}

function checkDir(dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserError(`--snapshot-dir ${dir}: no such directory`);
  }
}

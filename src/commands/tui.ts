// `traceloop` / `traceloop tui [--cgroup PATH]... [--pid PID]... [--unit NAME]...`:
// the terminal UI. Everything it is given is resolved before BPF is loaded,
// so a typo fails in one line, at once.
import fs from 'node:fs';
import { UserError } from '../cgroup.js';
import { openRecorderApi, type SelectOptions } from '../recorder-select.js';
import { haveTerminal } from '../ui/terminal.js';
import { resolvePath, resolvePid, resolveUnit, type Target } from '../targets.js';

/** SelectOptions: a running daemon serves the UI unless --standalone. */
export interface TuiOptions extends SelectOptions {
  cgroups: string[];
  pids: number[];
  units: string[];
  snapshotDir?: string;
  maxString?: number;
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
    ...(opts.snapshotDir !== undefined ? { snapshotDir: opts.snapshotDir } : {}),
  });
  try {
    const seen = new Set<string>();
    for (const t of targets) {
      if (seen.has(t.path)) continue;
      seen.add(t.path);
      await api.add(t.path, t.name);
    }
    await session.start();
  } catch (err) {
    await session.close();
    throw err;
  }
  await runTui(session, { colour: colourWanted() }); // closes the session
  return 0;
}

function checkDir(dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserError(`--snapshot-dir ${dir}: no such directory`);
  }
}

// Runs the App on the terminal and gives the terminal back whatever ends it:
// `q`, Ctrl-C, a crash, SIGTERM, or SIGHUP when the SSH link drops. The
// alternate screen keeps the user's scrollback as it was (Ink would
// otherwise leave the last frame in it); raw mode and the cursor are
// restored by Ink's unmount; the recorder is closed, which detaches BPF.
import { render } from 'ink';
import { onStopSignal } from '../stop.js';
import { App } from './App.js';
import type { Session } from './session.js';

const ALT_SCREEN_ON = '\x1b[?1049h';
const ALT_SCREEN_OFF = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

export interface RunOptions {
  colour: boolean;
  fps?: number;
  /** The path of the cgroup to show first (see App). */
  select?: string;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

export async function runTui(session: Session, opts: RunOptions): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    try {
      stdout.write(SHOW_CURSOR + ALT_SCREEN_OFF);
    } catch {
      // the terminal is gone (SIGHUP): nothing to restore
    }
  };
  // A dropped SSH link turns writes into EIO: that must end the UI, not crash it.
  const onWriteError = (): void => ink.unmount();
  stdout.on('error', onWriteError);
  // Whatever way the process ends, the screen comes back (process.exit from a third signal too).
  process.on('exit', restore);
  stdout.write(ALT_SCREEN_ON);
  const ink = render(
    <App
      session={session}
      colour={opts.colour}
      fps={opts.fps ?? 10}
      {...(opts.select !== undefined ? { select: opts.select } : {})}
    />,
    {
      stdin,
      stdout,
      exitOnCtrlC: false, // Ctrl-C is a key in raw mode: the app quits the same way as `q`
      patchConsole: false,
      maxFps: 60, // a key press shows at once; data redraws keep to the `fps` tick
      // Not incrementalRendering: in Ink 6.8 it left stale lines behind in tmux.
    },
  );
  const unsubscribe = onStopSignal(() => ink.unmount());
  const crash = (err: unknown): void => {
    ink.unmount(err instanceof Error ? err : new Error(String(err)));
  };
  process.on('uncaughtException', crash);
  try {
    await ink.waitUntilExit();
  } finally {
    process.off('uncaughtException', crash);
    unsubscribe();
    ink.unmount();
    restore();
    process.off('exit', restore);
    stdout.off('error', onWriteError);
    await session.close();
  }
}

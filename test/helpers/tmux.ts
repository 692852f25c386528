// A real terminal for the UI tests: a detached tmux session, read with capture-pane and typed
// into with send-keys, killed when the test's fixture is released.
import { execFileSync } from 'node:child_process';
import type { Fixture } from './daemon.js';

export const tmux = (...args: string[]): string =>
  execFileSync('tmux', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

export interface Terminal {
  /** The tmux session's name. */
  name: string;
  /** What the terminal shows now (opened with `join`: wrapped lines joined, for lines wider than it). */
  screen(): string;
  /** send-keys. */
  keys(...keys: string[]): void;
  /** A tmux format about the pane (#{pane_pid}, #{alternate_on}, ...). */
  display(format: string): string;
}

/**
 * A `width`x`height` terminal running `bash -c script` without CI in its environment (Ink
 * would draw only its last frame), in `cwd` if given.
 */
export function openTerminal(
  fixture: Fixture,
  tag: string,
  [width, height]: [number, number],
  script: string,
  o: { cwd?: string; join?: boolean } = {},
): Terminal {
  const name = `tl-${tag}-${process.pid}`;
  fixture.defer(() => {
    try {
      tmux('kill-session', '-t', name);
    } catch {
      // already gone
    }
  });
  const chdir = o.cwd ? [`--chdir=${o.cwd}`] : [];
  // The tmux server exits with its last session (the previous test's): a session asked for
  // while it does so is refused with "server exited unexpectedly", and a new server serves the
  // next ask.
  for (let attempt = 1; ; attempt++) {
    try {
      tmux(
        'new-session', '-d', '-s', name, '-x', String(width), '-y', String(height),
        'env', '-u', 'CI', ...chdir, 'bash', '-c', script,
      ); // prettier-ignore
      break;
    } catch (err) {
      if (attempt === 3 || !String((err as Error).message).includes('server exited unexpectedly'))
        throw err;
    }
  }
  const capture = o.join ? ['-p', '-J'] : ['-p'];
  return {
    name,
    screen: () => tmux('capture-pane', ...capture, '-t', name),
    keys: (...keys) => void tmux('send-keys', '-t', name, ...keys),
    display: (format) => tmux('display', '-p', '-t', name, format),
  };
}

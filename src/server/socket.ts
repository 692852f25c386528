// The daemon's unix socket: created 0600 (0660 for one group) without ever
// following its path after bind, never stolen from a live daemon, replaced
// when stale, removed on the way out only if it is still ours.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type http from 'node:http';
import { UserError } from '../cgroup.js';

export const DEFAULT_SOCKET = '/run/traceloop.socket';

/** True if something accepts connections on the unix socket at `p`. */
export function socketAnswers(p: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ path: p });
    const done = (v: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(v);
    };
    // A listener that accepts but never answers still holds the socket.
    const timer = setTimeout(() => done(true), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Makes room for the socket at `p`: nothing there is fine; a stale socket
 * (nobody listening) is removed; a live one, or anything that is not a
 * socket, is refused.
 */
export async function clearStaleSocket(p: string): Promise<'none' | 'stale'> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return 'none';
  }
  if (!st.isSocket())
    throw new UserError(`${p} exists and is not a socket: remove it or pick another --socket`);
  if (await socketAnswers(p)) {
    throw new UserError(
      `a traceloop daemon already answers on ${p}: stop it first, or pick another --socket`,
    );
  }
  fs.rmSync(p, { force: true });
  return 'stale';
}

/** A group name or number from /etc/group, as its gid. */
export function groupId(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  let text = '';
  try {
    text = fs.readFileSync('/etc/group', 'utf8');
  } catch {
    // no /etc/group: only numbers work
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new UserError(`--socket-group: no group named '${group}' in /etc/group`);
}

export interface Listening {
  path: string;
  /** Inode of the socket we created: only that file is removed on the way out. */
  ino: number;
}

/**
 * Refuses a socket directory that another user could use against us: one that others can write
 * and that is not sticky (they could replace the socket, or the directory's entries, at will).
 * A sticky world-writable directory like /tmp is accepted: there only the owner may replace or
 * remove the socket, and nothing below follows the path after the socket is in place.
 */
function checkSocketDir(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    throw new UserError(`cannot listen in ${dir}: ${(err as Error).message}`);
  }
  if (!st.isDirectory()) throw new UserError(`cannot listen in ${dir}: not a directory`);
  const me = process.getuid?.() ?? 0;
  const sticky = (st.mode & 0o1000) !== 0;
  const othersWrite = (st.mode & 0o002) !== 0 || ((st.mode & 0o020) !== 0 && st.gid !== 0);
  if (st.uid !== 0 && st.uid !== me) {
    throw new UserError(
      `${dir} belongs to another user (uid ${st.uid}), who could swap the socket: pick a directory only root can write (e.g. /run)`,
    );
  }
  if (othersWrite && !sticky) {
    throw new UserError(
      `${dir} can be written by other users and is not sticky: they could swap the socket; pick a directory only root can write (e.g. /run)`,
    );
  }
}

/**
 * Listens on `p` with mode 0600 (0660 and the given group with `gid`).
 *
 * Nothing follows the path `p` after bind(): the socket is bound, given its mode (through the
 * umask, at bind time) and its group inside a fresh directory only root can enter, and then
 * renamed into place. A local user who swaps `p` for a symlink at any moment can make us change
 * nothing but our own socket (issue #13: a chmod after bind followed such a link to a root-owned
 * file). The listening socket keeps working under its new name, and the temporary name Node
 * unlinks when the server closes no longer exists, so closing never removes a socket another
 * daemon put at `p` since.
 */
export async function listenPrivate(
  server: http.Server,
  p: string,
  gid?: number,
): Promise<Listening> {
  const dir = path.dirname(path.resolve(p));
  checkSocketDir(dir);
  await clearStaleSocket(p);
  let privateDir: string;
  try {
    privateDir = fs.mkdtempSync(path.join(dir, '.traceloop-bind-'));
  } catch (err) {
    throw new UserError(`cannot listen on ${p}: ${(err as Error).message}`);
  }
  const bound = path.join(privateDir, 'socket');
  const old = process.umask(gid === undefined ? 0o177 : 0o117);
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new UserError(`cannot listen on ${p}: ${err.message}`));
      };
      server.once('error', onError);
      server.listen(bound, () => {
        server.off('error', onError);
        resolve();
      });
    });
    process.umask(old);
    // Only root can enter privateDir (0700): these follow no one else's links.
    if (gid !== undefined) fs.chownSync(bound, process.getuid?.() ?? 0, gid);
    const ino = fs.lstatSync(bound).ino;
    fs.renameSync(bound, p);
    return { path: p, ino };
  } catch (err) {
    server.close();
    throw err instanceof UserError
      ? err
      : new UserError(`cannot listen on ${p}: ${(err as Error).message}`);
  } finally {
    process.umask(old);
    fs.rmSync(privateDir, { recursive: true, force: true });
  }
}

/** Removes the socket file if it is still the one we created. */
export function removeOwnSocket(l: Listening): void {
  try {
    if (fs.lstatSync(l.path).ino === l.ino) fs.rmSync(l.path, { force: true });
  } catch {
    // already gone
  }
}

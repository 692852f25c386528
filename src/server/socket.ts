// The daemon's unix socket: created 0600 (0660 for one group), never stolen
// from a live daemon, replaced when stale, removed on the way out.
import fs from 'node:fs';
import net from 'node:net';
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
 * Listens on `p` with mode 0600 (0660 and the given group with `gid`). The
 * umask is narrowed around bind(), so the socket is never more open than that,
 * not even for a moment.
 */
export async function listenPrivate(
  server: http.Server,
  p: string,
  gid?: number,
): Promise<Listening> {
  await clearStaleSocket(p);
  const old = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new UserError(`cannot listen on ${p}: ${err.message}`));
      };
      server.once('error', onError);
      server.listen(p, () => {
        server.off('error', onError);
        resolve();
      });
    });
  } finally {
    process.umask(old);
  }
  if (gid !== undefined) {
    fs.chownSync(p, process.getuid?.() ?? 0, gid);
    fs.chmodSync(p, 0o660);
  } else {
    fs.chmodSync(p, 0o600);
  }
  return { path: p, ino: fs.statSync(p).ino };
}

/** Removes the socket file if it is still the one we created. */
export function removeOwnSocket(l: Listening): void {
  try {
    if (fs.lstatSync(l.path).ino === l.ino) fs.rmSync(l.path, { force: true });
  } catch {
    // already gone
  }
}

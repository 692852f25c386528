// The daemon's socket against a hostile local user (issue #13): no chmod or chown that follows a
// link someone else put at the path, no socket directory others can rearrange, and a daemon that
// stops never removes the socket of another daemon that took its path meanwhile.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listenPrivate, removeOwnSocket, socketAnswers } from '../../src/server/socket.js';

const NOBODY = 65534;
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-socket-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const closed = (server: http.Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

/** An unprivileged process that keeps putting a symlink to `target` at `at`. */
function swapper(target: string, at: string): ChildProcess {
  const script = `while :; do ln -sfn "${target}" "${at}" 2>/dev/null; done`;
  return spawn('setpriv', [
    `--reuid=${NOBODY}`,
    `--regid=${NOBODY}`,
    '--clear-groups',
    '/bin/sh',
    '-c',
    script,
  ]);
}

describe('the socket directory', () => {
  it('refuses one that others can write and that is not sticky, in one line, creating nothing', async () => {
    const open = path.join(dir, 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    const server = http.createServer();
    await expect(listenPrivate(server, path.join(open, 'tl.sock'))).rejects.toThrow(
      /can be written by other users and is not sticky: .*pick a directory only root can write/,
    );
    expect(fs.readdirSync(open)).toEqual([]);
  });

  it('refuses one that belongs to another user', async () => {
    const theirs = path.join(dir, 'theirs');
    fs.mkdirSync(theirs);
    fs.chownSync(theirs, NOBODY, NOBODY);
    await expect(listenPrivate(http.createServer(), path.join(theirs, 'tl.sock'))).rejects.toThrow(
      /belongs to another user \(uid 65534\)/,
    );
  });
});

describe('binding in a sticky world-writable directory while a local user swaps in symlinks', () => {
  it('never changes the file the symlink points to, and the socket gets exactly the mode asked', async () => {
    const shared = path.join(dir, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    const secret = path.join(dir, 'secret');
    fs.writeFileSync(secret, 'root only\n', { mode: 0o600 });
    const sock = path.join(shared, 'tl.sock');
    const attacker = swapper(secret, sock);
    let started = 0;
    let refused = 0;
    try {
      for (let i = 0; i < 30; i++) {
        fs.rmSync(sock, { force: true }); // the race starts again: whose file lands first
        const server = http.createServer();
        try {
          const l = await listenPrivate(server, sock, 100);
          started++;
          const st = fs.lstatSync(sock);
          expect(st.isSocket()).toBe(true);
          expect(st.mode & 0o777).toBe(0o660);
          expect(st.gid).toBe(100);
          await closed(server);
          removeOwnSocket(l);
        } catch (err) {
          // The attacker's link sat at the path when we looked: refused, never followed.
          expect((err as Error).message).toMatch(/exists and is not a socket/);
          refused++;
          server.close();
        }
        const st = fs.statSync(secret);
        expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([0, 0, 0o600]);
      }
    } finally {
      attacker.kill('SIGKILL');
    }
    expect(started + refused).toBe(30);
    expect(started, `${refused} refused`).toBeGreaterThan(0);
  });
});

describe('two daemons on one path', () => {
  it('the first one stopping does not remove the second one’s socket', async () => {
    const sock = path.join(dir, 'tl.sock');
    const first = http.createServer();
    const l1 = await listenPrivate(first, sock);
    fs.rmSync(sock); // someone removes it; a second daemon starts on the same path
    const second = http.createServer((_req, res) => res.end('second'));
    const l2 = await listenPrivate(second, sock);
    await closed(first); // Node unlinks the path it bound when a server closes
    removeOwnSocket(l1);
    expect(fs.lstatSync(sock).ino).toBe(l2.ino);
    expect(await socketAnswers(sock)).toBe(true);
    await closed(second);
    removeOwnSocket(l2);
    expect(fs.existsSync(sock)).toBe(false);
  });
});

// fd names when fd numbers are used again at once (issue #15: never a wrong answer). A
// process that closes an fd and gets the same number for something else before `run` reads
// /proc (up to a batch later) used to have its sockets named with the next socket's port;
// now the kernel records each new socket's and pipe's inode (TL_CAP_NEW_FDS) and the name
// comes from it. Each workload writes down, per iteration, what its fds really were (fstat's
// inode, getsockname's port), and every name traceloop printed is checked against it.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, requireRootAndBpf, tempDir } from '../helpers/system.js';

const ITERATIONS = 300;

/**
 * A listener on fd 3; per iteration a client socket (fd 4) connects, the server accepts (fd 5),
 * both close: the same two fd numbers, 300 times, each pair open for a millisecond so that
 * /proc, read while the batch is formatted, shows a later iteration's sockets at 4 and 5.
 * Writes the listener's port and inode, then `client_ino client_port accepted_ino` per
 * iteration.
 */
const CONNECT_LOOP = `
import os, socket, sys, time
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(512)
lp = l.getsockname()[1]
out = ['%d %d' % (lp, os.fstat(l.fileno()).st_ino)]
for i in range(${ITERATIONS}):
    c = socket.socket(); c.connect(('127.0.0.1', lp))
    a, _ = l.accept()
    out.append('%d %d %d' % (os.fstat(c.fileno()).st_ino, c.getsockname()[1], os.fstat(a.fileno()).st_ino))
    time.sleep(0.001)
    a.close(); c.close()
open(sys.argv[1], 'w').write('\\n'.join(out))
`;

/** Per iteration a pipe (fds 3, 4) and a dup of its read end (5), used and closed. */
const PIPE_LOOP = `
import os, sys, time
out = []
for i in range(${ITERATIONS}):
    r, w = os.pipe(); d = os.dup(r)
    os.write(w, b'x'); os.read(d, 1)
    out.append(str(os.fstat(r).st_ino))
    time.sleep(0.001)
    os.close(d); os.close(w); os.close(r)
open(sys.argv[1], 'w').write('\\n'.join(out))
`;

/** `4<TCP:[127.0.0.1:1->127.0.0.1:2]>` and the like: fd and name, every one on a line. */
const NAMED = /\b(\d+)<((?:socket|pipe|TCP):\[[^\]]*\])>/g;

interface Tally {
  /** Names that are some other object's. */
  wrong: string[];
  /** Names checked and right. */
  right: number;
  /** Iterations whose first call (socket, pipe) named what it made. */
  namedAtBirth: number;
  iterations: number;
}

/**
 * Splits the workload's lines into iterations (each starts at the call `starts` matches) and
 * checks each name on them with `rightFor(iteration, fd, name)`.
 */
function tally(
  text: string,
  starts: RegExp,
  named: RegExp,
  rightFor: (i: number, fd: number, name: string) => boolean,
): Tally {
  const t: Tally = { wrong: [], right: 0, namedAtBirth: 0, iterations: 0 };
  let i = -1;
  for (const line of text.split('\n')) {
    if (!line.includes('[python3]')) continue;
    if (starts.test(line)) {
      i++;
      if (named.test(line)) t.namedAtBirth++;
    }
    if (i < 0 || i >= ITERATIONS) continue;
    for (const m of line.matchAll(NAMED)) {
      if (rightFor(i, Number(m[1]), m[2] as string)) t.right++;
      else t.wrong.push(`iteration ${i}: ${line}`);
    }
  }
  t.iterations = i + 1;
  return t;
}

function record(
  flags: string[],
  script: string,
  env: NodeJS.ProcessEnv = {},
): { text: string; truth: string[] } {
  const dir = tempDir('fd-reuse');
  try {
    const out = path.join(dir, 'out.txt');
    const truth = path.join(dir, 'truth');
    const r = cli(['run', ...flags, '-o', out, '--', 'python3', '-S', '-c', script, truth], {
      env,
    });
    expect(r.status, r.stderr).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(text).not.toMatch(/---- LOST /);
    return { text, truth: fs.readFileSync(truth, 'utf8').split('\n') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('fd numbers used again at once: every name right, or the fd bare', () => {
  it(`-yy: ${ITERATIONS} connects reusing fds 4 and 5 name each socket, never the next one`, () => {
    requireRootAndBpf();
    const { text, truth } = record(['-yy'], CONNECT_LOOP);
    const [lp, lino] = (truth[0] as string).split(' ') as [string, string];
    const iters = truth.slice(1).map((l) => l.split(' '));
    expect(iters).toHaveLength(ITERATIONS);
    const t = tally(
      text,
      /socket\(AF_INET, .*\) = 4\b/,
      /= 4<(?:TCP|socket):\[\d+\]>/,
      (i, fd, name) => {
        const [ino, port, accepted] = iters[i] as [string, string, string];
        if (fd === 3) return [`socket:[${lino}]`, `TCP:[127.0.0.1:${lp}]`].includes(name);
        if (fd === 4) {
          return [
            `socket:[${ino}]`,
            `TCP:[${ino}]`,
            `TCP:[127.0.0.1:${port}->127.0.0.1:${lp}]`,
          ].includes(name);
        }
        if (fd === 5) {
          return [`socket:[${accepted}]`, `TCP:[127.0.0.1:${lp}->127.0.0.1:${port}]`].includes(
            name,
          );
        }
        return false;
      },
    );
    expect(t.iterations).toBe(ITERATIONS);
    expect(t.wrong).toEqual([]);
    // From the kernel's inode, every socket is named as it is made, whatever came after.
    expect(t.namedAtBirth).toBe(ITERATIONS);
    expect(t.right).toBeGreaterThanOrEqual(3 * ITERATIONS);
  });

  it(`-y: ${ITERATIONS} pipes and dups reusing fds 3, 4 and 5 name each pipe, never the next one`, () => {
    requireRootAndBpf();
    const { text, truth } = record(['-y'], PIPE_LOOP);
    expect(truth).toHaveLength(ITERATIONS);
    const t = tally(
      text,
      /pipe2?\(\[3\b/,
      /pipe2?\(\[3<pipe:\[\d+\]>, 4<pipe:\[\d+\]>\]/,
      (i, fd, name) => ([3, 4, 5].includes(fd) ? name === `pipe:[${truth[i]}]` : false),
    );
    expect(t.iterations).toBe(ITERATIONS);
    expect(t.wrong).toEqual([]);
    expect(t.namedAtBirth).toBe(ITERATIONS);
    // pipe's two, dup's return, write, read, three closes: eight names an iteration.
    expect(t.right).toBeGreaterThanOrEqual(8 * ITERATIONS);
  });

  it('a kernel without the capture (newfds refused): a pipe is still named, from /proc, as before', () => {
    requireRootAndBpf();
    // One pipe, kept open while the batch is formatted: /proc's link is this pipe's.
    const script = `
import os, sys, time
r, w = os.pipe(); os.write(w, b'x')
open(sys.argv[1], 'w').write(str(os.fstat(r).st_ino))
time.sleep(0.3)
`;
    const { text, truth } = record(['-y'], script, { TRACELOOP_TEST_REFUSE: 'newfds' });
    expect(text).toMatch(/^# captures left out on this kernel: new fds' inodes/m);
    const write = text.split('\n').find((l) => /\[python3\] write\(4\b/.test(l));
    expect(write).toBeDefined();
    expect(write).toContain(`write(4<pipe:[${truth[0]}]>, "x", 1) = 1`);
  });
});

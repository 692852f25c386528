// traceloop against strace, the reference: the same workloads run under `strace -f -qq -s 64`
// and under `traceloop run -s 64`, aligned per thread, compared call by call (name, decoded
// arguments, return value). Prints a table of the differences; fails when a syscall strace
// shows is missing from ours, or when fewer lines than the threshold are identical.
//
// What is normalised away, because it differs between any two runs, strace against itself:
//   - addresses (hex of 6+ digits: ASLR, heap and stack positions);
//   - process and thread ids (renamed by order of appearance);
//   - names Python's tempfile picks at random (/tmp/tmpXXXXXXXX);
//   - the id of the tracer's side of the family (getppid's return);
//   - times and counters of the moment: tv_sec/tv_nsec/tv_usec values, statfs free counts,
//     sysinfo, getsockname's ephemeral port, getrandom's bytes;
//   - under -y, pipe and socket inode numbers (`pipe:[12345]`), new on every run; under -yy
//     the inode numbers and port numbers in socket names (`TCP:[127.0.0.1:PORT]`), the same;
//   - signal delivery lines (`--- SIGCHLD ... ---`) and process ends (`+++ ... +++`, which
//     -qq hides on strace's side): they are not syscalls.
// Everything else counts, including what we do not decode yet, so the share below is an
// honest measure. The corpus runs twice: as before (strace plain, ours --no-decode-fds) and
// with strace -y against our default -y (fd names, src/format/fd-table.ts), and with -yy
// (socket addresses and device numbers, src/format/sock-names.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, requireRootAndBpf } from '../helpers/system.js';

interface Call {
  name: string;
  /** The normalised `name(args) = ret` text. */
  text: string;
}

/** Per thread (in order of first appearance), its calls. */
type Threads = Map<number, Call[]>;

const CORPUS_C = path.join(import.meta.dirname, 'corpus', 'syscalls.c');

/** Joins strace-style `<unfinished ...>` / `<... resumed>` halves, per thread. */
function collect(lines: Iterable<[number, string]>): Threads {
  const threads: Threads = new Map();
  const open = new Map<number, string>();
  for (const [tid, raw] of lines) {
    let body = raw;
    if (body.startsWith('---') || body.startsWith('+++')) continue;
    const unfinished = body.match(/^(.*?)\s*<unfinished \.\.\.>$/);
    if (unfinished) {
      open.set(tid, unfinished[1] ?? '');
      continue;
    }
    const resumed = body.match(/^<\.\.\. (\w+) resumed>\s?(.*)$/);
    if (resumed) {
      const head = open.get(tid);
      open.delete(tid);
      if (head === undefined || !head.startsWith(`${resumed[1]}(`)) {
        body = `${resumed[1]}(?${resumed[2]}`;
      } else {
        const h = head.trimEnd();
        body = (h.endsWith(',') ? `${h} ` : h) + (resumed[2] ?? '');
      }
    }
    const m = body.match(/^(\w+)\(/);
    if (!m) continue;
    const list = threads.get(tid) ?? [];
    list.push({ name: m[1] ?? '', text: body });
    threads.set(tid, list);
  }
  for (const [tid, head] of open) {
    const m = head.match(/^(\w+)\(/);
    if (m) threads.get(tid)?.push({ name: m[1] ?? '', text: `${head} <unfinished>` });
  }
  return threads;
}

function parseStrace(text: string): Threads {
  const lines: Array<[number, string]> = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^(\d+)\s+(.*)$/);
    if (m) lines.push([Number(m[1]), m[2] ?? '']);
  }
  return collect(lines);
}

function parseOurs(text: string): Threads {
  const lines: Array<[number, string]> = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^\S+ cpu#\d+ (\d+) \[[^\]]*\] (.*)$/);
    if (m) lines.push([Number(m[1]), m[2] ?? '']);
  }
  return collect(lines);
}

/** A -yy socket name: `<TCP:[127.0.0.1:41234->127.0.0.1:5432]>`, `<UNIX-STREAM:[12->13]>`. */
const SOCK_NAME = /<([A-Z][A-Za-z0-9-]*):\[((?:[^\]]|\][^>])*)\]>/g;

/** Renames ids by order of appearance, then removes what differs between any two runs. */
function normalise(threads: Threads): Threads {
  const ids = new Map<string, string>();
  let next = 0;
  for (const tid of threads.keys()) ids.set(String(tid), `PID${next++}`);
  const idRe = new RegExp(`\\b(${[...ids.keys()].join('|') || 'x^'})\\b`, 'g');
  const out: Threads = new Map();
  for (const [tid, calls] of threads) {
    out.set(
      tid,
      calls.map((c) => ({
        name: c.name,
        text: c.text
          .replace(/\s+= /, ' = ')
          .replace(/0x[0-9a-f]{6,}/g, '0xADDR')
          .replace(idRe, (id) => ids.get(id) ?? id)
          .replace(/(tv_sec|tv_nsec|tv_usec)=\d+/g, '$1=N')
          .replace(/(f_bfree|f_bavail|f_ffree|f_files)=\d+/g, '$1=N')
          .replace(/^sysinfo\(\{.*\}\)/, 'sysinfo({...})')
          .replace(/sin6?_port=htons\(\d+\)/g, 'port=htons(N)')
          .replace(/^getppid\(\) = \d+$/, 'getppid() = PPID')
          .replace(/\/tmp\/(tmp)?[a-z0-9_]{8}\b/g, '/tmp/TEMPNAME')
          .replace(/^getrandom\("(\\x[0-9a-f]{2})*"/, 'getrandom("..."')
          .replace(/<(pipe|socket):\[\d+\]>/g, '<$1:[INODE]>')
          .replace(SOCK_NAME, (_all, proto: string, inside: string) => {
            const body = inside
              .replace(/:\d+(?=->|$)/g, ':PORT')
              .replace(/(^|->)\d+(?=->|,|$)/g, '$1INODE');
            return `<${proto}:[${body}]>`;
          }),
      })),
    );
  }
  return out;
}

/** Longest common subsequence of two name sequences: the pairs of aligned indices. */
function align(a: readonly Call[], b: readonly Call[]): Array<[number, number]> {
  const n = a.length;
  const m = b.length;
  const dp = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = dp[i] as Uint32Array;
    const below = dp[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) {
      row[j] =
        a[i]?.name === b[j]?.name
          ? (below[j + 1] as number) + 1
          : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const pairs: Array<[number, number]> = [];
  for (let i = 0, j = 0; i < n && j < m;) {
    if (a[i]?.name === b[j]?.name) pairs.push([i++, j++]);
    else if ((dp[i + 1]?.[j] ?? 0) >= (dp[i]?.[j + 1] ?? 0)) i++;
    else j++;
  }
  return pairs;
}

interface Comparison {
  workload: string;
  straceLines: number;
  aligned: number;
  identical: number;
  missingNames: string[];
  diffs: Array<{ strace: string; ours: string }>;
  /** Lines where we name an fd otherwise than strace does. */
  wrong: Array<{ strace: string; ours: string }>;
}

/**
 * The processes in a stable order: by the execve they made (a pipeline's two children start
 * in either order from one run to the next), then as they appeared.
 */
function byExec(threads: Threads): Call[][] {
  return [...threads.values()]
    .map((calls, i) => ({ calls, i, key: calls.find((c) => c.name === 'execve')?.text ?? '' }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i))
    .map((t) => t.calls);
}

/** `3</etc/hostname>`, `AT_FDCWD</tmp>`, `0</dev/null<char 1:3>>`: the fd names of -y. */
const FD_NAME = /\b(\d+|AT_FDCWD)<(?:->|[^<>]|<[^<>]*>)*>/g;

/**
 * Names we give that strace does not, in a call strace and we show alike once the names are
 * taken away: a wrong fd name (a missing one is fine, it is the honest bare fd).
 */
function wrongNames(strace: string, ours: string): string[] {
  const bare = (t: string): string => t.replace(FD_NAME, '$1');
  if (bare(strace) !== bare(ours)) return [];
  const theirs: string[] = [...(strace.match(FD_NAME) ?? [])];
  // Less than strace is no wrong name: -y's `socket:[ino]` where -yy names the socket, a
  // device's path without its numbers.
  const less = (mine: string, their: string): boolean => {
    const fd = mine.slice(0, mine.indexOf('<'));
    if (!their.startsWith(fd + '<')) return false;
    if (mine === `${fd}<socket:[INODE]>`) return /^\d+<[A-Z][A-Za-z0-9-]*:\[/.test(their);
    return their.startsWith(mine.slice(0, -1) + '<');
  };
  return (ours.match(FD_NAME) ?? []).filter(
    (n) => !theirs.includes(n) && !theirs.some((t) => less(n, t)),
  );
}

function compare(workload: string, strace: Threads, ours: Threads): Comparison {
  const st = byExec(normalise(strace));
  const us = byExec(normalise(ours));
  const result: Comparison = {
    workload,
    straceLines: 0,
    aligned: 0,
    identical: 0,
    missingNames: [],
    diffs: [],
    wrong: [],
  };
  const ourNames = new Set(us.flat().map((c) => c.name));
  const missing = new Set<string>();
  st.forEach((calls, i) => {
    result.straceLines += calls.length;
    for (const c of calls) if (!ourNames.has(c.name)) missing.add(c.name);
    const mine = us[i] ?? [];
    for (const [a, b] of align(calls, mine)) {
      const s = calls[a] as Call;
      const o = mine[b] as Call;
      result.aligned++;
      if (s.text === o.text) result.identical++;
      else result.diffs.push({ strace: s.text, ours: o.text });
      if (wrongNames(s.text, o.text).length > 0)
        result.wrong.push({ strace: s.text, ours: o.text });
    }
  });
  result.missingNames = [...missing].sort();
  return result;
}

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): void {
  // PWD as the cwd: a shell checks one against the other (getcwd when they differ).
  const env = { ...process.env, ...(opts.cwd ? { PWD: opts.cwd } : {}) };
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, env, ...opts });
  if (r.error) throw r.error;
}

/** How both tracers are asked to print fds, and the share of identical lines required. */
const MODES: Array<[string, { strace: string[]; ours: string[]; share: number }]> = [
  ['fds bare', { strace: [], ours: ['--no-decode-fds'], share: 0.95 }],
  // Under -y, a pipe's or socket's inode is known only from /proc, while its fd is open at
  // the time the line is formatted: these commands are over before the drain (10 ms) reads
  // most of their calls, so ours print those fds bare (95% identical when measured).
  ['-y', { strace: ['-y'], ours: ['-y'], share: 0.93 }],
  // -yy: a socket /proc no longer lists when its line is formatted (gone, or further along
  // than the line) is -y's socket:[ino], a unix socket with a peer too (/proc does not name
  // peers): fewer lines are identical, none may differ in a name.
  ['-yy', { strace: ['-yy'], ours: ['-yy'], share: 0.85 }],
];

describe.each(MODES)(
  'decoded lines against strace, %s',
  (_mode, { strace, ours, share: wanted }) => {
    let dir = '';
    let corpus = '';
    const results: Comparison[] = [];

    beforeAll(() => {
      requireRootAndBpf();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-strace-'));
      corpus = path.join(dir, 'corpus');
      const cc = spawnSync('cc', ['-O0', '-o', corpus, CORPUS_C], { encoding: 'utf8' });
      if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
      fs.writeFileSync(path.join(dir, 'src.txt'), 'some text\n'.repeat(50));
      return () => fs.rmSync(dir, { recursive: true, force: true });
    });

    const PY_FILES = `
import os, tempfile
d = tempfile.mkdtemp()
p = os.path.join(d, "a.txt")
with open(p, "w") as f: f.write("hello\\n")
with open(p) as f: f.read()
os.stat(p); os.rename(p, p + ".b"); os.unlink(p + ".b"); os.rmdir(d)
try: os.open("/nonexistent/zz", os.O_RDONLY)
except OSError: pass
`;
    const PY_PIPES_SOCKETS = `
import os, socket, threading, time
r, w = os.pipe()
os.write(w, b"ping"); os.read(r, 4); os.close(r); os.close(w)
a, b = socket.socketpair()
a.send(b"abc"); b.recv(16); a.close(); b.close()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); s.sendto(b"x", s.getsockname()); s.recvfrom(16); s.close()
u = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); u.bind("\\0traceloop-py"); u.close()
t = threading.Thread(target=lambda: os.getpid()); t.start(); t.join()
# join() returns before the thread's last calls (madvise of its stack, exit): wait for them,
# or exit_group may end the thread first and strace's run and ours differ by chance.
# (one sleep whatever happens, so that both runs make the same kinds of calls)
time.sleep(0.01)
while os.path.exists(f"/proc/self/task/{t.native_id}"): time.sleep(0.01)
`;

    const PY_TCP_DUP2 = `
import os, socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
c = socket.socket(); c.connect(s.getsockname()); a, _ = s.accept()
c.send(b"x"); a.recv(1); a.close(); c.close(); s.close()
fd = os.open("/etc/hostname", os.O_RDONLY); os.dup2(fd, 9); os.read(9, 4); os.close(9); os.close(fd)
`;

    // Sockets of every kind -yy names, kept open while the drain reads them (a sleep), then
    // used once more: TCP and UDP over IPv4 and IPv6, listening and connected, unix stream and
    // datagram sockets (bound, listening, accepted, a socketpair), and /dev/null.
    const PY_SOCKETS_YY = `
import os, socket, time
t = socket.socket(); t.bind(("127.0.0.1", 0)); t.listen()
c = socket.socket(); c.connect(t.getsockname()); a, _ = t.accept()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.connect(u.getsockname())
t6 = socket.socket(socket.AF_INET6); t6.bind(("::1", 0)); t6.listen()
c6 = socket.socket(socket.AF_INET6); c6.connect(t6.getsockname()); a6, _ = t6.accept()
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u6.bind(("::1", 0))
p, q = socket.socketpair()
l = socket.socket(socket.AF_UNIX); l.bind("srv.sock"); l.listen()
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); d.bind("\\0traceloop-yy")
n = os.open("/dev/null", os.O_WRONLY)
time.sleep(0.05)
for s in (a, c, v, a6, c6, p, l, d): s.send(b"x") if s not in (l, d) else s.getsockname()
u.recv(1); t.getsockname(); t6.getsockname(); u6.getsockname(); q.recv(1); os.write(n, b"x")
time.sleep(0.05)
for s in (t, c, a, u, v, t6, c6, a6, u6, p, q, l, d): s.close()
os.close(n); os.unlink("srv.sock")
`;

    // [label, command, args]: each run in a fresh working copy of `dir`.
    const workloads: Array<[string, () => [string, string[]]]> = [
      ['cat', () => ['/usr/bin/cat', [path.join(dir, 'src.txt')]]],
      ['ls -la', () => ['/usr/bin/ls', ['-la', '/etc/ssl']]],
      ['cp', () => ['/usr/bin/cp', [path.join(dir, 'src.txt'), path.join(dir, 'dst.txt')]]],
      ['stat', () => ['/usr/bin/stat', ['/etc/hostname', '/dev/null']]],
      ['python3 files', () => ['/usr/bin/python3', ['-S', '-c', PY_FILES]]],
      ['python3 pipes/sockets/threads', () => ['/usr/bin/python3', ['-S', '-c', PY_PIPES_SOCKETS]]],
      ['C corpus', () => [corpus, [path.join(dir, 'work')]]],
      // What -y is about: a shell pipeline (pipes, dup2 onto 0 and 1, fork, exec with CLOEXEC
      // fds), a TCP connection to a local listener, an fd dup2'd and read through.
      [
        'sh pipeline',
        () => [
          '/bin/sh',
          ['-c', `cat ${path.join(dir, 'src.txt')} | cat > copy.txt; cat < copy.txt >/dev/null`],
        ],
      ],
      ['python3 tcp/dup2', () => ['/usr/bin/python3', ['-S', '-c', PY_TCP_DUP2]]],
      ['python3 sockets', () => ['/usr/bin/python3', ['-S', '-c', PY_SOCKETS_YY]]],
    ];

    it.each(workloads)('%s', (label, make) => {
      const [cmd, args] = make();
      const work = path.join(dir, 'work');
      const runOnce = (how: (out: string) => [string, string[]]): string => {
        fs.rmSync(work, { recursive: true, force: true });
        fs.rmSync(path.join(dir, 'dst.txt'), { force: true });
        fs.mkdirSync(work);
        const out = path.join(dir, `out-${Math.random().toString(36).slice(2)}.txt`);
        const [c, a] = how(out);
        run(c, a, { cwd: work });
        return fs.readFileSync(out, 'utf8');
      };
      const straceText = runOnce((out) => [
        'strace',
        ['-f', '-qq', '-s', '64', ...strace, '-o', out, cmd, ...args],
      ]);
      const oursText = runOnce((out) => [
        process.execPath,
        [CLI, 'run', '-s', '64', ...ours, '-o', out, '--', cmd, ...args],
      ]);
      const result = compare(label, parseStrace(straceText), parseOurs(oursText));
      // Unreadable arguments are said so, and counted: the dump's accounting agrees with the
      // lines. (The corpus reads a path from a page nobody touched: it faults at enter and is
      // read again at exit, so here nothing stays unreadable. The enter half of an interrupted
      // call, `<unfinished ...>`, is printed before its exit read it again: the pipeline's two
      // cats, side by side on two CPUs, show one now and then. Those are not counted.)
      const unavailable =
        oursText
          .split('\n')
          .filter((l) => !l.endsWith('<unfinished ...>'))
          .join('\n')
          .split('<unavailable: fault>').length - 1;
      const counted = [...oursText.matchAll(/(\d+) unreadable arguments/g)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
      const faulted = oursText.split('\n').filter((l) => l.includes('<unavailable'));
      expect(unavailable, faulted.join('\n')).toBe(counted);
      expect(unavailable).toBe(0);
      results.push(result);
      expect(result.straceLines).toBeGreaterThan(10);
      // Every syscall strace shows is there (the alignment aside).
      expect(result.missingNames).toEqual([]);
      // Never a wrong fd name: ours are strace's, or absent (the fd bare).
      expect(result.wrong).toEqual([]);
      // Nearly everything strace shows found its partner.
      expect(result.aligned / result.straceLines).toBeGreaterThan(0.9);
      if (_mode === '-yy' && label === 'python3 sockets') {
        // -yy names sockets as strace does: lines with such names, identical to strace's.
        const named = result.diffs.length;
        const same = [...oursText.matchAll(/\d+<(TCP|TCPv6|UDP|UDPv6|UNIX|UNIX-STREAM):\[/g)];
        expect(same.length, `${named} differing lines`).toBeGreaterThan(20);
        expect(oursText).toMatch(/<TCP:\[127\.0\.0\.1:\d+->127\.0\.0\.1:\d+\]>/);
        expect(oursText).toMatch(/<TCPv6:\[\[::1\]:\d+\]>/);
        expect(oursText).toMatch(/<UNIX-STREAM:\[\d+->\d+\]>/);
        expect(oursText).toMatch(/<\/dev\/null<char 1:3>>/);
      }
    });

    it('has the share of identical lines wanted over the whole corpus, and prints the differences', () => {
      expect(results).toHaveLength(workloads.length);
      const rows = results.map((r) => {
        const pct = r.aligned ? (100 * r.identical) / r.aligned : 0;
        return `| ${r.workload} | ${r.straceLines} | ${r.aligned} | ${r.identical} | ${pct.toFixed(1)}% |`;
      });
      const aligned = results.reduce((n, r) => n + r.aligned, 0);
      const identical = results.reduce((n, r) => n + r.identical, 0);
      const share = identical / aligned;
      const diffs = results.flatMap((r) =>
        r.diffs.map((d) => `  [${r.workload}]\n    strace: ${d.strace}\n    ours:   ${d.ours}`),
      );
      console.log(
        [
          '| workload | strace lines | aligned | identical | share |',
          '|---|---:|---:|---:|---:|',
          ...rows,
          `| all | ${results.reduce((n, r) => n + r.straceLines, 0)} | ${aligned} | ${identical} | ${(100 * share).toFixed(1)}% |`,
          '',
          `${diffs.length} differing lines:`,
          ...diffs,
        ].join('\n'),
      );
      expect(share).toBeGreaterThan(wanted);
    });
  },
);

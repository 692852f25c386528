// Issue #10: degrade, never die; say what went wrong. A kernel that refuses a capture
// family gets the core without it: the refused family's arguments print as addresses, as
// strace prints a structure it does not decode, and every front end says what was left out.
// No kernel here refuses anything, so TRACELOOP_TEST_REFUSE has the loader treat a load
// that includes the named families as refused (real loads, the real fallback). Then: the
// CLI as a user without the capabilities BPF needs, which must get one line saying which.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { RemoteRecorder } from '../../src/client/remote-recorder.js';
import { headerLines } from '../../src/ui/components/Header.js';
import { Session } from '../../src/ui/session.js';
import { useDaemon, useFixture } from '../helpers/daemon.js';
import {
  CLI,
  cli,
  requireRootAndBpf,
  runInCgroup,
  scratchCgroup,
  spawnCli,
} from '../helpers/system.js';
import { until } from '../helpers/wait.js';

const ALL_FAMILIES = 'keyed,strv,iovec,msghdr,fdsets,dirents';
const ALL_NAMES =
  'ioctl/prctl/fcntl arguments, execve argv/envp, iovec, msghdr, select fd sets, getdents counts';
const ADDR = '0x[0-9a-f]+';

// One call of each family, and two the core captures (a path, a write buffer). argv[1] is
// a scratch directory.
const WORKLOAD = String.raw`
import ctypes, fcntl, os, pty, socket, sys, termios
d = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
os.write(1, b"plain-write\n")
fd = os.open(d + "/core-path", os.O_RDWR | os.O_CREAT, 0o600)
os.writev(1, [b"hello ", b"world\n"])
r, w = os.pipe()
os.write(w, b"0123456789")
os.readv(r, [bytearray(4), bytearray(4)])
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
a.sendmsg([b"msg"])
b.recvmsg(64)
libc.syscall(23, r + 1, ctypes.byref(ctypes.c_ulong(1 << r)), None, None, ctypes.byref((ctypes.c_long * 2)(0, 1000)))  # SYS_select
os.listdir(d)
m, t = pty.openpty()
termios.tcgetattr(t)
fcntl.ioctl(t, termios.TIOCGWINSZ, bytes(8))
fcntl.lockf(fd, fcntl.LOCK_EX)
libc.prctl(15, b"tl-left-out", 0, 0, 0)  # PR_SET_NAME
os.execv("/bin/true", ["/bin/true", "argv-marker"])
`;

/** The interpreter itself, not a version manager's shim: its exec is the first line. */
function python(): string {
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`these tests need python3: ${r.stderr}`);
  return r.stdout.trim();
}

/** Every `# cpuN: R recorded, S shown, L lost` of the accounting line adds up (R = S + L). */
function expectAccountingAddsUp(dump: string): void {
  const line = dump.trimEnd().split('\n').at(-1)!;
  const parts = [...line.matchAll(/cpu\d+: (\d+) recorded, (\d+) shown, (\d+) lost/g)];
  expect(parts.length, line).toBeGreaterThan(0);
  for (const [, rec, shown, lost] of parts) expect(Number(rec)).toBe(Number(shown) + Number(lost));
}

describe('capture families a kernel refuses', () => {
  let dir: string;
  let py: string;
  // Fds bare (--no-decode-fds): what is said here is about captures, and matched as without -y.
  const run = (env: NodeJS.ProcessEnv) => {
    const r = cli(
      ['run', '--no-decode-fds', '--ring-pages', '512', '--', py, path.join(dir, 'w.py'), dir],
      { env },
    );
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    return r.stderr;
  };

  const fixture = useFixture();
  beforeAll(() => {
    py = python();
    dir = fixture.dir('degrade');
    fs.writeFileSync(path.join(dir, 'w.py'), WORKLOAD);
  });

  it('--version says "all loaded", or which families were left out and why', () => {
    const all = cli(['--version']);
    expect(all.status).toBe(0);
    expect(all.stdout).toContain('\ncaptures: all loaded\n');
    expect(all.stdout).not.toContain('left out');

    const some = cli(['--version'], { env: { TRACELOOP_TEST_REFUSE: 'iovec,msghdr' } });
    expect(some.status).toBe(0);
    const lines = some.stdout.split('\n');
    expect(lines.slice(0, 3).map((l) => l.split(' ')[0])).toEqual([
      'traceloop',
      'libbpf',
      'kernel',
    ]);
    expect(lines[3]).toBe(
      'captures left out on this kernel: iovec, msghdr (verifier: tl_sys_enter: refused for ' +
        'the test (TRACELOOP_TEST_REFUSE): iovec, msghdr); their arguments print as addresses',
    );
    expect(lines[4]).toMatch(
      /^BPF load: \d+ ms in \d+ attempts; instructions the verifier processed: tl_sys_enter \d+, tl_sys_exit \d+/,
    );
  });

  it('run, everything loaded: the workload exercises every family (the control)', () => {
    const dump = run({});
    expect(dump.split('\n')[1]).not.toMatch(/left out/);
    expect(dump).toContain(
      'writev(1, [{iov_base="hello ", iov_len=6}, {iov_base="world\\n", iov_len=6}], 2) = 12',
    );
    expect(dump).toMatch(/readv\(\d+, \[\{iov_base="0123", iov_len=4\}/);
    expect(dump).toMatch(/sendmsg\(\d+, \{msg_name=NULL, .*msg_iov=\[\{iov_base="msg"/);
    expect(dump).toMatch(/recvmsg\(\d+, \{msg_name=/);
    expect(dump).toMatch(/select\(\d+, \[\d+\], NULL, NULL, \{tv_sec=0, tv_usec=1000\}\) = 1 \(in/);
    expect(dump).toMatch(/getdents64\(\d+, 0x[0-9a-f]+ \/\* \d+ entries \*\/, \d+\) = [1-9]/);
    expect(dump).toMatch(/ioctl\(\d+, TCGETS, \{c_iflag=/);
    expect(dump).toMatch(/ioctl\(\d+, TIOCGWINSZ, \{ws_row=0/);
    expect(dump).toMatch(/fcntl\(\d+, F_SETLKW, \{l_type=F_WRLCK/);
    expect(dump).toContain('prctl(PR_SET_NAME, "tl-left-out") = 0');
    expect(dump).toContain('execve("/bin/true", ["/bin/true", "argv-marker"], ');
    expectAccountingAddsUp(dump);
  });

  it('run with every family refused: the header says so, those arguments are addresses', () => {
    const dump = run({ TRACELOOP_TEST_REFUSE: ALL_FAMILIES });
    const lines = dump.split('\n');
    expect(lines[0]).toMatch(/^# traceloop run: /);
    expect(lines[1]).toBe(
      `# captures left out on this kernel: ${ALL_NAMES} (verifier: tl_sys_enter: refused for ` +
        `the test (TRACELOOP_TEST_REFUSE): ${ALL_NAMES}); their arguments print as addresses`,
    );
    const line = (re: RegExp): string => {
      const found = lines.find((l) => re.test(l));
      expect(found, `no line matches ${re}`).toBeDefined();
      return found!;
    };
    // As strace prints what it does not decode: the pointer, and nothing made up.
    expect(line(/ writev\(1, /)).toMatch(new RegExp(` writev\\(1, ${ADDR}, 2\\) = 12$`));
    expect(line(/ readv\(/)).toMatch(new RegExp(` readv\\(\\d+, ${ADDR}, 2\\) = 8$`));
    expect(line(/ sendmsg\(/)).toMatch(new RegExp(` sendmsg\\(\\d+, ${ADDR}, 0\\) = 3$`));
    expect(line(/ recvmsg\(/)).toMatch(new RegExp(` recvmsg\\(\\d+, ${ADDR}, 0\\) = 3$`));
    expect(line(/ select\(/)).toMatch(
      new RegExp(` select\\(\\d+, ${ADDR}, NULL, NULL, ${ADDR}\\) = 1$`),
    );
    const listing = line(/ getdents64\(.*\) = [1-9]/);
    expect(listing).toMatch(new RegExp(` getdents64\\(\\d+, ${ADDR}, 32768\\) = \\d+$`));
    expect(line(/ ioctl\(\d+, TCGETS, .*\) = 0$/)).toMatch(
      new RegExp(` ioctl\\(\\d+, TCGETS, ${ADDR}\\) = 0$`),
    );
    expect(line(/ ioctl\(\d+, TIOCGWINSZ, /)).toMatch(
      new RegExp(` ioctl\\(\\d+, TIOCGWINSZ, ${ADDR}\\) = 0$`),
    );
    expect(line(/ fcntl\(\d+, F_SETLKW, /)).toMatch(
      new RegExp(` fcntl\\(\\d+, F_SETLKW, ${ADDR}\\) = 0$`),
    );
    expect(line(/ prctl\(PR_SET_NAME, /)).toMatch(
      new RegExp(` prctl\\(PR_SET_NAME, ${ADDR}\\) = 0$`),
    );
    expect(line(/ execve\("\/bin\/true", /)).toMatch(
      new RegExp(` execve\\("/bin/true", ${ADDR}, ${ADDR}\\) = 0$`),
    );
    expect(dump).not.toContain('<unavailable');
    expect(lines.filter((l) => /execve\(.*argv-marker/.test(l))).toEqual([]);
    // The core's captures are all there.
    expect(dump).toContain('write(1, "plain-write\\n", 12) = 12');
    expect(dump).toContain(
      `openat(AT_FDCWD, "${dir}/core-path", O_RDWR|O_CREAT|O_CLOEXEC, 0600) = `,
    );
    expectAccountingAddsUp(dump);
  });

  it('run with one family refused: only its arguments are addresses', () => {
    const dump = run({ TRACELOOP_TEST_REFUSE: 'iovec' });
    expect(dump.split('\n')[1]).toMatch(
      /^# captures left out on this kernel: iovec \(verifier: .*\); their arguments print as addresses$/,
    );
    expect(dump).toMatch(new RegExp(` writev\\(1, ${ADDR}, 2\\) = 12\n`));
    expect(dump).toMatch(new RegExp(` readv\\(\\d+, ${ADDR}, 2\\) = 8\n`));
    // msghdr's own iovecs are its family's, not iovec's.
    expect(dump).toMatch(/sendmsg\(\d+, \{msg_name=NULL, .*msg_iov=\[\{iov_base="msg"/);
    expect(dump).toMatch(/select\(\d+, \[\d+\], NULL, NULL, \{tv_sec=0/);
    expect(dump).toContain('execve("/bin/true", ["/bin/true", "argv-marker"], ');
    expect(dump).toContain('prctl(PR_SET_NAME, "tl-left-out") = 0');
    expectAccountingAddsUp(dump);
  });

  it('cgroups --dump-on-exit: said on stderr when recording starts and under the dump header', async () => {
    const cg = scratchCgroup('degrade-cgroups');
    try {
      const tl = spawnCli(['cgroups', '--no-decode-fds', '--dump-on-exit', cg.path], {
        TRACELOOP_TEST_REFUSE: 'dirents',
      });
      // Two lines, written one after the other: a read may take the first alone.
      await until('traceloop to attach and say what it left out', () =>
        /recording[^]*captures left out/.test(tl.stderr()),
      );
      expect(tl.stderr()).toMatch(
        /^traceloop: captures left out on this kernel: getdents counts \(verifier: .*\); their arguments print as addresses$/m,
      );
      await runInCgroup(cg.path, `ls ${dir} > /dev/null`);
      tl.child.kill('SIGTERM');
      expect(await tl.exited).toBe(0);
      const lines = tl.stdout().split('\n');
      expect(lines[0]).toBe(`# traceloop dump of ${cg.path} (cgroup id ${cgroupId(cg)})`);
      expect(lines[1]).toMatch(/^# captures left out on this kernel: getdents counts \(/);
      expect(tl.stdout()).toMatch(
        new RegExp(` getdents64\\(\\d+, ${ADDR}, 32768\\) = [1-9]\\d*\n`),
      );
      expectAccountingAddsUp(tl.stdout());
    } finally {
      await cg.remove('kill');
    }
  });

  describe('the daemon, and a front end attached to it', () => {
    const serve = useDaemon('degrade-serve', [], { TRACELOOP_TEST_REFUSE: 'msghdr' });
    const get = serve.get;
    let cg: ScratchCgroup;
    beforeAll(() => {
      cg = serve.cgroup('degrade-serve');
    });

    it('logs it, and says it in /stats, the dumps and the stream heads', async () => {
      expect(serve.d.stderr()).toMatch(
        /traceloop: captures left out on this kernel: msghdr \(verifier: /,
      );
      expect((await get(`/add?name=degraded&cgrouppath=${cg.path}`)).status).toBe(200);
      await runInCgroup(cg.path, `exec ${py} ${dir}/w.py ${dir} > /dev/null`);

      const stats = JSON.parse((await get('/stats?format=json')).body) as Record<string, unknown>;
      expect(Object.keys(stats)).toEqual(['daemon', 'capturesLeftOut', 'cgroups']);
      expect(stats.capturesLeftOut).toEqual({
        families: 'msghdr',
        why: 'tl_sys_enter: refused for the test (TRACELOOP_TEST_REFUSE): msghdr',
      });
      expect((await get('/stats')).body.split('\n')[1]).toBe(
        'captures left out on this kernel: msghdr (verifier: tl_sys_enter: refused for the test ' +
          '(TRACELOOP_TEST_REFUSE): msghdr); their arguments print as addresses',
      );

      const text = (await get('/dump-by-name?name=degraded')).body;
      const lines = text.split('\n');
      expect(lines[0]).toMatch(/^# traceloop dump of /);
      expect(lines[1]).toMatch(/^# captures left out on this kernel: msghdr \(verifier: /);
      // (the socketpair's end named as -y does from the inode the kernel recorded)
      expect(text).toMatch(
        new RegExp(` sendmsg\\(\\d+(<socket:\\[\\d+\\]>)?, ${ADDR}, 0\\) = 3\n`),
      );
      // (fd 1 named as -y does when the record holds its dup2, bare otherwise)
      expect(text).toMatch(/writev\(1(<[^>]*>)?, \[\{iov_base="hello ", iov_len=6\}/);
      expectAccountingAddsUp(text);

      const head = JSON.parse(
        (await get('/dump-by-name?name=degraded&format=jsonl')).body.split('\n')[0]!,
      ) as Record<string, unknown>;
      expect(head).toMatchObject({ kind: 'dump', capturesLeftOut: { families: 'msghdr' } });
    });

    it('a front end attached to the daemon shows it in the header and its snapshots', async () => {
      const api = new RemoteRecorder(serve.d.socket);
      const snaps = serve.fixture.dir('degrade-snap');
      const session = new Session(api, { snapshotDir: snaps });
      try {
        expect(await api.captures()).toEqual({
          leftOut: 'msghdr',
          why: 'tl_sys_enter: refused for the test (TRACELOOP_TEST_REFUSE): msghdr',
        });
        await session.start(60_000);
        expect(session.captures.leftOut).toBe('msghdr');
        const header = headerLines({
          where: api.where,
          cgroups: session.cgroups.length,
          captures: session.captures,
          width: 200,
        });
        expect(header.map((l) => l.text)).toEqual([
          expect.stringContaining(`traceloop · syscall flight recorder · ${serve.d.socket}`),
          ' captures left out on this kernel: msghdr (shown as addresses) · verifier: ' +
            'tl_sys_enter: refused for the test (TRACELOOP_TEST_REFUSE): msghdr',
        ]);
        const cgView = session.cgroups.find((c) => c.name === 'degraded')!;
        const { file } = await session.snapshot(cgView.id);
        const snap = fs.readFileSync(file, 'utf8').split('\n');
        expect(snap[1]).toMatch(/^# captures left out on this kernel: msghdr \(/);
      } finally {
        await session.close();
      }
    });
  });
});

describe('say what went wrong: the capabilities BPF needs', () => {
  beforeAll(() => {
    requireRootAndBpf();
    if (spawnSync('setpriv', ['--version']).status !== 0) {
      throw new Error('these tests need setpriv (util-linux) to drop capabilities');
    }
  });

  /** The CLI as nobody, with only `caps` (ambient, so they survive the exec into node). */
  const asNobody = (caps: string[], args: string[]) => {
    const keep = caps.map((c) => `+${c}`).join(',');
    return spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        `--inh-caps=-all${keep ? ',' + keep : ''}`,
        ...(keep ? [`--ambient-caps=${keep}`] : []),
        process.execPath,
        CLI,
        ...args,
      ],
      { encoding: 'utf8', cwd: '/' },
    );
  };

  it.each([
    [[], 'CAP_BPF and CAP_PERFMON'],
    [['bpf'], 'CAP_PERFMON'],
    [['perfmon'], 'CAP_BPF'],
  ])('with capabilities %j: one line naming what lacks (%s), exit 1, no stack', (caps, missing) => {
    for (const args of [
      ['run', '--', '/bin/true'],
      ['cgroups', '/sys/fs/cgroup'],
    ]) {
      const r = asNobody(caps, args);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toBe(
        'traceloop: permission denied: recording needs CAP_BPF and CAP_PERFMON (or ' +
          `CAP_SYS_ADMIN), and this process lacks ${missing}: run as root (e.g. sudo traceloop ...)\n`,
      );
      expect(r.stdout).toBe('');
    }
  });

  it('--version without them: the versions, and one line saying why captures were not checked', () => {
    const r = asNobody([], ['--version']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual([
      'traceloop',
      'libbpf',
      'kernel',
      'captures:',
    ]);
    expect(lines[3]).toMatch(
      /^captures: not checked, the BPF programs did not load: permission denied: .* lacks CAP_BPF and CAP_PERFMON: run as root/,
    );
    expect(r.stderr).toBe('');
  });

  it('with both but not root: run says it cannot create its cgroup, in one line', () => {
    const r = asNobody(['bpf', 'perfmon'], ['run', '--', '/bin/true']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^traceloop: cannot create a cgroup under \S+: EACCES: .*: run as root\n$/,
    );
  });
});

function cgroupId(cg: ScratchCgroup): bigint {
  return fs.statSync(cg.path, { bigint: true }).ino;
}

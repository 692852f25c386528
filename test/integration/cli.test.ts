// The command line, as a user runs it: real processes, signals, exit codes.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cgroup2Mount, type ScratchCgroup } from '../../src/cgroup.js';
import { curl, useDaemon, useFixture } from '../helpers/daemon.js';
import {
  CLI,
  cli,
  programsOfPid,
  programsGone,
  runInCgroup,
  scratchCgroup,
  spawnCli,
  tempDir,
  uniquePath,
  OUR_PROGRAMS,
} from '../helpers/system.js';
import { until } from '../helpers/wait.js';

/**
 * 10,000 stat calls in a tight loop: 20,000 events, 1.4 MB of records in a tenth of a second,
 * five times what a long-lived recorder's 256 KiB ring holds (and within run's 2 MiB, so a
 * drain delayed by a loaded machine loses nothing either).
 */
const PY_STATS = "import os\nfor _ in range(10000): os.stat('/etc')";

/**
 * The scratch cgroups `run` left behind: run-<its pid>-XXXX whose process has exited. One whose
 * process still runs is another `run`'s (another test file, another checkout's tests), not a leak.
 */
const scratchLeft = (): string[] => {
  const dir = path.join(cgroup2Mount(), 'traceloop');
  const alive = (pid: number): boolean => fs.existsSync(`/proc/${pid}`);
  return fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((d) => {
        const m = /^run-(\d+)-/.exec(d);
        return m !== null && !alive(Number(m[1]));
      })
    : [];
};

describe('traceloop CLI', () => {
  const fixture = useFixture({ each: true });
  const cgroup = (label: string): ScratchCgroup => fixture.cgroup(label);

  it('--version names traceloop, the vendored libbpf, the kernel, and what BPF loaded', () => {
    const r = cli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^traceloop \d+\.\d+\.\d+\nlibbpf 1\.1\.2 \(vendored, static\)\nkernel \S+\n/,
    );
    const [, , , captures, load, ...rest] = r.stdout.split('\n');
    expect(captures).toBe('captures: all loaded');
    expect(load).toMatch(
      /^BPF load: \d+ ms; instructions the verifier processed: tl_sys_enter \d+, tl_sys_exit \d+, tl_cgroup_move \d+, tl_proc_exit \d+, tl_proc_signal \d+ \(limit 1000000 each\)$/,
    );
    expect(rest).toEqual(['']);
  });

  it('run: dumps what CMD did, passes its exit status through, leaves no cgroup', () => {
    const file = uniquePath('run');
    fixture.defer(() => fs.rmSync(file, { force: true }));
    const r = cli(['run', '-s', '128', '--', 'sh', '-c', `echo run-marker > ${file}; exit 7`]);
    expect(r.status).toBe(7);
    expect(r.stderr).toMatch(/^# traceloop run: sh -c /);
    expect(r.stderr).toMatch(/execve\("\/usr\/bin\/sh", /);
    // -y by default: AT_FDCWD with the cwd, the fd with its file, fd 1 once the shell dup2'd it.
    expect(r.stderr).toContain(
      `openat(AT_FDCWD<${process.cwd()}>, "${file}", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3<${file}>`,
    );
    expect(r.stderr).toContain(`write(1<${file}>, "run-marker\\n", 11) = 11`);
    expect(r.stderr).toContain('exit_group(7) = ?');
    expect(scratchLeft()).toEqual([]);
  });

  it('run --filter fd:GLOB keeps the calls on fds -y names so, and nothing else', () => {
    const dir = tempDir('fdfilter');
    const file = path.join(dir, 'app.log');
    const r = cli([
      'run', '--filter', `fd:${dir}/*`, '--', 'sh', '-c',
      `exec 3>${file}; echo one >&3; echo two >&3; exec 3>&-; cat /etc/hostname >/dev/null`,
    ]); // prettier-ignore
    expect(r.status, r.stderr).toBe(0);
    const calls = r.stderr
      .split('\n')
      .filter((l) => / cpu#\d+ /.test(l))
      .map((l) => l.replace(/^.*?\] /, ''));
    // The shell's own dup2/fcntl dance with the file counts too; cat's calls on /etc/hostname
    // and every line that names no fd under dir are gone.
    expect(calls).toContain(
      `openat(AT_FDCWD<${process.cwd()}>, "${file}", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3<${file}>`,
    );
    expect(calls).toContain(`write(1<${file}>, "one\\n", 4) = 4`);
    expect(calls).toContain(`write(1<${file}>, "two\\n", 4) = 4`);
    for (const c of calls) expect(c).toContain(`<${file}>`);
    expect(calls.join('\n')).not.toContain('/etc/hostname');
  });

  it('run: a command busy enough to overwrite its own exec still shows its last calls', () => {
    // 2-page rings read once a second: the launcher's calls and CMD's execve are overwritten
    // before the next read. (1 page is too small to be sure of the end: after a wrap a read
    // starts at a page boundary past the writer's in-flight bytes, which may leave nothing.)
    const r = cli([
      'run', '--ring-pages', '2', '--interval', '1000', '--', 'sh', '-c',
      'i=0; while [ $i -lt 1000 ]; do : > /dev/null; i=$((i+1)); done; echo last-words',
    ]); // prettier-ignore
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/LOST \d+ events \(ring overwritten\)/);
    // (Whether a first read caught the execve before the loop overwrote it is a race: the
    // filter's side of it, everything after a loss shown, is run.test.ts's.)
    // (fd 1 named or bare: -y names it when /proc was read after the loss.)
    expect(r.stderr).toMatch(/write\(1(<[^>]*>)?, "last-words\\n", 11\) = 11/);
  });

  it('run: a process CMD leaves behind keeps running, moved out of the removed cgroup', () => {
    const r = cli(['run', '--', 'sh', '-c', 'sleep 30 >/dev/null 2>&1 & echo left=$!']);
    expect(r.status).toBe(0);
    const pid = Number(/left=(\d+)/.exec(r.stdout)?.[1]);
    try {
      expect(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8')).not.toContain('/traceloop/');
      expect(scratchLeft()).toEqual([]);
    } finally {
      process.kill(pid);
    }
  });

  it('run keeps a burst of 20,000 events, five times what a long-lived ring holds, whole', () => {
    const out = uniquePath('burst');
    fixture.defer(() => fs.rmSync(out, { force: true }));
    const r = cli(['run', '-o', out, '--', 'python3', '-S', '-c', PY_STATS]);
    expect(r.status, r.stderr).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(text).not.toContain('LOST');
    const footer = text.trimEnd().split('\n').at(-1)!;
    for (const [, lost] of footer.matchAll(/(\d+) lost/g)) expect(Number(lost), footer).toBe(0);
    expect(
      text.match(/newfstatat\(AT_FDCWD<[^>]*>, "\/etc", /g)?.length ?? 0,
    ).toBeGreaterThanOrEqual(10_000);
  });

  it('run -T shows the time in each call as strace -T does; without it, none', () => {
    const timed = cli(['run', '-T', '--', 'cat', '/etc/hostname']);
    expect(timed.status).toBe(0);
    expect(timed.stderr).toMatch(
      /\] openat\(AT_FDCWD<[^>]+>, "\/etc\/hostname", O_RDONLY\) = 3<\/etc\/hostname> <\d+\.\d{6}>\n/,
    );
    expect(timed.stderr).toMatch(/\] exit_group\(0\) = \?\n/); // no return, no time
    const plain = cli(['run', '--', 'cat', '/etc/hostname']);
    expect(plain.stderr).toMatch(
      /\] openat\(AT_FDCWD<[^>]+>, "\/etc\/hostname", O_RDONLY\) = 3<\/etc\/hostname>\n/,
    );
  });

  it('run -c counts calls and errors per syscall as strace -c does', () => {
    /** syscall → [calls, errors] from a strace -c table. */
    const table = (text: string): Map<string, [number, number]> => {
      const rows = new Map<string, [number, number]>();
      for (const m of text.matchAll(/^ *[\d.]+ +[\d.]+ +\d+ +(\d+) +(\d*) (\w+)$/gm)) {
        rows.set(m[3]!, [Number(m[1]), Number(m[2] || 0)]);
      }
      return rows;
    };
    const ours = cli(['run', '-c', '--', 'ls', '-la', '/etc']);
    expect(ours.status).toBe(0);
    expect(ours.stderr).toMatch(/^% time +seconds +usecs\/call +calls +errors syscall\n/);
    const theirs = spawnSync('strace', ['-f', '-c', '-w', 'ls', '-la', '/etc'], {
      encoding: 'utf8',
    });
    expect(theirs.status).toBe(0);
    const [a, b] = [table(ours.stderr), table(theirs.stderr)];
    expect(a.get('total')![0]).toBeGreaterThan(100);
    expect(Object.fromEntries(a)).toEqual(Object.fromEntries(b));
  });

  it('run gives CMD the argv[0] that was typed, as strace does', () => {
    const r = cli(['run', '--', 'sh', '-c', 'echo "$0"']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('sh\n');
    expect(r.stderr).toMatch(/execve\("\/usr\/bin\/sh", \["sh", "-c", "echo \\"\$0\\""\]/);
  });

  it('run -o on a full filesystem: one line, the previous file whole, no temp file left', () => {
    const dir = tempDir('full');
    const small = path.join(dir, 'small');
    fs.mkdirSync(small);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]).status).toBe(0);
    try {
      const out = path.join(small, 'run.txt');
      fs.writeFileSync(out, 'previous dump\n');
      const r = cli(['run', '-o', out, '--', 'python3', '-S', '-c', PY_STATS]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `traceloop: cannot write ${out}: no space left on device (free some space and dump again)\n`,
      );
      expect(fs.readFileSync(out, 'utf8')).toBe('previous dump\n');
      expect(fs.readdirSync(small)).toEqual(['run.txt']);
      expect(scratchLeft()).toEqual([]);
    } finally {
      spawnSync('umount', [small]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run -o and --save: a full filesystem under one leaves the other whole', () => {
    const dir = tempDir('full2');
    const small = path.join(dir, 'small');
    fs.mkdirSync(small);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', small]).status).toBe(0);
    try {
      // The text on the full filesystem, the capture beside it on a roomy one.
      const text = path.join(small, 'run.txt');
      const cap = path.join(dir, 'run.tlcap');
      let r = cli(['run', '-o', text, '--save', cap, '--', 'python3', '-S', '-c', PY_STATS]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `traceloop: capture saved to ${cap}\n` +
          `traceloop: cannot write ${text}: no space left on device (free some space and dump again)\n`,
      );
      expect(fs.readdirSync(small)).toEqual([]);
      const viewed = cli(['view', cap]);
      expect(viewed.status, viewed.stderr).toBe(0);
      expect(viewed.stdout).toMatch(/ = 0\n/);
      // And the other way round.
      const text2 = path.join(dir, 'run.txt');
      const cap2 = path.join(small, 'run.tlcap');
      r = cli(['run', '-o', text2, '--save', cap2, '--', 'python3', '-S', '-c', PY_STATS]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `traceloop: the text was written to ${text2}\n` +
          `traceloop: cannot write ${cap2}: no space left on device (free some space and dump again)\n`,
      );
      expect(fs.readdirSync(small)).toEqual([]);
      expect(fs.readFileSync(text2, 'utf8')).toMatch(/^# cpu\d: /m);
      expect(scratchLeft()).toEqual([]);
    } finally {
      spawnSync('umount', [small]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run -o FILE writes the dump to FILE; --no-decode-fds prints fds bare', () => {
    const out = uniquePath('dump');
    fixture.defer(() => fs.rmSync(out, { force: true }));
    const r = cli(['run', '--no-decode-fds', '-o', out, '--', 'cat', '/etc/hostname']);
    expect(r.status).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(text).toContain('openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = 3\n');
    expect(text).toMatch(/\] read\(3, "/);
  });

  it('cgroups --dump-on-exit records until SIGTERM, then dumps and detaches', async () => {
    const cg = cgroup('dump');
    const tl = spawnCli(['cgroups', '--dump-on-exit', cg.path]);
    await until('traceloop to attach', () => tl.stderr().includes('recording'));
    const mine = programsOfPid(tl.child.pid ?? 0);
    expect(mine).toHaveLength(OUR_PROGRAMS);
    await runInCgroup(cg.path, 'echo dump-marker-1 > /dev/null');
    tl.child.kill('SIGTERM');
    expect(await tl.exited).toBe(0);
    expect(tl.stdout()).toContain(`# traceloop dump of ${cg.path}`);
    // From the records alone (a past record: no /proc): the shell's open and dup2 name fd 1.
    expect(tl.stdout()).toContain('write(1</dev/null>, "dump-marker-1\\n", 14) = 14');
    expect(tl.stdout()).toMatch(/^# cpu\d: \d+ recorded, \d+ shown, 0 lost/m);
    expect(await programsGone(mine)).toEqual([]);
  });

  it('cgroups -c, attached or with --dump-on-exit, prints strace -c tables at the stop', async () => {
    const cg = cgroup('summary');
    for (const args of [['-c'], ['--dump-on-exit', '-c']]) {
      const tl = spawnCli(['cgroups', ...args, cg.path]);
      await until('traceloop to attach', () => tl.stderr().includes('recording'));
      await runInCgroup(cg.path, 'cat /no/such/summary-file 2>/dev/null; echo x > /dev/null');
      await new Promise((r) => setTimeout(r, 200));
      expect(tl.stdout()).toBe(''); // nothing until the stop
      tl.child.kill('SIGINT');
      expect(await tl.exited).toBe(0);
      const out = tl.stdout();
      expect(out, args.join(' ')).toMatch(new RegExp(`^# traceloop summary of ${cg.path}`));
      expect(out).toMatch(/^% time +seconds +usecs\/call +calls +errors syscall$/m);
      expect(out).toMatch(/^ +[\d.]+ +[\d.]+ +\d+ +\d+ +\d+ openat$/m); // with its errors
      expect(out).toMatch(/^ {2}openat +ENOENT \d+/m);
    }
  });

  it('cgroups without --dump-on-exit prints syscalls as they happen', async () => {
    const cg = cgroup('live');
    const tl = spawnCli(['cgroups', '--interval', '50', cg.path]);
    await until('traceloop to attach', () => tl.stderr().includes('recording'));
    await runInCgroup(cg.path, 'echo live-marker > /dev/null');
    await until('the write to show', () => tl.stdout().includes('"live-marker\\n"'));
    tl.child.kill('SIGINT');
    expect(await tl.exited).toBe(0);
  });

  it('says so when a recorded cgroup vanishes, dumps what it holds, exits non-zero', async () => {
    const cg = scratchCgroup('vanish');
    const tl = spawnCli(['cgroups', '--dump-on-exit', cg.path]);
    await until('traceloop to attach', () => tl.stderr().includes('recording'));
    await runInCgroup(cg.path, 'echo last-words > /dev/null');
    await cg.remove('kill');
    expect(await tl.exited).toBe(1);
    expect(tl.stderr()).toContain(`${cg.path} is gone`);
    expect(tl.stdout()).toContain('"last-words\\n"');
  });

  it('stops a dump cut short by SIGINT with a clear line and exit status 130', async () => {
    const cg = cgroup('sigint');
    const tl = spawnCli(['cgroups', '--dump-on-exit', '--ring-pages', '512', cg.path]);
    await until('traceloop to attach', () => tl.stderr().includes('recording'));
    // More than a pipe holds, and nobody reads stdout: the dump blocks.
    tl.child.stdout!.pause();
    await runInCgroup(cg.path, 'for i in $(seq 1 10000); do echo $i > /dev/null; done');
    tl.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    tl.child.kill('SIGINT');
    const code = await tl.exited;
    expect(code, `stdout ${tl.stdout().length} bytes; stderr: ${tl.stderr()}`).toBe(130);
    expect(tl.stderr()).toContain('traceloop: interrupted while writing the dump');
  });

  it('tells a user without privileges to run as root', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', '--', 'true'], {
      encoding: 'utf8',
      uid: 65534,
      gid: 65534,
      cwd: '/',
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^traceloop: permission denied: .* lacks CAP_BPF and CAP_PERFMON: run as root/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    [['cgroups', '/tmp'], /not inside the cgroup2 hierarchy/],
    [['cgroups', '/sys/fs/cgroup/traceloop-no-such'], /no such cgroup directory/],
    [['cgroups'], /give at least one cgroup2 directory/],
    [['cgroups', '--ring-pages', '3', '/tmp'], /--ring-pages must be a power of two/],
    [['cgroups', '--max-arg-bytes', '100000', '/tmp'], /--max-arg-bytes must be between/],
    [['run', '--', 'traceloop-no-such-command'], /traceloop-no-such-command: command not found/],
    [['run'], /give a command to run/],
    [['run', '-c', '--filter', 'errno:*', '--', 'true'], /give -c or --filter, not both/],
    [['run', '-o', '/tmp/tl-same', '--save', '/tmp/tl-same', '--', 'true'], /name the same file/],
    [['view', '/tmp'], /cannot read \/tmp: a directory/],
    [['view', '/dev/zero'], /cannot read \/dev\/zero: not a regular file/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j fails with one clear line', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^traceloop: /);
    expect(lines[0]).toMatch(message);
    expect(scratchLeft()).toEqual([]);
  });

  describe('--help and flags, per subcommand', () => {
    const subcommands = ['cgroups', 'run', 'tui', 'serve', 'add', 'list', 'dump', 'close'];

    // Every run has a deadline and never touches /run/traceloop.socket: before, `serve --help`
    // (or serve with any flag) started a daemon there that never returned.
    const scratch = tempDir('help');
    afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
    const socket = path.join(scratch, 'tl.sock');
    const safe = (args: string[]) =>
      spawnSync(
        process.execPath,
        [CLI, ...args, ...(args.includes('serve') ? ['--socket', socket] : [])],
        { encoding: 'utf8', input: '', timeout: 5000, killSignal: 'SIGKILL' },
      );

    it.each(subcommands)('%s --help prints its own help, does nothing else, exits 0', (sub) => {
      for (const help of ['--help', '-h']) {
        // The socket flag too: no daemon on it, no UI, no request.
        const args = ['tui', 'add', 'list', 'dump', 'close'].includes(sub)
          ? [sub, help, '--socket', socket]
          : [sub, help];
        const r = safe(args);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout).toMatch(
          new RegExp(`^\\n {2}Usage\\n {4}\\$ traceloop (\\[tui\\]|${sub})\\s`),
        );
        expect(r.stdout).toContain('\n  Options\n');
        expect(r.stdout).toMatch(/\n {2}Example\n {4}\$ traceloop \S+/);
        expect(r.stdout).not.toContain('Talk to the daemon'); // not the general help
        expect(fs.readdirSync(scratch)).toEqual([]);
      }
    });

    it('serve --help lists what serve takes and nothing of the others', () => {
      const r = safe(['serve', '--help']);
      expect(r.stdout).toContain('--socket-group G');
      expect(r.stdout).toContain('--retention T');
      expect(r.stdout).not.toContain('--dump-on-exit');
      expect(r.stdout).not.toContain('--cgroup PATH');
      expect(r.stdout).not.toContain('gone-check'); // a test knob, not for users
    });

    it('--help with no subcommand is the general help', () => {
      const r = cli(['--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('traceloop SUBCOMMAND --help');
      expect(r.stdout).toContain('$ traceloop add PATH|PID|UNIT');
    });

    it.each(subcommands)('%s --cgroupz fails in one line naming the flag and the help', (sub) => {
      const r = safe([sub, '--cgroupz', 'x']);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`traceloop: unknown flag --cgroupz (see traceloop ${sub} --help)\n`);
      expect(r.stdout).toBe('');
    });

    it.each([
      [['list', '--dump-on-exit'], 'list does not take --dump-on-exit (see traceloop list --help)'],
      [['serve', '--cgroup', '/x'], 'serve does not take --cgroup (see traceloop serve --help)'],
      [['tui', '--cgroup'], '--cgroup needs a value (see traceloop tui --help)'],
      [['tui', '--cgroup='], '--cgroup needs a value (see traceloop tui --help)'],
      [['tui', '--cgroup', '--pid', '1'], '--cgroup needs a value (see traceloop tui --help)'],
      [['--cgroup'], '--cgroup needs a value (see traceloop --help)'],
      [['cgroups', '-o'], '-o needs a value (see traceloop cgroups --help)'],
      [
        ['list', '--socket', 'a', '--socket', 'b'],
        '--socket is given twice (see traceloop list --help)',
      ],
      [['run', '-x', '--', 'true'], 'unknown flag -x (see traceloop run --help)'],
      [['--frobnicate'], 'unknown flag --frobnicate (see traceloop --help)'],
    ])('%j is a usage error: %s', (args, message) => {
      const r = safe(args);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`traceloop: ${message}\n`);
    });

    it('flags the subcommand takes still work, in any order', () => {
      const dir = fixture.dir('flags');
      const r = cli(['--socket', path.join(dir, 'none.sock'), 'list']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^traceloop: no traceloop daemon answers on .*none\.sock/);
      const out = path.join(dir, 'out.txt');
      expect(cli(['run', '--string-limit=64', '-o', out, '--', 'true']).status).toBe(0);
      expect(fs.existsSync(out)).toBe(true);
    });
  });

  describe('the daemon client subcommands take what the UI takes', () => {
    const serve = useDaemon('cli-client');
    const inDaemon = (args: string[]) => cli([...args, '--socket', serve.d.socket]);

    it('dump --filter keeps the lines the filter language keeps; dump -c is strace -c of it', async () => {
      const cg = cgroup('dump-filter');
      const added = inDaemon(['add', cg.path, '--name', 'dump-filter']);
      expect(added.stderr).toBe('');
      const id = /id (\d+)/.exec(added.stdout)![1]!;
      await runInCgroup(
        cg.path,
        'cat /no/such/file-1 /no/such/file-2 2>/dev/null; echo hi > /dev/null',
      );
      const all = inDaemon(['dump', 'dump-filter']).stdout;
      expect(all).toContain('openat(AT_FDCWD, "/no/such/file-1", O_RDONLY) = -1 ENOENT');
      // -y's names from the record (the shell's /dev/null, opened in it); --no-decode-fds: bare.
      expect(all).toMatch(/write\(1<\/dev\/null>, "hi\\n", 3\) = 3/);
      const bare = inDaemon(['dump', 'dump-filter', '--no-decode-fds']).stdout;
      expect(bare).toContain('write(1, "hi\\n", 3) = 3');
      expect(bare).not.toContain('</dev/null>');
      // fd: filters a dump by those names.
      const devnull = inDaemon(['dump', 'dump-filter', '--filter', 'fd:/dev/null']).stdout;
      const named = devnull.split('\n').filter((l) => / cpu#\d+ /.test(l));
      expect(named.length).toBeGreaterThan(0);
      for (const l of named) expect(l).toContain('</dev/null>');
      const only = inDaemon([
        'dump',
        'dump-filter',
        '--filter',
        'syscall:openat errno:ENOENT comm:cat',
      ]);
      expect(only.status, only.stderr).toBe(0);
      const lines = only.stdout.split('\n').filter((l) => / cpu#\d+ /.test(l));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const l of lines) expect(l).toMatch(/\[cat\] openat\(.*\) = -1 ENOENT|---- LOST/);
      expect(only.stdout).toContain(
        '# only the lines the filter "syscall:openat errno:ENOENT comm:cat" keeps',
      );
      // The footer counts the lines of this file.
      const footer = only.stdout.trimEnd().split('\n').at(-1)!;
      const counted = [...footer.matchAll(/\((\d+) lines?\)/g)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
      expect(counted).toBe(lines.length);

      // jsonl takes the filter too: the records of those lines, each call's enter and exit
      // together, and the text of each the line text printed.
      const jsonl = inDaemon([
        'dump',
        'dump-filter',
        '--format',
        'jsonl',
        '--filter',
        'syscall:openat errno:ENOENT comm:cat',
      ]);
      expect(jsonl.status, jsonl.stderr).toBe(0);
      const objs = jsonl.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, string>);
      expect(objs[0]).toMatchObject({
        kind: 'dump',
        filter: 'syscall:openat errno:ENOENT comm:cat',
      });
      expect(objs.at(-1)?.kind).toBe('accounting');
      const records = objs.slice(1, -1).filter((o) => o.kind !== 'lost');
      const exits = records.filter((o) => o.kind === 'exit');
      // (Each dump maps boot time to the wall clock anew: the times may differ by a few µs.)
      const untimed = (l: string): string => l.replace(/^\S+ /, '');
      expect(exits.map((o) => untimed(o.text!))).toEqual(lines.map(untimed));
      for (const o of exits) expect([o.syscall, o.errno]).toEqual(['openat', 'ENOENT']);
      // Each exit right after its own enter (a pair goes or stays together).
      expect(records.map((o) => o.kind)).toEqual(exits.flatMap(() => ['enter', 'exit']));
      records.forEach((o, i) => {
        if (o.kind === 'enter') expect([o.tid, o.comm]).toEqual([records[i + 1]!.tid, 'cat']);
      });

      const summary = inDaemon(['dump', 'dump-filter', '-c']);
      expect(summary.stdout).toMatch(
        /^# traceloop summary of .*\n% time +seconds +usecs\/call +calls +errors syscall\n/,
      );
      expect(summary.stdout).toMatch(/^ +[\d.]+ +[\d.]+ +\d+ +\d+ +\d+ openat$/m);
      expect(summary.stdout).toMatch(/^ {2}openat +ENOENT \d+/m);

      // The endpoints: /summary, and the answers to what they cannot do.
      const at = (q: string) => curl(serve.d.socket, `http://localhost${q}`);
      const s = await at('/summary?name=dump-filter');
      expect(s.status).toBe(200);
      expect(s.body).toMatch(/\n% time +seconds/);
      for (const [q, why] of [
        ['/summary?name=dump-filter&format=jsonl', 'summary works with format=text only'],
        [
          '/dump-by-name?name=dump-filter&format=raw&filter=x',
          'filter works with format=text or jsonl, not raw',
        ],
        [
          '/dump-by-name?name=dump-filter&filter=errno:EFOO',
          'filter: errno: no errno is called EFOO',
        ],
        ['/dump-by-name?name=dump-filter&filter=x&summary=1', 'give filter or summary, not both'],
        ['/dump-by-name?name=dump-filter&summary=yes', "summary takes 1 or true, not 'yes'"],
      ]) {
        const r = await at(q!);
        expect([r.status, r.body.trim()], q).toEqual([400, why]);
      }

      // A live text stream takes the same filter.
      const live = at('/stream?name=dump-filter&format=text&filter=errno:ENOENT%20comm:cat');
      await new Promise((r) => setTimeout(r, 300));
      await runInCgroup(cg.path, 'cat /no/such/live-1 2>/dev/null; echo x > /dev/null');
      await new Promise((r) => setTimeout(r, 500));
      expect(inDaemon(['close', id]).status).toBe(0); // ends the stream
      const streamed = await live;
      expect(streamed.status).toBe(200);
      const callLines = streamed.body.split('\n').filter((l) => / cpu#\d+ \d+ \[/.test(l));
      expect(callLines.some((l) => l.includes('"/no/such/live-1"'))).toBe(true);
      for (const l of callLines) expect(l).toMatch(/\[cat\] .* = -1 ENOENT/);

      const yy = inDaemon(['dump', 'dump-filter', '-yy']);
      expect([yy.status, yy.stderr]).toEqual([
        1,
        "traceloop: -yy: a socket's address is known only while it is open, and a dump is the past: it names fds as -y does; for addresses, record live (traceloop cgroups -yy, run -yy, /stream?fds=yy)\n",
      ]);

      const bad = inDaemon(['dump', 'dump-filter', '--filter', 'errno:EFOO']);
      expect(bad.status).toBe(1);
      expect(bad.stderr).toBe('traceloop: --filter: errno: no errno is called EFOO\n');
    });

    it('list with nothing registered says so', () => {
      const r = inDaemon(['list']);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `traceloop: the daemon on ${serve.d.socket} records no cgroup: add one with 'traceloop add PATH|PID|UNIT'\n`,
      );
    });

    it('add PID records the cgroup of that process', async () => {
      const cg = cgroup('add-pid');
      const sleeper = spawn('/bin/bash', [
        '-c',
        'echo $$ > "$0/cgroup.procs" && exec sleep 60',
        cg.path,
      ]);
      fixture.defer(() => {
        sleeper.kill('SIGKILL');
      });
      await until(
        'the sleeper in its cgroup',
        () => fs.readFileSync(path.join(cg.path, 'cgroup.procs'), 'utf8').trim() !== '',
      );
      const r = inDaemon(['add', String(sleeper.pid)]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^added as id \d+\n$/);
      const id = /id (\d+)/.exec(r.stdout)![1]!;
      expect(inDaemon(['list']).stdout).toContain(
        `${id}: [${path.basename(cg.path)}] ${cg.path}\n`,
      );
      expect(inDaemon(['close', id]).status).toBe(0);
    });

    it('add UNIT records the cgroup systemd made for it (system.slice/UNIT)', () => {
      const slice = path.join(cgroup2Mount(), 'system.slice');
      const made = !fs.existsSync(slice);
      const unit = `tl-cli-test-${process.pid}.service`;
      const dirOf = path.join(slice, unit);
      fs.mkdirSync(dirOf, { recursive: true });
      fixture.defer(() => {
        fs.rmdirSync(dirOf);
        if (made) fs.rmdirSync(slice);
      });
      // Named with or without its .service, as systemctl takes it.
      for (const name of [unit, unit.replace(/\.service$/, '')]) {
        const r = inDaemon(['add', name]);
        expect(r.stderr).toBe('');
        const id = /id (\d+)/.exec(r.stdout)![1]!;
        expect(inDaemon(['list']).stdout).toContain(`${id}: [${unit}] ${dirOf}\n`);
        expect(inDaemon(['close', id]).status).toBe(0);
      }
      const r = inDaemon(['add', 'tl-no-such-unit']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^traceloop: no systemd unit 'tl-no-such-unit': /);
      expect(inDaemon(['add', '999999999']).stderr).toBe(
        'traceloop: no process with pid 999999999\n',
      );
    });

    it('add of the root cgroup (as a path or as pid 1) is refused, with why (#14.9)', () => {
      // The daemon would record every process on the machine, itself and its clients included.
      const root = cgroup2Mount();
      for (const target of [root, '1']) {
        const r = inDaemon(['add', target]);
        expect(r.status, target).toBe(1);
        expect(r.stderr).toBe(`traceloop: ${root}: the cgroup2 root itself cannot be recorded\n`);
      }
      expect(inDaemon(['list']).stdout).toBe(''); // nothing was registered
    });

    it("errors point at 'traceloop list', not at the daemon's /list", () => {
      for (const args of [
        ['dump', 'no-such-name'],
        ['dump', '4242'],
        ['close', 'no-such-name'],
      ]) {
        const r = inDaemon(args);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/^traceloop: no cgroup .* \(see 'traceloop list'\)\n$/);
        expect(r.stderr).not.toContain('/list');
      }
    });
  });
});

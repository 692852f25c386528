// Triggered dumps (#16), end to end: a real daemon with --dump-dir, real cgroups, programs that
// crash, abort, exit non-zero, meet ECONNREFUSED, are OOM-killed or whose cgroup goes away; the
// files it saves (capture and text, the trigger's line marked), the rate limit, the directory
// budget, a full disk, `traceloop cgroups --dump-dir`, and bad option values.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { curl, URL, useFixture, type DaemonProcess } from '../helpers/daemon.js';
import { readCapture } from '../../src/capture/reader.js';
import { RemoteRecorder } from '../../src/client/remote-recorder.js';
import type { DumpDescribed } from '../../src/server/http.js';
import { parseRecords, TL_NR_PROC_END } from '../../src/wire.js';
import { cli, runInCgroup, spawnCli } from '../helpers/system.js';
import { until } from '../helpers/wait.js';

type Dump = DumpDescribed;

/**
 * The python3 binary itself: a version manager's shim (pyenv) would run shell scripts first,
 * whose own non-zero exits are triggers too.
 */
const PYTHON = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
  encoding: 'utf8',
}).trim();

/** python3 writing a marker and then doing `then`. */
const py = (then: string): string =>
  `exec ${PYTHON} -c 'import os, ctypes, socket; os.write(1, b"MARKER\\n"); ${then}'`;

async function dumpsOf(d: DaemonProcess, name: string): Promise<Dump[]> {
  const a = await curl(d.socket, `${URL}/dumps?name=${name}`);
  expect(a.status).toBe(200);
  return JSON.parse(a.body) as Dump[];
}

async function register(d: DaemonProcess, cgroupPath: string): Promise<string> {
  const a = await curl(
    d.socket,
    `${URL}/add?cgrouppath=${encodeURIComponent(cgroupPath)}&format=json`,
  );
  expect(a.status, a.body).toBe(200);
  return (JSON.parse(a.body) as { name: string }).name;
}

/** The text's lines before its closing `# cpu...` accounting line. */
function body(text: string): string[] {
  const lines = text.trimEnd().split('\n');
  let end = lines.length;
  while (end > 0 && !lines[end - 1]!.startsWith('# cpu')) end--;
  return lines.slice(0, end - 1);
}

/** `traceloop view FILE` without a terminal prints one line about the file, then the text. */
function expectViewPrintsText(dump: Dump): void {
  const v = cli(['view', dump.capture]);
  expect(v.status, v.stderr).toBe(0);
  expect(v.stdout.split('\n').slice(1).join('\n')).toBe(fs.readFileSync(dump.text, 'utf8'));
}

describe('triggered dumps', () => {
  const fx = useFixture();
  let d: DaemonProcess;
  let dir: string;

  beforeAll(async () => {
    dir = path.join(fx.dir('dumps'), 'out');
    d = await fx.daemon({
      tag: 'triggers',
      args: [
        '--dump-dir',
        dir,
        '--dump-on',
        'crash,exit,errno=ECONNREFUSED,gone',
        '--dump-rate',
        '2',
        '--gone-check-ms',
        '200',
      ],
    });
  });

  /** Runs `script` in a fresh registered cgroup, then waits for its dump of `kind`. */
  async function triggered(label: string, script: string, kind: string) {
    const cg = fx.cgroup(label);
    const name = await register(d, cg.path);
    const run = await runInCgroup(cg.path, `ulimit -c 0; ${script}`);
    const ended = Date.now();
    const dump = await until(`a ${kind} dump of ${name}`, async () =>
      (await dumpsOf(d, name)).find((x) => x.trigger === kind),
    );
    const text = fs.readFileSync(dump.text, 'utf8');
    return { cg, name, run, ended, dump, text, lines: body(text) };
  }

  it('a segfault: within 1 s the capture and its text, ending with the marker, the fault and the marked end', async () => {
    const t = await triggered('segv', py('ctypes.string_at(0)'), 'crash');
    expect(t.run.code).toBeNull(); // killed
    expect(Date.parse(t.dump.at) - t.ended).toBeLessThan(1000);
    expect(path.basename(t.dump.capture)).toMatch(
      new RegExp(`^${t.name}-crash-\\d{8}T\\d{6}\\.\\d{3}Z\\.tlcap$`),
    );
    expect(fs.existsSync(t.dump.capture)).toBe(true);
    expect(t.text.split('\n')[1]).toMatch(/^# trigger: crash: process \d+ killed by SIGSEGV at /);
    const last = t.lines.slice(-3);
    expect(last[0]).toMatch(/ write\(1, "MARKER\\n", 7\) = 7$/);
    expect(last[1]).toMatch(
      / --- SIGSEGV \{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL\} ---$/,
    );
    expect(last[2]).toMatch(/ \+\+\+ killed by SIGSEGV \+\+\+ {3}<<< trigger$/);
    expect(t.lines.filter((l) => l.endsWith('<<< trigger'))).toHaveLength(1);
    expectViewPrintsText(t.dump);
    expect(d.stderr()).toContain(`crash in ${t.name}: saved to ${t.dump.capture}`);
  });

  it('abort(): SIGABRT is a crash', async () => {
    const t = await triggered('abrt', py('os.abort()'), 'crash');
    expect(t.text.split('\n')[1]).toMatch(/killed by SIGABRT/);
    expect(t.lines.at(-2)).toMatch(
      / --- SIGABRT \{si_signo=SIGABRT, si_code=SI_TKILL, si_pid=\d+, si_uid=0\} ---$/,
    );
    expect(t.lines.at(-1)).toMatch(/\+\+\+ killed by SIGABRT \+\+\+ {3}<<< trigger$/);
    expect(t.lines.some((l) => / write\(1, "MARKER\\n", 7\) = 7$/.test(l))).toBe(true);
  });

  it('a non-zero exit', async () => {
    const t = await triggered('exit3', py('os._exit(3)'), 'exit');
    expect(t.run.code).toBe(3);
    expect(t.text.split('\n')[1]).toMatch(/^# trigger: exit: process \d+ exited with 3 /);
    expect(t.lines.slice(-3)[0]).toMatch(/ write\(1, "MARKER\\n", 7\) = 7$/);
    expect(t.lines.slice(-3)[1]).toMatch(/ exit_group\(3\) = \?$/);
    expect(t.lines.at(-1)).toMatch(/\+\+\+ exited with 3 \+\+\+ {3}<<< trigger$/);
  });

  it('an armed errno: the failing call is the marked line', async () => {
    const t = await triggered(
      'refused',
      py('s = socket.socket(); s.connect_ex(("127.0.0.1", 1)); os.write(1, b"AFTER\\n")'),
      'errno',
    );
    expect(t.run.code).toBe(0);
    expect(t.text.split('\n')[1]).toMatch(
      /^# trigger: errno: connect of thread \d+ .*ECONNREFUSED/,
    );
    const marked = t.lines.filter((l) => l.endsWith('<<< trigger'));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toMatch(
      / connect\(3, .* = -1 ECONNREFUSED \(Connection refused\) {3}<<< trigger$/,
    );
    // The tail: what came after the failure is in the dump too.
    const at = t.lines.indexOf(marked[0]!);
    expect(t.lines.slice(at).some((l) => / write\(1, "AFTER\\n", 6\) = 6$/.test(l))).toBe(true);
    expectViewPrintsText(t.dump);
  });

  it('an OOM kill: SIGKILL, said to be the OOM killer', async () => {
    // This host's memory controller may be cgroup v1 (hybrid): a memory-limited v1 cgroup under
    // our own, or memory.max where cgroup2 has the controller.
    const own = fs.readFileSync('/proc/self/cgroup', 'utf8').match(/^\d+:memory:(.*)$/m)?.[1];
    const cg = fx.cgroup('oom');
    let limit: string;
    let memcg: string | undefined;
    if (own !== undefined && fs.existsSync('/sys/fs/cgroup/memory')) {
      memcg = path.join('/sys/fs/cgroup/memory', own, `traceloop-test-oom-${process.pid}`);
      fs.mkdirSync(memcg);
      fx.defer(() => fs.rmdirSync(memcg!));
      fs.writeFileSync(path.join(memcg, 'memory.limit_in_bytes'), String(64 << 20));
      limit = `echo $$ > ${memcg}/cgroup.procs; `;
    } else {
      fs.writeFileSync(path.join(cg.path, 'memory.max'), String(64 << 20));
      limit = '';
    }
    const name = await register(d, cg.path);
    const run = await runInCgroup(cg.path, `${limit}${py('x = bytearray(512 << 20)')}`);
    expect(run.code).toBeNull();
    const dump = await until('an OOM dump', async () =>
      (await dumpsOf(d, name)).find((x) => x.trigger === 'crash'),
    );
    expect(dump.detail).toMatch(/killed by SIGKILL by the OOM killer/);
    // The kernel marked the end record itself (TL_FLAG_OOM), not only the CPU's trigger note.
    const ends = readCapture(fs.readFileSync(dump.capture))
      .batches.flatMap((b) => parseRecords(b))
      .filter((r) => r.kind === 'exit' && r.nr === TL_NR_PROC_END);
    expect(
      ends.some((r) => r.kind === 'exit' && r.oom === true && (Number(r.ret) & 0x7f) === 9),
    ).toBe(true);
    expect(ends.filter((r) => r.kind === 'exit' && r.oom)).toHaveLength(1);
    const lines = body(fs.readFileSync(dump.text, 'utf8'));
    expect(lines.at(-1)).toMatch(/\+\+\+ killed by SIGKILL \+\+\+ {3}<<< trigger$/);
  });

  it('a cgroup removed: its kept record is saved as `gone`', async () => {
    const cg = fx.cgroup('gone');
    const name = await register(d, cg.path);
    await runInCgroup(cg.path, py('pass'));
    await cg.remove();
    const dump = await until('a gone dump', async () =>
      (await dumpsOf(d, name)).find((x) => x.trigger === 'gone'),
    );
    const text = fs.readFileSync(dump.text, 'utf8');
    expect(text.split('\n')[1]).toBe(
      `# trigger: gone: ${cg.path} was removed (its service stopped)`,
    );
    expect(body(text).some((l) => / write\(1, "MARKER\\n", 7\) = 7$/.test(l))).toBe(true);
    expectViewPrintsText(dump);
    // /list still shows the kept record with its dump.
    const list = await curl(d.socket, `${URL}/list`);
    expect(list.body).toContain(`    gone ${dump.at}: ${dump.capture} (and .txt)`);
  });

  it('--dump-rate: at most N dumps per cgroup and trigger per minute, the rest said once', async () => {
    const cg = fx.cgroup('rate');
    const name = await register(d, cg.path);
    for (let i = 1; i <= 3; i++) {
      await runInCgroup(cg.path, `ulimit -c 0; ${py('ctypes.string_at(0)')}`);
      if (i <= 2) await until(`dump ${i}`, async () => (await dumpsOf(d, name)).length >= i);
    }
    await until('the rate limit said', () =>
      d.stderr().includes(`crash in ${name}: not saved, --dump-rate 2 per minute reached`),
    );
    expect(await dumpsOf(d, name)).toHaveLength(2);
  });

  it('traceloop list, /list and the UI’s client show each cgroup’s dumps', async () => {
    const l = cli(['list', '--socket', d.socket]);
    expect(l.status).toBe(0);
    expect(l.stdout).toMatch(/\n {4}crash \S+: \S+-crash-\S+\.tlcap \(and \.txt\)\n/);
    const listed = await new RemoteRecorder(d.socket).list();
    const withDumps = listed.filter((c) => (c.dumps ?? []).length > 0);
    expect(withDumps.length).toBeGreaterThanOrEqual(5);
    for (const c of withDumps) {
      for (const x of c.dumps!) {
        expect(x.capture).toMatch(new RegExp(`/${c.name}-${x.trigger}-\\d{8}T`));
        expect(fs.existsSync(x.capture)).toBe(true);
      }
    }
  });
});

describe('triggered dumps: the directory budget and a full disk', () => {
  const fx = useFixture();

  it('--dump-dir-max: our oldest files go first, each said; others’ files and links are left', async () => {
    const dir = fx.dir('budget');
    const victim = path.join(fx.dir('victim'), 'victim');
    fs.writeFileSync(victim, 'v'.repeat(50_000));
    const old = (name: string, ageS: number): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, 'o'.repeat(100_000));
      const t = new Date(Date.now() - ageS * 1000);
      fs.utimesSync(f, t, t);
      return f;
    };
    const oldest = old('svc-crash-20250101T000000.000Z.tlcap', 300);
    const older = old('svc-crash-20250101T000000.000Z.txt', 200);
    const newer = old('svc-exit-20250101T000100.000Z.tlcap', 100);
    const foreign = old('README', 1000);
    fs.symlinkSync(victim, path.join(dir, 'svc-gone-20240101T000000.000Z.txt'));
    const d = await fx.daemon({
      tag: 'budget',
      args: ['--dump-dir', dir, '--dump-dir-max', '250K', '--ring-pages', '4'],
    });
    const cg = fx.cgroup('budget');
    const name = await register(d, cg.path);
    await runInCgroup(cg.path, `ulimit -c 0; ${py('ctypes.string_at(0)')}`);
    const [dump] = await until('the dump', async () => {
      const l = await dumpsOf(d, name);
      return l.length > 0 && l;
    });
    expect(fs.existsSync(dump!.capture)).toBe(true);
    // Oldest first: 300,000 bytes of old files and the new dump do not fit in 256,000.
    expect(fs.existsSync(oldest)).toBe(false);
    if (fs.existsSync(older)) expect(fs.existsSync(newer)).toBe(true);
    for (const f of [oldest, older, newer]) {
      const said = d.stderr().includes(`--dump-dir-max 256000: deleted ${f} (100000 bytes`);
      expect(said, f).toBe(!fs.existsSync(f));
    }
    expect(fs.existsSync(foreign)).toBe(true);
    expect(fs.readFileSync(victim, 'utf8')).toHaveLength(50_000);
    const ours = fs
      .readdirSync(dir)
      .filter((f) => /^(svc|budget)/.test(f) && fs.lstatSync(path.join(dir, f)).isFile());
    const total = ours.reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
    expect(total).toBeLessThanOrEqual(256_000);
  });

  it('a full disk: one line said, nothing half-written left, and the daemon records on', async () => {
    const dir = fx.dir('full');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir]);
    fx.defer(() => execFileSync('umount', [dir]));
    const d = await fx.daemon({ tag: 'full', args: ['--dump-dir', dir] });
    const cg = fx.cgroup('full');
    const name = await register(d, cg.path);
    await runInCgroup(cg.path, `ulimit -c 0; ${py('ctypes.string_at(0)')}`);
    await until('the error said', () =>
      d.stderr().includes(`crash in ${name}: cannot save its record in ${dir}`),
    );
    expect(fs.readdirSync(dir)).toEqual([]);
    await runInCgroup(cg.path, 'echo still recorded');
    const a = await curl(d.socket, `${URL}/dump-by-name?name=${name}`);
    expect(a.status).toBe(200);
    expect(a.body).toContain('"still recorded\\n"');
  });
});

describe('triggered dumps: traceloop cgroups, and bad values', () => {
  const fx = useFixture();

  it('traceloop cgroups --dump-dir saves a crash too, and its cgroup removed', async () => {
    const dir = fx.dir('cgroups-dumps');
    const cg = fx.cgroup('cgroups-trig');
    const r = spawnCli([
      'cgroups',
      '--dump-on-exit',
      '--dump-dir',
      dir,
      '--dump-on',
      'crash,gone',
      cg.path,
    ]);
    fx.defer(async () => {
      r.child.kill('SIGKILL');
      await r.exited;
    });
    await until('cgroups to record', () => r.stderr().includes('recording'), 20_000);
    await runInCgroup(cg.path, `ulimit -c 0; ${py('ctypes.string_at(0)')}`);
    const txt = await until('the text dump', () =>
      fs.readdirSync(dir).find((f) => f.endsWith('.txt')),
    );
    const lines = body(fs.readFileSync(path.join(dir, txt), 'utf8'));
    expect(lines.at(-1)).toMatch(/\+\+\+ killed by SIGSEGV \+\+\+ {3}<<< trigger$/);
    // Its cgroup removed: the record, still in the rings, saved as `gone`; then cgroups ends.
    await cg.remove();
    const gone = await until('the gone dump', () =>
      fs.readdirSync(dir).find((f) => /-gone-.*\.txt$/.test(f)),
    );
    const goneText = fs.readFileSync(path.join(dir, gone), 'utf8');
    expect(goneText.split('\n')[1]).toBe(
      `# trigger: gone: ${cg.path} was removed (its service stopped)`,
    );
    expect(body(goneText).some((l) => / --- SIGSEGV \{/.test(l))).toBe(true);
    expect(await r.exited).toBe(1); // every recorded cgroup vanished
    expect(r.stderr()).toMatch(/crash in \S+: saved to /);
  });

  it.each([
    [
      ['--dump-dir', '/tmp/x', '--dump-on', 'crash,boom'],
      /^traceloop: --dump-on: unknown trigger 'boom'/,
    ],
    [
      ['--dump-dir', '/tmp/x', '--dump-on', 'errno=ENOPE'],
      /^traceloop: --dump-on: unknown errno 'ENOPE'/,
    ],
    [['--dump-dir', '/tmp/x', '--dump-tail', 'later'], /^traceloop: --dump-tail: not a duration/],
    [['--dump-dir', '/tmp/x', '--dump-rate', '0'], /^traceloop: --dump-rate: /],
    [['--dump-dir', '/tmp/x', '--dump-dir-max', 'lots'], /^traceloop: --dump-dir-max: /],
    [['--dump-on', 'crash'], /^traceloop: .*need --dump-dir DIR/],
  ])('serve %j fails in one line', (args, why) => {
    const r = cli(['serve', '--socket', '/tmp/never.sock', ...args]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(why);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

// Capture files end to end (#16.3, #16.4): `run -o out.txt --save out.tlcap` then
// `traceloop view out.tlcap` prints out.txt again, after one line saying what the file is;
// as a user without root, and from a copy of traceloop that has no native addon at all; a
// daemon's record saved by `dump --save` views as the daemon's text dump; a damaged file
// prints what came before the damage and says so in one line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/reader.js';
import { URL, curl, useFixture } from '../helpers/daemon.js';
import { CLI, runInCgroup } from '../helpers/system.js';
import { openTerminal } from '../helpers/tmux.js';
import { until } from '../helpers/wait.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The views below print megabytes: more than spawnSync's default 1 MiB. */
const BIG = 256 << 20;
const cli = (args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input: '', maxBuffer: BIG });

/** A script that forks, reads, writes, fails a call and exits non-zero: a varied record. */
const WORK =
  'for i in 1 2 3; do cat /etc/hostname > /dev/null; done; ls /nonexistent-capture 2>/dev/null; ' +
  'echo capture-marker; python3 -c "import os\nfor _ in range(3000): os.stat(\'/etc\')"; exit 4';

const viewLines = (stdout: string): { first: string; rest: string } => {
  const nl = stdout.indexOf('\n');
  return { first: stdout.slice(0, nl), rest: stdout.slice(nl + 1) };
};

describe('capture files: saved, then viewed anywhere', () => {
  const fixture = useFixture();

  /** run -o TXT --save CAP in a dir anyone may read (the view runs as nobody too). */
  function recorded(flags: string[] = []): { dir: string; txt: string; cap: string } {
    const dir = fixture.dir('capture');
    fs.chmodSync(dir, 0o755);
    const txt = path.join(dir, 'out.txt');
    const cap = path.join(dir, 'out.tlcap');
    const r = cli(['run', ...flags, '-o', txt, '--save', cap, '--', 'sh', '-c', WORK]);
    expect(r.status, r.stderr).toBe(4);
    expect(r.stderr).toContain(`traceloop: capture saved to ${cap}`);
    return { dir, txt, cap };
  }

  it('view prints what run -o printed, line for line, after a line saying what the file is', () => {
    const { txt, cap } = recorded();
    const v = cli(['view', cap]);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr).toBe('');
    const { first, rest } = viewLines(v.stdout);
    expect(first).toMatch(
      new RegExp(
        `^# traceloop view of ${cap}: saved by traceloop \\d+\\.\\d+\\.\\d+\\S* \\(run\\) on \\S+, kernel \\S+, at \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );
    const want = fs.readFileSync(txt, 'utf8');
    expect(rest).toBe(want);
    // A record worth comparing: CMD's calls, its children's, a failed call, thousands of lines.
    expect(want).toMatch(/write\(1(<[^>]*>)?, "capture-marker\\n", 15\) = 15/);
    expect(want).toMatch(/ENOENT/);
    expect(want.split('\n').length).toBeGreaterThan(3000);
  });

  it('with -T, -s and --filter the view keeps the recording s settings', () => {
    const { txt, cap } = recorded(['-T', '-s', '8', '--filter=-syscall:newfstatat']);
    const v = cli(['view', cap]);
    expect(v.status, v.stderr).toBe(0);
    const want = fs.readFileSync(txt, 'utf8');
    expect(viewLines(v.stdout).rest).toBe(want);
    expect(want).toMatch(/ <\d+\.\d{6}>$/m);
    expect(want).toContain('"capture-"...');
  });

  it('as a user without root, and from a traceloop without its native addon', () => {
    const { txt, cap } = recorded();
    const want = fs.readFileSync(txt, 'utf8');
    const nobody = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'view', cap],
      { encoding: 'utf8', maxBuffer: BIG },
    );
    expect(nobody.status, nobody.stderr).toBe(0);
    expect(viewLines(nobody.stdout).rest).toBe(want);

    // A copy of the built CLI with no build/Release/traceloop.node beside it: anything that
    // loaded the addon would fail (--version shows it does in this copy).
    const copy = fixture.dir('no-addon');
    fs.cpSync(path.join(ROOT, 'dist'), path.join(copy, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(copy, 'package.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
    const bare = (args: string[]) =>
      spawnSync(process.execPath, [path.join(copy, 'dist', 'cli.js'), ...args], {
        encoding: 'utf8',
        maxBuffer: BIG,
      });
    const version = bare(['--version']);
    expect(version.status).not.toBe(0);
    expect(version.stderr).toMatch(/the native addon is not built/);
    const v = bare(['view', cap]);
    expect(v.status, v.stderr).toBe(0);
    expect(viewLines(v.stdout).rest).toBe(want);
  });

  it('a file cut short or damaged prints what came before, and says so in one line', () => {
    const { dir, txt, cap } = recorded();
    const bytes = fs.readFileSync(cap);
    const cut = path.join(dir, 'cut.tlcap');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const v = cli(['view', cut]);
    expect(v.status).toBe(1);
    expect(v.stderr).toMatch(
      new RegExp(
        `^traceloop: ${cut}: cut short at byte \\d+ \\(a chunk of \\d+ bytes\\); showing what came before it: \\d+ of ${Math.floor(bytes.length * 0.6)} bytes, \\d+ records chunks?\\n$`,
      ),
    );
    const lines = v.stdout.trimEnd().split('\n');
    expect(lines.at(-2)).toMatch(/^# the capture ends early: cut short at byte/);
    expect(lines.at(-1)).toMatch(/^# cpu\d+: \d+ recorded, \d+ shown, \d+ lost/);
    // What it shows is the start of the recording's text.
    const want = fs.readFileSync(txt, 'utf8').split('\n');
    const shown = lines.slice(1, -2);
    expect(shown.length).toBeGreaterThan(10);
    expect(want.slice(0, shown.length - 5)).toEqual(shown.slice(0, shown.length - 5));

    const foreign = cli(['view', txt]);
    expect(foreign.status).toBe(1);
    expect(foreign.stdout).toBe('');
    expect(foreign.stderr).toBe(
      `traceloop: ${txt}: not a traceloop capture file (no TLCAP magic at its start)\n`,
    );
    const missing = cli(['view', path.join(dir, 'nothing.tlcap')]);
    expect(missing.stderr).toMatch(/^traceloop: cannot read \S+nothing\.tlcap: no such file\n$/);
  });

  it('dump --save: the daemon s record as a capture, viewed as the daemon s own text dump', async () => {
    const d = await fixture.daemon({ tag: 'capture-serve' });
    const cg = fixture.cgroup('capture-dump');
    const added = cli(['add', cg.path, '--name', 'capdump', '--socket', d.socket]);
    expect(added.status, added.stderr).toBe(0);
    await runInCgroup(
      cg.path,
      'echo dump-capture-marker > /dev/null; cat /etc/hostname >/dev/null',
    );
    const dir = fixture.dir('capture-dump');
    const cap = path.join(dir, 'd.tlcap');
    // The record is still: nothing runs in the cgroup any more.
    await until('the record to settle', () =>
      cli(['dump', 'capdump', '--socket', d.socket]).stdout.includes('dump-capture-marker'),
    );
    const text = cli(['dump', 'capdump', '--socket', d.socket]);
    const saved = cli(['dump', 'capdump', '--save', cap, '--socket', d.socket]);
    expect(saved.status, saved.stderr).toBe(0);
    expect(saved.stderr).toBe(`traceloop: capture saved to ${cap} (traceloop view ${cap})\n`);
    const v = cli(['view', cap]);
    expect(v.status, v.stderr).toBe(0);
    const { first, rest } = viewLines(v.stdout);
    expect(first).toMatch(/^# traceloop view of \S+: saved by traceloop \S+ \(dump\) on /);
    // Two snapshots with a clock sample each: a time may differ by a microsecond.
    const untimed = (s: string) => s.replace(/^\d\d:\d\d:\d\d\.\d{6} /gm, 'T ');
    expect(untimed(rest)).toBe(untimed(text.stdout));
    expect(rest).toContain('"dump-capture-marker\\n"');

    // The endpoint itself: the same capture, its type; a filter is for the text.
    const answer = await curl(d.socket, `${URL}/dump-by-name?name=capdump&format=capture`, [
      '-D',
      '-',
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^Content-Type: application\/vnd\.traceloop\.capture\r$/im);
    const body = Buffer.from(answer.body.slice(answer.body.indexOf('\r\n\r\n') + 4), 'latin1');
    const c = readCapture(body);
    expect(c.damage).toBeUndefined();
    expect(c.header.cgroup.name).toBe('capdump');
    expect(c.header.cgroup.id).toBe(`${fs.statSync(cg.path, { bigint: true }).ino}`);
    const filtered = await curl(
      d.socket,
      `${URL}/dump-by-name?name=capdump&format=capture&filter=x`,
    );
    expect(filtered.status).toBe(400);
    expect(filtered.body).toMatch(/filter works with format=text or jsonl, not capture/);

    const refused = cli(['dump', 'capdump', '--save', cap, '-c', '--socket', d.socket]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /--save writes the whole record as a capture, -c is for the text/,
    );
  });

  it('on a terminal, view opens the UI over the file, read-only, as a user without root', async () => {
    const { dir, cap } = recorded();
    const status = path.join(dir, 'status');
    fs.chmodSync(dir, 0o777);
    const term = openTerminal(
      fixture,
      'capview',
      [120, 30],
      `setpriv --reuid=65534 --regid=65534 --clear-groups ${process.execPath} ${CLI} view ${cap}; echo $? > ${status}; sleep 30`,
    );
    await until('the UI over the capture', () => term.screen().includes('(capture, read-only)'));
    await until('its last lines', () => term.screen().includes('+++ exited with 4 +++'));
    // Times of the recording, not of now: CMD's end is shown at the time the text gives it.
    const end = /^(\d\d:\d\d:\d\d\.\d{6}) cpu#\d+ \d+ \[sh\] \+\+\+ exited with 4 \+\+\+$/m.exec(
      cli(['view', cap]).stdout,
    );
    expect(end).not.toBeNull();
    expect(term.screen()).toMatch(
      new RegExp(`^.?${end![1]!.replace('.', '\\.')} .*\\+\\+\\+ exited with 4`, 'm'),
    );
    term.keys('a');
    await until('the add prompt', () => /add|cgroup/i.test(term.screen()));
    term.keys(fixture.cgroup('capview-add').path, 'Enter');
    await until('the refusal', () =>
      term.screen().includes('a capture file is read-only: nothing can be added'),
    );
    term.keys('Escape');
    await new Promise((r) => setTimeout(r, 300));
    term.keys('q');
    await until('the UI to end', () => fs.existsSync(status));
    expect(fs.readFileSync(status, 'utf8').trim()).toBe('0');
  });

  it('view --help says what it takes; view takes no recording flags', () => {
    const help = cli(['view', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/\$ traceloop view FILE\.tlcap/);
    const wrong = cli(['view', 'x.tlcap', '--ring-pages', '8']);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/view does not take --ring-pages/);
  });
});

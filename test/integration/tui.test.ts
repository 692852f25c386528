// The terminal UI end to end, as a user on call would run it: the real CLI
// in a real terminal (a detached tmux session, 100x30), real BPF recording a
// workload in a scratch cgroup, keys sent with send-keys, the screen read
// with capture-pane. Every wait polls with a deadline: on a loaded 2-CPU
// machine nothing here may depend on a fixed sleep.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cgroup2Mount } from '../../src/cgroup.js';
import { URL, curl, useFixture } from '../helpers/daemon.js';
import { CLI, childrenOf, programsOfPid, programsGone, OUR_PROGRAMS } from '../helpers/system.js';
import { openTerminal, tmux, type Terminal } from '../helpers/tmux.js';
import { until as waitUntil } from '../helpers/wait.js';

/** Waits as a user watching the screen would: polls every 50 ms, for 20 s unless told. */
const until = <T>(what: string, probe: () => T | undefined | false, timeoutMs = 20_000) =>
  waitUntil(what, probe, timeoutMs, 50);

/**
 * The UI in `term` has exited with status 0 and left the terminal as it found it: canonical
 * mode again (the pane's script prints stty's icanon after TUI-EXIT), the main screen back, and
 * its BPF programs (`mine`) gone.
 */
async function expectLeftCleanly(term: Terminal, mine: number[]): Promise<void> {
  const after = await until('the UI to exit', () =>
    term.screen().includes('TUI-EXIT=') ? term.screen() : undefined,
  );
  expect(after).toContain('TUI-EXIT=0');
  await until('stty to report', () => /^-?icanon$/m.test(term.screen()));
  expect(term.screen()).toMatch(/^icanon$/m);
  expect(term.display('#{alternate_on}').trim()).toBe('0');
  expect(await programsGone(mine)).toEqual([]);
}

/** The stream rows: everything between the column titles and the status bar. */
function streamRows(screen: string): string[] {
  const lines = screen.split('\n');
  const at = lines.findIndex((l) => l.startsWith(' TIME '));
  return at < 0 ? [] : lines.slice(at + 1, -3);
}

const markers = (screen: string): number[] =>
  [...screen.matchAll(/tui-live-(\d+)\\n/g)].map((m) => Number(m[1]));

describe('traceloop tui in a terminal', () => {
  const fixture = useFixture({ each: true });
  beforeAll(() => {
    tmux('-V');
  });

  it('records live, pauses with C-s, continues with C-q, snapshots with s, quits with q', async () => {
    const cg = fixture.cgroup('tui');
    const snapDir = fixture.dir('tui-snap');

    // After the UI exits, the shell reports its status and whether the
    // terminal is back in canonical mode (raw mode undone).
    const script =
      `node ${CLI} tui --standalone --interval 50 --cgroup ${cg.path}; ` +
      'echo TUI-EXIT=$?; stty -a | tr " ;" "\\n\\n" | grep -x -- "-\\?icanon"; sleep 600';
    const term = openTerminal(fixture, 'tui', [100, 30], script, { cwd: snapDir });
    const screen = term.screen;

    await until('the UI to start', () => screen().includes(' LIVE ') && screen().includes('TIME'));
    const pane = Number(term.display('#{pane_pid}').trim());
    const mine = childrenOf(pane).flatMap(programsOfPid);
    expect(mine).toHaveLength(OUR_PROGRAMS);

    // The workload: a numbered write every 20 ms, forever, in the recorded cgroup.
    const workload: ChildProcess = spawn('/bin/bash', [
      '-c',
      'echo $$ > "$0/cgroup.procs" && i=0; while :; do echo tui-live-$i > /dev/null; i=$((i+1)); sleep 0.02; done',
      cg.path,
    ]);
    fixture.defer(() => {
      workload.kill('SIGKILL');
    });
    // Named as strace -y names them (#15.1): the shell's openat of /dev/null, dup2'd onto 1.
    await until('its syscalls on screen, their fd named', () =>
      /write\(1<\/dev\/null>, "tui-live-\d+\\n", \d+\) += \d+$/m.test(screen()),
    );

    term.keys('C-s');
    await until('PAUSED', () => screen().includes(' PAUSED '));
    const frozen = streamRows(screen());
    expect(frozen.length).toBeGreaterThan(10);
    const lastBeforeResume = Math.max(...markers(frozen.join('\n')), -1);
    const counted = (): number =>
      Number(/(\d+) new events? since pause/.exec(screen())?.[1] ?? NaN);
    const arrivedAtStart = counted();
    // For a second, while the workload keeps writing, the stream rows do not move.
    const until1s = Date.now() + 1000;
    while (Date.now() < until1s) {
      expect(streamRows(screen())).toEqual(frozen);
      await new Promise((r) => setTimeout(r, 100));
    }
    // ... and recording went on: the header counts what arrived meanwhile.
    await until('events counted since the pause', () => counted() > arrivedAtStart);

    term.keys('C-q');
    await until('LIVE with newer lines', () => {
      const s = screen();
      return s.includes(' LIVE ') && Math.max(...markers(s), -1) > lastBeforeResume;
    });

    term.keys('s');
    await until('the snapshot choice', () => screen().includes('f flight record · c capture'));
    term.keys('f');
    await until('the snapshot message', () => screen().includes('snapshot of '));
    const [name] = await until('the snapshot file', () => {
      const files = fs.readdirSync(snapDir).filter((f) => /^traceloop-.*\.txt$/.test(f));
      return files.length > 0 ? files : undefined;
    });
    // The status bar keeps the end of the path: the file name is there in full.
    await until('its name on screen', () => screen().includes(`${name!}`));
    expect(name).toMatch(new RegExp(`^traceloop-${path.basename(cg.path)}-\\d{8}T\\d{6}Z\\.txt$`));
    const text = fs.readFileSync(path.join(snapDir, name!), 'utf8');
    // The snapshot names fds as -y does, from the record (the shell's dup2 of /dev/null).
    expect(text).toMatch(/write\(1(<\/dev\/null>)?, "tui-live-\d+\\n", \d+\) = \d+/);
    // The footer's line counts are the file's: per CPU, what grep finds.
    const lines = text.trimEnd().split('\n');
    const footer = lines.at(-1)!;
    const perCpu = [...footer.matchAll(/cpu(\d+): [^;]*\((\d+) lines?\)/g)];
    expect(perCpu.length, footer).toBeGreaterThan(0);
    for (const [, cpu, n] of perCpu) {
      const shown = lines.filter((l) => new RegExp(`^(\\S+ )?cpu#${cpu} `).test(l)).length;
      expect(shown, `cpu${cpu} in ${footer}`).toBe(Number(n));
    }

    // c: the same flight record as a capture file, which traceloop view reads back.
    term.keys('s');
    await until('the snapshot choice again', () =>
      screen().includes('f flight record · c capture'),
    );
    term.keys('c');
    const [capName] = await until('the capture file', () => {
      const files = fs.readdirSync(snapDir).filter((f) => /^traceloop-.*\.tlcap$/.test(f));
      return files.length > 0 ? files : undefined;
    });
    await until('the capture message', () => screen().includes(capName!));
    const viewed = spawnSync('node', [CLI, 'view', path.join(snapDir, capName!)], {
      encoding: 'utf8',
    });
    expect(viewed.status, viewed.stderr).toBe(0);
    expect(viewed.stdout).toMatch(/write\(1, "tui-live-\d+\\n", \d+\) = \d+/);
    expect(viewed.stdout.split('\n')[0]).toMatch(/\(ui snapshot\)/);

    term.keys('q');
    await expectLeftCleanly(term, mine);

    tmux('kill-session', '-t', term.name);
    workload.kill('SIGKILL');
    await cg.remove('kill');
    expect(fs.existsSync(cg.path)).toBe(false);
  });

  it.each(['SIGTERM', 'SIGHUP'] as const)(
    '%s (a kill, the SSH link dropped) restores the terminal and detaches BPF',
    async (signal) => {
      const cg = fixture.cgroup('tui-sig');
      const script =
        `node ${CLI} tui --standalone --cgroup ${cg.path}; ` +
        'echo TUI-EXIT=$?; stty -a | tr " ;" "\\n\\n" | grep -x -- "-\\?icanon"; sleep 600';
      const term = openTerminal(fixture, 'tui-sig', [100, 30], script);
      const screen = term.screen;
      await until('the UI to start', () => screen().includes(' LIVE '));
      // The UI is the shell's child: find it by its parent.
      const shell = Number(term.display('#{pane_pid}').trim());
      const [ui] = childrenOf(shell);
      if (ui === undefined) throw new Error('no UI process under the pane shell');
      const mine = programsOfPid(ui);
      expect(mine).toHaveLength(OUR_PROGRAMS);
      process.kill(ui, signal);
      await expectLeftCleanly(term, mine);
    },
  );

  it('at 80x24 with errors only every row shows its errno; at 120x40 the whole connect error', async () => {
    const cg = fixture.cgroup('tui-errno');
    // A service that fails now and then: a closed port, a missing file; and works in between.
    // Builtins only in the loop (read -t waits on a pipe nobody writes), so no exec's
    // loader noise pushes the connects off the screen.
    const workload = spawn('/bin/bash', [
      '-c',
      'echo $$ > "$0/cgroup.procs" && exec 9< <(exec sleep 100000) && while :; do ' +
        '{ : 3<>/dev/tcp/127.0.0.1/1; } 2>/dev/null; ' +
        '{ : < /var/lib/shell-loop-service/state-of-the-service/missing.conf; } 2>/dev/null; ' +
        'echo fine > /dev/null; read -t 0.05 -u 9; done',
      cg.path,
    ]);
    fixture.defer(() => {
      workload.kill('SIGKILL');
    });
    const term = openTerminal(
      fixture,
      'tui-errno',
      [80, 24],
      `node ${CLI} tui --standalone --cgroup ${cg.path}; sleep 600`,
    );
    const screen = term.screen;
    await until('the UI to start', () => screen().includes(' LIVE '));
    term.keys('e');
    await until('errors only', () => screen().includes('failed calls only'));
    await until('failed connects on screen', () => screen().includes('ECONNREFUSED'));
    const shown = (): string[] => streamRows(screen()).filter((l) => l.trim() !== '');
    await until('a screenful of failed calls', () => shown().length >= 16);
    const s = screen();
    const lines = s.split('\n');
    // The status bar: the frame's last line (the terminal's last row stays empty).
    expect(lines.filter((l) => l.trim() !== '').at(-1)).toMatch(/\? help {2}q quit$/);
    const rows = streamRows(s).filter((l) => l.trim() !== '');
    for (const row of rows) {
      expect(row, s).toMatch(/^!.* = (-1|\?) E[A-Z]+$/);
      expect(row.length).toBeLessThanOrEqual(80);
    }
    expect(rows.some((r) => /connect\(3[<,].*… = -1 ECONNREFUSED$/.test(r))).toBe(true);
    expect(rows.some((r) => / = -1 ENOENT$/.test(r))).toBe(true);

    tmux('resize-window', '-t', term.name, '-x', '120', '-y', '40');
    await until('the 120-column layout', () =>
      streamRows(screen()).some((r) =>
        // The socket named by the inode the kernel recorded when socket() made it (-y).
        /connect\(3<socket:\[\d+\]>, \{.*… = -1 ECONNREFUSED \(Connection refused\)$/.test(r),
      ),
    );
    for (const l of screen().split('\n')) expect(l.length).toBeLessThanOrEqual(120);
  });

  it('attached to a daemon: SIGTERM shows DISCONNECTED within a second; a restarted daemon is picked up by itself', async () => {
    const dir = fixture.dir('tui-daemon');
    const first = await fixture.daemon({ dir });
    const socket = first.socket;
    const a = fixture.cgroup('tui-da');
    const b = fixture.cgroup('tui-db');
    for (const cg of [a, b]) {
      expect((await curl(socket, `${URL}/add?cgrouppath=${cg.path}`)).status).toBe(200);
    }
    const loop = (cg: string, tag: string): ChildProcess => {
      const w = spawn('/bin/bash', [
        '-c',
        'echo $$ > "$0/cgroup.procs" && exec 9< <(exec sleep 100000) && i=0; while :; do ' +
          `echo ${tag}-$i > /dev/null; i=$((i+1)); read -t 0.05 -u 9; done`,
        cg,
      ]);
      fixture.defer(() => {
        w.kill('SIGKILL');
      });
      return w;
    };
    loop(a.path, 'tui-da');
    loop(b.path, 'tui-db');

    const term = openTerminal(
      fixture,
      'tui-daemon',
      [120, 40],
      `node ${CLI} tui --socket ${socket}; sleep 600`,
    );
    const screen = term.screen;
    const newest = (s: string): number =>
      Math.max(-1, ...[...s.matchAll(/tui-da-(\d+)\\n/g)].map((m) => Number(m[1])));
    await until(
      'the daemon cgroups live in the UI',
      () => screen().includes(' LIVE ') && newest(screen()) >= 0,
    );
    expect(screen()).toContain(socket);

    // The daemon stops (systemctl stop, an upgrade): the UI must not go on saying LIVE.
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    const banner =
      /^ DISCONNECTED since \d\d:\d\d:\d\d · reconnecting… · no traceloop daemon answers on /m;
    await until('DISCONNECTED', () => banner.test(screen()), 5000);
    const noticedMs = Date.now() - stoppedAt;
    const down = screen();
    expect(noticedMs, down).toBeLessThan(1500);
    expect(down).not.toContain(' LIVE ');
    expect(down).toMatch(/ DISCONNECTED · .*q quit$/m); // the status bar
    expect(down).toMatch(/test-tui-da-\S* .* stale$/m);
    expect(down).toMatch(/test-tui-db-\S* .* stale$/m);
    const lastBefore = newest(down);
    expect(await first.exited).toBe(0);

    // A new daemon on the same socket, recording a only (b was not added again).
    await fixture.daemon({ dir, socket });
    expect((await curl(socket, `${URL}/add?cgrouppath=${a.path}`)).status).toBe(200);
    await until('LIVE again with new lines of a', () => {
      const s = screen();
      return s.includes(' LIVE ') && !s.includes('DISCONNECTED') && newest(s) > lastBefore;
    });
    const back = screen();
    expect(back).toMatch(/test-tui-db-\S* .* not recorded$/m);
    expect(back).toMatch(/test-tui-da-\S* .* live$/m);
    expect(back).toContain(
      `not recorded by the daemon on ${socket} (restarted?): ${path.basename(b.path)}`,
    );
    // b added again: its row streams again, no second row.
    expect((await curl(socket, `${URL}/add?cgrouppath=${b.path}`)).status).toBe(200);
    await until('b recording again', () => /test-tui-db-\S* .* recording$/m.test(screen()));
    expect(screen().match(/^[> ] test-tui-db-/gm)?.length).toBe(1);
  });

  it('--cgroup X with a daemon: X is shown first, and on q a line says X stays recorded (#14.8)', async () => {
    const daemon = await fixture.daemon({ tag: 'tui-select' });
    const socket = daemon.socket;
    const first = fixture.cgroup('tui-sa');
    const named = fixture.cgroup('tui-sx');
    // The daemon records another cgroup already: it lists first.
    expect((await curl(socket, `${URL}/add?cgrouppath=${first.path}`)).status).toBe(200);
    const name = path.basename(named.path);

    const term = openTerminal(
      fixture,
      'tui-select',
      [120, 40],
      `node ${CLI} tui --socket ${socket} --cgroup ${named.path}; echo TUI-EXIT=$?; sleep 600`,
      { join: true },
    );
    // -J: the exit line is longer than the pane is wide.
    const screen = term.screen;
    await until(
      'the UI with both cgroups',
      () => screen().includes(' LIVE ') && screen().includes(name),
    );
    const ui = screen();
    expect(ui).toMatch(/^> test-tui-sx-\S* .* live$/m); // selected (the name cut to its column)
    expect(ui).toMatch(new RegExp(`^ ${name} +LIVE`, 'm')); // the stream pane shows it
    expect(ui).toMatch(/^ {2}test-tui-sa-\S* .* recording$/m);

    term.keys('q');
    const after = await until('the UI to exit', () => {
      const s = screen();
      return s.includes('TUI-EXIT=') ? s : undefined;
    });
    expect(after).toContain('TUI-EXIT=0');
    const said = after.split('\n').filter((l) => l.startsWith('traceloop: '));
    expect(said).toEqual([
      `traceloop: ${named.path} stays recorded by the daemon on ${socket} ` +
        `(traceloop close --socket ${socket} ${name} to stop)`,
    ]);
    // And it does: the UI did not unregister it.
    const list = await curl(socket, `${URL}/list`);
    expect(list.body).toContain(named.path);
  });

  it('--cgroup ROOT is refused in one line without --yes (#14.9)', async () => {
    const mount = cgroup2Mount();
    const term = openTerminal(
      fixture,
      'tui-root',
      [120, 40],
      `node ${CLI} tui --standalone --cgroup ${mount}; echo TUI-EXIT=$?; sleep 600`,
      { join: true },
    );
    const screen = term.screen;
    const out = await until('it to exit', () => {
      const s = screen();
      return s.includes('TUI-EXIT=') ? s : undefined;
    });
    expect(out).toContain('TUI-EXIT=1');
    expect(out.split('\n').filter((l) => l.startsWith('traceloop: '))).toEqual([
      `traceloop: ${mount} is the root cgroup: every process on the machine, this UI included (--yes records it)`,
    ]);
  });

  it('traceloop with no subcommand prints the help when stdout is no terminal', () => {
    const r = spawnSync(process.execPath, [CLI], { encoding: 'utf8', input: '' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('$ traceloop [tui] [--cgroup PATH]...');
  });

  it('without a terminal, says so in one line and exits 1', () => {
    const r = spawnSync(process.execPath, [CLI, 'tui'], { encoding: 'utf8', input: '' });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^traceloop: the terminal UI needs a terminal: .*ssh -t.*traceloop cgroups/,
    );
    expect(r.stdout).toBe('');
  });
});

// The terminal UI driven through its keyboard, on a fake recorder: what the
// user sees after each key, frame by frame (ink-testing-library).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Ink's colours come from chalk, which looks at the environment once, when loaded.
vi.hoisted(() => {
  process.env['FORCE_COLOR'] = '1';
});

import { App, HELP_LINES } from '../../src/ui/App.js';
import { Session } from '../../src/ui/session.js';
import { cgroup2Mount } from '../../src/cgroup.js';
import type { SelfPaths } from '../../src/targets.js';
import { call, FakeApi, lost, write } from './fake-api.js';
import { BINDINGS } from '../../src/ui/bindings.js';

const CTRL_S = '\x13';
const CTRL_Q = '\x11';
const ESC = '\x1b';
const ENTER = '\r';
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const plain = (s: string | undefined): string => (s ?? '').replace(ANSI, '');
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A stream row: the call, then its result apart, right-aligned at the edge. */
const row = (call: string, result: string): RegExp =>
  new RegExp(`${escape(call)} +${escape(result)}(?:\n|$)`);

async function until(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Ui {
  api: FakeApi;
  session: Session;
  frame: () => string;
  raw: () => string;
  frames: string[];
  press: (keys: string) => Promise<void>;
  waitFor: (text: string | RegExp) => Promise<void>;
  /** Lines of the stream pane: the rows under the column titles. */
  streamRows: () => string[];
  unmount: () => void;
  stdout: NodeJS.EventEmitter & { columns: number; rows?: number };
}

const open: Ui[] = [];
afterEach(async () => {
  for (const u of open.splice(0)) {
    u.unmount();
    await u.session.close();
  }
});

async function start(
  opts: {
    names?: string[];
    colour?: boolean;
    snapshotDir?: string;
    leftOut?: string;
    self?: SelfPaths;
    select?: string;
    decodeFds?: boolean;
  } = {},
): Promise<Ui> {
  const api = new FakeApi(opts.names ?? ['service']);
  if (opts.leftOut !== undefined) {
    api.leftOut = { leftOut: opts.leftOut, why: 'tl_sys_enter: R1 invalid mem access' };
  }
  const session = new Session(api, {
    capacity: 1000,
    ...(opts.snapshotDir ? { snapshotDir: opts.snapshotDir } : {}),
    ...(opts.self ? { self: opts.self } : {}),
    ...(opts.decodeFds !== undefined ? { decodeFds: opts.decodeFds } : {}),
  });
  await session.start(50);
  const r = render(
    <App
      session={session}
      colour={opts.colour ?? true}
      fps={20}
      {...(opts.select !== undefined ? { select: opts.select } : {})}
    />,
  );
  const frame = (): string => plain(r.lastFrame());
  const u: Ui = {
    api,
    session,
    frame,
    raw: () => r.lastFrame() ?? '',
    frames: r.frames,
    press: async (keys) => {
      r.stdin.write(keys);
      await tick();
    },
    waitFor: (text) =>
      until(`${String(text)} on screen; last frame:\n${frame()}`, () =>
        typeof text === 'string' ? frame().includes(text) : text.test(frame()),
      ),
    streamRows: () => {
      const lines = frame().split('\n');
      const at = lines.findIndex((l) => l.startsWith(' TIME'));
      return lines.slice(at + 1, -1);
    },
    unmount: r.unmount,
    stdout: r.stdout as unknown as Ui['stdout'],
  };
  open.push(u);
  await tick(); // useInput subscribes in an effect
  return u;
}

describe('the terminal UI', () => {
  it('shows the cgroups pane and the decoded live stream', async () => {
    const u = await start({ names: ['service', 'worker'] });
    u.api.emit([write('hello-1\n'), call({ name: 'close', args: [3n], ret: 0n })]);
    await u.waitFor(row('write(1, "hello-1\\n", 8)', '= 8'));
    expect(u.frame()).toMatch(row('close(3)', '= 0'));
    expect(u.frame()).toMatch(/> service .* live/);
    expect(u.frame()).toMatch(/ {2}worker .* recording/);
    expect(u.frame()).toContain('LIVE');
  });

  it('Ctrl-S freezes the stream while events keep arriving; Ctrl-Q shows what came', async () => {
    const u = await start();
    u.api.emit([write('before-pause\n')]);
    await u.waitFor('before-pause');
    await u.press(CTRL_S);
    await u.waitFor('PAUSED');
    const frozen = u.streamRows();
    for (let i = 0; i < 5; i++) {
      u.api.emit([write(`during-pause-${i}\n`)]);
      await tick(60); // several redraw ticks
    }
    await u.waitFor('5 new events since pause');
    expect(u.streamRows()).toEqual(frozen);
    expect(u.frame()).not.toContain('during-pause');
    expect(u.frame()).toMatch(/service .* paused/);

    await u.press(CTRL_Q);
    await u.waitFor('during-pause-4');
    expect(u.frame()).toContain('LIVE');
    expect(u.frame()).not.toContain('PAUSED');
    for (let i = 0; i < 5; i++) expect(u.frame()).toContain(`during-pause-${i}`);
  });

  it('space toggles pause, and scrolling back pauses too', async () => {
    const u = await start();
    u.api.emit(Array.from({ length: 40 }, (_, i) => write(`line-${i}\n`)));
    await u.waitFor('line-39');
    await u.press(' ');
    await u.waitFor('PAUSED');
    await u.press(' ');
    await u.waitFor('LIVE');
    await u.press('k');
    await u.waitFor('PAUSED');
    await u.press('g'); // the oldest line
    await u.waitFor('line-0\\n');
    expect(u.frame()).not.toContain('line-39');
    await u.press('G');
    await u.waitFor('line-39');
  });

  it('s asks what to write; f writes the flight record of the selected cgroup and says where', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-ui-snap-'));
    try {
      const u = await start({ snapshotDir: dir });
      u.api.emit([write('snap-me\n')]);
      await u.waitFor('snap-me');
      await u.press('s');
      await u.waitFor('snapshot: f flight record · c capture · v view · Esc none');
      await u.press(ESC); // changed one's mind: nothing written
      await u.waitFor('no snapshot written');
      expect(fs.readdirSync(dir)).toEqual([]);
      await u.press('s');
      await u.press('f');
      await u.waitFor('snapshot of service');
      const [name] = fs.readdirSync(dir);
      expect(name).toMatch(/^traceloop-service-\d{8}T\d{6}Z\.txt$/);
      expect(u.frame()).toContain(`${name}`);
      const file = path.join(dir, name!);
      const text = fs.readFileSync(file, 'utf8');
      expect(text).toMatch(/^# traceloop snapshot of \/sys\/fs\/cgroup\/demo\/service/);
      expect(text).not.toContain('left out');
      expect(text).toContain('write(1, "snap-me\\n", 8) = 8');
      // The footer counts the lines the events make: one call, one line.
      expect(text.trimEnd().split('\n').at(-1)).toMatch(/^# cpu0: .* \(1 line\)$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('s then v writes the paused view, s then m only its filtered lines, each counted per CPU', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-ui-snapview-'));
    try {
      const u = await start({ snapshotDir: dir });
      u.api.emit([
        call({ name: 'getpid', ret: 100n, cpu: 0 }),
        call({ name: 'connect', args: [3n, 0n, 16n], ret: -111n, cpu: 1, tid: 7 }),
        lost(42n, 1),
        call({ name: 'getpid', ret: 100n, cpu: 1 }),
      ]);
      await u.waitFor('ECONNREFUSED');
      await u.press(CTRL_S);
      await u.waitFor('PAUSED');
      // Arrives after the pause: not in the paused view (the flight record has it).
      u.api.emit([write('after-pause\n')]);
      await u.press('s');
      await u.waitFor('v paused view');
      expect(u.frame()).not.toContain('m filtered'); // no filter, nothing to choose
      await u.press('v');
      await u.waitFor('snapshot of service (paused');
      const [viewFile] = fs.readdirSync(dir);
      const view = fs.readFileSync(path.join(dir, viewFile!), 'utf8').trimEnd().split('\n');
      expect(view[1]).toMatch(/^# the 4 lines of the paused view, \d\d:\d\d:\d\d\.\d{6} to /);
      expect(view.join('\n')).not.toContain('after-pause');
      expect(view.filter((l) => / cpu#1 /.test(l))).toHaveLength(3);
      expect(view.at(-1)).toBe('# cpu0: 1 line; cpu1: 3 lines');

      await u.press('e'); // failed calls only
      await u.press('s');
      await u.waitFor('· m filtered ·');
      await u.press('m');
      await u.waitFor('snapshot of service (filtered');
      await until('the second file', () => fs.readdirSync(dir).length === 2);
      const filteredFile = fs.readdirSync(dir).find((f) => f !== viewFile)!;
      const text = fs.readFileSync(path.join(dir, filteredFile), 'utf8').trimEnd().split('\n');
      expect(text[1]).toMatch(
        /^# 2 of the 4 lines of the paused view, those it shows with failed calls only, /,
      );
      expect(text.filter((l) => l.includes('connect('))).toHaveLength(1);
      expect(text.join('\n')).not.toContain('getpid');
      // A lost marker passes every filter: a gap is never hidden.
      expect(text.filter((l) => l.includes('LOST 42 events'))).toHaveLength(1);
      expect(text.at(-1)).toBe('# cpu1: 2 lines');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('/ filters by syscall name, pid, or text; e keeps failed calls; Esc clears', async () => {
    const u = await start();
    u.api.emit([
      call({ name: 'openat', args: [-100n, 0x2000n, 0n], ret: 3n, tid: 11 }),
      call({ name: 'openat', args: [-100n, 0x2000n, 0n], ret: -2n, tid: 11 }),
      write('some-text\n', 22),
      call({ name: 'close', args: [3n], ret: 0n, tid: 22 }),
    ]);
    await u.waitFor(row('close(3)', '= 0'));
    await u.press('/');
    await u.waitFor('filter (syscall');
    await u.press('openat');
    await u.press(ENTER);
    await u.waitFor('filter "openat"');
    expect(u.streamRows().filter((l) => l.trim() !== '')).toHaveLength(2);
    expect(u.frame()).not.toContain('close(3)');

    await u.press('e');
    await u.waitFor('failed calls only');
    const rows = u.streamRows().filter((l) => l.trim() !== '');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('= -1 ENOENT');

    await u.press(ESC);
    await u.waitFor(row('close(3)', '= 0'));
    await u.press('/');
    await u.press('22');
    await u.press(ENTER);
    await u.waitFor('filter "22"');
    expect(u.frame()).not.toContain('openat');
    expect(u.frame()).toContain('some-text');
    await u.press('/');
    await u.press('\x7f');
    await u.press('\x7f');
    await u.press('some-te');
    await u.press(ENTER);
    await u.waitFor('filter "some-te"');
    expect(u.streamRows().filter((l) => l.trim() !== '')).toHaveLength(1);
  });

  it('keys that arrive in one read: a pasted filter with its Enter, seven DELs, ten k', async () => {
    const u = await start();
    u.api.emit([
      call({ name: 'connect', args: [3n, 0x2000n, 16n], ret: -111n }),
      ...Array.from({ length: 40 }, (_, i) => write(`line-${i}\n`)),
    ]);
    await u.waitFor('line-39');
    await u.press('/');
    await u.waitFor('filter (syscall');
    await u.press('connect\r'); // one read, as a paste over SSH
    await u.waitFor('filter "connect"');
    expect(u.frame()).not.toContain('filter (syscall'); // the prompt closed
    expect(u.streamRows().filter((l) => l.trim() !== '')).toHaveLength(1);

    await u.press('/');
    await u.press('\x15'); // Ctrl-U: the old filter goes
    await u.press('writexxxxxxx');
    await u.waitFor('writexxxxxxx█');
    await u.press('\x7f'.repeat(7)); // seven Backspaces in one read
    await u.waitFor(/: write█/);
    await u.press('\r');
    await u.waitFor('filter "write"');
    expect(u.frame()).not.toContain('connect(');

    await u.press(ESC);
    await until('the filter cleared', () => !u.frame().includes('filter "'));
    await u.press('k'.repeat(10)); // a held key: ten lines up in one read
    await u.waitFor('line 31 of 41');
    expect(u.frame()).toContain('PAUSED');
  });

  it('/ reopens with the filter in use selected (reversed): typing replaces it', async () => {
    const u = await start();
    u.api.emit([write('some-text\n'), call({ name: 'close', args: [3n], ret: 0n })]);
    await u.waitFor(row('close(3)', '= 0'));
    await u.press('/close\r');
    await u.waitFor('filter "close"');
    await u.press('/');
    await u.waitFor('empty clears): close');
    const status = u.raw().split('\n').at(-1)!;
    expect(status).toContain('\x1b[7mclose'); // reversed: selected
    expect(plain(status)).not.toContain('█');
    await u.press('some');
    await u.waitFor('empty clears): some█');
    await u.press('\r');
    await u.waitFor('filter "some"');
    expect(u.frame()).toContain('some-text');
    expect(u.frame()).not.toContain('close(3)');
    // An arrow keeps it for editing.
    await u.press('/');
    await u.press('\x1b[D');
    await u.waitFor('empty clears): some█');
    await u.press('-t\r');
    await u.waitFor('filter "some-t"');
  });

  describe('the result is never cut away', () => {
    /** sockaddr_in for 127.0.0.1:port, as connect's captured argument. */
    const inet = (port: number): Buffer => {
      const sa = Buffer.alloc(16);
      sa.writeUInt16LE(2, 0); // AF_INET
      sa.writeUInt16BE(port, 2);
      sa.writeUInt8(127, 4);
      sa.writeUInt8(1, 7);
      return sa;
    };
    const refused = (port: number, tid = 100): Buffer =>
      call({
        name: 'connect',
        args: [3n, 0x2000n, 16n],
        ret: -111n,
        tid,
        comm: 'shell-loop-service',
        param: { arg: 1, bytes: inet(port), want: 16 },
      });
    const missing = (file: string): Buffer =>
      call({
        name: 'openat',
        args: [-100n, 0x2000n, 0n],
        ret: -2n,
        param: { arg: 1, bytes: Buffer.from(file + '\0') },
      });
    const resize = (u: Ui, columns: number, rows: number): void => {
      Object.defineProperty(u.stdout, 'columns', { value: columns, configurable: true });
      Object.defineProperty(u.stdout, 'rows', { value: rows, configurable: true });
      u.stdout.emit('resize');
    };
    const long = '/var/lib/shell-loop-service/' + 'state-'.repeat(12) + 'missing.conf';

    it('at 120 columns a long connect keeps "= -1 ECONNREFUSED (Connection refused)"', async () => {
      const u = await start();
      resize(u, 120, 40);
      u.api.emit([write('x\n'), refused(1), missing(long), write('y\n')]);
      await u.waitFor('ECONNREFUSED');
      const rows = u.streamRows().filter((l) => l.trim() !== '');
      const connect = rows.find((l) => l.includes('connect('))!;
      expect(connect).toMatch(
        /connect\(3, \{sa_family=AF_INET, .*… = -1 ECONNREFUSED \(Connection refused\)$/,
      );
      expect(rows.find((l) => l.includes('openat('))).toMatch(
        /… = -1 ENOENT \(No such file or directory\)$/,
      );
      for (const l of u.frame().split('\n')) expect(l.length).toBeLessThanOrEqual(120);
      // The results line up at the right edge, as a column.
      for (const l of rows) expect(l.length).toBe(120);
    });

    it('at 80x24 with errors only, every row shows its errno, and the footer its help and quit', async () => {
      const u = await start();
      resize(u, 80, 24);
      u.api.emit([
        ...Array.from({ length: 30 }, (_, i) => [write(`ok-${i}\n`), refused(1000 + i)]).flat(),
        missing(long),
        call({ name: 'write', args: [4n, 0x2000n, 65536n], ret: -11n }),
      ]);
      await u.waitFor('EAGAIN');
      await u.press('e');
      await u.waitFor('failed calls only');
      const rows = u.streamRows().filter((l) => l.trim() !== '');
      expect(rows.length).toBeGreaterThan(10);
      for (const l of rows) {
        expect(l).toMatch(/= -1 (ECONNREFUSED|ENOENT|EAGAIN)\b/);
        expect(l.length).toBeLessThanOrEqual(80);
      }
      const footer = (): string => u.frame().split('\n').at(-1)!;
      expect(footer()).toMatch(/\? help {2}q quit$/);
      await u.press('k'); // paused: other keys, still help and quit
      await u.waitFor('PAUSED');
      expect(footer()).toMatch(/\? help {2}q quit$/);
      expect(u.frame().split('\n')).toHaveLength(23);
    });

    it('Enter shows a long line whole: a 186-byte path wrapped, not cut', async () => {
      const u = await start();
      resize(u, 80, 40);
      const path186 =
        '/srv/' + 'd'.repeat(60) + '/' + 'e'.repeat(60) + '/' + 'f'.repeat(54) + '.conf';
      expect(path186).toHaveLength(186);
      u.api.emit([missing(path186)]);
      await u.waitFor('ENOENT');
      await u.press(ENTER);
      await u.waitFor('details');
      const lines = u.frame().split('\n');
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
      // The wrapped pieces join back into the whole path, twice: the line and its argument.
      const joined = lines.join('');
      expect(joined.split(path186)).toHaveLength(3);
      expect(joined).toContain('= -1 ENOENT (No such file or directory)');
    });

    it('NO_COLOR: a failed row is marked with a leading !', async () => {
      const u = await start({ colour: false });
      u.api.emit([write('fine\n'), refused(1), missing('/nope')]);
      await u.waitFor('ENOENT');
      const rows = u.streamRows().filter((l) => l.trim() !== '');
      expect(rows).toHaveLength(3);
      expect(rows[0]).toMatch(/^ \d/);
      expect(rows[1]).toMatch(/^!\d.*connect\(/);
      expect(rows[2]).toMatch(/^!\d.*openat\(/);
    });
  });

  it('a dump a daemon trigger saved shows as a notice in the header', async () => {
    const u = await start({ names: ['nginx'] });
    const id = u.api.cgroups[0]!.id;
    u.api.dumps.set(id, []);
    u.api.dumps.get(id)!.push({
      trigger: 'crash',
      at: '2026-12-04T03:12:00.000Z',
      capture: '/var/dumps/nginx-crash-20261204T031200.000Z.tlcap',
    });
    await u.waitFor('crash in nginx');
    expect(u.frame().split('\n')[1]).toMatch(
      /^ crash in nginx: saved to \/var\/dumps\/nginx-crash-20261204T031200\.000Z\.tlcap *$/,
    );
  });

  it('no false LIVE: a stopped daemon shows DISCONNECTED, a banner and stale rows; it comes back by itself', async () => {
    const u = await start({ names: ['service', 'worker'] });
    u.api.emit([write('before-stop\n')]);
    await u.waitFor('before-stop');
    expect(u.frame()).toContain(' LIVE ');
    const stopped = Date.now();
    u.api.stop();
    await u.waitFor('DISCONNECTED since');
    expect(Date.now() - stopped).toBeLessThan(1000);
    const lines = u.frame().split('\n');
    expect(lines[1]).toMatch(
      /^ DISCONNECTED since \d\d:\d\d:\d\d · reconnecting… · no traceloop daemon answers on fake/,
    );
    expect(u.frame()).not.toContain(' LIVE ');
    expect(u.frame()).toMatch(/service {2}DISCONNECTED /); // the stream's state word
    expect(u.frame()).toMatch(/> service .* - .* stale/); // no rate, marked stale
    expect(u.frame()).toMatch(/ {2}worker .* stale/);
    expect(lines.at(-1)).toMatch(/^ DISCONNECTED · .*q quit$/);
    expect(u.frame()).toContain('before-stop'); // what arrived before stays
    expect(lines).toHaveLength(23); // the banner's line came out of the stream pane

    // A daemon answers again, recording service only, numbered anew.
    u.api.start(['/sys/fs/cgroup/demo/service'], 1n);
    await u.waitFor(' LIVE ');
    expect(u.frame()).not.toContain('DISCONNECTED');
    expect(u.frame()).toMatch(/ {2}worker .* not recorded/);
    expect(u.frame()).toContain('not recorded by the daemon on fake (restarted?): worker');
    u.api.emit([write('after-restart\n')]);
    await u.waitFor('after-restart');
    expect(u.frame()).toContain('before-stop');
    // Between the two, a marked gap: what this UI did not see, in the stream's order, in red.
    const rows = u.streamRows();
    const before = rows.findIndex((r) => r.includes('before-stop'));
    const gap = rows.findIndex((r) => r.includes('NOT SHOWN'));
    const after = rows.findIndex((r) => r.includes('after-restart'));
    expect([before < gap, gap < after], rows.join('\n')).toEqual([true, true]);
    expect(rows[gap]).toMatch(
      /^ \d\d:\d\d:\d\d\.\d{6} +- +---- NOT SHOWN: \d+ s without the recorder ----$/,
    );
    expect(
      u
        .raw()
        .split('\n')
        .find((l) => l.includes('NOT SHOWN')),
    ).toContain('\x1b[31m');
    // A filter never hides it, as it never hides a LOST line.
    await u.press('e');
    await u.waitFor('failed calls only');
    expect(u.streamRows().some((r) => r.includes('NOT SHOWN'))).toBe(true);
    await u.press(ESC);
    // The worker row says so where its stream was.
    await u.press('\t');
    await u.press('j');
    await u.waitFor(/> worker/);
    expect(u.frame()).toMatch(/worker {2}NOT RECORDED /);
  });

  it('a lost marker stands out: the word LOST, and red', async () => {
    const u = await start();
    u.api.emit([write('a\n'), lost(1234n), write('b\n')]);
    await u.waitFor('LOST 1234 events (ring overwritten)');
    const line = u
      .raw()
      .split('\n')
      .find((l) => l.includes('LOST 1234'))!;
    expect(line).toContain('\x1b[31m'); // red
  });

  it('at 120 columns a DUR column says how long each call took; details to the nanosecond', async () => {
    const u = await start();
    Object.defineProperty(u.stdout, 'columns', { value: 120, configurable: true });
    u.stdout.emit('resize');
    u.api.emit([
      call({ name: 'connect', args: [3n, 0n, 16n], ret: -111n, took: 20_000_123n }),
      call({ name: 'getpid', ret: 100n, took: 750n }),
    ]);
    await u.waitFor('getpid()');
    expect(u.frame()).toMatch(/ COMM +DUR CALL/);
    expect(u.frame()).toMatch(/ 20\.0ms connect\(3, /);
    expect(u.frame()).toMatch(/ 0\.8us getpid\(\)/);
    await u.press('/');
    await u.press('dur>10ms\r');
    await u.waitFor('filter "dur>10ms"');
    expect(u.frame()).not.toContain('getpid()');
    await u.press('\r'); // details of the line under the cursor
    await u.waitFor('took 20000.123 µs');
  });

  it('/ filters by each field: pid:, comm:, syscall:, errno:NAME and errno:*, -term, several at once', async () => {
    const u = await start();
    Object.defineProperty(u.stdout, 'columns', { value: 120, configurable: true });
    u.stdout.emit('resize');
    u.api.emit([
      call({ name: 'connect', args: [3n, 0n, 16n], ret: -111n, tid: 200, comm: 'nginx' }),
      call({ name: 'openat', args: [-100n, 0n, 0n], ret: -2n, tid: 200, comm: 'nginx' }),
      call({ name: 'getpid', ret: 300n, tid: 300, comm: 'worker' }),
      call({ name: 'getppid', ret: 1n, tid: 300, comm: 'worker' }),
      call({ name: 'openat', args: [-100n, 0n, 0n], ret: 4n, tid: 300, comm: 'worker' }),
    ]);
    await u.waitFor('getppid()');
    const calls = (): string[] =>
      u
        .frame()
        .split('\n')
        .flatMap((l) => /\d{2}:\d{2}:\d{2}\.\d{6} .*? (\w+)\(/.exec(l)?.[1] ?? []);
    const cases: Array<[string, string[]]> = [
      ['pid:200', ['connect', 'openat']],
      ['comm:worker', ['getpid', 'getppid', 'openat']],
      ['syscall:openat', ['openat', 'openat']],
      ['errno:ECONNREFUSED', ['connect']],
      ['errno:*', ['connect', 'openat']],
      ['-comm:nginx -syscall:getpid', ['getppid', 'openat']],
      ['syscall:openat errno:*', ['openat']],
      ['pid:300 syscall:openat', ['openat']],
    ];
    for (const [filter, shown] of cases) {
      await u.press('/');
      await u.press('\x15' + filter + '\r'); // Ctrl-U: the prompt's text replaced
      await u.waitFor(`filter "${filter}"`);
      await until(`${filter} shows ${shown.join(', ')}`, () => calls().join() === shown.join());
    }
  });

  it('c shows strace -c of the view; Tab sorts; Enter filters the stream to the syscall', async () => {
    const u = await start();
    u.api.emit([
      call({ name: 'openat', args: [-100n, 0n, 0n], ret: -2n, took: 1_000n }),
      call({ name: 'openat', args: [-100n, 0n, 0n], ret: 3n, took: 1_000n }),
      call({ name: 'connect', args: [3n, 0n, 16n], ret: -111n, took: 30_000_000n }),
      lost(7n, 0),
      call({ name: 'getpid', ret: 100n, took: 1_000n }),
      call({ name: 'getpid', ret: 100n, took: 1_000n }),
      call({ name: 'getpid', ret: 100n, took: 1_000n }),
    ]);
    await u.waitFor('getpid()');
    await u.press('c');
    await u.waitFor('summary of 7 lines');
    const rows = (): string[] =>
      u
        .frame()
        .split('\n')
        .filter((l) => /^[> ] +\d+\.\d\d /.test(l));
    // By time: the slow connect first, under the cursor.
    expect(rows()[0]).toMatch(
      /^> +99\.\d\d +0\.030000 +30000 +1 +1 +30000 connect {2}\(ECONNREFUSED 1\)$/,
    );
    expect(rows().find((r) => r.includes('openat'))).toMatch(/ 2 +1 +1 openat {2}\(ENOENT 1\)$/);
    expect(u.frame()).toContain('7 events lost among these lines: every count is a lower bound');
    await u.press('\t'); // by calls
    await u.waitFor('by calls');
    expect(rows()[0]).toMatch(/^> .* 3 +1 getpid$/);
    // f: the whole flight record instead (the rings, read by the session), and back.
    await u.press('f');
    await u.waitFor('summary of the flight record (13 records)');
    expect(rows().find((r) => r.includes('getpid'))).toMatch(/ 3 +\d+ getpid$/);
    await u.press('f');
    await u.waitFor('summary of 7 lines');
    await u.press('j'); // openat
    await u.press('\r');
    await u.waitFor('filter "syscall:openat"');
    expect(u.streamRows().filter((r) => r.includes('openat('))).toHaveLength(2);
    expect(u.frame()).not.toContain('getpid()');
  });

  it('NO_COLOR: no colour codes, and the lost marker still stands out', async () => {
    const u = await start({ colour: false });
    u.api.emit([write('a\n'), lost(7n), call({ name: 'close', args: [9n], ret: -9n })]);
    await u.waitFor('LOST 7 events');
    // eslint-disable-next-line no-control-regex
    expect(u.raw()).not.toMatch(/\x1b\[3\dm/);
    const line = u
      .raw()
      .split('\n')
      .find((l) => l.includes('LOST 7'))!;
    expect(line).toContain('\x1b[7m'); // inverse
  });

  it('Enter opens a line in full with its captured bytes as a hex dump', async () => {
    const u = await start();
    const long = 'x'.repeat(60) + '-tail';
    u.api.emit([write(long)]);
    await u.waitFor('write(1, "xxxx');
    expect(u.frame()).not.toContain('-tail'); // cut at 32 bytes, as strace -s
    await u.press(ENTER);
    await u.waitFor('details');
    expect(u.frame()).toContain('-tail');
    expect(u.frame()).toContain(
      '0000  78 78 78 78 78 78 78 78  78 78 78 78 78 78 78 78  |xxxxxxxxxxxxxxxx|',
    );
    expect(u.frame()).toMatch(/captured argument 1: 65 bytes/);
    await u.press(ESC);
    await u.waitFor('PAUSED');
    expect(u.frame()).not.toContain('captured argument');
  });

  it('? shows every key of the table, whole, at 80x24; any key closes it', async () => {
    const u = await start();
    Object.defineProperty(u.stdout, 'columns', { value: 80, configurable: true });
    Object.defineProperty(u.stdout, 'rows', { value: 24, configurable: true });
    u.stdout.emit('resize');
    await u.press('?');
    await u.waitFor('Any key closes this help.');
    for (const b of BINDINGS) expect(u.frame()).toContain(b.help);
    for (const line of HELP_LINES) expect(u.frame()).toContain(line); // whole, not cut
    expect(u.frame()).toContain('Ctrl-U clears the line');
    await u.press('z');
    await u.waitFor('TIME');
  });

  it('a adds a cgroup, with a clear error when the name does not resolve', async () => {
    const u = await start();
    await u.press('a');
    await u.waitFor('add cgroup (path, pid or unit)');
    await u.press('/no/such/cgroup');
    await u.press(ENTER);
    await u.waitFor('no such cgroup directory');
    await u.press('a');
    await u.press('999999999');
    await u.press(ENTER);
    await u.waitFor('no process with pid 999999999');
    await u.press('a');
    await u.press('no-such-unit-tl');
    await u.press(ENTER);
    await u.waitFor("no systemd unit 'no-such-unit-tl'");
    expect(u.api.cgroups).toHaveLength(1);
  });

  it("shows first the cgroup it was asked to select, not the recorder's first (#14.8)", async () => {
    const u = await start({ names: ['service', 'worker'], select: '/sys/fs/cgroup/demo/worker' });
    await u.waitFor(/> worker/);
    expect(u.frame()).toMatch(/^ worker .*LIVE/m); // the stream pane's title
  });

  describe('asks before recording traceloop itself (#14.9)', () => {
    const root = cgroup2Mount(); // a real directory for resolveTarget

    it('the root cgroup: n (or any key) records nothing, y records it', async () => {
      const u = await start({ self: { root, own: '/sys/fs/cgroup/demo/elsewhere' } });
      await u.press('a');
      await u.press(root);
      await u.press(ENTER);
      await u.waitFor('record the root cgroup (every process on the machine)? y/N');
      expect(u.api.cgroups).toHaveLength(1);
      await u.press('n');
      await u.waitFor(`${root} not recorded`);
      expect(u.api.cgroups).toHaveLength(1);
      await u.press('a');
      await u.press(root);
      await u.press(ENTER);
      await u.waitFor('record the root cgroup');
      await u.press('y');
      await u.waitFor(`(${root})`); // recording NAME (PATH)
      expect(u.api.cgroups.map((c) => c.path)).toContain(root);
    });

    it("traceloop's own cgroup, named by a pid in it", async () => {
      // The test's own cgroup stands for the UI's (it is the same process).
      const own = cgroup2Mount();
      const u = await start({ self: { root: '/sys/fs/cgroup/demo/not-root', own } });
      await u.press('a');
      await u.press(String(process.pid));
      await u.press(ENTER);
      await u.waitFor("record traceloop's own cgroup (the UI records itself)? y/N");
      await u.press(ESC);
      await u.waitFor(`${process.pid} not recorded`);
      expect(u.api.cgroups).toHaveLength(1);
    });

    it("a pid in the UI's own cgroup asks, with the real paths of this machine", async () => {
      const u = await start();
      await u.press('a');
      await u.press(String(process.pid));
      await u.press(ENTER);
      await u.waitFor(/record (the root cgroup|traceloop's own cgroup) .*\? y\/N/);
      expect(u.api.cgroups).toHaveLength(1);
    });
  });

  it("shows cgroups the recorder gained elsewhere (a daemon's other clients)", async () => {
    const u = await start();
    const late = u.api.register('/sys/fs/cgroup/demo/late-comer', 'late-comer');
    await u.waitFor(/ {2}late-comer .* recording/);
    expect(u.api.listeners.has(late.id)).toBe(true); // its stream is watched too
  });

  it('x asks before it stops recording', async () => {
    const u = await start({ names: ['service', 'worker'] });
    await u.press('x');
    await u.waitFor('stop recording service?');
    await u.press('n');
    await u.waitFor('still recording');
    expect(u.api.removed).toEqual([]);
    await u.press('\t'); // the cgroups pane
    await u.press('j'); // worker
    await u.waitFor(/> worker/);
    await u.press('x');
    await u.waitFor('stop recording worker?');
    await u.press('y');
    await u.waitFor('stopped recording worker');
    expect(u.api.removed).toHaveLength(1);
    expect(u.frame()).not.toMatch(/worker .* recording/);
  });

  it('never draws a frame taller than the terminal at 80x24, and follows resizes', async () => {
    const u = await start({ names: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] });
    Object.defineProperty(u.stdout, 'columns', { value: 80, configurable: true });
    Object.defineProperty(u.stdout, 'rows', { value: 24, configurable: true });
    u.stdout.emit('resize');
    const from = u.frames.length;
    u.api.emit(Array.from({ length: 100 }, (_, i) => write(`resize-${i}-${'y'.repeat(100)}\n`)));
    u.api.emit([lost(5n)]);
    await u.waitFor('LOST 5 events');
    await u.press('?');
    await u.waitFor('this help');
    await u.press('q'); // closes help
    await u.press(ENTER);
    await u.waitFor('details');
    await u.press(ESC);
    await u.press('a');
    await u.press('x'.repeat(200));
    await tick(100);
    const frames = u.frames.slice(from).map(plain);
    expect(frames.length).toBeGreaterThan(3);
    for (const f of frames) {
      const lines = f.split('\n');
      expect(lines.length).toBeLessThanOrEqual(23);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    }
    Object.defineProperty(u.stdout, 'columns', { value: 120, configurable: true });
    Object.defineProperty(u.stdout, 'rows', { value: 40, configurable: true });
    u.stdout.emit('resize');
    await until('a 39-line frame', () => u.frame().split('\n').length === 39);
  });

  it('says in the header which capture families the kernel left out, and nothing when none', async () => {
    const all = await start();
    all.api.emit([write('all-loaded\n')]);
    await all.waitFor('all-loaded');
    expect(all.frame()).not.toContain('left out');
    expect(all.frame().split('\n')[1]).toMatch(/^ {2}CGROUP /); // the cgroups pane right under the title

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-ui-leftout-'));
    try {
      const u = await start({ leftOut: 'iovec, msghdr', snapshotDir: dir });
      Object.defineProperty(u.stdout, 'columns', { value: 80, configurable: true });
      Object.defineProperty(u.stdout, 'rows', { value: 24, configurable: true });
      u.stdout.emit('resize');
      u.api.emit([write('some-left-out\n')]);
      await u.waitFor('some-left-out');
      const lines = u.frame().split('\n');
      expect(lines[0]).toContain('traceloop · syscall flight recorder');
      // The families first: at 80 columns the verifier's words are what gets cut.
      expect(lines[1]).toMatch(
        /^ captures left out on this kernel: iovec, msghdr \(shown as addresses\) · verifie…$/,
      );
      expect(lines[1]!.length).toBeLessThanOrEqual(80);
      expect(lines).toHaveLength(23); // still rows - 1: the panes gave up the line
      // A snapshot says it too, under its header.
      await u.press('s');
      await u.press('f');
      await u.waitFor('snapshot of service');
      const text = fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!), 'utf8').split('\n');
      expect(text[0]).toMatch(/^# traceloop snapshot of /);
      expect(text[1]).toBe(
        '# captures left out on this kernel: iovec, msghdr (verifier: tl_sys_enter: R1 invalid mem access); their arguments print as addresses',
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('q quits: the app unmounts and lets go of the keyboard', async () => {
    const u = await start();
    const r = render(<App session={u.session} colour={false} />);
    await tick();
    expect(r.stdin.listenerCount('readable')).toBeGreaterThan(0);
    r.stdin.write('q');
    await until('the app to exit', () => r.stdin.listenerCount('readable') === 0);
  });
});

describe('fd names in the stream (strace -y)', () => {
  const AT_FDCWD = BigInt.asUintN(64, -100n);
  const openat = (file: string, fd: bigint): Buffer =>
    call({
      name: 'openat',
      args: [AT_FDCWD, 0x1000n, 0n, 0n],
      ret: fd,
      param: { arg: 1, bytes: Buffer.from(file + '\0') },
    });
  const read = (fd: bigint, ret = 5n): Buffer =>
    call({ name: 'read', args: [fd, 0x2000n, 64n], ret });
  const close = (fd: bigint): Buffer => call({ name: 'close', args: [fd], ret: 0n });

  it('bare before the openat, named after it (and after its close), forgotten after a LOST', async () => {
    const u = await start();
    Object.defineProperty(u.stdout, 'columns', { value: 120, configurable: true });
    u.stdout.emit('resize');
    u.api.emit([read(3n, 1n), openat('/etc/hostname', 3n), read(3n, 2n), close(3n)]);
    u.api.emit([lost(3n), read(3n, 4n)]);
    await u.waitFor('LOST 3 events');
    const rows = u.streamRows();
    const at = (text: string): string => rows.find((r) => r.includes(text)) ?? '';
    expect(at('read(3, 0x2000, 64)')).toMatch(/= 1$/); // before the openat: bare
    expect(u.frame()).toMatch(
      row('openat(AT_FDCWD, "/etc/hostname", O_RDONLY)', '= 3</etc/hostname>'),
    );
    expect(u.frame()).toMatch(row('read(3</etc/hostname>, 0x2000, 64)', '= 2'));
    expect(u.frame()).toMatch(row('close(3</etc/hostname>)', '= 0'));
    // After lost events nothing is known of any table: bare until opened again.
    expect(u.frame()).toMatch(row('read(3, 0x2000, 64)', '= 4'));
    u.api.emit([openat('/etc/passwd', 3n), read(3n, 6n)]);
    await u.waitFor('read(3</etc/passwd>');
  });

  it('the details view names the fd; fd: filters the stream by name', async () => {
    const u = await start();
    u.api.emit([
      openat('/etc/hostname', 3n),
      openat('/var/log/app.log', 4n),
      read(4n, 7n),
      read(3n, 9n),
    ]);
    await u.waitFor('read(3</etc/hostname>');
    await u.press(ENTER); // the newest line: read(3, ...)
    await u.waitFor('details');
    expect(u.frame()).toMatch(/unsigned int fd = 3<\/etc\/hostname> \(0x3\)/);
    await u.press(ESC);
    await u.press(CTRL_Q);
    await u.press('/');
    await u.press('fd:/var/log/*' + ENTER);
    await u.waitFor('filter "fd:/var/log/*"');
    await until("only the log file's lines", () => {
      const rows = u.streamRows().filter((r) => /\w+\(/.test(r));
      return (
        rows.length === 2 &&
        rows[0]!.includes('= 4</var/log/app.log>') &&
        rows[1]!.includes('read(4</var/log/app.log>')
      );
    });
    expect(u.frame()).not.toContain('/etc/hostname');
  });

  it('tui --no-decode-fds: fds bare, and fd: refused at the prompt with why', async () => {
    const u = await start({ decodeFds: false });
    u.api.emit([openat('/etc/hostname', 3n), read(3n, 9n)]);
    await u.waitFor('read(3, 0x2000, 64)');
    expect(u.frame()).not.toContain('</etc/hostname>');
    await u.press('/');
    await u.press('fd:/etc/*' + ENTER);
    await u.waitFor('fd: fd names are off');
  });
});

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

import { App } from '../../src/ui/App.js';
import { Session } from '../../src/ui/session.js';
import { call, FakeApi, lost, write } from './fake-api.js';

const CTRL_S = '\x13';
const CTRL_Q = '\x11';
const ESC = '\x1b';
const ENTER = '\r';
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const plain = (s: string | undefined): string => (s ?? '').replace(ANSI, '');

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
  opts: { names?: string[]; colour?: boolean; snapshotDir?: string; leftOut?: string } = {},
): Promise<Ui> {
  const api = new FakeApi(opts.names ?? ['service']);
  if (opts.leftOut !== undefined) {
    api.leftOut = { leftOut: opts.leftOut, why: 'tl_sys_enter: R1 invalid mem access' };
  }
  const session = new Session(api, {
    capacity: 1000,
    ...(opts.snapshotDir ? { snapshotDir: opts.snapshotDir } : {}),
  });
  await session.start(50);
  const r = render(<App session={session} colour={opts.colour ?? true} fps={20} />);
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
      const at = lines.findIndex((l) => l.startsWith('TIME'));
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
    await u.waitFor('write(1, "hello-1\\n", 8) = 8');
    expect(u.frame()).toContain('close(3) = 0');
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

  it('s writes a snapshot of the selected cgroup and says where', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-ui-snap-'));
    try {
      const u = await start({ snapshotDir: dir });
      u.api.emit([write('snap-me\n')]);
      await u.waitFor('snap-me');
      await u.press('s');
      await u.waitFor('snapshot of service');
      const [name] = fs.readdirSync(dir);
      expect(name).toMatch(/^traceloop-service-\d{8}T\d{6}Z\.txt$/);
      expect(u.frame()).toContain(`${name}`);
      const file = path.join(dir, name!);
      const text = fs.readFileSync(file, 'utf8');
      expect(text).toMatch(/^# traceloop snapshot of \/sys\/fs\/cgroup\/demo\/service/);
      expect(text).not.toContain('left out');
      expect(text).toContain('write(1, "snap-me\\n", 8) = 8');
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
    await u.waitFor('close(3) = 0');
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
    await u.waitFor('close(3) = 0');
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
    await u.waitFor('close(3) = 0');
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

  it('? shows the keys; any key closes it', async () => {
    const u = await start();
    await u.press('?');
    await u.waitFor('Ctrl-S');
    expect(u.frame()).toContain('snapshot the selected cgroup');
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

// The terminal UI over a capture file (`traceloop view FILE` on a terminal): the Session fed by
// a CaptureRecorder shows the file's lines with the recording's times, its flight-record
// snapshot is the file's text, and adding or stopping a cgroup is refused (read-only).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureRecorder } from '../src/capture/capture-api.js';
import { readCapture } from '../src/capture/reader.js';
import { captureClock, replayText } from '../src/capture/replay.js';
import { CaptureWriter } from '../src/capture/writer.js';
import { TRIGGER_MARK } from '../src/capture/format.js';
import { parseRecords } from '../src/wire.js';
import { Session } from '../src/ui/session.js';
import { call, lost, write } from './ui/fake-api.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-capture-ui-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const until = async (what: string, ok: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** 40 batches of calls (a loss among them), saved as a capture, read back. */
function capture() {
  const batches: Buffer[] = [];
  for (let i = 0; i < 40; i++) {
    batches.push(
      Buffer.concat([
        write(`line ${i}\n`),
        call({ name: 'getpid', ret: 100n, tid: 100 + (i % 3) }),
        ...(i === 20 ? [lost(3n)] : []),
      ]),
    );
  }
  const file = path.join(dir, 'ui.tlcap');
  const w = CaptureWriter.open(file);
  w.start({
    source: 'dump',
    cgroup: { path: '/sys/fs/cgroup/svc', id: 77n, name: 'svc' },
    title: '# traceloop dump of /sys/fs/cgroup/svc (id 1, name svc)',
    captures: { leftOut: '', why: '' },
    settings: { maxString: 32, durations: false },
    // A day ago: the lines must show then, not now.
    clock: { monotonicNowNs: 1_000_000_000n, wallNowMs: Date.now() - 86_400_000 },
  });
  for (const b of batches) w.records(b);
  w.finish({
    cpus: [{ cpu: 0, emitted: 163, failed: 0, faults: 0, headBytes: 0, delivered: 160, lost: 3 }],
  });
  return { file, capture: readCapture(fs.readFileSync(file)) };
}

describe('the UI over a capture file', () => {
  it('shows the file s lines with the recording s times; its flight record is the file s text', async () => {
    const { file, capture: c } = capture();
    const text: string[] = [];
    replayText(c, (l) => text.push(...l));
    const api = new CaptureRecorder(c, file);
    const session = new Session(api, {
      clock: captureClock(c),
      snapshotDir: dir,
      capacity: 10_000,
    });
    try {
      await session.start(3_600_000);
      expect(session.cgroups.map((g) => [g.name, g.path, g.gone])).toEqual([
        ['svc', '/sys/fs/cgroup/svc', false],
      ]);
      const cg = session.cgroups[0]!;
      // The header line and the accounting line are the dump's, not the stream's.
      const calls = text.slice(1, -1);
      await until('every line', () => cg.store.length >= calls.length);
      const shown = Array.from({ length: cg.store.length }, (_, i) =>
        cg.store.textOf(cg.store.at(i)),
      );
      expect(shown.filter((l) => l.includes('write(1')).length).toBe(40);
      // The times are the recording's: the same as the text's, a day ago.
      const times = (ls: string[]) =>
        ls.map((l) => /^\d\d:\d\d:\d\d\.\d{6}/.exec(l)?.[0]).filter(Boolean);
      expect(times(shown)).toEqual(times(calls));
      expect(session.api.where).toBe(`${file} (capture, read-only)`);

      const snap = await session.snapshot(cg.key);
      const body = fs.readFileSync(snap.file, 'utf8').trimEnd().split('\n');
      expect(body.slice(1)).toEqual(text.slice(1));
      expect(body.at(-1)).toMatch(/^# cpu0: 163 recorded, 160 shown, 3 lost \(\d+ lines\)/);

      await expect(api.add()).rejects.toThrow(/a capture file is read-only: nothing can be added/);
      await expect(session.remove(cg.key)).rejects.toThrow(/read-only: nothing can be stopped/);
      // A second watch (a refresh) does not show the file twice.
      await session.refresh();
      await new Promise((r) => setTimeout(r, 50));
      expect(cg.store.length).toBe(shown.length);
    } finally {
      await session.close();
    }
  });

  it('a triggered capture: the trigger in the header, its line marked as in the text', async () => {
    const { capture: plain } = capture();
    // The 7th exit stands for the trigger (a failed call, say).
    const exits = plain.batches.flatMap((b) => parseRecords(b)).filter((r) => r.kind === 'exit');
    const at = exits[6]!;
    const c = {
      ...plain,
      header: {
        ...plain.header,
        trigger: {
          kind: 'errno',
          text: 'getpid failed (a test)',
          record: { cpu: at.cpu, seq: at.seq },
        },
      },
    };
    const text: string[] = [];
    replayText(c, (l) => text.push(...l));
    expect(text[1]).toBe('# trigger: errno: getpid failed (a test)');
    const markedText = text.filter((l) => l.endsWith(TRIGGER_MARK));
    expect(markedText).toHaveLength(1);
    const session = new Session(new CaptureRecorder(c, 'x.tlcap'), {
      clock: captureClock(c),
      capacity: 10_000,
      trigger: c.header.trigger,
    });
    try {
      await session.start(3_600_000);
      expect(session.notice).toBe('trigger: errno: getpid failed (a test)');
      const cg = session.cgroups[0]!;
      await until('every line', () => cg.store.length >= text.length - 3);
      const shown = Array.from({ length: cg.store.length }, (_, i) =>
        cg.store.textOf(cg.store.at(i)),
      );
      expect(shown.filter((l) => l.endsWith(TRIGGER_MARK))).toEqual(markedText);
    } finally {
      await session.close();
    }
  });
});

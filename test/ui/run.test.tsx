// runTui gives the terminal back whatever ends the UI: here, a crash in a
// render. Raw mode off, the alternate screen left, the recorder closed.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { runTui } from '../../src/ui/run.js';
import { Session } from '../../src/ui/session.js';
import { FakeApi } from './fake-api.js';

class FakeStdout extends EventEmitter {
  columns = 80;
  rows = 24;
  isTTY = true;
  written = '';
  write = (s: string): boolean => {
    this.written += s;
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  raw: boolean[] = [];
  data: string | null = null;
  setRawMode(on: boolean): void {
    this.raw.push(on);
  }
  setEncoding(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  type(s: string): void {
    this.data = s;
    this.emit('readable');
  }
}

async function until(what: string, cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function started() {
  const api = new FakeApi(['service']);
  const session = new Session(api);
  await session.start(1000);
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const done = runTui(session, {
    colour: false,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
  });
  await until('the first frame', () => stdout.written.includes('TIME'));
  return { api, session, stdout, stdin, done };
}

describe('runTui', () => {
  it('q: leaves the alternate screen, raw mode off, the recorder closed', async () => {
    const t = await started();
    expect(t.stdout.written.startsWith('\x1b[?1049h')).toBe(true);
    expect(t.stdin.raw).toContain(true);
    t.stdin.type('q');
    await t.done;
    expect(t.stdin.raw.at(-1)).toBe(false);
    expect(t.stdout.written.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
    expect(t.api.closed).toBe(true);
  });

  it('a crash in a render: the same, and the error reaches the caller', async () => {
    const t = await started();
    Object.defineProperty(t.api, 'where', {
      get: () => {
        throw new Error('boom in render');
      },
    });
    t.api.emit(Buffer.alloc(0)); // any redraw now throws
    t.session.version++;
    await expect(t.done).rejects.toThrow('boom in render');
    expect(t.stdin.raw.at(-1)).toBe(false);
    expect(t.stdout.written).toContain('\x1b[?1049l');
    expect(t.api.closed).toBe(true);
  });
});

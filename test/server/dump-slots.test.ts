// Dump slots against clients that stop reading (issue #13 item 8), on a real http server and a
// real unix socket, with short timeouts: a holder that reads nothing for the idle time loses its
// slot and gets a cut connection; one that reads keeps it; when all slots are held, one idle for
// the shorter time gives way to a newcomer.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DumpSlots } from '../../src/server/dump-slots.js';
import { HttpError } from '../../src/server/params.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHUNK = Buffer.alloc(256 << 10, 0x61);

let dir: string;
let server: http.Server;
let slots: DumpSlots;
const answered: number[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'traceloop-slots-'));
  slots = new DumpSlots(2, 600, 200);
  answered.length = 0;
  // A dump as the daemon writes one: slices, each after the client took the previous one.
  server = http.createServer((_req, res) => {
    let slot;
    try {
      slot = slots.acquire(res);
    } catch (err) {
      answered.push((err as HttpError).status);
      res.writeHead((err as HttpError).status).end();
      return;
    }
    answered.push(200);
    res.writeHead(200);
    const next = (): void => {
      if (res.destroyed) return slot.release();
      slot.progress();
      if (res.write(CHUNK)) setImmediate(next);
      else res.once('drain', next);
    };
    res.on('close', () => slot.release());
    next();
  });
  await new Promise<void>((r) => server.listen(path.join(dir, 's'), r));
});
afterEach(async () => {
  slots.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

function request(): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) =>
    http.get({ socketPath: path.join(dir, 's'), agent: false }, resolve).on('error', reject),
  );
}

describe('dump slots', () => {
  it('a client that reads nothing for the idle time is cut off and its slot freed', async () => {
    const res = await request();
    res.pause();
    let aborted = false;
    res.on('aborted', () => (aborted = true));
    res.on('error', () => {});
    await sleep(300);
    expect(slots.held).toBe(1);
    await sleep(1200); // idle 600 ms, checked every 300 ms
    expect(slots.held).toBe(0);
    res.resume();
    await sleep(50);
    expect(aborted || !res.complete).toBe(true);
  });

  it('one that reads keeps its slot', async () => {
    const res = await request();
    res.on('data', () => {});
    await sleep(1500);
    expect(slots.held).toBe(1);
    res.destroy();
  });

  it('when all slots are held, a newcomer waits for none idle longer than the contended time', async () => {
    const held = [await request(), await request()];
    for (const r of held) {
      r.pause();
      r.on('error', () => {});
    }
    const third = await request();
    third.resume();
    expect(answered).toEqual([200, 200, 503]);
    await sleep(300); // idle 200 ms: one gives way
    const fourth = await request();
    fourth.on('data', () => {});
    expect(answered).toEqual([200, 200, 503, 200]);
    expect(slots.held).toBe(2);
    fourth.destroy();
  });
});

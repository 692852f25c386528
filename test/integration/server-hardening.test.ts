// Issue #13 against a real daemon: each attack or fault as the issue describes it, on real
// cgroups, real BPF and the real unix socket. Streams: a client that stalls on a one-page ring,
// one that stalls while the cgroup goes quiet, one whose stream ends while it is behind; the
// books of each must balance (shown + marked lost = emitted, per CPU).
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { URL, curl, useDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { runInCgroup, scratchCgroup } from '../helpers/system.js';
import { until } from '../helpers/wait.js';
import { booksOf, emittedOf, hold, identityErrors, type Books } from '../server/books.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * One-byte reads and writes, on one CPU if given: far more than a one-page ring holds. The
 * shell execs it (no fork: text books count exactly).
 */
const busy = (count: number, cpu?: number): string =>
  `exec ${cpu === undefined ? '' : `taskset -c ${cpu} `}dd if=/dev/zero of=/dev/null bs=1 count=${count} status=none`;

/** `cpu0: 120 shown + 9000 lost (800 behind) = 9120 emitted; cpu1: ...` */
function booksLine(b: Books, emitted: number[]): string {
  return (
    emitted
      .map(
        (e, cpu) =>
          `cpu${cpu}: ${b.shown[cpu] ?? 0} shown + ${b.lost[cpu] ?? 0} lost = ${e} emitted`,
      )
      .join('; ') + ` (${b.behind} of the lost: consumer behind)`
  );
}

/** Runs a busy workload in `cg` until the daemon has dropped stream batches (a client is paused). */
async function workUntilDropping(d: DaemonProcess, cg: ScratchCgroup): Promise<void> {
  // A daemon without the counter (before #13) gets a fixed amount of work instead.
  const dropped = async (): Promise<number | undefined> =>
    (
      JSON.parse((await curl(d.socket, `${URL}/stats?format=json`)).body) as {
        daemon: { streamsDroppedBatches?: number };
      }
    ).daemon.streamsDroppedBatches;
  const before = (await dropped()) ?? 0;
  for (let round = 0; ((await dropped()) ?? round / 2) < before + 5; round++) {
    expect(round, 'no batch was ever dropped').toBeLessThan(30);
    await Promise.all([
      runInCgroup(cg.path, busy(1_000_000, 0)),
      runInCgroup(cg.path, busy(1_000_000, 1)),
    ]);
  }
}

describe('a /stream client that falls behind, on a one-page ring', () => {
  const serve = useDaemon('behind', ['--ring-pages', '1', '--gone-check-ms', '100']);
  const add = async (label: string): Promise<{ cg: ScratchCgroup; id: number }> => {
    const cg = serve.cgroup(label);
    const r = await curl(serve.d.socket, `${URL}/add?name=${label}&cgrouppath=${cg.path}`);
    expect(r.status).toBe(200);
    return { cg, id: Number(/id (\d+)/.exec(r.body)![1]) };
  };

  /** Runs the workload until the daemon has dropped batches for a paused client. */
  const fillUntilDropping = (cg: ScratchCgroup): Promise<void> => workUntilDropping(serve.d, cg);

  it.each(['jsonl', 'raw', 'text'] as const)(
    'stalled while the ring overflows (%s): the dropped batches’ markers are counted, per CPU, and said once it reads again, with no later batch',
    async (format) => {
      const { cg, id } = await add(`behind-${format}`);
      const s = await hold(serve.d.socket, `/stream?id=${id}&format=${format}`);
      expect(s.status).toBe(200);
      s.pause();
      await fillUntilDropping(cg);
      const emitted = await emittedOf(serve.d.socket, id);
      // The cgroup is quiet now: no batch comes after. Reading again must bring what was missed.
      s.resume();
      await until(
        'the client to be told everything',
        () => identityErrors(format, booksOf(format, s.body()), emitted).length === 0,
        10_000,
      ).catch(() => {
        throw new Error(identityErrors(format, booksOf(format, s.body()), emitted).join('; '));
      });
      const books = booksOf(format, s.body());
      console.log(`stalled, ${format}: ${booksLine(books, emitted)}`);
      expect(books.lostAll, 'the daemon marks per CPU').toBe(0);
      expect(books.shownTotal).toBeGreaterThan(0);
      const body = s.body().toString('latin1');
      // Dropped: said as "consumer behind" (text: by its reason; raw: TL_LOST_CONSUMER in a frame).
      if (format !== 'raw') expect(body).toMatch(/consumer behind/);
      s.destroy();
    },
  );

  it('a stream that ends while its client is behind says what it missed before its end (gone, closed)', async () => {
    for (const how of ['gone', 'closed'] as const) {
      const { cg, id } = await add(`ends-${how}`);
      const s = await hold(serve.d.socket, `/stream?id=${id}&format=jsonl`);
      s.pause();
      await fillUntilDropping(cg);
      const emitted = await emittedOf(serve.d.socket, id);
      if (how === 'gone') await cg.remove('kill');
      else expect((await curl(serve.d.socket, `${URL}/close?id=${id}`)).status).toBe(200);
      await sleep(300); // ended while the client reads nothing
      s.resume();
      await s.done;
      const books = booksOf('jsonl', s.body());
      console.log(`ended (${how}) while behind, jsonl: ${booksLine(books, emitted)}`);
      expect(books.end, how).toBe(how);
      expect(s.body().toString(), how).toMatch(/consumer behind/);
      expect(identityErrors('jsonl', books, emitted), how).toEqual([]);
    }
  });
});

/** The daemon's resident memory, bytes (VmRSS). */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** Samples `pid`'s RSS every 50 ms until stopped: the peak, and the last. */
function sampleRss(pid: number): { stop: () => { peak: number; last: number } } {
  let peak = 0;
  let last = 0;
  const take = (): void => {
    try {
      last = rssOf(pid);
      peak = Math.max(peak, last);
    } catch {
      // exited
    }
  };
  take();
  const timer = setInterval(take, 50);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { peak, last };
    },
  };
}

const MiB = 1 << 20;

describe('memory', () => {
  const serve = useDaemon('memory', ['--gone-check-ms', '100']);

  it('registrations of cgroups that vanish: kept records are accounted at what they hold, names never repeat', async () => {
    // Each /add and each retirement waits for an RCU grace period in the kernel (the map of
    // rings): about 28 ms a cycle here. The 10,000 cycles of issue #13 run on the daemon's
    // bookkeeping in test/server/daemon.test.ts; this checks the real daemon's accounts.
    const parent = scratchCgroup('cycles');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (target: string): Promise<number> =>
      new Promise((resolve, reject) => {
        http
          .get({ socketPath: serve.d.socket, path: target, agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject);
      });
    try {
      const dirPath = path.join(parent.path, 'cycle');
      for (let i = 0; i < 100; i++) {
        fs.mkdirSync(dirPath);
        // The previous registration at this path is retired here, its record kept.
        expect(await get(`/add?cgrouppath=${encodeURIComponent(dirPath)}`)).toBe(200);
        fs.rmdirSync(dirPath);
      }
      await until('the last one to be kept', async () =>
        (await curl(serve.d.socket, `${URL}/list`)).body
          .trim()
          .split('\n')
          .every((l) => l.includes('(gone since')),
      );
      const stats = JSON.parse((await curl(serve.d.socket, `${URL}/stats?format=json`)).body) as {
        daemon: { retainedBytes: number };
        cgroups: Array<{ gone: boolean; name: string; memoryBytes: number }>;
      };
      const kept = stats.cgroups.filter((c) => c.gone);
      expect(kept.length).toBeGreaterThanOrEqual(100);
      // An empty record deflates to 8 bytes; what it holds is its own buffer and bookkeeping.
      for (const c of kept) expect(c.memoryBytes).toBeGreaterThanOrEqual(1024 + 8);
      expect(stats.daemon.retainedBytes).toBe(kept.reduce((s, c) => s + c.memoryBytes, 0));
      expect(new Set(stats.cgroups.map((c) => c.name)).size).toBe(stats.cgroups.length);
    } finally {
      agent.destroy();
      try {
        fs.rmdirSync(path.join(parent.path, 'cycle'));
      } catch {
        // removed by the loop
      }
      await parent.remove('kill');
    }
  });

  it('40 streams whose clients read nothing cost the streams budget at most, never 40 backlogs', async () => {
    const cg = scratchCgroup('unread');
    try {
      const r = await curl(serve.d.socket, `${URL}/add?name=unread&cgrouppath=${cg.path}`);
      const id = Number(/id (\d+)/.exec(r.body)![1]);
      const before = rssOf(serve.d.pid);
      const streams = await Promise.all(
        Array.from({ length: 40 }, () => hold(serve.d.socket, `/stream?id=${id}&format=jsonl`)),
      );
      for (const s of streams) s.pause();
      const rss = sampleRss(serve.d.pid);
      await Promise.all([
        runInCgroup(cg.path, busy(1_500_000, 0)),
        runInCgroup(cg.path, busy(1_500_000, 1)),
      ]);
      const stats = JSON.parse((await curl(serve.d.socket, `${URL}/stats?format=json`)).body) as {
        daemon: { streamsBacklogBytes: number; streamsBudgetBytes: number };
      };
      const { peak } = rss.stop();
      console.log(
        `40 unread streams: RSS ${(before / MiB).toFixed(0)} MiB before, peak ${(peak / MiB).toFixed(0)} MiB; ` +
          `backlog ${(stats.daemon.streamsBacklogBytes / MiB).toFixed(1)} MiB of ${(stats.daemon.streamsBudgetBytes / MiB).toFixed(0)}`,
      );
      expect(stats.daemon.streamsBacklogBytes).toBeLessThanOrEqual(stats.daemon.streamsBudgetBytes);
      // The budget, and what a cgroup busier than JS can encode costs with any number of
      // streams (the addon's live queue, 16 MiB for the daemon, and the encoding's garbage):
      // about 180 MiB measured with one stream that reads. 40 backlogs of 4 MiB would not fit.
      expect(peak - before).toBeLessThan(stats.daemon.streamsBudgetBytes + 200 * MiB);
      for (const s of streams) s.destroy();
    } finally {
      await cg.remove('kill');
    }
  });
});

describe('the API against clients that hold on', () => {
  const serve = useDaemon('holders', ['--gone-check-ms', '100']);
  const get = serve.get;
  const cgroup = (label: string): ScratchCgroup => {
    const c = serve.cgroup(label);
    // The names test makes directories inside its cgroups: gone first, even after a failure.
    serve.fixture.defer(() => {
      for (const sub of fs.readdirSync(c.path, { withFileTypes: true }))
        if (sub.isDirectory()) fs.rmdirSync(path.join(c.path, sub.name));
    });
    return c;
  };

  it('gives every automatic name once, within 128 characters; close-by-name closes the one named', async () => {
    const [a, b, c, e] = ['names-a', 'names-b', 'names-c', 'names-e'].map((l) => {
      return cgroup(l);
    });
    const mk = (parent: ScratchCgroup, name: string): string => {
      const p = path.join(parent.path, name);
      fs.mkdirSync(p);
      return p;
    };
    const add = async (p: string): Promise<number> => {
      const r = await get(`/add?cgrouppath=${encodeURIComponent(p)}`);
      expect(r.status, r.body).toBe(200);
      return Number(/id (\d+)/.exec(r.body)![1]);
    };
    const x = await add(mk(a!, 'x'));
    // A directory called like the name the next x would get: "x-<its id>".
    const next = x + 2;
    const dash = await add(mk(b!, `x-${next}`));
    expect(await add(mk(c!, 'x'))).toBe(next);
    const long = await add(mk(e!, 'l'.repeat(208)));
    const names = new Map(
      (await get('/list')).body
        .trim()
        .split('\n')
        .map((l) => {
          const m = /^(\d+): \[(.*?)\] /.exec(l)!;
          return [Number(m[1]), m[2]!] as const;
        }),
    );
    expect(new Set(names.values()).size).toBe(names.size);
    expect(names.get(dash)).toBe(`x-${next}`);
    expect(names.get(next)).not.toBe(`x-${next}`);
    const longName = names.get(long)!;
    expect(longName.length).toBeLessThanOrEqual(128);
    expect((await get(`/dump-by-name?name=${longName}`)).status).toBe(200);
    expect(await get(`/close-by-name?name=x-${next}`)).toEqual({ status: 200, body: 'closed\n' });
    const left = (await get('/list')).body;
    expect(left).not.toContain(`${dash}: `);
    expect(left).toContain(`${next}: [${names.get(next)}] ${c!.path}/x\n`);
    expect(left).toContain(`${x}: [x] ${a!.path}/x\n`);
    for (const id of [x, next, long]) await get(`/close?id=${id}`);
  });

  it('takes a dump slot back from a client that reads nothing, when another client needs it', async () => {
    const cg = cgroup('idle-dumps');
    const r = await get(`/add?name=idle-dumps&cgrouppath=${cg.path}`);
    const id = Number(/id (\d+)/.exec(r.body)![1]);
    await runInCgroup(cg.path, busy(30_000, 0));
    await runInCgroup(cg.path, busy(30_000, 1));
    const held = [];
    for (let i = 0; i < 8; i++) {
      const h = await hold(serve.d.socket, `/dump?id=${id}&format=jsonl`);
      expect(h.status).toBe(200);
      h.pause(); // a megabyte of JSON nobody reads: each dump waits on its socket
      held.push(h);
    }
    // Right away, all 8 are busy: the 9th is told to retry.
    expect((await get(`/dump?id=${id}`)).status).toBe(503);
    await sleep(2_500); // they have read nothing for longer than a waiting client must wait
    const started = Date.now();
    const ninth = await get(`/dump?id=${id}`);
    expect(ninth.status).toBe(200);
    expect(ninth.body).toMatch(/^# cpu\d: \d+ recorded/m);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The one cut off gets a cut connection, never a body that looks whole.
    for (const h of held) h.resume();
    await Promise.all(held.map((h) => h.done));
    const bodies = held.map((h) => h.body().toString());
    const whole = bodies.filter((b) => b.trimEnd().split('\n').at(-1)!.includes('"accounting"'));
    expect(whole.length).toBeLessThan(8);
    expect(whole.length).toBeGreaterThanOrEqual(1);
    await get(`/close?id=${id}`);
  });

  it('1,030 connections sending a byte a second do not keep a new client out', async () => {
    const cg = cgroup('slowloris');
    await get(`/add?name=loris&cgrouppath=${cg.path}`);
    // A stream open before the attack is a request in progress: it is never cut for a newcomer.
    const stream = await hold(serve.d.socket, '/stream?name=loris');
    const request = 'GET /list HTTP/1.1\r\nHost: localhost\r\nX-Slow: ' + 'a'.repeat(100);
    const attackers: net.Socket[] = [];
    let closed = 0;
    let connected = 0;
    // One after another: all of them in. A connect that finds the listen backlog full (EAGAIN:
    // the daemon is busy with earlier tests' cgroups for a moment) is tried again, as an
    // attacker would: the point is 1,030 connections held open, not how fast they came.
    const connect = (): Promise<net.Socket | undefined> =>
      new Promise((resolve) => {
        const s = net.connect({ path: serve.d.socket });
        s.once('connect', () => resolve(s));
        s.once('error', (e: NodeJS.ErrnoException) => {
          s.destroy();
          if (e.code !== 'EAGAIN') resolve(undefined);
          else setTimeout(() => void connect().then(resolve), 10);
        });
      });
    for (let i = 0; i < 1030; i++) {
      const s = await connect();
      if (!s) continue;
      connected++;
      s.resume(); // reads what it is told (a 408), or it would never see its connection end
      s.on('error', () => {});
      s.on('close', () => closed++);
      attackers.push(s);
    }
    expect(connected).toBe(1030);
    let sent = 0;
    const drip = setInterval(() => {
      for (const s of attackers) if (!s.destroyed) s.write(request[sent % request.length]!);
      sent++;
    }, 1000);
    try {
      await sleep(1_500); // a byte or two each
      // The cap is reached: the six over it made room for themselves.
      const full = JSON.parse((await get('/stats?format=json')).body) as {
        daemon: { connections: number; maxConnections: number };
      };
      expect(full.daemon.connections).toBe(full.daemon.maxConnections);
      const served: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = Date.now();
        // Refused connections are retried: the time counted is until an answer.
        for (;;) {
          const r = await curl(serve.d.socket, `${URL}/healthz`).catch(() => undefined);
          if (r?.status === 200) break;
          expect(Date.now() - t, 'locked out').toBeLessThan(5_000);
        }
        served.push(Date.now() - t);
        const list = await get('/list');
        expect(list.status).toBe(200);
      }
      console.log(
        `slowloris: 1,030 connections dripping; new clients served in ${served.join(', ')} ms`,
      );
      for (const ms of served) expect(ms).toBeLessThan(2_000);
      // Their headers never complete: cut at the headers timeout (5 s, checked every second).
      await until('the slow senders to be cut off', () => closed >= 1000, 10_000);
      const stats = JSON.parse((await get('/stats?format=json')).body) as {
        daemon: { connections: number };
      };
      expect(stats.daemon.connections).toBeLessThan(10);
      expect(stream.body().toString()).toContain('"kind":"stream"');
      const before = stream.body().length;
      await runInCgroup(cg.path, 'echo still-streaming > /dev/null');
      await until('the stream to go on', () => stream.body().length > before);
    } finally {
      clearInterval(drip);
      for (const s of attackers) s.destroy();
      stream.destroy();
    }
  });
});

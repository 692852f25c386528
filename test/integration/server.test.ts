// `traceloop serve` as a real daemon process, driven by real curl over its
// unix socket: the original's commands, the new endpoints, bad input,
// concurrent streams, the lifecycle (SIGTERM, kill -9 and restart), and the
// TUI's remote recorder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroup2Mount } from '../../src/cgroup.js';
import { openRecorderApi } from '../../src/recorder-select.js';
import { LocalRecorder } from '../../src/recorder-api.js';
import { TL_LOST_GONE, parseRecords, type EnterRecord, type WireRecord } from '../../src/wire.js';
import { RemoteRecorder } from '../../src/client/remote-recorder.js';
import {
  CLI,
  ourBpfPrograms,
  programsGone,
  programsOfPid,
  runInCgroup,
  scratchCgroup,
  OUR_PROGRAMS,
} from '../helpers/system.js';
import { URL, curl, rawExchange, useDaemon, useFixture } from '../helpers/daemon.js';
import { until } from '../helpers/wait.js';

const q = encodeURIComponent;

describe('traceloop serve', () => {
  const serve = useDaemon('serve', ['--gone-check-ms', '100', '--retention', '4s']);
  const { get, cgroup: cg } = serve;

  it('creates its socket 0600, owned by root', () => {
    const st = fs.statSync(serve.d.socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(st.uid).toBe(0);
    expect(st.gid).toBe(0);
  });

  it("answers the original's commands as its README shows them", async () => {
    const a = cg('orig-a');
    const b = cg('orig-b');
    let r = await get(`/add?name=sshd&cgrouppath=${a.path}`);
    expect(r).toEqual({ status: 200, body: expect.stringMatching(/^added as id \d+\n$/) });
    const idA = Number(/id (\d+)/.exec(r.body)![1]);
    r = await get(`/add?name=web&cgrouppath=${b.path}`);
    const idB = Number(/id (\d+)/.exec(r.body)![1]);
    expect(idB).toBe(idA + 1);

    r = await get('/list');
    expect(r.status).toBe(200);
    expect(r.body).toContain(`${idA}: [sshd] ${a.path}\n`);
    expect(r.body).toContain(`${idB}: [web] ${b.path}\n`);

    await runInCgroup(a.path, 'echo orig-marker-a > /dev/null');
    await runInCgroup(b.path, 'echo orig-marker-b > /dev/null');
    for (const target of [
      `/dump?id=${idA}`,
      '/dump-by-name?name=sshd',
      `/dump-by-cgroup?cgroup=${a.path}`,
    ]) {
      r = await get(target);
      expect(r.status, target).toBe(200);
      expect(r.body, target).toMatch(
        new RegExp(`^# traceloop dump of ${a.path} \\(id ${idA}, name sshd\\)\n`),
      );
      // strace -y's names, from the records alone (the shell's dup2 of /dev/null onto 1).
      expect(r.body, target).toContain('write(1</dev/null>, "orig-marker-a\\n", 14) = 14');
      expect(r.body, target).not.toContain('orig-marker-b');
      expect(r.body, target).toMatch(/^# cpu\d: \d+ recorded, \d+ shown, 0 lost/m);
    }
    // fds=0: bare, as the original printed them.
    r = await get(`/dump?id=${idA}&fds=0`);
    expect(r.body).toContain('write(1, "orig-marker-a\\n", 14) = 14');
    expect((await get(`/dump?id=${idA}&fds=2`)).body.trim()).toBe("fds takes 0, 1 or yy, not '2'");

    // POST with a form, as Go's r.FormValue accepted it.
    r = await get('/dump-by-name', ['-d', 'name=web']);
    expect(r.status).toBe(200);
    expect(r.body).toContain('"orig-marker-b\\n"');

    expect(await get(`/close?id=${idA}`)).toEqual({ status: 200, body: 'closed\n' });
    expect(await get('/close-by-name?name=web')).toEqual({ status: 200, body: 'closed\n' });
    expect((await get('/list')).body).not.toMatch(/\[(sshd|web)\]/);
    expect((await get(`/dump?id=${idA}`)).status).toBe(404);

    for (const target of [
      '/dump-pod?namespace=default&podname=x&idx=0',
      '/dump-by-traceid?traceid=0123456789abcdef',
    ]) {
      r = await get(target);
      expect(r.status).toBe(501);
      expect(r.body).toMatch(/Kubernetes mode is not there yet/);
    }
  });

  it('answers format=jsonl, /stats, /healthz', async () => {
    const a = cg('new');
    await get(`/add?name=jsonl-cg&cgrouppath=${a.path}`);
    await runInCgroup(a.path, 'echo jsonl-marker > /dev/null');
    const r = await get('/dump-by-name?name=jsonl-cg&format=jsonl');
    expect(r.status).toBe(200);
    const objs = r.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs[0]).toMatchObject({ kind: 'dump', name: 'jsonl-cg', path: a.path, gone: false });
    expect(objs[0]).not.toHaveProperty('capturesLeftOut'); // everything loaded: nothing said
    expect(objs.at(-1)).toMatchObject({ kind: 'accounting' });
    const write = objs.find(
      (o) =>
        o.kind === 'enter' &&
        o.syscall === 'write' &&
        (o.params as Array<{ data: string }>).some(
          (p) => Buffer.from(p.data, 'base64').toString() === 'jsonl-marker\n',
        ),
    );
    expect(write).toMatchObject({ comm: 'bash', args: ['1', expect.any(String), '13'] });

    const s = await get('/stats?format=json');
    const stats = JSON.parse(s.body) as {
      daemon: { rssBytes: number; ringMemoryBytes: number };
      cgroups: Array<{
        name: string;
        ringBytes: number;
        memoryBytes: number;
        cpus: Array<{ emitted: number; fill: number }>;
      }>;
    };
    const mine = stats.cgroups.find((c) => c.name === 'jsonl-cg')!;
    expect(mine.ringBytes).toBe(64 * 4096);
    expect(mine.cpus.length).toBeGreaterThanOrEqual(1);
    expect(mine.cpus.reduce((n, c) => n + c.emitted, 0)).toBeGreaterThan(0);
    expect(mine.memoryBytes).toBeGreaterThanOrEqual(mine.cpus.length * 64 * 4096);
    expect(stats.daemon.rssBytes).toBeGreaterThan(0);
    expect(Object.keys(stats)).toEqual(['daemon', 'cgroups']);
    const text = await get('/stats?name=jsonl-cg');
    expect(text.body).toMatch(/^ {2}cpu0: emitted \d+, delivered \d+, lost \d+/m);
    expect(await get('/healthz')).toEqual({ status: 200, body: 'ok\n' });

    // format=text on /stream: strace lines as they happen.
    const stream = spawn('curl', [
      '-sSN',
      '--unix-socket',
      serve.d.socket,
      `${URL}/stream?name=jsonl-cg&format=text`,
    ]);
    let live = '';
    stream.stdout.on('data', (x: Buffer) => (live += x.toString()));
    const done = new Promise((r) => stream.on('exit', r));
    await until('the text stream to open', () =>
      live.startsWith(`# traceloop stream of ${a.path}`),
    );
    await runInCgroup(a.path, 'echo text-stream-marker > /dev/null');
    await until('the write to show', () =>
      live.includes('write(1</dev/null>, "text-stream-marker\\n", 19) = 19'),
    );
    await get('/close-by-name?name=jsonl-cg');
    await done;
    expect(live.trimEnd().split('\n').at(-1)).toBe('# stream ended: closed');
  });

  it('answers every bad input with the right status, and keeps recording', async () => {
    const keep = cg('keep');
    await get(`/add?name=keep&cgrouppath=${keep.path}`);
    await runInCgroup(keep.path, 'echo before-bad-input > /dev/null');
    const mount = cgroup2Mount();
    const link = path.join(serve.d.dir, 'escape');
    fs.symlinkSync('/etc', link);
    const inLink = path.join(serve.d.dir, 'inside');
    fs.symlinkSync(keep.path, inLink);
    const huge = 'x'.repeat(10_000);
    const cases: Array<[string, string, string[], number, RegExp]> = [
      ['missing cgrouppath', '/add?name=x', [], 400, /missing parameter 'cgrouppath'/],
      ['empty cgrouppath', '/add?cgrouppath=', [], 400, /parameter 'cgrouppath' is empty/],
      ['relative path', '/add?cgrouppath=sys/fs/cgroup', [], 400, /absolute path/],
      [
        '.. in the path',
        `/add?cgrouppath=${q(keep.path + '/../../..')}`,
        [],
        400,
        /'\.\.' components/,
      ],
      ['.. escaping', `/add?cgrouppath=${q(mount + '/../../etc')}`, [], 400, /'\.\.' components/],
      [
        'symlink escaping',
        `/add?cgrouppath=${q(link)}`,
        [],
        400,
        /not inside the cgroup2 hierarchy/,
      ],
      [
        'symlink to a recorded cgroup',
        `/add?cgrouppath=${q(inLink)}`,
        [],
        409,
        /already recorded as id \d+/,
      ],
      [
        'not a cgroup (outside)',
        '/add?cgrouppath=/tmp',
        [],
        400,
        /not inside the cgroup2 hierarchy/,
      ],
      [
        'not a cgroup (a file)',
        `/add?cgrouppath=${q(keep.path + '/cgroup.procs')}`,
        [],
        400,
        /not a cgroup directory/,
      ],
      [
        'no such cgroup',
        `/add?cgrouppath=${q(mount + '/no-such-cgroup-x')}`,
        [],
        400,
        /no such cgroup directory/,
      ],
      ['the cgroup2 root', `/add?cgrouppath=${q(mount)}`, [], 400, /root itself/],
      [
        'control characters',
        `/add?cgrouppath=${q(keep.path + '\n')}`,
        [],
        400,
        /control characters/,
      ],
      [
        'duplicate name',
        `/add?name=keep&cgrouppath=${q(mount + '/traceloop')}`,
        [],
        409,
        /name 'keep' is taken/,
      ],
      ['bad name', `/add?name=${q('a b/c')}&cgrouppath=${q(keep.path)}`, [], 400, /may hold only/],
      ['numeric name', `/add?name=42&cgrouppath=${q(keep.path)}`, [], 400, /all digits/],
      [
        'huge name',
        `/add?name=${'n'.repeat(500)}&cgrouppath=${q(keep.path)}`,
        [],
        400,
        /longer than 128/,
      ],
      ['huge target', `/dump?id=${huge}`, [], 414, /longer than 8192/],
      [
        'huge header block',
        '/healthz',
        ['-H', `X-Big: ${'y'.repeat(20_000)}`],
        431,
        /malformed request/,
      ],
      [
        'huge form body',
        '/add',
        ['--data-binary', `name=${'z'.repeat(20_000)}`],
        413,
        /larger than 8192/,
      ],
      ['missing id', '/dump', [], 400, /missing parameter 'id'/],
      ['empty id', '/dump?id=', [], 400, /parameter 'id' is empty/],
      ['non-numeric id', '/dump?id=abc', [], 400, /must be a number/],
      ['negative id', '/close?id=-1', [], 400, /must be a number/],
      ['huge id', '/dump?id=99999999999999999999', [], 400, /must be a number/],
      [
        'id with leading zeros',
        '/dump?id=000000000',
        [],
        400,
        /must be a number as \/add printed it/,
      ],
      ['unknown id', '/dump?id=999999', [], 404, /no cgroup with id 999999/],
      ['unknown id (close)', '/close?id=999999', [], 404, /no cgroup with id/],
      ['unknown name', '/dump-by-name?name=nobody', [], 404, /no cgroup named 'nobody'/],
      [
        'unknown cgroup',
        `/dump-by-cgroup?cgroup=${q(mount + '/nope')}`,
        [],
        404,
        /is not recorded/,
      ],
      ['unknown parameter', '/list?verbose=1', [], 400, /unknown parameter 'verbose'/],
      ['parameter twice', '/dump?id=1&id=2', [], 400, /given twice/],
      ['bad percent-encoding', '/dump?id=%zz', [], 400, /bad percent-encoding/],
      [
        'bad format',
        '/dump-by-name?name=keep&format=xml',
        [],
        400,
        /must be one of text, jsonl, raw/,
      ],
      ['unknown endpoint', '/frobnicate', [], 404, /no endpoint/],
      ['bad method', '/list', ['-X', 'DELETE'], 405, /method DELETE is not allowed/],
      ['bad method (PUT)', '/add?cgrouppath=/x', ['-X', 'PUT'], 405, /not allowed/],
      [
        'form of the wrong type',
        '/add',
        ['-H', 'Content-Type: application/json', '-d', '{}'],
        415,
        /urlencoded/,
      ],
      ['stream of nothing', '/stream', [], 400, /missing parameter 'name'/],
    ];
    for (const [what, target, args, status, body] of cases) {
      const r = await get(target, args);
      expect(r.status, what).toBe(status);
      expect(r.body, what).toMatch(body);
      expect(r.body.endsWith('\n'), what).toBe(true);
    }
    // Garbage bytes: an HTTP 400, a closed connection, and the daemon goes on.
    for (const garbage of [
      Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]),
      'GET /list HTTP/9.9\r\n\r\n',
      'GET /list HTTP/1.1\r\nContent-Length: -5\r\n\r\n',
      'GET /list HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HELLO\r\n\r\n',
    ]) {
      const out = await rawExchange(serve.d.socket, garbage);
      expect(out, JSON.stringify(garbage.toString())).toMatch(/^HTTP\/1\.1 400 /);
    }
    // HTTP/0.9 (no version, no headers) is refused; CONNECT is answered, not dropped.
    expect(await rawExchange(serve.d.socket, 'GET /list\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 505 [^]*HTTP\/0\.9 is not supported/,
    );
    expect(
      await rawExchange(serve.d.socket, 'CONNECT localhost:80 HTTP/1.1\r\nHost: x\r\n\r\n'),
    ).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\nAllow: GET, HEAD, POST\r\n[^]*not allowed/);
    // A client that connects and says nothing holds nothing up.
    const answers = await Promise.all([rawExchange(serve.d.socket, '', 300), get('/healthz')]);
    expect(answers[1].status).toBe(200);

    expect(serve.d.child.exitCode).toBeNull();
    await runInCgroup(keep.path, 'echo after-bad-input > /dev/null');
    const dump = await get('/dump-by-name?name=keep');
    expect(dump.body).toContain('"before-bad-input\\n"');
    expect(dump.body).toContain('"after-bad-input\\n"');
    expect(dump.body).toMatch(/^# cpu\d: \d+ recorded, \d+ shown, 0 lost/m);
    await get('/close-by-name?name=keep');
  });

  it('serves 10 concurrent streams while cgroups are added and closed', async () => {
    const [a, b, c] = [cg('stream-a'), cg('stream-b'), cg('stream-c')];
    await get(`/add?name=sa&cgrouppath=${a.path}`);
    await get(`/add?name=sb&cgrouppath=${b.path}`);
    const clients: Array<{
      name: string;
      child: ChildProcess;
      out: () => string;
      done: Promise<void>;
    }> = [];
    for (let i = 0; i < 10; i++) {
      const name = i < 6 ? 'sa' : 'sb';
      const child = spawn('curl', [
        '-sSN',
        '--unix-socket',
        serve.d.socket,
        `${URL}/stream?name=${name}`,
      ]);
      let out = '';
      child.stdout.on('data', (x: Buffer) => (out += x.toString()));
      const done = new Promise<void>((r) => child.on('exit', () => r()));
      clients.push({ name, child, out: () => out, done });
    }
    await until('all streams to open', () =>
      clients.every((s) => s.out().includes('"kind":"stream"')),
    );
    const stats = JSON.parse((await get('/stats?format=json')).body) as {
      daemon: { streams: number };
    };
    expect(stats.daemon.streams).toBe(10);

    const work = Promise.all([
      runInCgroup(a.path, 'for i in $(seq 1 200); do echo stream-a-$i > /dev/null; done'),
      runInCgroup(b.path, 'for i in $(seq 1 200); do echo stream-b-$i > /dev/null; done'),
    ]);
    // Meanwhile: add, list, dump and close others.
    for (let i = 0; i < 5; i++) {
      const r = await get(`/add?name=sc&cgrouppath=${c.path}`);
      expect(r.status).toBe(200);
      expect((await get('/dump-by-name?name=sc')).status).toBe(200);
      expect(await get('/close-by-name?name=sc')).toEqual({ status: 200, body: 'closed\n' });
    }
    await work;
    await until('every stream to show the last write of its cgroup', () =>
      clients.every((s) =>
        s.out().includes(Buffer.from(`stream-${s.name.slice(1)}-200\n`).toString('base64')),
      ),
    );
    for (const s of clients) {
      const lines = s
        .out()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; ts?: string; count?: string });
      const ts = lines
        .filter((l) => l.kind !== 'lost' && l.ts !== undefined)
        .map((l) => BigInt(l.ts!));
      for (let i = 1; i < ts.length; i++) expect(ts[i]! >= ts[i - 1]!).toBe(true);
      // Whatever the ring lost under this load is marked, with a count.
      for (const l of lines.filter((x) => x.kind === 'lost'))
        expect(BigInt(l.count!)).toBeGreaterThan(0n);
    }
    // Every client of a cgroup joined before its workload ran: all got the very same records.
    // (Each stream reads the clocks when it opens: its times may differ by a millisecond. And
    // each names fds it has not seen opened from /proc when it formats a line, so one that
    // formats after a process ended may know fewer names: `3</tmp>` in one, `3` in another.)
    const untimed = (o: string): string =>
      o
        .replace(/"time":"[^"]*"/g, '"time":T')
        .replace(/\d\d:\d\d:\d\d\.\d{6}/g, 'T')
        .replace(/(\d|AT_FDCWD)<(?:[^<>"]|<[^<>"]*>)*>/g, '$1');
    for (const name of ['sa', 'sb']) {
      const outs = clients.filter((s) => s.name === name).map((s) => untimed(s.out()));
      for (const o of outs) expect(o).toBe(outs[0]);
    }
    // Closing a cgroup ends its streams, with a last line saying why.
    expect((await get('/close-by-name?name=sa')).status).toBe(200);
    await Promise.all(clients.filter((s) => s.name === 'sa').map((s) => s.done));
    for (const s of clients.filter((x) => x.name === 'sa')) {
      expect(s.out().trim().split('\n').at(-1)).toBe('{"kind":"end","reason":"closed"}');
    }
    for (const s of clients.filter((x) => x.name === 'sb')) s.child.kill();
    await Promise.all(clients.map((s) => s.done));
    await until('the streams to be released', async () => {
      const st = JSON.parse((await get('/stats?format=json')).body) as {
        daemon: { streams: number };
      };
      return st.daemon.streams === 0;
    });
    await get('/close-by-name?name=sb');
  });

  it('keeps the record of a cgroup that disappears, shows it as gone, drops it after the retention time', async () => {
    const g = cg('gone');
    await get(`/add?name=svc&cgrouppath=${g.path}`);
    const stream = spawn('curl', [
      '-sSN',
      '--unix-socket',
      serve.d.socket,
      `${URL}/stream?name=svc`,
    ]);
    let live = '';
    stream.stdout.on('data', (x: Buffer) => (live += x.toString()));
    const streamDone = new Promise((r) => stream.on('exit', r));
    await until('the stream to open', () => live.includes('"kind":"stream"'));
    await runInCgroup(g.path, 'echo last-words > /dev/null');
    await g.remove('kill');
    // The stream ends by itself, its last line saying why. Whoever notices first ends it: the
    // drain (at its base period), which adds its marker before, or the daemon's sweep.
    await streamDone;
    const tail = live.trim().split('\n').slice(-2);
    expect(tail[1]).toBe('{"kind":"end","reason":"gone"}');
    const before = JSON.parse(tail[0]!) as { kind: string; reason?: string };
    if (before.kind === 'lost') expect(before.reason).toBe('cgroup gone');
    expect(live).toContain(Buffer.from('last-words\n').toString('base64'));
    await until('/list to show it gone', async () =>
      /\[svc\] .* \(gone since /.test((await get('/list')).body),
    );
    const dump = await get('/dump-by-name?name=svc');
    expect(dump.status).toBe(200);
    expect(dump.body).toMatch(/; gone since \d{4}-/);
    expect(dump.body).toContain('"last-words\\n"');
    const stats = JSON.parse((await get('/stats?name=svc&format=json')).body) as {
      cgroups: Array<{ gone: boolean; memoryBytes: number }>;
    };
    expect(stats.cgroups[0]!.gone).toBe(true);
    expect(stats.cgroups[0]!.memoryBytes).toBeLessThan(64 * 4096); // compressed
    expect((await get('/stream?name=svc')).status).toBe(410);
    // --retention 4s
    await until(
      'the kept record to be dropped',
      async () => !(await get('/list')).body.includes('[svc]'),
      15_000,
    );
    expect((await get('/dump-by-name?name=svc')).status).toBe(404);
  });

  it('drops batches for a stream client that stops reading, and says how many when it reads again', async () => {
    const a = cg('slow');
    await get(`/add?name=slow&cgrouppath=${a.path}`);
    const http = await import('node:http');
    let res: import('node:http').IncomingMessage | undefined;
    const req = http.get({ socketPath: serve.d.socket, path: '/stream?name=slow' }, (r) => {
      res = r;
      r.pause(); // reads nothing
    });
    await until('the stream to open', () => res !== undefined);
    // Far more than the daemon buffers for one client (4 MiB) plus the socket's buffers: until
    // the daemon says it dropped batches for it.
    const dropped = async (): Promise<number> =>
      (
        JSON.parse((await get('/stats?format=json')).body) as {
          daemon: { streamsDroppedBatches: number };
        }
      ).daemon.streamsDroppedBatches;
    for (let round = 0; (await dropped()) === 0; round++) {
      expect(round, 'no batch was ever dropped').toBeLessThan(20);
      await runInCgroup(a.path, 'dd if=/dev/zero of=/dev/null bs=1 count=150000 status=none');
    }
    const lines: string[] = [];
    let pending = '';
    res!.on('data', (c: Buffer) => {
      pending += c.toString();
      const cut = pending.lastIndexOf('\n');
      if (cut >= 0) {
        lines.push(...pending.slice(0, cut).split('\n'));
        pending = pending.slice(cut + 1);
      }
    });
    res!.resume();
    // Writes made while the backlog still drains may be dropped too: write until one shows.
    const caughtUp = Buffer.from('caught-up\n').toString('base64');
    await until(
      'the client to catch up',
      async () => {
        if (lines.some((l) => l.includes(caughtUp))) return true;
        await runInCgroup(a.path, 'echo caught-up > /dev/null');
        await new Promise((r) => setTimeout(r, 200));
        return false;
      },
      30_000,
    );
    req.destroy();
    const behind = lines
      .map((l) => JSON.parse(l) as { kind: string; reason?: string; count?: string })
      .filter((l) => l.kind === 'lost' && l.reason === 'consumer behind');
    expect(behind.length).toBeGreaterThan(0);
    for (const l of behind) expect(BigInt(l.count!)).toBeGreaterThan(0n);
    expect((await get('/healthz')).status).toBe(200);
    await get('/close-by-name?name=slow');
  });

  it('bounds dumps in progress: clients that do not read hold 8, the 9th is told to retry', async () => {
    const a = cg('dumps');
    await get(`/add?name=dumps&cgrouppath=${a.path}`);
    await runInCgroup(a.path, 'dd if=/dev/zero of=/dev/null bs=1 count=30000 status=none', 0);
    await runInCgroup(a.path, 'dd if=/dev/zero of=/dev/null bs=1 count=30000 status=none', 1);
    const http = await import('node:http');
    const held: Array<{
      res: import('node:http').IncomingMessage;
      bytes: number;
      done: Promise<void>;
    }> = [];
    for (let i = 0; i < 8; i++) {
      const res = await new Promise<import('node:http').IncomingMessage>((resolve) =>
        http.get(
          {
            socketPath: serve.d.socket,
            path: '/dump-by-name?name=dumps&format=jsonl',
            agent: false,
          },
          resolve,
        ),
      );
      expect(res.statusCode).toBe(200);
      res.pause(); // a megabyte of JSON lines that nobody reads: the dump waits on the socket
      const h = { res, bytes: 0, done: Promise.resolve() };
      h.done = new Promise((r) => res.on('end', () => r()));
      res.on('data', (c: Buffer) => (h.bytes += c.length));
      held.push(h);
    }
    const ninth = await get('/dump-by-name?name=dumps');
    expect(ninth.status).toBe(503);
    expect(ninth.body).toMatch(/8 dumps are in progress: retry/);
    expect((await get('/list')).status).toBe(200); // the rest of the API is not held up
    for (const h of held) h.res.resume();
    await Promise.all(held.map((h) => h.done));
    for (const h of held) expect(h.bytes).toBe(held[0]!.bytes);
    expect((await get('/dump-by-name?name=dumps')).status).toBe(200);
    await get('/close-by-name?name=dumps');
  });

  it('registers a service the way the drop-in does, again after it restarts', async () => {
    const currentCgroup = path.resolve(import.meta.dirname, '../../contrib/current-cgroup');
    // ExecStartPre runs in the service's cgroup: current-cgroup prints it, curl registers it.
    const register = `curl -sS --unix-socket ${serve.d.socket} "${URL}/add?name=svc.service&cgrouppath=$(${currentCgroup} $$)"`;
    const first = cg('svc');
    let r = await runInCgroup(first.path, `${currentCgroup}`);
    expect(r.stdout).toBe(first.path + '\n');
    r = await runInCgroup(first.path, `${register} && echo svc-run-1 > /dev/null`);
    expect(r.stdout).toMatch(/^added as id \d+\n$/);
    const firstId = /id (\d+)/.exec(r.stdout)![1];
    await first.remove('kill'); // the service stops
    await until('it to show as gone', async () =>
      /\[svc\.service\] .*\(gone since/.test((await get('/list')).body),
    );
    // The restarted service gets a fresh cgroup at the same path and registers under the same name.
    fs.mkdirSync(first.path, { recursive: true }); // the scratch parent may have gone with it
    r = await runInCgroup(first.path, `${register} && echo svc-run-2 > /dev/null`);
    expect(r.stdout).toMatch(/^added as id \d+\n$/);
    const list = (await get('/list')).body;
    expect(list).toContain(`${firstId}: [svc.service-gone-${firstId}] ${first.path} (gone since`);
    const now = await get('/dump-by-name?name=svc.service');
    expect(now.body).toContain('"svc-run-2\\n"');
    expect(now.body).not.toContain('svc-run-1');
    const before = await get(`/dump?id=${firstId}`);
    expect(before.body).toContain('"svc-run-1\\n"');
    await get('/close-by-name?name=svc.service');
    await get(`/close?id=${firstId}`);
  });

  it('add, list, dump and close as client subcommands', async () => {
    const a = cg('cli');
    const run = (args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args, '--socket', serve.d.socket], { encoding: 'utf8' });
    let r = run(['add', a.path, '--name', 'cli-cg']);
    expect(r.stdout).toMatch(/^added as id \d+\n$/);
    const id = /id (\d+)/.exec(r.stdout)![1]!;
    expect(run(['list']).stdout).toContain(`${id}: [cli-cg] ${a.path}\n`);
    await runInCgroup(a.path, 'echo cli-marker > /dev/null');
    for (const t of [id, 'cli-cg', a.path]) {
      r = run(['dump', t]);
      expect(r.status, t).toBe(0);
      expect(r.stdout, t).toContain('"cli-marker\\n"');
    }
    r = run(['dump', 'cli-cg', '--format', 'jsonl']);
    expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ kind: 'dump', name: 'cli-cg' });
    r = run(['add', a.path]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^traceloop: .* is already recorded as id \d+\n$/);
    expect(run(['close', 'cli-cg']).stdout).toBe('closed\n');
    r = run(['dump', 'cli-cg']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^traceloop: no cgroup named 'cli-cg' \(see .*list'?\)\n$/);
    r = spawnSync(
      process.execPath,
      [CLI, 'list', '--socket', path.join(serve.d.dir, 'nobody.sock')],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no traceloop daemon answers on .*nobody\.sock/);
  });

  it('lets a front end attach through the same RecorderApi (remote recorder)', async () => {
    const api = await openRecorderApi({ socket: serve.d.socket });
    expect(api).toBeInstanceOf(RemoteRecorder);
    expect(api.where).toBe(serve.d.socket);
    expect(await api.captures()).toEqual({ leftOut: '', why: '' });
    const a = cg('remote');
    try {
      const added = await api.add(a.path, 'remote-cg');
      expect(added).toMatchObject({ name: 'remote-cg', path: a.path });
      expect((await api.list()).map((c) => c.name)).toContain('remote-cg');
      await expect(api.add(a.path, 'other')).rejects.toThrow(/already recorded/);
      const got: EnterRecord[] = [];
      await api.watch(added.id, (buf) => {
        for (const r of parseRecords(buf)) if (r.kind === 'enter') got.push(r);
      });
      await until('the stream to be open on the daemon', async () =>
        (await curl(serve.d.socket, `${URL}/stats?format=json`)).body.includes('"streams":1'),
      );
      await runInCgroup(a.path, 'echo remote-marker > /dev/null');
      await until('the live write to arrive', () =>
        got.some((r) => r.params.some((p) => p.bytes.toString() === 'remote-marker\n')),
      );
      await api.unwatch(added.id);
      const snap = await api.snapshot(added.id);
      expect(
        parseRecords(snap.records).some(
          (r) =>
            r.kind === 'enter' && r.params.some((p) => p.bytes.toString() === 'remote-marker\n'),
        ),
      ).toBe(true);
      const stats = await api.stats(added.id);
      expect(stats.reduce((n, c) => n + c.emitted, 0)).toBeGreaterThan(0);
      expect(await api.notShown(added.id)).toBe(0);
      expect(await api.isGone(added.id)).toBe(false);
      await api.remove(added.id);
      expect((await api.list()).map((c) => c.name)).not.toContain('remote-cg');

      // A cgroup that is gone: watch() ends at once with the gone marker, as in-process.
      const g = cg('remote-gone');
      const gone = await api.add(g.path, 'remote-gone');
      await g.remove('kill');
      await until('the daemon to see it gone', async () => await api.isGone(gone.id));
      const marks: WireRecord[] = [];
      await api.watch(gone.id, (buf) => marks.push(...parseRecords(buf)));
      expect(marks).toEqual([expect.objectContaining({ kind: 'lost', reason: TL_LOST_GONE })]);
      expect((await api.stats(gone.id)).length).toBeGreaterThan(0); // its kept record's counters
      await api.remove(gone.id);
    } finally {
      await api.close();
    }
    await expect(
      openRecorderApi({ socket: path.join(serve.d.dir, 'nobody.sock') }),
    ).rejects.toThrow(/no traceloop daemon answers/);
    const local = await openRecorderApi({ socket: serve.d.socket, standalone: true });
    expect(local).toBeInstanceOf(LocalRecorder);
    await local.close();
  });
});

describe('traceloop serve lifecycle', () => {
  const fixture = useFixture();
  const start = (dir: string, args: string[] = []) => fixture.daemon({ dir, args });

  it('kill -9 leaves a stale socket: the next daemon replaces it; a live one is not stolen', async () => {
    const dir = fixture.dir('restart');
    const first = await start(dir);
    const mine = programsOfPid(first.pid);
    expect(mine).toHaveLength(OUR_PROGRAMS);
    expect(ourBpfPrograms()).toEqual(expect.arrayContaining(mine));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(fs.statSync(first.socket).isSocket()).toBe(true); // left behind
    expect(await programsGone(mine)).toEqual([]); // the links died with it

    const second = await start(dir, ['--socket-group', '0']);
    expect(second.stderr()).toContain('serving on');
    expect((await curl(second.socket, `${URL}/healthz`)).status).toBe(200);
    const st = fs.statSync(second.socket);
    expect(st.mode & 0o777).toBe(0o660);

    const third = await start(dir);
    expect(await third.exited).toBe(1);
    expect(third.stderr()).toMatch(/a traceloop daemon already answers on .*tl\.sock/);
    expect((await curl(second.socket, `${URL}/healthz`)).status).toBe(200);

    // Not a socket: refused, never removed.
    const file = path.join(dir, 'file');
    fs.writeFileSync(file, 'keep me');
    const fourth = await fixture.daemon({ dir, socket: file });
    expect(await fourth.exited).toBe(1);
    expect(fourth.stderr()).toMatch(/exists and is not a socket/);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
  });

  it('SIGTERM ends streams, detaches BPF, removes the socket', async () => {
    const dir = fixture.dir('sigterm');
    const a = scratchCgroup('term');
    try {
      const x = await start(dir);
      const mine = programsOfPid(x.pid);
      expect(mine).toHaveLength(OUR_PROGRAMS);
      expect(ourBpfPrograms()).toEqual(expect.arrayContaining(mine));
      expect((await curl(x.socket, `${URL}/add?name=t&cgrouppath=${a.path}`)).status).toBe(200);
      const stream = spawn('curl', ['-sSN', '--unix-socket', x.socket, `${URL}/stream?name=t`]);
      let out = '';
      stream.stdout.on('data', (b: Buffer) => (out += b.toString()));
      const streamDone = new Promise((r) => stream.on('exit', r));
      await until('the stream to open', () => out.includes('"kind":"stream"'));
      x.child.kill('SIGTERM');
      expect(await x.exited).toBe(0);
      await streamDone;
      expect(out.trim().split('\n').at(-1)).toBe('{"kind":"end","reason":"stopping"}');
      expect(fs.existsSync(x.socket)).toBe(false);
      expect(await programsGone(mine)).toEqual([]);
      expect(x.stderr()).toContain('stopping');
    } finally {
      await a.remove('kill');
    }
  });
});

// A bounded fuzz run against a real daemon, over its unix socket only:
// random bytes, mutated requests and random parameters, some at once. The
// daemon must stay up, never hit an internal error, and a dump taken after
// the run must be whole and hold what was recorded before and after it.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { parseRawDump } from '../../src/server/encode.js';
import { parseRecords } from '../../src/wire.js';
import { URL, curl, rawExchange, useDaemon } from '../helpers/daemon.js';
import { runInCgroup } from '../helpers/system.js';
import { until } from '../helpers/wait.js';

const REQUESTS = 1500;
const BUDGET_MS = 12_000;
const PARALLEL = 8;

/** xorshift32: a fixed seed makes a failing run reproducible (the seed is in the test name). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const SEED = Number(process.env.TRACELOOP_FUZZ_SEED ?? Date.now() % 1_000_000);

describe(`daemon fuzz (seed ${SEED})`, () => {
  const serve = useDaemon('fuzz', ['--gone-check-ms', '100', '--max-streams', '4']);
  let cg: ScratchCgroup;
  beforeAll(() => {
    cg = serve.cgroup('fuzz');
  });

  it('bounds concurrent streams (--max-streams 4): the 5th is refused, a freed slot is reused', async () => {
    const add = await curl(serve.d.socket, `${URL}/add?name=streamed&cgrouppath=${cg.path}`);
    expect(add.status).toBe(200);
    const http = await import('node:http');
    const open = async (): Promise<{ status: number; req: import('node:http').ClientRequest }> => {
      const req = http.get({
        socketPath: serve.d.socket,
        path: '/stream?name=streamed',
        agent: false,
      });
      const res = await new Promise<import('node:http').IncomingMessage>((r) =>
        req.on('response', r),
      );
      res.resume();
      return { status: res.statusCode ?? 0, req };
    };
    const held = [];
    for (let i = 0; i < 4; i++) held.push(await open());
    expect(held.map((h) => h.status)).toEqual([200, 200, 200, 200]);
    const fifth = await curl(serve.d.socket, `${URL}/stream?name=streamed`);
    expect(fifth.status).toBe(503);
    expect(fifth.body).toMatch(/too many streams open \(4\)/);
    held.pop()!.req.destroy();
    let again: { status: number; req: import('node:http').ClientRequest } | undefined;
    await until('a freed slot to be reused', async () => {
      again?.req.destroy();
      again = await open();
      return again.status === 200;
    });
    for (const h of [...held, again!]) h.req.destroy();
    expect((await curl(serve.d.socket, `${URL}/close-by-name?name=streamed`)).body).toBe(
      'closed\n',
    );
  });

  it('stays up through random and mutated requests; the dump after is intact', async () => {
    const add = await curl(serve.d.socket, `${URL}/add?name=target&cgrouppath=${cg.path}`);
    expect(add.body).toMatch(/^added as id \d+\n$/);
    const id = Number(/\d+/.exec(add.body)![0]);
    await runInCgroup(cg.path, 'echo before-fuzz > /dev/null');

    const rand = rng(SEED);
    const int = (n: number): number => Math.floor(rand() * n);
    const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
    const endpoints = [
      '/add',
      '/list',
      '/dump',
      '/dump-by-name',
      '/dump-by-cgroup',
      '/dump-pod',
      '/dump-by-traceid',
      '/stream',
      '/stats',
      '/healthz',
      '/nope',
      '',
    ];
    const keys = ['id', 'name', 'cgrouppath', 'cgroup', 'format', 'x', ''];
    const values = [
      '0',
      '1',
      '-1',
      '99999999999',
      'target',
      '',
      '..',
      '/..',
      `${cg.path}/..`,
      '/tmp',
      '/etc/passwd',
      'jsonl',
      'raw',
      'text',
      '%00',
      '%zz',
      '%',
      '\u00e9\u4e2d',
      'a'.repeat(300),
      cg.path,
      `${cg.path}/cgroup.procs`,
    ];
    const templates = [
      `GET /dump?id=${id} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /list?format=jsonl HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /stream?name=target HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `POST /dump-by-name HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\nname=target`,
      `GET /add?cgrouppath=${cg.path}&name=again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /stats?format=json HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n`,
    ];
    const randomBytes = (n: number): Buffer =>
      Buffer.from(Array.from({ length: n }, () => int(256)));
    const mutate = (s: string): Buffer => {
      const b = [...Buffer.from(s)];
      for (let k = 1 + int(6); k > 0; k--) {
        const at = int(b.length + 1);
        const op = int(3);
        if (op === 0) b.splice(at, 1);
        else if (op === 1) b.splice(at, 0, int(256));
        else b[at] = pick([0, 10, 13, 32, 37, 38, 47, 61, 63, int(256)]);
      }
      return Buffer.from(b);
    };
    const randomTarget = (): string => {
      const n = int(4);
      const qs = Array.from(
        { length: n },
        () => `${pick(keys)}=${encodeURIComponent(pick(values))}`,
      );
      return pick(endpoints) + (n > 0 || rand() < 0.5 ? '?' + qs.join('&') : '');
    };
    const next = (): Buffer => {
      switch (int(4)) {
        case 0:
          return randomBytes(int(2000));
        case 1:
          return mutate(pick(templates));
        case 2:
          return Buffer.from(
            `${pick(['GET', 'POST', 'HEAD', 'PUT', 'get', 'OPTIONS'])} ${randomTarget()} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          );
        default:
          return Buffer.from(
            `GET ${randomTarget()} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
          );
      }
    };

    const started = Date.now();
    let sent = 0;
    const statuses = new Map<string, number>();
    const worker = async (): Promise<void> => {
      while (sent < REQUESTS && Date.now() - started < BUDGET_MS) {
        sent++;
        const out = await rawExchange(serve.d.socket, next(), 400);
        const status = /^HTTP\/1\.1 (\d{3}) /.exec(out)?.[1] ?? (out === '' ? 'none' : 'other');
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status, out.slice(0, 200)).not.toBe('other');
        expect(status).not.toBe('500');
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    // Bounded in count and time; and it did exercise the daemon.
    expect(sent).toBeGreaterThanOrEqual(100);
    expect(statuses.get('400') ?? 0).toBeGreaterThan(0);
    expect(statuses.get('200') ?? 0).toBeGreaterThan(0);

    expect(serve.d.child.exitCode).toBeNull();
    expect((await curl(serve.d.socket, `${URL}/healthz`)).status).toBe(200);
    expect(serve.d.stderr()).not.toMatch(/internal error/);

    await runInCgroup(cg.path, 'echo after-fuzz > /dev/null');
    const dump = await new Promise<Buffer>((resolve, reject) => {
      void import('node:http').then(({ default: http }) => {
        http
          .get({ socketPath: serve.d.socket, path: `/dump?id=${id}&format=raw` }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve(Buffer.concat(chunks)));
          })
          .on('error', reject);
      });
    });
    const { head, records } = parseRawDump(dump);
    expect(head).toMatchObject({ id, name: 'target', path: cg.path, gone: false });
    const parsed = parseRecords(records);
    const texts = parsed.flatMap((r) =>
      r.kind === 'lost' ? [] : r.params.map((p) => p.bytes.toString()),
    );
    expect(texts).toContain('before-fuzz\n');
    expect(texts).toContain('after-fuzz\n');
    for (const c of head.cpus) {
      expect(c.emitted, `cpu${c.cpu}`).toBe(c.delivered + c.lost);
      expect(c.lost, `cpu${c.cpu}`).toBe(0);
    }
    const text = await curl(serve.d.socket, `${URL}/dump-by-name?name=target`);
    expect(text.body).toMatch(/^# cpu\d: \d+ recorded, \d+ shown, 0 lost/m);
  });
});

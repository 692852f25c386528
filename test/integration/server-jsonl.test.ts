// jsonl from a real daemon is complete (#14 item 11): a failed call's records carry a wall-clock
// `time`, the `errno` name and the `text` the text format prints for it, in /dump and /stream
// alike, so a jq user needs nothing else.
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScratchCgroup } from '../../src/cgroup.js';
import { URL, useDaemon } from '../helpers/daemon.js';
import { runInCgroup } from '../helpers/system.js';
import { until } from '../helpers/wait.js';

type Obj = Record<string, unknown>;

const objects = (body: string): Obj[] =>
  body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Obj);

/** The line without its time of day (dumps taken at different moments sample the clock anew). */
const untimed = (line: string): string => line.replace(/^\d\d:\d\d:\d\d\.\d{6} /, '');

/** What `jq 'select(.errno == "ENOENT" and (.text | contains(path)))'` selects. */
const failedOpen = (objs: Obj[], missing: string): Obj[] =>
  objs.filter(
    (o) =>
      o.kind === 'exit' &&
      o.errno === 'ENOENT' &&
      typeof o.text === 'string' &&
      o.text.includes(`openat(AT_FDCWD, "${missing}"`),
  );

describe('jsonl records from the daemon', () => {
  const serve = useDaemon('jsonl');
  const get = serve.get;
  let cg: ScratchCgroup;
  // Short enough to print whole (strings are cut at 32 bytes, as strace -s 32).
  const missing = `/tmp/tl-nx-${process.pid}-${Date.now() % 100_000}`;
  const isFailedOpen =
    (file: string) =>
    (line: string): boolean =>
      line.includes(`openat(AT_FDCWD, "${file}"`) && line.includes('ENOENT');

  beforeAll(async () => {
    cg = serve.cgroup('jsonl-item11');
    const r = await get(`/add?name=jsonl-item11&cgrouppath=${cg.path}`);
    expect(r.status).toBe(200);
  });

  /**
   * Checks one failed openat's exit record (and its enter, joined with it into one line) against
   * the text dump's line for that call.
   */
  function checkFailedOpen(enter: Obj, exit: Obj, textDump: string, file: string): void {
    expect(enter).toMatchObject({ kind: 'enter', syscall: 'openat', tid: exit.tid });
    expect(enter).not.toHaveProperty('text'); // the line is the exit's
    expect(exit).toMatchObject({ syscall: 'openat', ret: '-2', errno: 'ENOENT' });
    expect(typeof exit.ts).toBe('string'); // the raw fields stay
    const time = exit.time as string;
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Math.abs(Date.parse(time) - Date.now())).toBeLessThan(60_000);
    const text = exit.text as string;
    expect(text).toMatch(/openat\(AT_FDCWD, ".*", O_RDONLY\) = -1 ENOENT \(No such file/);
    const lines = textDump.split('\n').filter(isFailedOpen(file));
    expect(lines).toHaveLength(1);
    expect(untimed(text)).toBe(untimed(lines[0] as string));
    // The line's time of day is its enter's `time`, in the local zone.
    const enterTime = enter.time as string;
    expect(Date.parse(enterTime)).toBeLessThanOrEqual(Date.parse(time));
    const t = new Date(enterTime);
    const hh = String(t.getHours()).padStart(2, '0');
    const mm = String(t.getMinutes()).padStart(2, '0');
    const ss = String(t.getSeconds()).padStart(2, '0');
    expect(text.slice(0, 15)).toBe(`${hh}:${mm}:${ss}.${enterTime.slice(20, 26)}`);
  }

  it('/dump?format=jsonl: time, errno and the text dump line of a failed openat', async () => {
    const run = await runInCgroup(cg.path, `cat ${missing}; true`);
    expect(run.stderr).toContain('No such file');
    const jsonl = await get('/dump-by-name?name=jsonl-item11&format=jsonl');
    expect(jsonl.status).toBe(200);
    const text = await get('/dump-by-name?name=jsonl-item11');
    const objs = objects(jsonl.body);
    const found = failedOpen(objs, missing);
    expect(found).toHaveLength(1);
    const exit = found[0] as Obj;
    checkFailedOpen(objs[objs.indexOf(exit) - 1] as Obj, exit, text.body, missing);

    // Every record has its time; the `text` fields in order are the text dump's lines.
    const records = objs.filter((o) => o.kind === 'enter' || o.kind === 'exit');
    expect(records.every((o) => typeof o.time === 'string')).toBe(true);
    const texts = objs.flatMap((o) => (typeof o.text === 'string' ? o.text.split('\n') : []));
    const dumpLines = text.body.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(texts.map(untimed)).toEqual(dumpLines.map(untimed));
  });

  it('/stream (jsonl by default) carries the same fields live', async () => {
    const file = `${missing}-s`;
    const stream = spawn('curl', [
      '-sSN',
      '--unix-socket',
      serve.d.socket,
      `${URL}/stream?name=jsonl-item11`,
    ]);
    let body = '';
    stream.stdout.on('data', (b: Buffer) => (body += b.toString()));
    try {
      await until('the stream to open', () => body.includes('"kind":"stream"'));
      await runInCgroup(cg.path, `cat ${file}; true`);
      await until('the failed openat on the stream', () => {
        const nl = body.lastIndexOf('\n');
        return failedOpen(objects(body.slice(0, nl + 1)), file).length > 0;
      });
    } finally {
      stream.kill('SIGTERM');
    }
    const nl = body.lastIndexOf('\n');
    const objs = objects(body.slice(0, nl + 1));
    const found = failedOpen(objs, file);
    expect(found).toHaveLength(1);
    const exit = found[0] as Obj;
    const text = await get('/dump-by-name?name=jsonl-item11');
    checkFailedOpen(objs[objs.indexOf(exit) - 1] as Obj, exit, text.body, file);
  });
});

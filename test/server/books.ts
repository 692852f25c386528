// A consumer's books, counted from what it received: per CPU, the events shown and the events
// marked lost, in each format the daemon serves (jsonl, text, raw; streams and dumps). The
// identity every consumer must satisfy once it ends is shown + marked lost = emitted per CPU,
// emitted being what the rings' counters say (emitted + failed: the events BPF saw).
import http from 'node:http';
import { takeFrames, parseRawDump } from '../../src/server/encode.js';
import { TL_LOST_CONSUMER, parseRecords } from '../../src/wire.js';

const ALL_CPUS = 0xffffffff;

export interface AccountingRow {
  cpu: number;
  emitted: number;
  delivered: number;
  lost: number;
}

export interface Books {
  /** Events shown per CPU (text: only the total is exact, in shownTotal). */
  shown: number[];
  shownTotal: number;
  /** Events marked lost per CPU, and in markers about all CPUs. */
  lost: number[];
  lostAll: number;
  /** Of those, the events marked "consumer behind" (the daemon or the addon dropped them). */
  behind: number;
  /** The consumer's own accounting at its end (jsonl, text), as it printed it. */
  accounting?: AccountingRow[];
  /** The end line's reason (jsonl, text). */
  end?: string;
}

function empty(): Books {
  return { shown: [], shownTotal: 0, lost: [], lostAll: 0, behind: 0 };
}

const bump = (xs: number[], i: number, n: number): void => {
  xs[i] = (xs[i] ?? 0) + n;
};

function addRecords(b: Books, records: Buffer): void {
  for (const r of parseRecords(records)) {
    if (r.kind === 'lost') {
      if (r.reason === TL_LOST_CONSUMER) b.behind += Number(r.count);
      if (r.cpu === ALL_CPUS) b.lostAll += Number(r.count);
      else bump(b.lost, r.cpu, Number(r.count));
    } else {
      bump(b.shown, r.cpu, 1);
      b.shownTotal++;
    }
  }
}

/** A raw stream: length-prefixed frames of wire records (a frame still coming is left out). */
export function rawStreamBooks(body: Buffer): Books {
  const b = empty();
  for (const f of takeFrames(body).frames) addRecords(b, f);
  return b;
}

/** A raw dump: a head line, then wire records. */
export function rawDumpBooks(body: Buffer): Books {
  const b = empty();
  const { head, records } = parseRawDump(body);
  addRecords(b, records);
  b.accounting = head.cpus.map((c) => ({
    cpu: c.cpu,
    emitted: c.emitted + c.failed,
    delivered: c.delivered,
    lost: c.lost,
  }));
  return b;
}

/**
 * jsonl, stream or dump: one object per line. A stream read while it arrives may end in part of
 * a line: that tail is left for the next look (a complete body ends with a newline).
 */
export function jsonlBooks(body: string): Books {
  const b = empty();
  const lines = body.split('\n');
  const tail = lines.pop()!;
  if (tail !== '' && isJson(tail)) lines.push(tail);
  for (const line of lines) {
    if (line === '') continue;
    const o = JSON.parse(line) as {
      kind: string;
      cpu?: number | null;
      count?: string;
      reason?: string;
      cpus?: Array<AccountingRow & { failed?: number }>;
      lostAllCpus?: number;
    };
    if (o.kind === 'enter' || o.kind === 'exit') {
      bump(b.shown, o.cpu!, 1);
      b.shownTotal++;
    } else if (o.kind === 'lost') {
      if (o.reason === 'consumer behind') b.behind += Number(o.count);
      if (o.cpu === null || o.cpu === undefined) b.lostAll += Number(o.count);
      else bump(b.lost, o.cpu, Number(o.count));
    } else if (o.kind === 'accounting') {
      b.accounting = o.cpus!.map((c) => ({
        cpu: c.cpu,
        emitted: c.emitted + (c.failed ?? 0),
        delivered: c.delivered,
        lost: c.lost,
      }));
    } else if (o.kind === 'end') {
      b.end = o.reason;
    }
  }
  return b;
}

/**
 * strace-like text. Lines carry the CPU of their first half only, so events are counted in
 * total: a whole call is two (enter and exit), `<unfinished ...>` and `resumed>` one each, a
 * call that never returns (`= ?`) one, a process's end (`+++ exited with 0 +++`, the kernel's
 * exit record for it) one. Exact for workloads that do not fork (a new child's first return
 * shows no line). LOST lines carry their CPU and count.
 */
export function textBooks(body: string): Books {
  const b = empty();
  for (const line of body.split('\n')) {
    if (line === '') continue;
    const acct = /^# (cpu\d+: .*)$/.exec(line);
    if (acct) {
      b.accounting = acct[1]!
        .split('; ')
        .filter((p) => p.startsWith('cpu'))
        .map((p) => {
          const m = /^cpu(\d+): (\d+) recorded, (\d+) shown, (\d+) lost/.exec(p)!;
          return { cpu: +m[1]!, emitted: +m[2]!, delivered: +m[3]!, lost: +m[4]! };
        });
      continue;
    }
    const ended = /^# stream ended: (\w+)$/.exec(line);
    if (ended) b.end = ended[1];
    if (line.startsWith('#')) continue;
    const lost = /(?:cpu#(\d+)|all CPUs) ---- LOST (\d+) events? \(([^)]*)\)/.exec(line);
    if (lost) {
      if (lost[3] === 'consumer behind') b.behind += Number(lost[2]);
      if (lost[1] === undefined) b.lostAll += Number(lost[2]);
      else bump(b.lost, Number(lost[1]), Number(lost[2]));
      continue;
    }
    if (/---- cgroup gone/.test(line)) continue;
    if (/ \+\+\+ .* \+\+\+$/.test(line)) {
      // A process's end: the kernel's exit record numbered TL_NR_PROC_END.
      bump(b.shown, Number(/ cpu#(\d+) /.exec(line)?.[1] ?? 0), 1);
      b.shownTotal++;
      continue;
    }
    const cpu = Number(/ cpu#(\d+) /.exec(line)?.[1] ?? -1);
    const n =
      line.endsWith('<unfinished ...>') ||
      / <\.\.\. \w+ resumed>/.test(line) ||
      line.endsWith(') = ?')
        ? 1
        : 2;
    if (cpu >= 0) bump(b.shown, cpu, n);
    b.shownTotal += n;
  }
  return b;
}

export function booksOf(format: 'jsonl' | 'text' | 'raw', body: Buffer, dump = false): Books {
  if (format === 'raw') return dump ? rawDumpBooks(body) : rawStreamBooks(body);
  return format === 'jsonl' ? jsonlBooks(body.toString()) : textBooks(body.toString());
}

/**
 * Where shown + marked lost differs from `emitted` (per CPU): empty when the identity holds.
 * Text is checked in total, and per CPU for its LOST lines against its own accounting.
 * Markers about all CPUs (the addon's drops) make only the total checkable.
 */
export function identityErrors(
  format: 'jsonl' | 'text' | 'raw',
  b: Books,
  emitted: number[],
): string[] {
  const errors: string[] = [];
  const cpus = Math.max(emitted.length, b.shown.length, b.lost.length);
  const total = emitted.reduce((s, n) => s + (n ?? 0), 0);
  const got = b.shownTotal + b.lost.reduce((s, n) => s + (n ?? 0), 0) + b.lostAll;
  if (got !== total)
    errors.push(`total: ${b.shownTotal} shown + ${got - b.shownTotal} lost != ${total} emitted`);
  if (format !== 'text' && b.lostAll === 0) {
    for (let cpu = 0; cpu < cpus; cpu++) {
      const s = b.shown[cpu] ?? 0;
      const l = b.lost[cpu] ?? 0;
      const e = emitted[cpu] ?? 0;
      if (s + l !== e) errors.push(`cpu${cpu}: ${s} shown + ${l} lost != ${e} emitted`);
    }
  }
  if (b.accounting && b.lostAll === 0) {
    for (const a of b.accounting) {
      if (a.emitted !== (emitted[a.cpu] ?? 0))
        errors.push(
          `cpu${a.cpu}: accounting says ${a.emitted} emitted, the rings ${emitted[a.cpu] ?? 0}`,
        );
      if ((b.lost[a.cpu] ?? 0) !== a.lost)
        errors.push(
          `cpu${a.cpu}: accounting says ${a.lost} lost, the markers ${b.lost[a.cpu] ?? 0}`,
        );
      if (a.delivered + a.lost !== a.emitted)
        errors.push(
          `cpu${a.cpu}: accounting ${a.delivered} shown + ${a.lost} lost != ${a.emitted}`,
        );
    }
  }
  return errors;
}

/** Per CPU, what the rings of a cgroup counted (emitted + failed), from /stats. */
export async function emittedOf(socket: string, id: number): Promise<number[]> {
  const body = await get(socket, `/stats?id=${id}&format=json`);
  const stats = JSON.parse(body.toString()) as {
    cgroups: Array<{ cpus: Array<{ cpu: number; emitted: number; failed: number }> }>;
  };
  const out: number[] = [];
  for (const c of stats.cgroups[0]!.cpus) out[c.cpu] = c.emitted + c.failed;
  return out;
}

function get(socket: string, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http
      .get({ socketPath: socket, path, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** A /stream (or dump) response held open: its body as it comes, and a tap to stop reading. */
export interface HeldResponse {
  status: number;
  body(): Buffer;
  /** Stops reading: the daemon's writes back up behind the socket. */
  pause(): void;
  resume(): void;
  /** Resolves when the daemon ends the body (or the connection closes). */
  done: Promise<void>;
  destroy(): void;
}

export function hold(socket: string, path: string): Promise<HeldResponse> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath: socket, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const done = new Promise<void>((r) => {
        res.on('end', () => r());
        res.on('close', () => r());
      });
      resolve({
        status: res.statusCode ?? 0,
        body: () => Buffer.concat(chunks),
        pause: () => res.pause(),
        resume: () => res.resume(),
        done,
        destroy: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

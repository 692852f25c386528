// How records leave the daemon besides text: one JSON object per record
// (format=jsonl, /stream), and `raw` (the wire records themselves, for the
// remote recorder in src/client/). 64-bit values are decimal strings in JSON,
// so no consumer loses precision. Next to its raw fields, a jsonl record carries
// what the text format shows of it, so a jq user needs nothing else: `time`
// (ISO-8601 UTC, microseconds), `errno` (a failed call's exit) and `text` (the
// text format's line(s) this record completes; see createJsonlEncoder).
import { createIsoClock, sampleClocks, type ClockSample } from '../clock.js';
import { dumpFormatter, type DumpSettings } from '../dump.js';
import type { LineFilter } from '../filter/lines.js';
import { LOST_REASONS } from '../format/lost.js';
import { ERRNOS } from '../format/xlat/errno.js';
import type { CpuRingStats } from '../native.js';
import { ia32Number, syscallName } from '../syscalls/table.js';
import { LAYOUT, TL_NR_PROC_END, TL_REC_LOST, type WireRecord } from '../wire.js';

/** The kernel reports errors as -1..-4095 (as src/format/retval.ts reads them). */
const MAX_ERRNO = 4095n;

/** `ENOENT` for an exit that returned -2; undefined for one that did not fail. */
export function errnoName(r: WireRecord): string | undefined {
  if (r.kind !== 'exit' || r.nr === TL_NR_PROC_END) return undefined;
  if (r.ret >= 0n || r.ret < -MAX_ERRNO) return undefined;
  const n = -Number(r.ret);
  return ERRNOS.get(n)?.name ?? `ERRNO_${n}`;
}

/**
 * One record as JSON: its raw fields, and `time` (ISO-8601) when `time` is given, `errno`
 * when it is a failed call's exit. (`text` is the encoder's: it needs the pairing.)
 */
export function recordJson(r: WireRecord, time?: (ts: bigint) => string): Record<string, unknown> {
  if (r.kind === 'lost') {
    const at = r.tsFrom !== 0n ? r.tsFrom : r.tsTo;
    return {
      kind: 'lost',
      cpu: r.cpu === 0xffffffff ? null : r.cpu,
      reason: LOST_REASONS[r.reason] ?? `reason ${r.reason}`,
      count: r.count.toString(),
      tsFrom: r.tsFrom.toString(),
      tsTo: r.tsTo.toString(),
      ...(time && at !== 0n ? { time: time(at) } : {}),
    };
  }
  const params = r.params.map((p) => ({
    arg: p.arg,
    status: p.status,
    want: p.want,
    data: p.bytes.toString('base64'),
  }));
  const common = {
    kind: r.kind,
    ts: r.ts.toString(),
    ...(time ? { time: time(r.ts) } : {}),
    cpu: r.cpu,
    pid: r.pid,
    tid: r.tid,
    seq: r.seq,
    // An ia32 call (int 0x80): its own i386 number, said to be one.
    nr: ia32Number(r.nr) ?? r.nr,
    syscall: syscallName(r.nr),
    ...(ia32Number(r.nr) !== undefined && { ia32: true }),
  };
  if (r.kind === 'enter') {
    return { ...common, comm: r.comm, args: r.args.map((a) => a.toString()), params };
  }
  const errno = errnoName(r);
  return { ...common, ret: r.ret.toString(), ...(errno ? { errno } : {}), params };
}

/** jsonl for one dump or one stream: its pairing and clock carry over from batch to batch. */
export interface JsonlEncoder {
  /**
   * JSON lines for these records, in their order. An enter held back for its exit waits
   * (with what comes after it) until its line is decided, as the text format holds it.
   */
  push(records: readonly WireRecord[]): string;
  /** What still waits: the held enter, with its `<unfinished ...>` text (the end). */
  flush(): string;
  /** About how many bytes what waits will take once released (its text included). */
  waitingBytes(): number;
}

interface Pending {
  r: WireRecord;
  obj: Record<string, unknown>;
  /** Under a filter: one of its lines passed (undefined: it has no line of its own yet). */
  keep?: boolean;
  /** Under a filter, on an exit: its enter, parked unfinished, that goes out with it. */
  parkedEnter?: Pending;
}

/** Room for the text a held enter gets when it is shown unfinished. */
const TEXT_ROOM = 1024;

/** `read(3, <unfinished ...>`: the enter half of a call whose exit is still to come. */
const UNFINISHED = /(?:^|[ (])<unfinished \.\.\.>$/;

/**
 * Every record gets `time` and, on a failed exit, `errno`. `text` is the line the text format
 * prints where this record is (the same formatter, the same clock sample): on the exit of a
 * call (its whole line, or its `<... resumed>` half), on the enter of a call shown unfinished or
 * one that never returns (`= ?`), on a lost marker, on a process's end; an enter joined with
 * its exit has none, and a record that ends two lines (a wait4 that reaped a killed child) has
 * both, joined by a newline. So the `text` fields in order are the text dump's lines.
 *
 * With a `filter` (the filter language, src/filter/lines.ts), only the records of the lines it
 * keeps go out, and every lost marker. A call's enter and exit go or stay together: a call
 * shown in one line is decided by that line; an enter shown `<unfinished ...>` waits for its
 * exit and is decided with it by the `<... resumed>` line (which knows the call's syscall,
 * thread, duration and errno), and goes out just before it; one whose exit never comes (the
 * end, a loss between) is decided by its own line. A record no line shows (a new child's first
 * return) goes with nothing the filter keeps.
 */
export function createJsonlEncoder(
  sample: ClockSample = sampleClocks(),
  filter?: LineFilter,
  /** How `text` names fds (dump.ts's settings: -y from the records, /proc when live). */
  fds: Pick<DumpSettings, 'decodeFds' | 'procFds' | 'decodeSockets' | 'fdNamesPerLine'> = {},
): JsonlEncoder {
  const formatter = dumpFormatter(fds, sample);
  /** Under a filter: enters shown unfinished, waiting for their exit's line to decide them. */
  const parked = new Map<WireRecord, Pending>();
  const iso = createIsoClock(sample);
  /** The held enter first, then what came after it while it stayed held. */
  let waiting: Pending[] = [];
  /** waitingBytes(), counted as records start to wait. */
  let waitingSize = 0;
  const one: WireRecord[] = [];
  const wait = (p: Pending): void => {
    waiting.push(p);
    waitingSize += JSON.stringify(p.obj).length + TEXT_ROOM;
  };

  const addText = (obj: Record<string, unknown>, line: string): void => {
    obj.text =
      obj.text === undefined
        ? line
        : `${obj.text as string}
${line}`;
  };

  /** Puts the lines the formatter just returned on their records (and, filtered, decides them). */
  function place(lines: readonly string[], current: Pending | undefined): void {
    const owners = formatter.owners;
    for (let i = 0; i < lines.length; i++) {
      const owner = owners[i];
      const line = lines[i] as string;
      let target = current && owner === current.r ? current : undefined;
      if (!target) target = waiting.find((w) => w.r === owner) ?? current;
      if (!target) continue;
      addText(target.obj, line);
      if (filter) decide(target, line, i);
    }
  }

  /** The filter's word on line `i` of the last push, for its record and the call's enter. */
  function decide(target: Pending, line: string, i: number): void {
    const owner = formatter.owners[i] as WireRecord;
    const enter = formatter.enters[i];
    const keep = filter!(line, owner, enter, formatter.fdNames[i]);
    target.keep = (target.keep ?? false) || keep;
    if (enter === undefined || enter === target.r) {
      // An enter's own line: unfinished ones wait for their exit.
      if (target.r.kind === 'enter' && UNFINISHED.test(line)) parked.set(target.r, target);
      return;
    }
    // An exit's line: its enter (held with it, or parked unfinished) goes as the exit goes.
    const held = waiting.find((w) => w.r === enter);
    if (held) held.keep = target.keep;
    const park = parked.get(enter);
    if (park) {
      park.keep = target.keep;
      target.parkedEnter = park;
    }
  }

  /** A record ready to go out: as it is, or (filtered) if kept, after its parked enter. */
  function emit(p: Pending): string {
    if (!filter) return jsonLine(p.obj);
    if (p.r.kind === 'lost') return releaseParked() + jsonLine(p.obj);
    if (parked.get(p.r) === p) return ''; // waits for its exit
    let s = '';
    const park = p.parkedEnter;
    if (park && parked.delete(park.r) && p.keep) s += jsonLine(park.obj);
    return p.keep ? s + jsonLine(p.obj) : s;
  }

  /** Parked enters whose exit is not coming (a loss, the end): decided by their own line. */
  function releaseParked(): string {
    let s = '';
    for (const park of parked.values()) if (park.keep) s += jsonLine(park.obj);
    parked.clear();
    return s;
  }

  function release(): string {
    let s = '';
    for (const w of waiting) s += emit(w);
    waiting = [];
    waitingSize = 0;
    return s;
  }

  return {
    push(records) {
      let out = '';
      for (let i = 0; i < records.length; i++) {
        const r = records[i] as WireRecord;
        one[0] = r;
        const lines = formatter.push(one);
        const current: Pending = { r, obj: recordJson(r, iso) };
        place(lines, current);
        const held = formatter.held;
        if (waiting.length > 0) {
          // Still held (what came was no line of its own, a new child's first return): queue.
          if (held !== undefined && held === waiting[0]?.r) {
            wait(current);
            continue;
          }
          out += release();
        }
        if (held !== undefined && held === r) wait(current);
        else out += emit(current);
      }
      return out;
    },
    flush() {
      place(formatter.flush(), undefined);
      return release() + (filter ? releaseParked() : '');
    },
    waitingBytes() {
      return waitingSize;
    },
  };
}

export function jsonLine(v: unknown): string {
  return JSON.stringify(v) + '\n';
}

/** A TL_REC_LOST record of our own (a stream client that fell behind), of one CPU or all. */
export function lostRecord(
  reason: number,
  count: bigint,
  tsFrom = 0n,
  tsTo = 0n,
  cpu = 0xffffffff,
): Buffer {
  const b = Buffer.alloc(LAYOUT['sizeof(struct tl_lost)']);
  b.writeUInt16LE(b.length, LAYOUT['tl_hdr.size']);
  b.writeUInt8(TL_REC_LOST, LAYOUT['tl_hdr.type']);
  b.writeUInt8(reason, LAYOUT['tl_hdr.flags']);
  b.writeUInt32LE(cpu, LAYOUT['tl_lost.cpu']);
  b.writeBigUInt64LE(count, LAYOUT['tl_lost.count']);
  b.writeBigUInt64LE(tsFrom, LAYOUT['tl_lost.ts_from']);
  b.writeBigUInt64LE(tsTo, LAYOUT['tl_lost.ts_to']);
  return b;
}

/** The head of a raw dump: one JSON line, then the wire records to the end of the body. */
export interface RawDumpHead {
  id: number;
  name: string;
  path: string;
  gone: boolean;
  cpus: CpuRingStats[];
}

export const RAW_CONTENT_TYPE = 'application/vnd.traceloop.records';
/** format=capture: a capture file (docs/capture-format.md). */
export const CAPTURE_CONTENT_TYPE = 'application/vnd.traceloop.capture';

export function rawDump(head: RawDumpHead, records: Buffer): Buffer {
  return Buffer.concat([Buffer.from(jsonLine(head)), records]);
}

export function parseRawDump(body: Buffer): { head: RawDumpHead; records: Buffer } {
  const nl = body.indexOf(10);
  if (nl < 0) throw new Error('a raw dump without its head line');
  const head = JSON.parse(body.subarray(0, nl).toString('utf8')) as RawDumpHead;
  return { head, records: body.subarray(nl + 1) };
}

/** A raw stream is a sequence of frames: u32 little-endian length, then that many record bytes. */
export function rawFrame(records: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32LE(records.length);
  return Buffer.concat([len, records]);
}

/** Cuts complete frames off `pending`; returns them and what is left. */
export function takeFrames(pending: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let off = 0;
  while (pending.length - off >= 4) {
    const len = pending.readUInt32LE(off);
    if (pending.length - off - 4 < len) break;
    frames.push(pending.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return { frames, rest: pending.subarray(off) };
}

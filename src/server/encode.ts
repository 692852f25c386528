// How records leave the daemon besides text: one JSON object per record
// (format=jsonl, /stream), and `raw` (the wire records themselves, for the
// remote recorder in src/client/). 64-bit values are decimal strings in JSON,
// so no consumer loses precision.
import { LOST_REASONS } from '../format/lost.js';
import type { CpuRingStats } from '../native.js';
import { syscallName } from '../syscalls/table.js';
import { LAYOUT, TL_REC_LOST, type WireRecord } from '../wire.js';

export function recordJson(r: WireRecord): Record<string, unknown> {
  if (r.kind === 'lost') {
    return {
      kind: 'lost',
      cpu: r.cpu === 0xffffffff ? null : r.cpu,
      reason: LOST_REASONS[r.reason] ?? `reason ${r.reason}`,
      count: r.count.toString(),
      tsFrom: r.tsFrom.toString(),
      tsTo: r.tsTo.toString(),
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
    cpu: r.cpu,
    pid: r.pid,
    tid: r.tid,
    seq: r.seq,
    nr: r.nr,
    syscall: syscallName(r.nr),
  };
  if (r.kind === 'enter') {
    return { ...common, comm: r.comm, args: r.args.map((a) => a.toString()), params };
  }
  return { ...common, ret: r.ret.toString(), params };
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

// Wire records built by hand, for tests of what batches stand for (books, drops, markers).
import { lostRecord } from '../../src/server/encode.js';
import { LAYOUT, TL_REC_ENTER, TL_REC_PARAM } from '../../src/wire.js';

/** An enter or exit record of `cpu` at `ts` (no args, no params). */
export function event(type: number, cpu: number, ts: bigint): Buffer {
  const size =
    type === TL_REC_ENTER ? LAYOUT['sizeof(struct tl_enter)'] : LAYOUT['sizeof(struct tl_exit)'];
  const b = Buffer.alloc(size);
  b.writeUInt16LE(size, LAYOUT['tl_hdr.size']);
  b.writeUInt8(type, LAYOUT['tl_hdr.type']);
  b.writeUInt32LE(100 + cpu, LAYOUT['tl_hdr.tid']);
  b.writeUInt16LE(cpu, LAYOUT['tl_event.cpu']);
  b.writeBigUInt64LE(ts, LAYOUT['tl_event.ts']);
  return b;
}

/** A param record of 8 bytes: part of the event before it, no event of its own. */
export function param(): Buffer {
  const b = Buffer.alloc(LAYOUT['sizeof(struct tl_param)'] + 8);
  b.writeUInt16LE(b.length, LAYOUT['tl_hdr.size']);
  b.writeUInt8(TL_REC_PARAM, LAYOUT['tl_hdr.type']);
  b.writeUInt16LE(8, LAYOUT['tl_param.len']);
  return b;
}

/** A TL_REC_LOST marker (cpu last, as lostRecord takes it). */
export const lost = lostRecord;

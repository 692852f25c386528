// The capture file's layout (docs/capture-format.md): what every writer writes and the reader
// checks. A fixed start (magic, format version), then chunks, each framed and checksummed on
// its own, so that a file cut short or damaged is read up to its last good chunk.
import type { CapturesLeftOut } from '../captures.js';
import type { CpuRingStats } from '../native.js';
import { LAYOUT } from '../wire.js';
import { crc32 } from './crc32.js';

/** `\x89TLCAP\r\n`: a high byte (not text), the name, a CR LF a text-mode copy would mangle. */
export const MAGIC = Buffer.from([0x89, 0x54, 0x4c, 0x43, 0x41, 0x50, 0x0d, 0x0a]);
/** 2: the header may say what trigger saved the file (`trigger`). */
export const FORMAT_VERSION = 2;
/** Magic, then the format version (u32 LE). */
export const START_BYTES = MAGIC.length + 4;

/**
 * Chunk kinds: the header (JSON, first and once), records, what /proc answered while the
 * records before it were formatted (JSON, src/capture/proc-answers.ts), the end (JSON, last).
 */
export const CHUNK_HEADER = 0x48; // 'H'
export const CHUNK_RECORDS = 0x52; // 'R'
export const CHUNK_PROC = 0x50; // 'P'
export const CHUNK_END = 0x45; // 'E'

/** kind u8, three zero bytes, payload length u32 LE. */
export const CHUNK_HEAD_BYTES = 8;
/** CRC-32 of the chunk's head and payload, u32 LE. */
export const CHUNK_CRC_BYTES = 4;
/** A JSON chunk's payload at most: a header is a few KiB. */
export const MAX_JSON_BYTES = 1 << 20;
/** A /proc answers chunk's payload at most: a path or a few fds per call of a batch. */
export const MAX_PROC_BYTES = 64 << 20;
/** A records chunk's payload at most: one batch as the addon hands it over (its queue is 64 MiB). */
export const MAX_RECORDS_BYTES = 256 << 20;

/**
 * The wire layout the records were written with: offsets and sizes of bpf/traceloop.h's
 * structs (src/wire.ts LAYOUT), as a CRC. Records of another layout would decode as nonsense,
 * so a reader with a different one refuses the file and says so.
 */
export const WIRE_LAYOUT_ID = crc32(Buffer.from(JSON.stringify(LAYOUT)))
  .toString(16)
  .padStart(8, '0');

/** How the records were shown when recorded: the text a viewer prints uses the same. */
export interface CaptureSettings {
  /** strace -s. */
  maxString: number;
  /** strace -T. */
  durations: boolean;
  /**
   * strace -y: fds named. When the recording asked /proc for names (run), its answers follow
   * each records chunk (CHUNK_PROC).
   */
  decodeFds?: boolean;
  /** strace -yy as well (absent: no). */
  decodeSockets?: boolean;
  /** The line filter the recording's text applied (the UI's `/` language), if any. */
  filter?: string;
  /** The recorder's settings, when known (a daemon's dump does not say them). */
  ringPages?: number;
  maxArgBytes?: number;
  drainPeriodMs?: number;
}

/** Ends the line of the record that was a capture's trigger, in the text and in the UI. */
export const TRIGGER_MARK = '   <<< trigger';

/** What made a daemon save the file (`--dump-on`, src/triggers/): the text marks it. */
export interface CaptureTrigger {
  /** `crash`, `exit`, `errno` or `gone`. */
  kind: string;
  /** What the text's `# trigger: ` line says after those words. */
  text: string;
  /** The record that was the trigger, when there is one: its CPU and (32-bit) wire seq. */
  record?: { cpu: number; seq: number };
}

export interface CaptureHeader {
  format: number;
  /** traceloop's version that wrote the file. */
  traceloop: string;
  /** What wrote it: `run`, `dump`. */
  source: string;
  /** src/wire.ts's layout (WIRE_LAYOUT_ID) the records are in. */
  wireLayout: string;
  host: string;
  /** uname -r of the recording machine. */
  kernel: string;
  /** process.arch of the recording machine (`x64`): the syscall numbers' table. */
  arch: string;
  cgroup: { path: string; id: string; name: string };
  /** The text dump's first line (`# traceloop run: ...`), as the recording printed it. */
  title: string;
  /** The capture families the recording kernel refused (their arguments are addresses). */
  captures: CapturesLeftOut;
  settings: CaptureSettings;
  /** CLOCK_MONOTONIC (ns, decimal) and the wall clock (ms since the epoch), read together. */
  clock: { monotonicNs: string; wallMs: number };
  /**
   * `run`: the launcher's pid. Its calls before it became CMD (its execve) are not CMD's and
   * are left out of the text, as run left them out.
   */
  execPid?: number;
  /** Saved by a trigger: which, and the record to mark. */
  trigger?: CaptureTrigger;
}

export interface CaptureEnd {
  /** The counters per CPU the text's last line shows (recorded = shown + lost). */
  cpus: CpuRingStats[];
  /** `run`: how CMD ended. */
  exit?: { code: number | null; signal: string | null };
}

/** One chunk, framed: head, payload, CRC. */
export function encodeChunk(kind: number, payload: Uint8Array): Buffer {
  const head = Buffer.alloc(CHUNK_HEAD_BYTES);
  head[0] = kind;
  head.writeUInt32LE(payload.length, 4);
  const crc = Buffer.alloc(CHUNK_CRC_BYTES);
  crc.writeUInt32LE(crc32(payload, crc32(head)));
  return Buffer.concat([head, payload, crc]);
}

/** The file's first bytes: magic and format version. */
export function encodeStart(): Buffer {
  const version = Buffer.alloc(4);
  version.writeUInt32LE(FORMAT_VERSION);
  return Buffer.concat([MAGIC, version]);
}

/** A JSON chunk (header, end): bigints as decimal strings. */
export function encodeJsonChunk(kind: number, value: unknown): Buffer {
  return encodeChunk(
    kind,
    Buffer.from(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))),
  );
}

// Reading a capture file: everything is checked (magic, version, each chunk's frame and CRC,
// the header's fields, every record's frame), and a file cut short or damaged gives what came
// before the damage, with one line saying where and why. Nothing in a file makes the reader
// throw anything but a CaptureError (test/capture-file-fuzz.test.ts), and nothing makes it
// loop: every step moves forward by a chunk's own length.
import { queryError } from '../filter/query.js';
import { UserError } from '../cgroup.js';
import type { CpuRingStats } from '../native.js';
import { parseRecords } from '../wire.js';
import { crc32 } from './crc32.js';
import { checkAnswers, type ProcAnswer } from './proc-answers.js';
import {
  CHUNK_CRC_BYTES,
  CHUNK_END,
  CHUNK_HEAD_BYTES,
  CHUNK_HEADER,
  CHUNK_PROC,
  CHUNK_RECORDS,
  FORMAT_VERSION,
  MAGIC,
  MAX_JSON_BYTES,
  MAX_PROC_BYTES,
  MAX_RECORDS_BYTES,
  START_BYTES,
  WIRE_LAYOUT_ID,
  type CaptureEnd,
  type CaptureHeader,
  type CaptureTrigger,
} from './format.js';

/** A file that is no capture this traceloop can read, in one line. */
export class CaptureError extends UserError {}

export interface Capture {
  header: CaptureHeader;
  /** Records chunks in file order, as the recording handed them over (src/wire.ts). */
  batches: Buffer[];
  /** What /proc told the recording's formatter, in the order it asked (all chunks). */
  procAnswers: ProcAnswer[];
  /** The end chunk; absent when the file was cut before it. */
  end?: CaptureEnd;
  /** Why reading stopped before the file's end (cut short, damaged), or undefined. */
  damage?: string;
  /** Bytes read as good, of `fileBytes`. */
  goodBytes: number;
  fileBytes: number;
}

interface Chunk {
  kind: number;
  payload: Buffer;
}

/** The payload of each chunk kind at most. */
const LIMITS = new Map([
  [CHUNK_HEADER, MAX_JSON_BYTES],
  [CHUNK_RECORDS, MAX_RECORDS_BYTES],
  [CHUNK_PROC, MAX_PROC_BYTES],
  [CHUNK_END, MAX_JSON_BYTES],
]);

type Step = { chunk: Chunk; next: number } | { damage: string };

/** The chunk at `at`, or why there is none to read. */
function chunkAt(bytes: Buffer, at: number): Step {
  const left = bytes.length - at;
  if (left < CHUNK_HEAD_BYTES) return { damage: `cut short at byte ${at} (inside a chunk's head)` };
  const kind = bytes[at] as number;
  const length = bytes.readUInt32LE(at + 4);
  const limit = LIMITS.get(kind);
  if (limit === undefined || bytes[at + 1] !== 0 || bytes[at + 2] !== 0 || bytes[at + 3] !== 0) {
    return { damage: `damaged at byte ${at}: no chunk starts there` };
  }
  if (length > limit) return { damage: `damaged at byte ${at}: a chunk of ${length} bytes` };
  const whole = CHUNK_HEAD_BYTES + length + CHUNK_CRC_BYTES;
  if (left < whole) return { damage: `cut short at byte ${at} (a chunk of ${whole} bytes)` };
  const payload = bytes.subarray(at + CHUNK_HEAD_BYTES, at + CHUNK_HEAD_BYTES + length);
  const want = bytes.readUInt32LE(at + CHUNK_HEAD_BYTES + length);
  if (crc32(payload, crc32(bytes.subarray(at, at + CHUNK_HEAD_BYTES))) !== want) {
    return { damage: `damaged at byte ${at}: the chunk's checksum does not match` };
  }
  return { chunk: { kind, payload }, next: at + whole };
}

/**
 * Reads a capture held in `bytes`. Throws a CaptureError when not even the header can be read
 * (a foreign file, another format version, a header cut or damaged); past the header, damage
 * ends the reading and is said in `damage`.
 */
export function readCapture(bytes: Buffer): Capture {
  if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new CaptureError('not a traceloop capture file (no TLCAP magic at its start)');
  }
  if (bytes.length < START_BYTES) throw new CaptureError('cut short before its format version');
  const version = bytes.readUInt32LE(MAGIC.length);
  if (version !== FORMAT_VERSION) {
    throw new CaptureError(
      `capture format ${version}: this traceloop reads format ${FORMAT_VERSION} (a newer traceloop wrote it?)`,
    );
  }
  const first = chunkAt(bytes, START_BYTES);
  if ('damage' in first) throw new CaptureError(`no readable header: ${first.damage}`);
  if (first.chunk.kind !== CHUNK_HEADER) throw new CaptureError('no header chunk at its start');
  const header = checkHeader(parseJson(first.chunk.payload, 'header'));

  const capture: Capture = {
    header,
    batches: [],
    procAnswers: [],
    goodBytes: first.next,
    fileBytes: bytes.length,
  };
  let at = first.next;
  while (at < bytes.length) {
    const step = chunkAt(bytes, at);
    if ('damage' in step) {
      capture.damage = step.damage;
      return capture;
    }
    const { kind, payload } = step.chunk;
    if (capture.end) {
      capture.damage = `damaged at byte ${at}: a chunk after the end chunk`;
      return capture;
    }
    const why = kind === CHUNK_HEADER ? 'a second header' : take(capture, kind, payload);
    if (why !== undefined) {
      capture.damage = `damaged at byte ${at}: ${why}`;
      return capture;
    }
    at = step.next;
    capture.goodBytes = at;
  }
  if (!capture.end) capture.damage = `cut short at byte ${at} (no end chunk)`;
  return capture;
}

/** Adds a records or end chunk to `capture`; says why not if it cannot be right. */
function take(capture: Capture, kind: number, payload: Buffer): string | undefined {
  if (kind === CHUNK_END) {
    try {
      capture.end = checkEnd(parseJson(payload, 'end chunk'));
    } catch (err) {
      return (err as Error).message;
    }
    return undefined;
  }
  if (kind === CHUNK_PROC) {
    let answers: ProcAnswer[] | undefined;
    try {
      answers = checkAnswers(parseJson(payload, '/proc answers'));
    } catch (err) {
      return (err as Error).message;
    }
    if (!answers) return '/proc answers that are not answers';
    for (const a of answers) capture.procAnswers.push(a);
    return undefined;
  }
  // Every record whole and well formed: what parses here, the viewer's decoder can take.
  try {
    parseRecords(payload);
  } catch (err) {
    return `records that cannot be right (${(err as Error).message})`;
  }
  capture.batches.push(payload);
  return undefined;
}

function parseJson(payload: Buffer, what: string): unknown {
  try {
    return JSON.parse(payload.toString('utf8')) as unknown;
  } catch {
    throw new CaptureError(`its ${what} is not JSON`);
  }
}

// The header's and the end's fields, checked one by one: a field a writer would never write
// says which one.
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(what: string): never {
  throw new CaptureError(`its header has no valid ${what}`);
}
// A capture may come from anyone: its strings are printed (view's first lines, the UI's
// header), so control characters (terminal escapes) are shown as `?`, never sent.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;
function str(o: Obj, key: string, what = key): string {
  const v = o[key];
  return typeof v === 'string' ? v.replace(CONTROL, '?') : bad(what);
}
function int(v: unknown, what: string, min: number, max: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : bad(what);
}
function optionalInt(o: Obj, key: string, max: number): number | undefined {
  return o[key] === undefined ? undefined : int(o[key], key, 0, max);
}
function obj(v: unknown, what: string): Obj {
  return isObj(v) ? v : bad(what);
}

function checkHeader(v: unknown): CaptureHeader {
  const h = obj(v, 'fields (it is not an object)');
  const format = int(h.format, 'format', 0, 2 ** 31);
  if (format !== FORMAT_VERSION) bad('format (it differs from the file start)');
  const wireLayout = str(h, 'wireLayout');
  if (wireLayout !== WIRE_LAYOUT_ID) {
    throw new CaptureError(
      `its records are in another wire layout (${wireLayout}, traceloop ${String(h.traceloop)}); ` +
        `this traceloop reads layout ${WIRE_LAYOUT_ID}`,
    );
  }
  const arch = str(h, 'arch');
  if (arch !== 'x64') {
    throw new CaptureError(`recorded on ${arch}: this traceloop decodes x86_64 syscalls only`);
  }
  const cgroup = obj(h.cgroup, 'cgroup');
  const captures = obj(h.captures, 'captures');
  const settings = obj(h.settings, 'settings');
  const clock = obj(h.clock, 'clock');
  const monotonicNs = str(clock, 'monotonicNs', 'clock.monotonicNs');
  if (!/^\d{1,20}$/.test(monotonicNs)) bad('clock.monotonicNs');
  const wallMs = clock.wallMs;
  if (typeof wallMs !== 'number' || !Number.isFinite(wallMs) || Math.abs(wallMs) > 8.64e15) {
    bad('clock.wallMs');
  }
  const filter = settings.filter;
  if (filter !== undefined && (typeof filter !== 'string' || queryError(filter) !== undefined)) {
    bad('settings.filter');
  }
  if (typeof settings.durations !== 'boolean') bad('settings.durations');
  const decodeFds = settings.decodeFds;
  if (decodeFds !== undefined && typeof decodeFds !== 'boolean') bad('settings.decodeFds');
  const decodeSockets = settings.decodeSockets;
  if (decodeSockets !== undefined && typeof decodeSockets !== 'boolean') {
    bad('settings.decodeSockets');
  }
  const ringPages = optionalInt(settings, 'ringPages', 1 << 20);
  const maxArgBytes = optionalInt(settings, 'maxArgBytes', 1 << 20);
  const drainPeriodMs = optionalInt(settings, 'drainPeriodMs', 1 << 20);
  return {
    format,
    traceloop: str(h, 'traceloop'),
    source: str(h, 'source'),
    wireLayout,
    host: str(h, 'host'),
    kernel: str(h, 'kernel'),
    arch,
    cgroup: {
      path: str(cgroup, 'path', 'cgroup.path'),
      id: str(cgroup, 'id', 'cgroup.id'),
      name: str(cgroup, 'name', 'cgroup.name'),
    },
    title: str(h, 'title'),
    captures: {
      leftOut: str(captures, 'leftOut', 'captures'),
      why: str(captures, 'why', 'captures'),
    },
    settings: {
      maxString: int(settings.maxString, 'settings.maxString', 0, 1 << 20),
      durations: settings.durations,
      ...(decodeFds !== undefined ? { decodeFds } : {}),
      ...(decodeSockets !== undefined ? { decodeSockets } : {}),
      ...(filter !== undefined ? { filter } : {}),
      ...(ringPages !== undefined ? { ringPages } : {}),
      ...(maxArgBytes !== undefined ? { maxArgBytes } : {}),
      ...(drainPeriodMs !== undefined ? { drainPeriodMs } : {}),
    },
    clock: { monotonicNs, wallMs },
    ...(h.execPid !== undefined ? { execPid: int(h.execPid, 'execPid', 0, 2 ** 32 - 1) } : {}),
    ...(h.trigger !== undefined ? { trigger: checkTrigger(h.trigger) } : {}),
  };
}

function checkTrigger(v: unknown): CaptureTrigger {
  const t = obj(v, 'trigger');
  const kind = str(t, 'kind', 'trigger.kind');
  if (!TRIGGER_KINDS.includes(kind)) bad('trigger.kind');
  const record = t.record === undefined ? undefined : obj(t.record, 'trigger.record');
  return {
    kind,
    text: str(t, 'text', 'trigger.text'),
    ...(record
      ? {
          record: {
            cpu: int(record.cpu, 'trigger.record.cpu', 0, 1 << 20),
            seq: int(record.seq, 'trigger.record.seq', 0, 2 ** 32 - 1),
          },
        }
      : {}),
  };
}
const TRIGGER_KINDS = ['crash', 'exit', 'errno', 'gone'];

type Counter = keyof CpuRingStats;

function checkEnd(v: unknown): CaptureEnd {
  const e = isObj(v) ? v : undefined;
  if (!e || !Array.isArray(e.cpus)) throw new CaptureError('an end chunk without counters');
  const cpus = e.cpus.map((c: unknown): CpuRingStats => {
    const o = isObj(c) ? c : {};
    const n = (k: Counter): number => {
      const x = o[k];
      if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) {
        throw new CaptureError(`an end chunk with a bad counter ${k}`);
      }
      return x;
    };
    return {
      cpu: n('cpu'),
      emitted: n('emitted'),
      failed: n('failed'),
      faults: n('faults'),
      headBytes: n('headBytes'),
      delivered: n('delivered'),
      lost: n('lost'),
    };
  });
  const exit = isObj(e.exit) ? e.exit : undefined;
  const code = exit && typeof exit.code === 'number' ? exit.code : null;
  const signal = exit && typeof exit.signal === 'string' ? exit.signal : null;
  return { cpus, ...(exit ? { exit: { code, signal } } : {}) };
}

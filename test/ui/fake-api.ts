// A RecorderApi without BPF, and wire records built by hand: the UI tests
// are about the UI, so they feed it exactly the batches they want, when
// they want, and see what it asked the recorder to do.
import { ALL_LOADED, type CapturesLeftOut } from '../../src/captures.js';
import type { CpuRingStats } from '../../src/native.js';
import { UserError } from '../../src/cgroup.js';
import type {
  ListedCgroup,
  ListedDump,
  RecorderApi,
  StreamEndListener,
} from '../../src/recorder-api.js';
import type { LiveListener, Read, RecordedCgroup } from '../../src/recorder.js';
import { syscallByName } from '../../src/syscalls/table.js';
import {
  LAYOUT,
  TL_LOST_OVERWRITTEN,
  TL_REC_ENTER,
  TL_REC_EXIT,
  TL_REC_LOST,
  TL_REC_PARAM,
} from '../../src/wire.js';

const nrOf = (name: string): number => {
  const def = syscallByName(name);
  if (!def) throw new Error(`no syscall ${name}`);
  return def.nr;
};

let seq = 0;
let clock = 1_000_000_000n;

function header(b: Buffer, size: number, type: number, flags: number, tid: number): void {
  b.writeUInt16LE(size, LAYOUT['tl_hdr.size']);
  b.writeUInt8(type, LAYOUT['tl_hdr.type']);
  b.writeUInt8(flags, LAYOUT['tl_hdr.flags']);
  b.writeUInt32LE(tid, LAYOUT['tl_hdr.tid']);
}

function event(b: Buffer, cpu: number, nr: number, ts: bigint): void {
  b.writeUInt32LE(seq++, LAYOUT['tl_event.seq']);
  b.writeUInt16LE(cpu, LAYOUT['tl_event.cpu']);
  b.writeUInt16LE(nr, LAYOUT['tl_event.nr']);
  b.writeBigUInt64LE(ts, LAYOUT['tl_event.ts']);
}

export interface CallSpec {
  name: string;
  args?: bigint[];
  ret?: bigint;
  tid?: number;
  comm?: string;
  cpu?: number;
  /** Captured bytes of argument `arg`, at enter. */
  param?: { arg: number; bytes: Buffer; want?: number };
  /** Nanoseconds between the enter and the exit (1 µs unless given). */
  took?: bigint;
  /** Captured bytes at exit (after the exit record), for `arg` (TL_ARG_NEW_FDS: the new fds). */
  exitParam?: { arg: number; bytes: Buffer };
}

function param(tid: number, p: NonNullable<CallSpec['param']>): Buffer {
  const size = 16 + Math.ceil(p.bytes.length / 8) * 8;
  const b = Buffer.alloc(size);
  header(b, size, TL_REC_PARAM, 0, tid);
  b.writeUInt8(p.arg, LAYOUT['tl_param.arg']);
  b.writeUInt8(0, LAYOUT['tl_param.status']);
  b.writeUInt16LE(p.bytes.length, LAYOUT['tl_param.len']);
  b.writeUInt32LE(p.want ?? 0, LAYOUT['tl_param.want']);
  p.bytes.copy(b, 16);
  return b;
}

/** One complete call: its enter (with a param if given) right before its exit. */
export function call(c: CallSpec): Buffer {
  const tid = c.tid ?? 100;
  const cpu = c.cpu ?? 0;
  const nr = nrOf(c.name);
  const args = c.args ?? [];
  const esize = 48 + 8 * args.length;
  const enter = Buffer.alloc(esize);
  header(enter, esize, TL_REC_ENTER, 0, tid);
  const enterTs = (clock += 1000n);
  event(enter, cpu, nr, enterTs);
  enter.writeUInt32LE(tid, LAYOUT['tl_enter.pid']);
  enter.writeUInt8(args.length, LAYOUT['tl_enter.nargs']);
  enter.writeUInt8(c.param ? 1 : 0, LAYOUT['tl_enter.nparams']);
  enter.write(c.comm ?? 'worker', LAYOUT['tl_enter.comm'], 15, 'latin1');
  args.forEach((a, i) => enter.writeBigUInt64LE(BigInt.asUintN(64, a), 48 + 8 * i));
  const exit = Buffer.alloc(40);
  header(exit, 40, TL_REC_EXIT, 0, tid);
  clock = enterTs + (c.took ?? 1000n);
  event(exit, cpu, nr, clock);
  exit.writeBigInt64LE(c.ret ?? 0n, LAYOUT['tl_exit.ret']);
  exit.writeUInt32LE(tid, LAYOUT['tl_exit.pid']);
  exit.writeUInt8(c.exitParam ? 1 : 0, LAYOUT['tl_exit.nparams']);
  return Buffer.concat([
    enter,
    ...(c.param ? [param(tid, c.param)] : []),
    exit,
    ...(c.exitParam ? [param(tid, c.exitParam)] : []),
  ]);
}

/** `write(1, "<text>", n) = n` */
export function write(text: string, tid = 100): Buffer {
  const bytes = Buffer.from(text);
  const n = BigInt(bytes.length);
  return call({
    name: 'write',
    args: [1n, 0x1000n, n],
    ret: n,
    tid,
    param: { arg: 1, bytes, want: bytes.length },
  });
}

export function lost(count: bigint, cpu = 1, reason = TL_LOST_OVERWRITTEN): Buffer {
  const b = Buffer.alloc(40);
  header(b, 40, TL_REC_LOST, reason, 0);
  b.writeUInt32LE(cpu, LAYOUT['tl_lost.cpu']);
  b.writeBigUInt64LE(count, LAYOUT['tl_lost.count']);
  b.writeBigUInt64LE(clock, LAYOUT['tl_lost.ts_from']);
  b.writeBigUInt64LE((clock += 5000n), LAYOUT['tl_lost.ts_to']);
  return b;
}

export class FakeApi implements RecorderApi {
  readonly where = 'fake';
  readonly cgroups: RecordedCgroup[] = [];
  readonly listeners = new Map<bigint, LiveListener>();
  readonly enders = new Map<bigint, StreamEndListener>();
  /** Ids whose directory vanished. */
  readonly gone = new Set<bigint>();
  /** Dumps a daemon's triggers saved, by id (serve --dump-dir). */
  readonly dumps = new Map<bigint, ListedDump[]>();
  /** Stopped: every question fails as a stopped daemon's socket does. */
  down = false;
  readonly sent = new Map<bigint, Buffer[]>();
  readonly removed: bigint[] = [];
  closed = false;
  /** What captures() answers: tests set families the "kernel" left out. */
  leftOut: CapturesLeftOut = ALL_LOADED;
  private nextId = 1n;

  constructor(names: string[] = ['service']) {
    for (const name of names) this.register(`/sys/fs/cgroup/demo/${name}`, name);
  }

  register(path: string, name: string): RecordedCgroup {
    const cg = { id: this.nextId++, path, name };
    this.cgroups.push(cg);
    this.sent.set(cg.id, []);
    return cg;
  }

  /** Hands a batch to the UI, as the drain thread would. */
  emit(records: Buffer | Buffer[], id = this.cgroups[0]!.id): void {
    const buf = Buffer.isBuffer(records) ? records : Buffer.concat(records);
    this.sent.get(id)?.push(buf);
    this.listeners.get(id)?.(buf);
  }

  /** The daemon stops (SIGTERM): its streams end, and nothing answers until start(). */
  stop(): void {
    this.down = true;
    const enders = [...this.enders.values()];
    this.listeners.clear();
    this.enders.clear();
    for (const end of enders) end();
  }

  /**
   * A daemon answers again on the socket, recording `paths` only, numbered
   * from `firstId` (a new daemon starts its ids anew).
   */
  start(paths: string[] = [], firstId = 1n): void {
    const kept = this.cgroups.filter((c) => paths.includes(c.path));
    this.cgroups.splice(0, this.cgroups.length);
    this.gone.clear();
    this.nextId = firstId;
    for (const c of kept) this.register(c.path, c.name);
    this.down = false;
  }

  /** Another client closes a cgroup: its stream ends. */
  closeElsewhere(id: bigint): void {
    const i = this.cgroups.findIndex((c) => c.id === id);
    if (i >= 0) this.cgroups.splice(i, 1);
    const end = this.enders.get(id);
    this.listeners.delete(id);
    this.enders.delete(id);
    end?.();
  }

  private answer<T>(value: () => T): Promise<T> {
    if (this.down) {
      return Promise.reject(
        new UserError("no traceloop daemon answers on fake: start one with 'traceloop serve'"),
      );
    }
    return Promise.resolve(value());
  }

  list(): Promise<ListedCgroup[]> {
    return this.answer(() =>
      this.cgroups.map((c) => ({
        ...c,
        gone: this.gone.has(c.id),
        ...(this.dumps.has(c.id) ? { dumps: this.dumps.get(c.id) } : {}),
      })),
    );
  }
  add(cgroupPath: string, name?: string): Promise<RecordedCgroup> {
    return this.answer(() => this.register(cgroupPath, name ?? cgroupPath));
  }
  remove(id: bigint): Promise<void> {
    this.removed.push(id);
    const i = this.cgroups.findIndex((c) => c.id === id);
    if (i >= 0) this.cgroups.splice(i, 1);
    return Promise.resolve();
  }
  snapshot(id: bigint): Promise<Read> {
    const n = (this.sent.get(id) ?? []).length;
    return Promise.resolve({
      records: Buffer.concat(this.sent.get(id) ?? []),
      cpus: [{ cpu: 0, emitted: n, failed: 0, faults: 0, headBytes: 0, delivered: n, lost: 0 }],
    });
  }
  stats(id: bigint): Promise<CpuRingStats[]> {
    const n = (this.sent.get(id) ?? []).length;
    if (this.down) return this.answer(() => []);
    return Promise.resolve([
      { cpu: 0, emitted: n, failed: 0, faults: 0, headBytes: 0, delivered: n, lost: 0 },
    ]);
  }
  notShown(): Promise<number> {
    return Promise.resolve(0);
  }
  isGone(): Promise<boolean> {
    return Promise.resolve(false);
  }
  watch(id: bigint, listener: LiveListener, onEnd?: StreamEndListener): Promise<void> {
    return this.answer(() => {
      if (!this.cgroups.some((c) => c.id === id)) throw new UserError(`no cgroup with id ${id}`);
      this.listeners.set(id, listener);
      if (onEnd) this.enders.set(id, onEnd);
    });
  }
  unwatch(id: bigint): Promise<void> {
    this.listeners.delete(id);
    this.enders.delete(id);
    return Promise.resolve();
  }
  captures(): Promise<CapturesLeftOut> {
    return Promise.resolve(this.leftOut);
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

// The inodes the kernel records for the fds a call makes (TL_CAP_NEW_FDS) and the fd table's
// use of them (src/format/fd-table.ts): a pipe or socket is named from what it was when it was
// made, never from what /proc shows at that fd number a batch later, and an fd the kernel
// could not read stays bare without /proc being asked.
import { describe, expect, it } from 'vitest';
import { recordedInode } from '../src/format/fd-table.js';
import type { ProcReader } from '../src/format/proc-fds.js';
import { createLineFormatter } from '../src/format/records.js';
import type { SockInfo } from '../src/format/sock-names.js';
import { checkAnswers, RecordingProc, ReplayProc } from '../src/capture/proc-answers.js';
import { syscallByName } from '../src/syscalls/table.js';
import { capturesFor } from '../src/syscalls/rules.js';
import {
  TL_ARG_NEW_FDS,
  TL_CAP_NEW_FDS,
  TL_PARAM_FAULT,
  TL_PARAM_OK,
  type Param,
  type WireRecord,
} from '../src/wire.js';

const S_IFSOCK = 0o140000;
const S_IFIFO = 0o010000;

/** A TL_CAP_NEW_FDS param: [fd, inode, mode] per fd, as tl_new_fd lays them out. */
function newFds(...fds: [fd: number, ino: number, mode: number][]): Param {
  const b = Buffer.alloc(16 * fds.length);
  fds.forEach(([fd, ino, mode], i) => {
    b.writeBigUInt64LE(BigInt(ino), 16 * i);
    b.writeInt32LE(fd, 16 * i + 8);
    b.writeUInt16LE(mode, 16 * i + 12);
  });
  const ok = fds.every(([, ino]) => ino !== 0);
  return {
    arg: TL_ARG_NEW_FDS,
    status: ok ? TL_PARAM_OK : TL_PARAM_FAULT,
    want: fds.length,
    bytes: b,
  };
}

const pairBytes = (a: number, b: number): Param => {
  const bytes = Buffer.alloc(8);
  bytes.writeInt32LE(a, 0);
  bytes.writeInt32LE(b, 4);
  return { arg: 0, status: TL_PARAM_OK, want: 8, bytes };
};

let ts = 1000n;
function call(
  name: string,
  args: bigint[],
  ret: bigint,
  exitParams: Param[] = [],
  enterParams: Param[] = [],
): WireRecord[] {
  const common = { tid: 60, pid: 60, seq: 0, cpu: 0, nr: syscallByName(name)!.nr, late: false };
  return [
    { kind: 'enter', ...common, ts: ts++, comm: 'cli', args, params: enterParams },
    { kind: 'exit', ...common, ts: ts++, ret, params: exitParams },
  ];
}

/** /proc as a later moment shows it: fd 4 is socket 99 (another one), asked questions counted. */
function laterProc(sockets: Record<number, SockInfo> = {}): ProcReader & { links: number } {
  const proc = {
    links: 0,
    snapshot: () => ({ fds: new Map(), cwd: '/' }),
    fdLink: (_pid: number, fd: number) => {
      proc.links++;
      return fd === 4 ? 'socket:[99]' : fd === 3 ? 'pipe:[98]' : undefined;
    },
    realpath: () => undefined,
    socket: (_pid: number, inode: number) => sockets[inode],
    device: () => undefined,
  };
  return proc;
}

function lines(records: WireRecord[], proc?: ProcReader, yy = false): string[] {
  const f = createLineFormatter({
    time: () => 't',
    decodeFds: true,
    ...(proc ? { procFds: proc } : {}),
    decodeSockets: yy,
  });
  return [...f.push(records), ...f.flush()].map((l) => l.replace(/^.*?\] /, ''));
}

const sin = (port: number): Param => {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(2, 0);
  b.writeUInt16BE(port, 2);
  b.set([127, 0, 0, 1], 4);
  return { arg: 1, status: TL_PARAM_OK, want: 16, bytes: b };
};

describe('the rules: which calls record their new fds', () => {
  it('socket, accept, accept4 (the return value), socketpair, pipe, pipe2 (their array)', () => {
    const newFdsOf = (name: string) =>
      capturesFor(syscallByName(name)!.nr).filter((c) => c.kind === TL_CAP_NEW_FDS);
    for (const name of ['socket', 'accept', 'accept4']) {
      expect(newFdsOf(name), name).toEqual([{ kind: TL_CAP_NEW_FDS, arg: TL_ARG_NEW_FDS }]);
    }
    for (const name of ['socketpair', 'pipe', 'pipe2']) {
      const [c] = newFdsOf(name);
      expect(c?.size, name).toBe(2);
      expect(c?.lenArg, name).toBe(name === 'socketpair' ? 3 : 0);
    }
    expect(newFdsOf('openat')).toEqual([]);
  });
});

describe('recordedInode: what the kernel said of one new fd', () => {
  it('the inode of an fd of the kind made; unread when not that kind, not read, not listed', () => {
    const params = new Map([[TL_ARG_NEW_FDS, newFds([3, 55, S_IFSOCK], [4, 0, 0])]]);
    expect(recordedInode(params, 3, 'socket:[')).toBe(55);
    // Not a pipe: another thread closed the socket and made something else at 3 in between.
    expect(recordedInode(params, 3, 'pipe:[')).toBe('unread');
    expect(recordedInode(params, 4, 'socket:[')).toBe('unread');
    expect(recordedInode(params, 5, 'socket:[')).toBe('unread');
    // No record at all (a kernel that refused the capture, an older capture file).
    expect(recordedInode(new Map(), 3, 'socket:[')).toBeUndefined();
  });
});

describe('fd names from the recorded inode', () => {
  it('a dump (no /proc) names sockets and pipes as strace -y does', () => {
    const out = lines([
      ...call('socket', [2n, 1n, 0n], 4n, [newFds([4, 55, S_IFSOCK])]),
      ...call('write', [4n, 0n, 1n], 1n),
      ...call('pipe2', [0x1000n, 0n], 0n, [
        pairBytes(5, 6),
        newFds([5, 70, S_IFIFO], [6, 70, S_IFIFO]),
      ]),
      ...call('dup', [5n], 7n),
      ...call('read', [7n, 0n, 0n], 0n),
    ]);
    expect(out[0]).toBe('socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4<socket:[55]>');
    expect(out[1]).toMatch(/^write\(4<socket:\[55\]>, /);
    expect(out[2]).toBe('pipe2([5<pipe:[70]>, 6<pipe:[70]>], 0) = 0');
    expect(out[3]).toBe('dup(5<pipe:[70]>) = 7<pipe:[70]>');
    expect(out[4]).toMatch(/^read\(7<pipe:\[70\]>, /);
  });

  it('live, /proc showing another socket at the number later: the recorded one, /proc not asked', () => {
    const proc = laterProc();
    const out = lines(
      [
        ...call('socket', [2n, 1n, 0n], 4n, [newFds([4, 55, S_IFSOCK])]),
        ...call('close', [4n], 0n),
        ...call('socket', [2n, 1n, 0n], 4n, [newFds([4, 56, S_IFSOCK])]),
        ...call('write', [4n, 0n, 1n], 1n),
        ...call('pipe', [0x1000n], 0n, [
          pairBytes(3, 5),
          newFds([3, 71, S_IFIFO], [5, 71, S_IFIFO]),
        ]),
      ],
      proc,
    );
    expect(out[0]).toBe('socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4<socket:[55]>');
    expect(out[1]).toBe('close(4<socket:[55]>) = 0');
    expect(out[2]).toBe('socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4<socket:[56]>');
    expect(out[3]).toMatch(/^write\(4<socket:\[56\]>, /);
    expect(out[4]).toBe('pipe([3<pipe:[71]>, 5<pipe:[71]>]) = 0');
    expect(proc.links).toBe(0);
  });

  it('-yy: the socket looked up in /proc/net by the recorded inode, whatever fd 4 is now', () => {
    const proc = laterProc({
      55: { proto: 'TCP', local: '127.0.0.1:40000', peer: '127.0.0.1:5432', listening: false },
      99: { proto: 'TCP', local: '127.0.0.1:40001', peer: '127.0.0.1:5432', listening: false },
    });
    const out = lines(
      [
        ...call('socket', [2n, 1n, 0n], 4n, [newFds([4, 55, S_IFSOCK])]),
        ...call('connect', [4n, 0x1000n, 16n], 0n, [], [sin(5432)]),
        ...call('close', [4n], 0n),
      ],
      proc,
      true,
    );
    expect(out[0]).toBe('socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4<TCP:[55]>');
    // Named as it was when the call began (strace names connect's fd so), then as it left it.
    expect(out[1]).toMatch(/^connect\(4<TCP:\[55\]>, /);
    expect(out[2]).toBe('close(4<TCP:[127.0.0.1:40000->127.0.0.1:5432]>) = 0');
    expect(proc.links).toBe(0);
  });

  it('an fd the kernel could not read, or not of the kind made: bare, and /proc not asked', () => {
    const proc = laterProc();
    const out = lines(
      [
        ...call('socket', [2n, 1n, 0n], 4n, [newFds([4, 0, 0])]),
        ...call('write', [4n, 0n, 1n], 1n),
        ...call('pipe2', [0x1000n, 0n], 0n, [
          pairBytes(3, 5),
          newFds([3, 72, S_IFSOCK], [5, 72, S_IFIFO]),
        ]),
      ],
      proc,
      true,
    );
    expect(out[0]).toBe('socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4');
    expect(out[1]).toMatch(/^write\(4, /);
    expect(out[2]).toBe('pipe2([3, 5<pipe:[72]>], 0) = 0');
    expect(proc.links).toBe(0);
  });

  it('no record of the kernel (refused capture, older file): /proc as before', () => {
    const proc = laterProc();
    const out = lines(call('socket', [2n, 1n, 0n], 4n), proc);
    expect(out[0]).toBe('socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4<socket:[99]>');
    expect(proc.links).toBeGreaterThan(0);
  });

  it("a capture keeps /proc's answers: view names them the same with recorded inodes", () => {
    const records = [
      ...call('socket', [2n, 1n, 0n], 4n, [newFds([4, 55, S_IFSOCK])]),
      ...call('connect', [4n, 0x1000n, 16n], 0n, [], [sin(5432)]),
      ...call('write', [4n, 0n, 1n], 1n),
    ];
    const recording = new RecordingProc(
      laterProc({
        55: { proto: 'TCP', local: '127.0.0.1:40000', peer: '127.0.0.1:5432', listening: false },
      }),
    );
    const live = lines(records, recording, true);
    const answers = checkAnswers(JSON.parse(JSON.stringify(recording.take())));
    expect(answers).toBeDefined();
    expect(lines(records, new ReplayProc(answers!), true)).toEqual(live);
    expect(live[2]).toMatch(/^write\(4<TCP:\[127\.0\.0\.1:40000->127\.0\.0\.1:5432\]>, /);
  });
});

// strace -yy (src/format/sock-names.ts, and its use by src/format/fd-table.ts): /proc's socket
// tables read as strace names sockets, and a name given only when /proc shows the socket as
// the calls the records hold left it.
import { describe, expect, it } from 'vitest';
import { createLineFormatter } from '../src/format/records.js';
import type { ProcReader } from '../src/format/proc-fds.js';
import {
  ipv6Text,
  parseInetTable,
  parseUnixTable,
  protoOf,
  sockName,
  type SockInfo,
} from '../src/format/sock-names.js';
import { checkAnswers, RecordingProc, ReplayProc } from '../src/capture/proc-answers.js';
import { syscallByName } from '../src/syscalls/table.js';
import { TL_PARAM_OK, type Param, type WireRecord } from '../src/wire.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:A0D2 0100007F:1538 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:A0D3 0100007F:1538 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:C000 01 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 20 4 30 10 -1
`;
const UNIX = `Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 3001 /run/x.sock
0000000000000000: 00000003 00000000 00000000 0001 03 3002
0000000000000000: 00000002 00000000 00000000 0002 01 3003 @abstract
0000000000000000: 00000002 00000000 00000000 0002 01 3004 /tmp/a
b
0000000000000000: 00000002 00000000 00000000 0005 01 3005
`;

describe('/proc/net tables read as strace -yy prints sockets', () => {
  it('TCP and UDP, listening and connected, v4 and v6 (v4-mapped too)', () => {
    const tcp = parseInetTable(TCP, 'TCP', false);
    expect(sockName(1001, tcp.get(1001)!)).toBe('TCP:[127.0.0.1:8080]');
    expect(tcp.get(1001)!.listening).toBe(true);
    expect(sockName(1002, tcp.get(1002)!)).toBe('TCP:[127.0.0.1:41170->127.0.0.1:5432]');
    expect(tcp.get(1002)!.listening).toBe(false);
    expect(tcp.has(0)).toBe(false); // TIME_WAIT, no socket behind it
    const tcp6 = parseInetTable(TCP6, 'TCPv6', true);
    expect(sockName(2001, tcp6.get(2001)!)).toBe('TCPv6:[[::1]:53]');
    expect(sockName(2002, tcp6.get(2002)!)).toBe(
      'TCPv6:[[::ffff:127.0.0.1]:8080->[::ffff:127.0.0.1]:49152]',
    );
  });

  it('unix: listening with its path, abstract, a connected one not named (its peer is unknown)', () => {
    const unix = parseUnixTable(UNIX);
    expect(sockName(3001, unix.get(3001)!)).toBe('UNIX-STREAM:[3001,"/run/x.sock"]');
    expect(unix.get(3001)!.listening).toBe(true);
    expect(sockName(3002, unix.get(3002)!)).toBeUndefined();
    expect(sockName(3003, unix.get(3003)!)).toBe('UNIX:[3003,@"abstract"]');
    // A newline in a path splits /proc's line: that path is not read back.
    expect(sockName(3004, unix.get(3004)!)).toBeUndefined();
    expect(sockName(3005, unix.get(3005)!)).toBe('UNIX:[3005]'); // SOCK_SEQPACKET
  });

  it('inet_ntop text of IPv6 addresses', () => {
    const hex = (h: string): Buffer => Buffer.from(h.replace(/:/g, ''), 'hex');
    expect(ipv6Text(hex('0000:0000:0000:0000:0000:0000:0000:0000'))).toBe('::');
    expect(ipv6Text(hex('0000:0000:0000:0000:0000:0000:0000:0001'))).toBe('::1');
    expect(ipv6Text(hex('2001:0db8:0000:0000:0001:0000:0000:0001'))).toBe('2001:db8::1:0:0:1');
    expect(ipv6Text(hex('2001:0db8:0000:0001:0001:0001:0001:0001'))).toBe('2001:db8:0:1:1:1:1:1');
    expect(ipv6Text(hex('fe80:0000:0000:0000:0000:0000:0000:0000'))).toBe('fe80::');
  });

  it('the protocol a socket() call makes, for the kinds named here', () => {
    expect(protoOf(2n, 1n | 0x80000n, 0n)).toBe('TCP');
    expect(protoOf(10n, 2n, 17n)).toBe('UDPv6');
    expect(protoOf(1n, 1n, 0n)).toBe('UNIX-STREAM');
    expect(protoOf(1n, 5n, 0n)).toBe('UNIX');
    expect(protoOf(2n, 1n, 262n)).toBeUndefined(); // MPTCP: not strace's TCP
    expect(protoOf(16n, 3n, 0n)).toBeUndefined(); // netlink
  });
});

// ---- through the formatter, /proc a stub ----

let ts = 1000n;
const nr = (name: string): number => syscallByName(name)!.nr;
const bytes = (arg: number, b: Buffer): Param => ({
  arg,
  status: TL_PARAM_OK,
  want: b.length,
  bytes: b,
});
function sin(host: [number, number, number, number], port: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(2, 0);
  b.writeUInt16BE(port, 2);
  host.forEach((x, i) => (b[4 + i] = x));
  return b;
}
function call(name: string, args: bigint[], ret: bigint, params: Param[] = []): WireRecord[] {
  const common = { tid: 50, pid: 50, seq: 0, cpu: 0, nr: nr(name), late: false };
  return [
    { kind: 'enter', ...common, ts: ts++, comm: 'srv', args, params },
    { kind: 'exit', ...common, ts: ts++, ret, params: [] },
  ];
}

/** A process whose fds link to sockets and whose namespace shows `sockets`. */
function stub(links: Record<number, number>, sockets: Record<number, SockInfo>): ProcReader {
  return {
    snapshot: () => ({ fds: new Map(), cwd: '/' }),
    fdLink: (_pid, fd) => (links[fd] !== undefined ? `socket:[${links[fd]}]` : undefined),
    realpath: () => undefined,
    // What /proc shows now, whatever the caller wants (a fresh read).
    socket: (_pid, inode) => sockets[inode],
    device: () => undefined,
  };
}

function lines(records: WireRecord[], proc: ProcReader, yy = true): string[] {
  const f = createLineFormatter({
    time: () => 't',
    decodeFds: true,
    procFds: proc,
    decodeSockets: yy,
  });
  return [...f.push(records), ...f.flush()].map((l) => l.replace(/^.*?\] /, ''));
}

const LISTENING: SockInfo = { proto: 'TCP', local: '127.0.0.1:8080', listening: true };
const CONNECTED: SockInfo = {
  proto: 'TCP',
  local: '127.0.0.1:41170',
  peer: '127.0.0.1:5432',
  listening: false,
};

describe('-yy names sockets as the calls left them', () => {
  it('a fresh socket by its protocol; bound and listening, as /proc shows it', () => {
    const out = lines(
      [
        ...call('socket', [2n, 1n, 0n], 3n),
        ...call('bind', [3n, 0x1000n, 16n], 0n, [bytes(1, sin([127, 0, 0, 1], 8080))]),
        ...call('listen', [3n, 128n], 0n),
        ...call('accept4', [3n, 0n, 0n, 0n], 4n),
        ...call('read', [4n, 0x2000n, 1n], 1n),
      ],
      stub({ 3: 77, 4: 78 }, { 77: LISTENING, 78: { ...CONNECTED, local: '127.0.0.1:8080' } }),
    );
    expect(out).toEqual([
      'socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3<TCP:[77]>',
      expect.stringMatching(/^bind\(3<TCP:\[77\]>, \{sa_family=AF_INET, sin_port=htons\(8080\)/),
      'listen(3<TCP:[127.0.0.1:8080]>, 128) = 0',
      'accept4(3<TCP:[127.0.0.1:8080]>, NULL, NULL, 0) = 4<TCP:[127.0.0.1:8080->127.0.0.1:5432]>',
      expect.stringMatching(/^read\(4<TCP:\[127\.0\.0\.1:8080->127\.0\.0\.1:5432\]>, /),
    ]);
  });

  it('a socket /proc shows further along than the records (connected after a bind) gets -y', () => {
    const out = lines(
      [
        ...call('socket', [2n, 1n, 0n], 3n),
        ...call('bind', [3n, 0x1000n, 16n], 0n, [bytes(1, sin([127, 0, 0, 1], 41170))]),
        ...call('getsockname', [3n, 0n, 0n], 0n),
      ],
      stub({ 3: 77 }, { 77: CONNECTED }),
    );
    expect(out[2]).toMatch(/^getsockname\(3<socket:\[77\]>, /);
  });

  it('connect: named only when /proc has the peer the call asked for', () => {
    const run = (port: number): string =>
      lines(
        [
          ...call('socket', [2n, 1n, 0n], 3n),
          ...call('connect', [3n, 0x1000n, 16n], 0n, [bytes(1, sin([127, 0, 0, 1], port))]),
          ...call('write', [3n, 0x2000n, 1n], 1n),
        ],
        stub({ 3: 77 }, { 77: CONNECTED }),
      )[2]!;
    expect(run(5432)).toMatch(/^write\(3<TCP:\[127\.0\.0\.1:41170->127\.0\.0\.1:5432\]>, /);
    expect(run(5433)).toMatch(/^write\(3<socket:\[77\]>, /); // reconnected since: not this
  });

  it("a socketpair: each end the other one's peer", () => {
    const pair = Buffer.alloc(8);
    pair.writeInt32LE(5, 0);
    pair.writeInt32LE(6, 4);
    const records = call('socketpair', [1n, 1n, 0n, 0x1000n], 0n);
    (records[1] as { params: Param[] }).params = [bytes(3, pair)];
    const out = lines(
      [...records, ...call('write', [5n, 0x2000n, 1n], 1n)],
      stub({ 5: 90, 6: 91 }, {}),
    );
    expect(out[0]).toBe(
      'socketpair(AF_UNIX, SOCK_STREAM, 0, [5<UNIX-STREAM:[90->91]>, 6<UNIX-STREAM:[91->90]>]) = 0',
    );
    expect(out[1]).toMatch(/^write\(5<UNIX-STREAM:\[90->91\]>, /);
  });

  it('a socket the process had before: named when it stays so (listening, connected), else -y', () => {
    const proc: ProcReader = {
      ...stub(
        { 7: 1001, 8: 1002 },
        {
          1001: LISTENING,
          1002: { proto: 'UDP', local: '0.0.0.0:5353', listening: false },
        },
      ),
      snapshot: () => ({
        fds: new Map([
          [7, { text: 'socket:[1001]', cloexec: false }],
          [8, { text: 'socket:[1002]', cloexec: false }],
        ]),
        cwd: '/',
      }),
    };
    const out = lines(
      [...call('accept', [7n, 0n, 0n], -11n), ...call('recvfrom', [8n, 0n, 1n, 0n, 0n, 0n], -11n)],
      proc,
    );
    expect(out[0]).toMatch(/^accept\(7<TCP:\[127\.0\.0\.1:8080\]>, /);
    // A bound UDP socket may be connected in the moment before /proc was read: -y.
    expect(out[1]).toMatch(/^recvfrom\(8<socket:\[1002\]>, /);
  });

  it('an fd used again (closed, made anew) is not named from /proc: /proc shows the later one', () => {
    const proc = stub({ 4: 99 }, { 99: CONNECTED });
    const f = createLineFormatter({
      time: () => 't',
      decodeFds: true,
      procFds: proc,
      decodeSockets: true,
    });
    const connect = (): WireRecord[] =>
      call('connect', [4n, 0x1000n, 16n], 0n, [bytes(1, sin([127, 0, 0, 1], 5432))]);
    // One batch: socket 4 is closed and made again after; /proc's fd 4 (inode 99) is the second.
    const first = f.push([
      ...call('socket', [2n, 1n, 0n], 4n),
      ...connect(),
      ...call('close', [4n], 0n),
      ...call('socket', [2n, 1n, 0n], 4n),
    ]);
    const calls = first.map((l) => l.replace(/^.*?\] /, ''));
    expect(calls[0]).toBe('socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4');
    expect(calls[2]).toBe('close(4) = 0');
    // The second socket on fd 4: fd 4 has held a closed socket, so a new one there may already
    // be another by the time /proc is read: -y's bare fd, never a guess.
    expect(calls[3]).toBe('socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4');
  });

  it("without -yy, sockets are -y's socket:[ino]", () => {
    const out = lines(call('socket', [2n, 1n, 0n], 3n), stub({ 3: 77 }, {}), false);
    expect(out[0]).toBe('socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3<socket:[77]>');
  });

  it("a capture keeps /proc's socket answers: view names them the same", () => {
    const records = [
      ...call('socket', [2n, 1n, 0n], 3n),
      ...call('listen', [3n, 1n], 0n),
      ...call('write', [3n, 0n, 1n], 1n),
    ];
    const recording = new RecordingProc(stub({ 3: 77 }, { 77: LISTENING }));
    const live = lines(records, recording);
    const answers = checkAnswers(JSON.parse(JSON.stringify(recording.take())));
    expect(answers).toBeDefined();
    expect(lines(records, new ReplayProc(answers!))).toEqual(live);
    expect(live[2]).toMatch(/^write\(3<TCP:\[127\.0\.0\.1:8080\]>/);
    // A damaged answer is no answer.
    expect(checkAnswers([{ q: 'socket', pid: 1, inode: 2, info: { proto: 3 } }])).toBeUndefined();
  });
});

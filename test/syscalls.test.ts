// The generated syscall table against the machine's own definitions, and the capture rules
// and argument types built on it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFormat, parseUnistd } from '../scripts/gen-syscalls.mjs';
import { knownDecoder } from '../src/format/args.js';
import { describeArgs } from '../src/format/call.js';
import type { SyscallDescriptor } from '../src/syscalls/descriptor.js';
import { DESCRIPTORS, checkDescriptor } from '../src/syscalls/descriptors/index.js';
import { bufRetLen } from '../src/syscalls/capture-specs.js';
import {
  buildRuleMap,
  buildRules,
  capturesFor,
  resolveCaptures,
  resolvedKeyedCaptures,
} from '../src/syscalls/rules.js';
import { argIndex, argOrder, argTypes } from '../src/syscalls/signatures.js';
import { SYSCALLS, syscallByName, syscallName } from '../src/syscalls/table.js';
import {
  TL_CAP_BUF_ARGLEN,
  TL_CAP_BUF_ARGLEN_EXIT,
  TL_CAP_STRUCT_ENTER,
  TL_CAP_STRUCT_EXIT,
  TL_CAP_BUF_RETLEN,
  TL_CAP_STR,
  TL_CAP_STRV,
  TL_MAX_SYSCALLS,
  type Capture,
} from '../src/wire.js';

const UNISTD = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h';
/**
 * The kernel's syscall events: tracefs, mounted here for the test when nobody has (as root, which
 * CI is; design.md: it is not mounted by default on this machine kind). Never a skip: the
 * argument lists are checked against the running kernel or the test fails saying why.
 */
function syscallEvents(): string {
  const find = (): string | undefined =>
    ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']
      .map((root) => path.join(root, 'events', 'syscalls'))
      .find((dir) => fs.existsSync(dir));
  let dir = find();
  if (!dir && process.getuid?.() === 0) {
    spawnSync('mount', ['-t', 'tracefs', 'tracefs', '/sys/kernel/tracing']);
    dir = find();
  }
  if (!dir) {
    throw new Error(
      'no tracefs syscall events: mount tracefs (as root: mount -t tracefs tracefs /sys/kernel/tracing)',
    );
  }
  return dir;
}
/** Where the kernel's event name is not the userspace name (restated, not imported). */
const TRACEFS_NAME: Record<string, string> = {
  stat: 'newstat',
  lstat: 'newlstat',
  fstat: 'newfstat',
  uname: 'newuname',
  sendfile: 'sendfile64',
  umount2: 'umount',
};

function nr(name: string): number {
  const def = syscallByName(name);
  if (!def) throw new Error(`no syscall ${name}`);
  return def.nr;
}

describe('generated table', () => {
  it('has exactly the names and numbers of unistd_64.h', () => {
    expect(fs.existsSync(UNISTD), `${UNISTD} (linux-libc-dev) is missing`).toBe(true);
    const header = [...fs.readFileSync(UNISTD, 'utf8').matchAll(/^#define __NR_(\w+) (\d+)$/gm)]
      .map((m) => ({ nr: Number(m[2]), name: m[1] }))
      .sort((a, b) => a.nr - b.nr);
    expect(header.length).toBeGreaterThan(300);
    expect(SYSCALLS.map(({ nr, name }) => ({ nr, name }))).toEqual(header);
  });

  it('is sorted, unique, and within the BPF rule table', () => {
    const nrs = SYSCALLS.map((s) => s.nr);
    expect(nrs).toEqual([...new Set(nrs)].sort((a, b) => a - b));
    expect(Math.max(...nrs)).toBeLessThan(TL_MAX_SYSCALLS);
  });

  it('uses the userspace names, not the kernel event names', () => {
    expect([0, 1, 4, 5, 6, 63, 257].map(syscallName)).toEqual([
      'read',
      'write',
      'stat',
      'fstat',
      'lstat',
      'uname',
      'openat',
    ]);
    expect(syscallName(0x1c4)).toBe('syscall_0x1c4'); // fchmodat2: newer than the header
  });

  it('has the argument lists of the running kernel', () => {
    const TRACEFS = syscallEvents();
    const lacking: string[] = [];
    for (const def of SYSCALLS) {
      const file = path.join(TRACEFS ?? '', `sys_enter_${TRACEFS_NAME[def.name] ?? def.name}`);
      if (!fs.existsSync(file)) {
        lacking.push(def.name);
        continue;
      }
      const args = parseFormat(fs.readFileSync(path.join(file, 'format'), 'utf8'));
      expect(def.args?.length, def.name).toBe(args.length);
    }
    if (lacking.length > 0) {
      console.info(`syscalls this kernel has no tracefs event for: ${lacking.join(' ')}`);
    }
  });
});

describe('gen-syscalls parsing', () => {
  it('reads unistd lines', () => {
    expect(parseUnistd('#define __NR_write 1\n#define __NR_read 0\n#define X 2\n')).toEqual([
      { nr: 0, name: 'read' },
      { nr: 1, name: 'write' },
    ]);
  });

  it('reads the parameters of a format file, normalising types', () => {
    const format = [
      'name: sys_enter_execveat',
      'format:',
      '\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;',
      '\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;',
      '',
      '\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;',
      '\tfield:int fd;\toffset:16;\tsize:8;\tsigned:0;',
      '\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;',
      '\tfield:const char *const * argv;\toffset:32;\tsize:8;\tsigned:0;',
      '\tfield:unsigned long  len;\toffset:40;\tsize:8;\tsigned:0;',
      '',
      'print fmt: "fd: 0x%08lx"',
    ].join('\n');
    expect(parseFormat(format)).toEqual([
      { name: 'fd', type: 'int' },
      { name: 'filename', type: 'const char *' },
      { name: 'argv', type: 'const char *const *' },
      { name: 'len', type: 'unsigned long' },
    ]);
  });
});

describe('capture rules', () => {
  it('name only syscalls and arguments that exist', () => {
    for (const name of DESCRIPTORS.keys()) {
      const def = syscallByName(name);
      expect(def, name).toBeDefined();
      if (def) expect(() => resolveCaptures(def), name).not.toThrow();
      if (def) expect(() => resolvedKeyedCaptures(name), name).not.toThrow();
    }
  });

  it('throw for an argument a syscall does not have', () => {
    const read = syscallByName('read');
    expect(read && argIndex(read, 'count')).toBe(2);
    expect(() => read && argIndex(read, 'buff')).toThrow("read has no argument 'buff'");
  });

  const expected: Array<[string, Capture[]]> = [
    ['open', [{ kind: TL_CAP_STR, arg: 0 }]],
    ['openat', [{ kind: TL_CAP_STR, arg: 1 }]],
    [
      'execve',
      [
        { kind: TL_CAP_STR, arg: 0 },
        { kind: TL_CAP_STRV, arg: 1, size: 32 },
        { kind: TL_CAP_STRV, arg: 2, size: 0 },
      ],
    ],
    [
      'execveat',
      [
        { kind: TL_CAP_STR, arg: 1 },
        { kind: TL_CAP_STRV, arg: 2, size: 32 },
        { kind: TL_CAP_STRV, arg: 3, size: 0 },
      ],
    ],
    [
      'stat',
      [
        { kind: TL_CAP_STR, arg: 0 },
        { kind: TL_CAP_STRUCT_EXIT, arg: 1, size: 56 },
      ],
    ],
    [
      'lstat',
      [
        { kind: TL_CAP_STR, arg: 0 },
        { kind: TL_CAP_STRUCT_EXIT, arg: 1, size: 56 },
      ],
    ],
    [
      'newfstatat',
      [
        { kind: TL_CAP_STR, arg: 1 },
        { kind: TL_CAP_STRUCT_EXIT, arg: 2, size: 56 },
      ],
    ],
    ['access', [{ kind: TL_CAP_STR, arg: 0 }]],
    ['faccessat', [{ kind: TL_CAP_STR, arg: 1 }]],
    ['faccessat2', [{ kind: TL_CAP_STR, arg: 1 }]],
    ['mkdir', [{ kind: TL_CAP_STR, arg: 0 }]],
    ['mkdirat', [{ kind: TL_CAP_STR, arg: 1 }]],
    ['unlink', [{ kind: TL_CAP_STR, arg: 0 }]],
    ['unlinkat', [{ kind: TL_CAP_STR, arg: 1 }]],
    ['chdir', [{ kind: TL_CAP_STR, arg: 0 }]],
    [
      'readlink',
      [
        { kind: TL_CAP_STR, arg: 0 },
        { kind: TL_CAP_BUF_RETLEN, arg: 1 },
      ],
    ],
    [
      'readlinkat',
      [
        { kind: TL_CAP_STR, arg: 1 },
        { kind: TL_CAP_BUF_RETLEN, arg: 2 },
      ],
    ],
    [
      'statfs',
      [
        { kind: TL_CAP_STR, arg: 0 },
        { kind: TL_CAP_STRUCT_EXIT, arg: 1, size: 88 },
      ],
    ],
    [
      'statx',
      [
        { kind: TL_CAP_STR, arg: 1 },
        { kind: TL_CAP_STRUCT_EXIT, arg: 4, size: 0x90 },
      ],
    ],
    [
      'poll',
      [
        { kind: TL_CAP_BUF_ARGLEN, arg: 0, lenArg: 1, size: 8 },
        { kind: TL_CAP_BUF_ARGLEN_EXIT, arg: 0, lenArg: 1, size: 8 },
      ],
    ],
    ['epoll_wait', [{ kind: TL_CAP_BUF_RETLEN, arg: 1, size: 12 }]],
    [
      'getsockname',
      [
        { kind: TL_CAP_STRUCT_EXIT, arg: 1, size: 128 },
        { kind: TL_CAP_STRUCT_ENTER, arg: 2, size: 4 },
        { kind: TL_CAP_STRUCT_EXIT, arg: 2, size: 4 },
      ],
    ],
    ['write', [{ kind: TL_CAP_BUF_ARGLEN, arg: 1, lenArg: 2 }]],
    ['pwrite64', [{ kind: TL_CAP_BUF_ARGLEN, arg: 1, lenArg: 2 }]],
    ['read', [{ kind: TL_CAP_BUF_RETLEN, arg: 1 }]],
    ['pread64', [{ kind: TL_CAP_BUF_RETLEN, arg: 1 }]],
    ['close', []],
  ];

  it('cover at least 100 syscalls, none with more captures than the kernel side takes', () => {
    const withCaptures = SYSCALLS.filter((d) => capturesFor(d.nr).length > 0);
    expect(withCaptures.length).toBeGreaterThanOrEqual(100);
    for (const d of withCaptures) expect(capturesFor(d.nr).length).toBeLessThanOrEqual(3);
  });
  it.each(expected)('%s', (name, captures) => {
    expect(capturesFor(nr(name))).toEqual(captures);
  });

  it('copy every argument of known syscalls and 6 of the rest', () => {
    const rules = buildRuleMap();
    expect(rules.size).toBe(TL_MAX_SYSCALLS);
    expect(rules.get(nr('getpid'))?.nargs).toBe(0);
    expect(rules.get(nr('openat'))?.nargs).toBe(4);
    expect(rules.get(nr('mmap'))?.nargs).toBe(6);
    expect(rules.get(nr('tuxcall'))?.nargs).toBe(6); // in the header, not in this kernel
    expect(rules.get(0x1c4)?.nargs).toBe(6); // not in the header
  });

  it('pack into the rules map buffer', () => {
    const b = buildRules();
    expect(b.length).toBe(TL_MAX_SYSCALLS * 32);
    const openat = b.subarray(257 * 32, 258 * 32);
    expect([...openat.subarray(0, 16)]).toEqual([4, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
  });
});

describe('argument types', () => {
  it('have a decoder for every scalar type in the table', () => {
    const missing = new Set<string>();
    for (const def of SYSCALLS) {
      for (const type of argTypes(def)) {
        if (!knownDecoder(type) && !type.includes('*')) missing.add(`${def.name}: ${type}`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('override only arguments that exist', () => {
    for (const [name, d] of DESCRIPTORS) {
      const args = syscallByName(name)?.args?.map((a) => a.name) ?? [];
      for (const arg of Object.keys(d.args ?? {})) expect(args, `${name}.${arg}`).toContain(arg);
    }
  });

  it('name, in every field of a descriptor, only arguments that exist (checked at load)', () => {
    for (const [name, d] of DESCRIPTORS) expect(() => checkDescriptor(name, d), name).not.toThrow();
    const bad: Array<[string, SyscallDescriptor]> = [
      ['read', { args: { buff: 'buf_out' } }],
      ['read', { captures: [bufRetLen('buff')] }],
      ['ioctl', { keyed: { selector: 'request', table: [] } }],
      ['clone', { order: ['stack'] }],
      ['poll', { returnDetail: { kind: 'poll_revents', fds: 'fds', nfds: 'nfds' } }],
      ['wait4', { pairing: { kind: 'reaps', status: 'status' } }],
    ];
    for (const [name, d] of bad) expect(() => checkDescriptor(name, d)).toThrow(/has no argument/);
    expect(() => checkDescriptor('frobnicate', {})).toThrow('no such syscall');
  });

  it('name decoders the compiler knows (tsc checks these lines; npm run lint runs it)', () => {
    // @ts-expect-error a decoder name that is not in arg-types.ts' ArgType does not compile
    const misspelt: SyscallDescriptor = { args: { flags: 'open_flag' } };
    // @ts-expect-error nor does a return kind that formatReturn does not know
    const noKind: SyscallDescriptor = { returns: 'binary' };
    const fine: SyscallDescriptor = { args: { flags: 'open_flags' }, returns: 'hex' };
    expect([misspelt, noKind, fine].map((d) => Object.keys(d).length)).toEqual([1, 1, 2]);
  });

  it("print clone in strace's order: stack, flags, parent tid, tls, child tid", () => {
    const clone = syscallByName('clone');
    expect(clone && argOrder(clone)).toEqual([1, 0, 2, 4, 3]);
  });

  it('describe a call of every syscall without throwing', () => {
    for (const def of SYSCALLS) {
      const args = (def.args ?? []).map(() => 0n);
      expect(() => describeArgs(def.nr, args, [], [], 32, 0n), def.name).not.toThrow();
    }
  });

  it('resolve semantic types before C types', () => {
    const openat = syscallByName('openat');
    expect(openat && argTypes(openat)).toEqual(['dirfd', 'path', 'open_flags', 'open_mode']);
    const write = syscallByName('write');
    expect(write && argTypes(write)).toEqual(['fd', 'const char *', 'size_t']);
  });
});

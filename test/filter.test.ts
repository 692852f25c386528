// The filter language (src/filter/query.ts) over the UI's stored lines (src/ui/filter.ts), and
// the noise it can hide (src/filter/noise.ts).
import { describe, expect, it } from 'vitest';
import { isNoise } from '../src/filter/noise.js';
import { parseQuery, queryError } from '../src/filter/query.js';
import { syscallByName } from '../src/syscalls/table.js';
import { compileFilter } from '../src/ui/filter.js';
import { durationOf, StreamStore } from '../src/ui/store.js';
import { LAYOUT } from '../src/wire.js';
import { call, lost } from './ui/fake-api.js';

const ENTER_BYTES = (nargs: number): number => 48 + 8 * nargs;

/** A call whose exit comes `ns` after its enter. */
function slow(c: Parameters<typeof call>[0], ns: bigint): Buffer {
  const b = call(c);
  const exitAt =
    ENTER_BYTES(c.args?.length ?? 0) + (c.param ? 16 + Math.ceil(c.param.bytes.length / 8) * 8 : 0);
  const enterTs = b.readBigUInt64LE(LAYOUT['tl_event.ts']);
  b.writeBigUInt64LE(enterTs + ns, exitAt + LAYOUT['tl_event.ts']);
  return b;
}

function store(): StreamStore {
  const s = new StreamStore({ time: (ts) => `t${ts}` });
  s.ingest(
    Buffer.concat([
      slow({ name: 'openat', args: [-100n, 0n, 0n], ret: -2n, tid: 10, comm: 'nginx' }, 3_000n), // ENOENT: noise
      slow(
        { name: 'connect', args: [3n, 0n, 16n], ret: -111n, tid: 10, comm: 'nginx' },
        20_000_000n,
      ), // ECONNREFUSED, 20 ms
      slow({ name: 'read', args: [3n, 0n, 8n], ret: 8n, tid: 11, comm: 'worker-1' }, 500n),
      lost(5n, 0),
      slow({ name: 'ioctl', args: [1n, 0x5401n, 0n], ret: -25n, tid: 12, comm: 'sh' }, 1_000n), // ENOTTY: noise
      slow({ name: 'connect', args: [4n, 0n, 16n], ret: -2n, tid: 12, comm: 'sh' }, 1_000n), // ENOENT of connect: no noise
    ]),
  );
  return s;
}

/** The syscall names of the lines a filter keeps (LOST for markers). */
function kept(text: string, errorsOnly = false, hideNoise = false): string[] {
  const s = store();
  const f = compileFilter({ text, errorsOnly, hideNoise });
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const e = s.at(i);
    if (f && !f(e, s)) continue;
    out.push(e.isLost ? 'LOST' : (s.textOf(e).match(/\] (\w+)\(/)?.[1] ?? '?'));
  }
  return out;
}

describe('the filter language', () => {
  it('fields: pid, comm (globs), syscall (globs), errno (names, *), duration', () => {
    expect(kept('pid:11')).toEqual(['read', 'LOST']);
    expect(kept('comm:nginx')).toEqual(['openat', 'connect', 'LOST']);
    expect(kept('comm:work*')).toEqual(['read', 'LOST']);
    expect(kept('syscall:connect')).toEqual(['connect', 'LOST', 'connect']);
    expect(kept('syscall:open*')).toEqual(['openat', 'LOST']);
    expect(kept('errno:ECONNREFUSED')).toEqual(['connect', 'LOST']);
    expect(kept('errno:econnrefused')).toEqual(['connect', 'LOST']); // as typed in a hurry
    expect(kept('errno:*')).toEqual(['openat', 'connect', 'LOST', 'ioctl', 'connect']);
    expect(kept('dur>10ms')).toEqual(['connect', 'LOST']);
    expect(kept('dur<=1us')).toEqual(['read', 'LOST', 'ioctl', 'connect']);
  });

  it('terms AND together, -term excludes, a bare word is what it always was', () => {
    expect(kept('errno:* -errno:ENOENT')).toEqual(['connect', 'LOST', 'ioctl']);
    expect(kept('comm:nginx errno:*')).toEqual(['openat', 'connect', 'LOST']);
    expect(kept('comm:nginx -syscall:openat')).toEqual(['connect', 'LOST']);
    expect(kept('connect')).toEqual(['connect', 'LOST', 'connect']); // a syscall name
    expect(kept('12')).toEqual(['LOST', 'ioctl', 'connect']); // a pid
    expect(kept('worker-1')).toEqual(['read', 'LOST']); // a comm
    expect(kept('ECONNREFUSED')).toEqual(['connect', 'LOST']); // text of the line
  });

  it('noise: the usual harmless failures hide, a rare one of the same errno stays', () => {
    expect(kept('', true)).toEqual(['openat', 'connect', 'LOST', 'ioctl', 'connect']);
    expect(kept('', true, true)).toEqual(['connect', 'LOST', 'connect']);
    const nr = (n: string): number => syscallByName(n)!.nr;
    expect(isNoise(nr('openat'), 2)).toBe(true);
    expect(isNoise(nr('connect'), 2)).toBe(false); // a missing unix socket matters
    expect(isNoise(nr('write'), 11)).toBe(false); // a full pipe matters
    expect(isNoise(nr('openat'), undefined)).toBe(false);
  });

  it('a text that is no filter says which term and why', () => {
    expect(queryError('errno:EFOO')).toBe('errno: no errno is called EFOO');
    expect(queryError('syscall:nosuch')).toBe('syscall: no syscall is called nosuch');
    expect(queryError('pid:abc')).toBe('pid: wants a number, not abc');
    expect(queryError('dur>ten')).toMatch(/^dur>ten: a duration is a number and a unit/);
    expect(queryError('comm:')).toBe('comm: wants a value (comm:...)');
    expect(queryError('connect -errno:ENOENT dur>=1.5ms')).toBeUndefined();
    expect(parseQuery('  a  -b ')).toHaveLength(2);
  });

  it('a duration is the time between the enter and its exit', () => {
    const s = store();
    expect(durationOf(s.at(1))).toBe(20_000_000);
  });
});

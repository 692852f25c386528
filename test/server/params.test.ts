// Request parsing and validation of the daemon's API, without a daemon.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HttpError,
  checkName,
  onlyParams,
  parseCgroupPath,
  parseDuration,
  parseForm,
  parseFormat,
  parseId,
  parseTarget,
  printable,
} from '../../src/server/params.js';
import {
  lostRecord,
  parseRawDump,
  rawDump,
  rawFrame,
  takeFrames,
} from '../../src/server/encode.js';
import { TL_LOST_CONSUMER, parseRecords } from '../../src/wire.js';

const status = (fn: () => unknown): number | string => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof HttpError ? err.status : `threw ${(err as Error).message}`;
  }
};
const m = (o: Record<string, string>) => new Map(Object.entries(o));

describe('request parsing', () => {
  it('splits targets and decodes forms as Go does (+ is a space)', () => {
    const { path, params } = parseTarget('/add?cgrouppath=%2Fsys%2Ffs&name=a+b&flag');
    expect(path).toBe('/add');
    expect(Object.fromEntries(params)).toEqual({ cgrouppath: '/sys/fs', name: 'a b', flag: '' });
    expect(parseTarget('/list').params.size).toBe(0);
  });

  it.each([
    ['/dump?id=1&id=2', 400],
    ['/dump?id=%zz', 400],
    ['/dump?%E0%A4%A=1', 400],
    ['dump?id=1', 400],
    ['/' + 'x'.repeat(9000), 414],
  ])('%s is refused with %d', (target, code) => {
    expect(status(() => parseTarget(target))).toBe(code);
  });

  it('never throws anything but HttpError, whatever the target', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = status(() => parseTarget('/' + s));
        expect(r === 'ok' || r === 400 || r === 414).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads POST forms like query strings', () => {
    expect(Object.fromEntries(parseForm('name=web&cgrouppath=%2Fx'))).toEqual({
      name: 'web',
      cgrouppath: '/x',
    });
    expect(parseForm('').size).toBe(0);
  });

  it('rejects unknown parameters, naming them', () => {
    expect(() => onlyParams(m({ id: '1', verbose: '1' }), ['id'])).toThrow(
      /unknown parameter 'verbose'/,
    );
    expect(status(() => onlyParams(m({ id: '1' }), ['id']))).toBe('ok');
  });
});

describe('parameters', () => {
  it.each([
    ['0', 'ok'],
    ['17', 'ok'],
    ['', 400],
    ['-1', 400],
    ['1.5', 400],
    ['0x10', 400],
    ['1e3', 400],
    [' 1', 400],
    ['9999999999', 400],
  ])('id %j: %s', (v, want) => {
    expect(status(() => parseId(m({ id: v })))).toBe(want);
  });

  it('id missing is 400 and says which', () => {
    expect(() => parseId(m({}))).toThrow("missing parameter 'id'");
  });

  it.each([
    ['sshd', 'ok'],
    ['nginx.service', 'ok'],
    ['getty@tty1.service', 'ok'],
    ['systemd-fsck@dev-disk-by\\x2duuid.service', 'ok'],
    ['', 400],
    ['42', 400],
    ['a b', 400],
    ['a/b', 400],
    ['a\nb', 400],
    ['é', 400],
    ['n'.repeat(129), 400],
  ])('name %j: %s', (v, want) => {
    expect(status(() => checkName(v))).toBe(want);
  });

  it.each([
    ['/sys/fs/cgroup/system.slice/ssh.service', 'ok'],
    ['/sys/fs/cgroup/', 'ok'],
    ['sys/fs/cgroup', 400],
    ['/sys/fs/cgroup/../../etc', 400],
    ['/sys/fs/cgroup/./x', 400],
    ['/sys/fs/cgroup/x/..', 400],
    ['/sys/fs/cgroup/x\0y', 400],
    ['/sys/fs/cgroup/x\ny', 400],
    ['/' + 'p'.repeat(5000), 400],
    ['', 400],
  ])('cgroup path %j: %s', (v, want) => {
    expect(status(() => parseCgroupPath(m({ cgrouppath: v }), 'cgrouppath'))).toBe(want);
  });

  it('formats: one of the allowed, else 400', () => {
    expect(parseFormat(m({}), ['text', 'jsonl'], 'text')).toBe('text');
    expect(parseFormat(m({ format: 'jsonl' }), ['text', 'jsonl'], 'text')).toBe('jsonl');
    expect(status(() => parseFormat(m({ format: 'xml' }), ['text', 'jsonl'], 'text'))).toBe(400);
  });

  it('echoes values printably and briefly', () => {
    expect(printable('a\nb\x7f')).toBe('a\\x0ab\\x7f');
    expect(printable('x'.repeat(200))).toHaveLength(83);
  });

  it('reads durations', () => {
    expect(parseDuration('3h')).toBe(3 * 3600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('2')).toBe(2000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });
});

describe('raw encoding', () => {
  it('frames survive any split into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 8 }),
        fc.array(fc.nat(400), { maxLength: 6 }),
        (payloads, cuts) => {
          const wire = Buffer.concat(payloads.map((p) => rawFrame(Buffer.from(p))));
          const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          let pending = Buffer.alloc(0);
          const got: Buffer[] = [];
          let last = 0;
          for (const p of [...points, wire.length]) {
            const { frames, rest } = takeFrames(Buffer.concat([pending, wire.subarray(last, p)]));
            got.push(...frames.map((f) => Buffer.from(f)));
            pending = Buffer.from(rest);
            last = p;
          }
          expect(pending.length).toBe(0);
          expect(got.map((g) => [...g])).toEqual(payloads.map((p) => [...p]));
        },
      ),
    );
  });

  it('a lost record of our own parses as one', () => {
    const [r] = parseRecords(lostRecord(TL_LOST_CONSUMER, 12n, 5n, 9n));
    expect(r).toEqual({
      kind: 'lost',
      cpu: 0xffffffff,
      reason: TL_LOST_CONSUMER,
      count: 12n,
      tsFrom: 5n,
      tsTo: 9n,
    });
  });

  it('a raw dump carries its head and the records unchanged', () => {
    const records = Buffer.concat([lostRecord(1, 1n), lostRecord(2, 2n)]);
    const head = { id: 3, name: 'x', path: '/p', gone: false, cpus: [] };
    const back = parseRawDump(rawDump(head, records));
    expect(back.head).toEqual(head);
    expect(back.records.equals(records)).toBe(true);
  });
});

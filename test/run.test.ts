// What `traceloop run` keeps of what its cgroup recorded: CMD's calls from its execve on.
import { describe, expect, it } from 'vitest';
import { fromExec } from '../src/commands/run.js';
import { parseRecords, type WireRecord } from '../src/wire.js';
import { call, lost } from './ui/fake-api.js';

const names = (records: readonly WireRecord[]): string[] =>
  records.map((r) => (r.kind === 'lost' ? 'LOST' : `${r.kind}:${r.tid}:${r.nr}`));

describe("run's filter", () => {
  it("drops the launcher's calls before CMD's execve, keeps everything after", () => {
    const records = parseRecords(
      Buffer.concat([
        call({ name: 'openat', tid: 50, ret: 3n }), // the launcher, before its exec
        call({ name: 'execve', tid: 50 }),
        call({ name: 'close', tid: 50, args: [3n] }),
        call({ name: 'getpid', tid: 51 }), // another process of the cgroup: always kept
      ]),
    );
    const kept = records.filter(fromExec(50));
    expect(names(kept)).toEqual(names(records.slice(2)));
  });

  it('after a loss before any execve, shows everything (the exec may be what was lost)', () => {
    const records = parseRecords(
      Buffer.concat([
        lost(4913n, 0),
        call({ name: 'openat', tid: 50, ret: 3n }),
        call({ name: 'write', tid: 50, args: [1n, 0n, 11n], ret: 11n }),
      ]),
    );
    expect(records.filter(fromExec(50))).toHaveLength(records.length);
  });
});

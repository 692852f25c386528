// The UI's store pairs enters and exits with the formatter's machine (src/format/pairing.ts):
// the live view shows what a dump shows. Each case here once differed between the two.
import { describe, expect, it } from 'vitest';
import { durationOf, StreamStore } from '../../src/ui/store.js';
import { createLineFormatter } from '../../src/format/index.js';
import { LAYOUT, TL_NR_PROC_END, parseRecords } from '../../src/wire.js';
import { call, lost } from './fake-api.js';

const time = (ts: bigint): string => `t${ts}`;
const lines = (store: StreamStore): string[] =>
  Array.from({ length: store.length }, (_, i) => store.textOf(store.at(i)));
/** Bytes of an enter record with `nargs` arguments: where its exit starts in call()'s buffer. */
const enterBytes = (nargs: number): number => 48 + 8 * nargs;

describe('the store pairs as the formatter does', () => {
  it('rt_sigreturn is one line whatever syscall number its exit carries', () => {
    const store = new StreamStore({ time });
    const b = call({ name: 'rt_sigreturn', ret: 0n });
    // The signal interrupted no call: the restored frame says -1, read as 0xffff.
    b.writeUInt16LE(0xffff, enterBytes(0) + LAYOUT['tl_event.nr']);
    store.ingest(b);
    expect(lines(store)).toEqual([expect.stringMatching(/\] rt_sigreturn\(\) = 0$/)]);
  });

  it("a new child's first return from clone is no line (no bare ? row)", () => {
    const store = new StreamStore({ time });
    const parent = call({ name: 'clone', args: [0x1200011n, 0n, 0n, 0n, 0n], ret: 201n, tid: 100 });
    const child = call({ name: 'clone', ret: 0n, tid: 201 }).subarray(enterBytes(0));
    const at = enterBytes(5);
    store.ingest(Buffer.concat([parent.subarray(0, at), child, parent.subarray(at)]));
    const text = lines(store);
    expect(text).toHaveLength(1);
    expect(text[0]).toMatch(/\] clone\(.*\) = 201$/);
  });

  it('an enter whose exit was lost is unfinished; the exit after the marker resumes it', () => {
    const store = new StreamStore({ time });
    const b = call({ name: 'close', args: [3n], ret: 0n });
    store.ingest(
      Buffer.concat([b.subarray(0, enterBytes(1)), lost(5n), b.subarray(enterBytes(1))]),
    );
    const text = lines(store);
    expect(text[0]).toMatch(/close\(3 <unfinished \.\.\.>$/);
    expect(text[1]).toContain('LOST 5 events');
    expect(text[2]).toMatch(/<\.\.\. close resumed>\) = 0$/);
  });

  it("exit_group is complete at its enter; the kernel's process end is the +++ line", () => {
    const store = new StreamStore({ time });
    const end = call({ name: 'getpid', ret: BigInt(3 << 8) }).subarray(enterBytes(0));
    end.writeUInt16LE(TL_NR_PROC_END, LAYOUT['tl_event.nr']);
    store.ingest(
      Buffer.concat([call({ name: 'exit_group', args: [3n] }).subarray(0, enterBytes(1)), end]),
    );
    expect(lines(store)).toEqual([
      expect.stringMatching(/\] exit_group\(3\) = \?$/),
      expect.stringMatching(/\+\+\+ exited with 3 \+\+\+$/),
    ]);
  });

  it("a process's end line names the process, from its last call the store kept (no [?])", () => {
    const store = new StreamStore({ time });
    const end = call({ name: 'getpid', ret: 0n, tid: 300 }).subarray(enterBytes(0));
    end.writeUInt16LE(TL_NR_PROC_END, LAYOUT['tl_event.nr']);
    store.ingest(call({ name: 'getpid', ret: 300n, tid: 300, comm: 'mysvc' }));
    store.ingest(call({ name: 'getpid', ret: 7n, tid: 7, comm: 'other' }));
    store.ingest(end);
    expect(lines(store)[2]).toMatch(/ 300 \[mysvc\] \+\+\+ exited with 0 \+\+\+$/);
    // A thread the store kept nothing of stays unnamed, as strace's would: [?].
    const alone = new StreamStore({ time });
    alone.ingest(end);
    expect(lines(alone)[0]).toMatch(/ 300 \[\?\] \+\+\+ exited with 0 \+\+\+$/);
  });
});

describe('no duration across a loss', () => {
  it('a call resumed after a LOST marker has no time: its exit may be a later call’s', () => {
    const store = new StreamStore({ time });
    const b = call({ name: 'read', args: [3n, 0n, 8n], ret: 8n, took: 9_000_000n });
    store.ingest(
      Buffer.concat([b.subarray(0, enterBytes(3)), lost(5n), b.subarray(enterBytes(3))]),
    );
    const resumed = store.at(2);
    expect(store.textOf(resumed)).toMatch(/<\.\.\. read resumed>/);
    expect(resumed.lossBetween).toBe(true);
    expect(durationOf(resumed)).toBeUndefined();
    // The formatter's -T says nothing either, where it would have said <0.009000>.
    const f = createLineFormatter({ time, durations: true });
    const lines = [
      ...f.push(
        parseRecords(
          Buffer.concat([b.subarray(0, enterBytes(3)), lost(5n), b.subarray(enterBytes(3))]),
        ),
      ),
      ...f.flush(),
    ];
    expect(lines[2]).toMatch(/resumed>.*\) = 8$/);
    const plain = createLineFormatter({ time, durations: true }).push(parseRecords(b));
    expect(plain[0]).toMatch(/ = 8 <0\.009000>$/);
  });
});

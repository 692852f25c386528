// The stream store pairs records into lines the way a dump does, lazily.
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/ui/filter.js';
import { StreamStore } from '../../src/ui/store.js';
import { layout, streamWindow } from '../../src/ui/view.js';
import { call, lost, write } from './fake-api.js';

const time = (ts: bigint): string => `t${ts}`;

function lines(store: StreamStore): string[] {
  return Array.from({ length: store.length }, (_, i) => store.textOf(store.at(i)));
}

describe('StreamStore', () => {
  it('makes one line of an enter followed by its exit, even across batches', () => {
    const store = new StreamStore({ time });
    const b = call({ name: 'close', args: [3n], ret: 0n });
    store.ingest(b.subarray(0, 56)); // the enter alone
    expect(store.length).toBe(0);
    store.ingest(b.subarray(56)); // its exit, in the next batch
    expect(lines(store)).toEqual([expect.stringMatching(/ cpu#0 100 \[worker\] close\(3\) = 0$/)]);
  });

  it('splits interleaved calls into unfinished and resumed halves', () => {
    const store = new StreamStore({ time });
    const a = call({ name: 'close', args: [3n], ret: 0n, tid: 1 });
    const b = call({ name: 'close', args: [4n], ret: 0n, tid: 2 });
    store.ingest(Buffer.concat([a.subarray(0, 56), b, a.subarray(56)]));
    const text = lines(store);
    expect(text[0]).toMatch(/close\(3 <unfinished \.\.\.>$/);
    expect(text[1]).toMatch(/close\(4\) = 0$/);
    expect(text[2]).toMatch(/<\.\.\. close resumed>\) = 0$/);
  });

  it('shows a call whose thread blocks once a batch comes back empty', () => {
    const store = new StreamStore({ time });
    store.ingest(call({ name: 'close', args: [3n], ret: 0n }).subarray(0, 56));
    expect(store.length).toBe(0);
    store.ingest(Buffer.alloc(0));
    expect(lines(store)[0]).toMatch(/close\(3 <unfinished \.\.\.>$/);
  });

  it('keeps the newest `capacity` lines and marks failed calls and losses', () => {
    const store = new StreamStore({ time, capacity: 3 });
    store.ingest(
      Buffer.concat([
        write('1'),
        write('2'),
        lost(9n),
        call({ name: 'close', args: [1n], ret: -9n }),
      ]),
    );
    expect(store.total).toBe(4);
    expect(store.length).toBe(3);
    expect(store.at(0).seq).toBe(1);
    expect(store.at(1).isLost).toBe(true);
    expect(store.at(2).failed).toBe(true);
    expect(lines(store)[1]).toContain('LOST 9 events');
  });

  it('a paused window scrolls a frozen copy; live follows the newest', () => {
    const store = new StreamStore({ time });
    store.ingest(Buffer.concat(Array.from({ length: 50 }, (_, i) => write(`w${i}`))));
    const live = streamWindow(store, store, undefined, 10, false, 0, 0);
    expect(live.rows.map((e) => e.seq)).toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49]);
    const frozen = store.freeze();
    store.ingest(write('after'));
    const paused = streamWindow(frozen, store, undefined, 10, true, 15, 10);
    expect(paused.rows.map((e) => e.seq)).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
    expect(paused.cursorRow).toBe(4);
    const f = compileFilter({ text: 'close', errorsOnly: false });
    expect(streamWindow(frozen, store, f, 10, true, 0, 0).rows).toEqual([]);
  });

  it('lays out exactly rows - 1 lines, with a one- or two-line header', () => {
    for (const rows of [10, 24, 30, 60]) {
      for (const n of [0, 1, 3, 20]) {
        const l = layout(rows, n);
        expect(5 + l.cgroupRows + l.streamRows).toBe(rows - 1);
        const two = layout(rows, n, 2);
        expect(6 + two.cgroupRows + two.streamRows).toBe(rows - 1);
      }
    }
  });
});

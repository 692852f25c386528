// The pure pieces of the stream's layout: where a line's result starts, how
// a row fits the width with its result kept, wrapping, the status bar's hints.
import { describe, expect, it } from 'vitest';
import {
  DUR_MIN_WIDTH,
  fitRow,
  keyHints,
  shortDuration,
  shortenResult,
  splitResult,
  STREAM_HEADER,
  wrapLines,
} from '../../src/ui/view.js';

const prefix = '!12:00:00.000000   0 4242    sh           ';

describe('splitResult', () => {
  it('splits a line with a result at its last ") = "', () => {
    expect(splitResult('close(3) = 0', true)).toEqual({ text: 'close(3)', result: '= 0' });
    expect(splitResult('write(1, "f() = 3", 7) = 7', true)).toEqual({
      text: 'write(1, "f() = 3", 7)',
      result: '= 7',
    });
    expect(
      splitResult('poll([{fd=3, events=POLLIN}], 1, 0) = 1 ([{fd=3, revents=POLLIN}])', true),
    ).toEqual({
      text: 'poll([{fd=3, events=POLLIN}], 1, 0)',
      result: '= 1 ([{fd=3, revents=POLLIN}])',
    });
    expect(splitResult('<... read resumed>"abc", 10) = 3', true).result).toBe('= 3');
    expect(splitResult('exit_group(0) = ?', false)).toEqual({
      text: 'exit_group(0)',
      result: '= ?',
    });
  });

  it('leaves a line without an exit whole, whatever its arguments say', () => {
    const unfinished = 'write(1, "x) = 3", 6 <unfinished ...>';
    expect(splitResult(unfinished, false)).toEqual({ text: unfinished, result: '' });
  });
});

describe('shortenResult', () => {
  const refused = '= -1 ECONNREFUSED (Connection refused)';
  it('keeps it whole when it fits, else drops the explanation, else cuts the end', () => {
    expect(shortenResult(refused, 40)).toBe(refused);
    expect(shortenResult(refused, 37)).toBe('= -1 ECONNREFUSED');
    expect(shortenResult(refused, 17)).toBe('= -1 ECONNREFUSED');
    expect(shortenResult(refused, 10)).toBe('= -1 ECON…');
    expect(shortenResult('= 1 ([{fd=3, revents=POLLIN}])', 10)).toBe('= 1');
    expect(shortenResult('= 0x8002 (flags O_RDWR|O_LARGEFILE)', 12)).toBe('= 0x8002');
  });
});

describe('fitRow', () => {
  const connect =
    prefix +
    'connect(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("127.0.0.1")}, 16)';
  const result = '= -1 ECONNREFUSED (Connection refused)';

  it('puts the result at the right edge and cuts the arguments for it', () => {
    const at120 = fitRow({ text: connect, result }, 120);
    expect(at120).toHaveLength(120);
    expect(at120.endsWith('… ' + result)).toBe(true);
    expect(at120.startsWith(prefix + 'connect(3, {sa_family=AF_INET')).toBe(true);
    const at80 = fitRow({ text: connect, result }, 80);
    expect(at80).toHaveLength(80);
    expect(at80.endsWith('… = -1 ECONNREFUSED')).toBe(true);
    expect(at80).toContain('connect(3, {');
  });

  it('pads a short call so its result is right-aligned', () => {
    const row = fitRow({ text: prefix + 'close(3)', result: '= 0' }, 100);
    expect(row).toHaveLength(100);
    expect(row).toMatch(/close\(3\) {2,}= 0$/);
    expect(fitRow({ text: 'LOST 3 events', result: '' }, 100)).toBe('LOST 3 events');
  });

  it('never exceeds the width, however narrow', () => {
    for (let w = 1; w <= 130; w++) {
      expect(fitRow({ text: connect, result }, w).length).toBeLessThanOrEqual(w);
      expect(fitRow({ text: STREAM_HEADER, result: 'RESULT' }, w).length).toBeLessThanOrEqual(w);
    }
  });
});

describe('wrapLines', () => {
  it('wraps at the width, at exact columns, and leaves short lines alone', () => {
    const long = 'a'.repeat(25);
    expect(wrapLines(['short', long], 10)).toEqual([
      'short',
      'a'.repeat(10),
      'a'.repeat(10),
      'aaaaa',
    ]);
    expect(wrapLines([''], 10)).toEqual(['']);
  });
});

describe('keyHints', () => {
  const hints = ['^S pause', '/ filter', 'e errors', 's snapshot', 'a add', 'x stop', 'Tab pane'];
  it('drops the last hints first and always keeps "? help  q quit"', () => {
    expect(keyHints(' LIVE · ', hints, 200)).toBe(
      ' LIVE · ^S pause  / filter  e errors  s snapshot  a add  x stop  Tab pane  ? help  q quit',
    );
    const at80 = keyHints(' LIVE · ', hints, 80);
    expect(at80.length).toBeLessThanOrEqual(80);
    expect(at80).toMatch(/^ LIVE · \^S pause .*\? help {2}q quit$/);
    expect(keyHints(' DISCONNECTED · ', hints, 39)).toBe(' DISCONNECTED · ? help  q quit');
  });
});

describe('the duration column', () => {
  it('says a duration in six characters at most, in the unit that reads best', () => {
    const cases: Array<[number, string]> = [
      [500, '0.5us'],
      [9_999, '10.0us'],
      [75_000, '75us'],
      [999_499, '999us'],
      [1_250_000, '1.3ms'],
      [20_000_000, '20.0ms'],
      [250_000_000, '250ms'],
      [1_234_000_000, '1.23s'],
      [12_340_000_000, '12.3s'],
      [3_600_000_000_000, '3600s'],
    ];
    for (const [ns, text] of cases) {
      expect(shortDuration(ns), String(ns)).toBe(text);
      expect(text.length).toBeLessThanOrEqual(6);
    }
    expect(shortDuration(undefined)).toBe('');
  });

  it('shows after the comm from 100 columns, and gives its room to the result below that', () => {
    const row = {
      text: prefix + 'connect(3, {sa_family=AF_INET, sin_port=htons(5432)}, 16)',
      result: '= -1 ECONNREFUSED (Connection refused)',
      dur: '20.0ms',
    };
    const wide = fitRow(row, DUR_MIN_WIDTH + 20);
    expect(wide.startsWith(prefix + '20.0ms connect(3, ')).toBe(true);
    expect(wide.endsWith('= -1 ECONNREFUSED (Connection refused)')).toBe(true);
    const narrow = fitRow(row, 80);
    expect(narrow).not.toContain('20.0ms');
    expect(narrow.endsWith('= -1 ECONNREFUSED')).toBe(true);
  });
});
